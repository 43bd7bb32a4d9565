//! `rampart service-account create | list | delete` over the API (Product Admin).

use crate::remote::{fail, ServerArgs};
use clap::{Args, Subcommand};
use rampart_api_types::identity::ServiceAccount;
use rampart_automation::lookup::find_principal;
use serde_json::{json, Value};
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum ServiceAccountCommand {
    /// Create a service account and print its id.
    Create(CreateArgs),
    /// List the organization's service accounts.
    List(ListArgs),
    /// Delete a service account (name or id) with its keys and OAuth clients: they stop
    /// working at the next request; the audit log keeps its id.
    Delete(WhoArgs),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    #[command(flatten)]
    server: ServerArgs,
    /// A unique name.
    name: String,
    /// product-admin, read-write or read-only.
    #[arg(long)]
    role: String,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    server: ServerArgs,
    /// table (aligned columns) or json.
    #[arg(long, default_value = "table", value_parser = ["table", "json"])]
    format: String,
}

#[derive(Debug, Args)]
pub struct WhoArgs {
    #[command(flatten)]
    server: ServerArgs,
    /// The service account's name or id.
    account: String,
}

pub async fn run(cmd: ServiceAccountCommand) -> ExitCode {
    let result = match cmd {
        ServiceAccountCommand::Create(a) => create(a).await,
        ServiceAccountCommand::List(a) => list(a).await,
        ServiceAccountCommand::Delete(a) => delete(a).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail("service-account", e),
    }
}

async fn create(a: CreateArgs) -> Result<(), String> {
    let c = a.server.client()?;
    let sa = c
        .create_service_account(&ServiceAccount {
            name: Some(a.name),
            role: Some(a.role),
            ..ServiceAccount::default()
        })
        .await
        .map_err(|e| e.to_string())?;
    println!("{}", sa.id.unwrap_or_default());
    Ok(())
}

fn row(a: &ServiceAccount) -> Value {
    json!({
        "id": a.id,
        "name": a.name,
        "role": a.role,
        "status": a.status,
        "created": a.created_at,
    })
}

async fn list(a: ListArgs) -> Result<(), String> {
    let c = a.server.client()?;
    let all = c.service_accounts().await.map_err(|e| e.to_string())?;
    crate::search_cmd::print_list(&all, &a.format, "no service accounts", row);
    Ok(())
}

async fn delete(a: WhoArgs) -> Result<(), String> {
    let c = a.server.client()?;
    let (id, kind) = find_principal(&c, &a.account).await?;
    if kind != "service_account" {
        return Err(format!(
            "'{}' is a user: use rampart user delete",
            a.account
        ));
    }
    c.delete_service_account(id)
        .await
        .map_err(|e| e.to_string())?;
    eprintln!("deleted service account {id}");
    Ok(())
}
