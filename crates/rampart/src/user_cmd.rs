//! `rampart user create | list | disable | enable | delete` over the API (Product Admin).

use crate::remote::{fail, ServerArgs};
use clap::{Args, Subcommand};
use rampart_api_types::identity::User;
use rampart_automation::lookup::find_principal;
use serde_json::{json, Value};
use std::io::Read;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user.
    Create(CreateArgs),
    /// List the organization's users (their ids name them elsewhere).
    List(ListArgs),
    /// Disable a user (email or id): its keys stop working at the next request.
    Disable(WhoArgs),
    /// Enable a disabled user again.
    Enable(WhoArgs),
    /// Delete a user (email or id) with its keys and OAuth clients: they stop working at
    /// the next request; the audit log keeps the user's id.
    Delete(WhoArgs),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    #[command(flatten)]
    server: ServerArgs,
    #[arg(long)]
    email: String,
    /// product-admin, read-write or read-only.
    #[arg(long)]
    role: String,
    /// The name to show.
    #[arg(long)]
    name: Option<String>,
    /// Read a console password from stdin (at least 12 characters).
    #[arg(long = "password-stdin")]
    password_stdin: bool,
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
    /// The user's email or id.
    user: String,
}

pub async fn run(cmd: UserCommand) -> ExitCode {
    let result = match cmd {
        UserCommand::Create(a) => create(a).await,
        UserCommand::List(a) => list(a).await,
        UserCommand::Disable(a) => set_status(a, "disabled").await,
        UserCommand::Enable(a) => set_status(a, "active").await,
        UserCommand::Delete(a) => delete(a).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail("user", e),
    }
}

async fn create(a: CreateArgs) -> Result<(), String> {
    let c = a.server.client()?;
    let password = if a.password_stdin {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("cannot read the password from stdin: {e}"))?;
        Some(s.trim_end_matches(['\r', '\n']).to_string())
    } else {
        None
    };
    let u = c
        .create_user(&User {
            email: Some(a.email),
            display_name: a.name,
            role: Some(a.role),
            password,
            ..User::default()
        })
        .await
        .map_err(|e| e.to_string())?;
    println!("{}", u.id.unwrap_or_default());
    Ok(())
}

fn row(u: &User) -> Value {
    json!({
        "id": u.id,
        "email": u.email,
        "name": u.display_name,
        "role": u.role,
        "status": u.status,
        "created": u.created_at,
    })
}

async fn list(a: ListArgs) -> Result<(), String> {
    let c = a.server.client()?;
    let users = c.users().await.map_err(|e| e.to_string())?;
    crate::search_cmd::print_list(&users, &a.format, "no users", row);
    Ok(())
}

async fn set_status(a: WhoArgs, status: &str) -> Result<(), String> {
    let c = a.server.client()?;
    let (id, kind) = find_principal(&c, &a.user).await?;
    if kind != "user" {
        return Err(format!("'{}' is a service account, not a user", a.user));
    }
    let u = c
        .update_user(
            id,
            &User {
                status: Some(status.to_string()),
                ..User::default()
            },
        )
        .await
        .map_err(|e| e.to_string())?;
    eprintln!(
        "user {} is {}",
        u.email.unwrap_or_default(),
        u.status.unwrap_or_default()
    );
    Ok(())
}

async fn delete(a: WhoArgs) -> Result<(), String> {
    let c = a.server.client()?;
    let (id, kind) = find_principal(&c, &a.user).await?;
    if kind != "user" {
        return Err(format!(
            "'{}' is a service account: use rampart service-account delete",
            a.user
        ));
    }
    c.delete_user(id).await.map_err(|e| e.to_string())?;
    eprintln!("deleted user {id}");
    Ok(())
}
