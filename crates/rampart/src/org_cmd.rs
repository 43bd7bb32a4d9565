//! `rampart org create | list`: tenants are an operator's business, made on the database
//! directly (like `rampart key create --database`).

use crate::key_cmd::explain;
use crate::store;
use anyhow::Context;
use clap::{Args, Subcommand};
use rampart_domain::time::SystemClock;
use rampart_domain::Role;
use rampart_service::{KeyOwner, KeyRequest, Service};
use serde_json::json;
use std::sync::Arc;

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Create an organization and print its first organization key (shown once) on stdout.
    Create(CreateArgs),
    /// List the organizations.
    List(ListArgs),
}

#[derive(Debug, Args)]
pub struct Db {
    /// Database URL (sqlite://PATH or postgres://…).
    #[arg(long, env = "RAMPART_DATABASE_URL", default_value = store::DEFAULT_DATABASE)]
    database: String,
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    #[command(flatten)]
    db: Db,
    /// The organization's name (unique).
    name: String,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    db: Db,
    /// table (aligned columns) or json.
    #[arg(long, default_value = "table", value_parser = ["table", "json"])]
    format: String,
}

async fn service(db: &Db) -> anyhow::Result<Service> {
    let store = store::open_existing(&db.database).await?;
    Ok(Service::new(
        store,
        Arc::new(SystemClock),
        rampart_engine::catalogue(),
    ))
}

pub async fn run(cmd: OrgCommand) -> anyhow::Result<()> {
    match cmd {
        OrgCommand::Create(a) => {
            let s = service(&a.db).await?;
            let org = s.create_org(&a.name).await.map_err(explain)?;
            let key = s
                .create_key(KeyRequest {
                    org: Some(org.id),
                    role: Role::ProductAdmin,
                    owner: KeyOwner::Organization,
                    name: Some("first organization key".into()),
                })
                .await
                .map_err(explain)
                .context("the organization exists but its first key failed")?;
            eprintln!(
                "created organization {} '{}'; its organization key, shown once:",
                org.id, org.name
            );
            println!("{}", key.token);
            Ok(())
        }
        OrgCommand::List(a) => {
            let s = service(&a.db).await?;
            let orgs = s.list_orgs().await.map_err(explain)?;
            let rows: Vec<serde_json::Value> = orgs
                .iter()
                .map(|o| json!({"id": o.id.to_string(), "name": o.name, "created": rampart_api_types::identity::time(o.created_at)}))
                .collect();
            if a.format == "json" {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&rows).unwrap_or_default()
                );
            } else if rows.is_empty() {
                eprintln!("no organizations");
            } else {
                println!("{}", crate::search_cmd::table(&rows));
            }
            Ok(())
        }
    }
}
