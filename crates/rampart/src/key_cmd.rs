//! `rampart key create`: prints a new key, alone, on stdout.

use crate::store;
use anyhow::{anyhow, Context};
use clap::{Args, Subcommand};
use rampart_domain::time::SystemClock;
use rampart_domain::Role;
use rampart_service::{KeyRequest, Service, ServiceError};
use std::sync::Arc;

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Create an API key and print it (only once) on stdout.
    Create(CreateArgs),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Database URL (sqlite://PATH or postgres://…).
    #[arg(long, env = "RAMPART_DATABASE_URL", default_value = store::DEFAULT_DATABASE)]
    database: String,
    /// product-admin, read-write or read-only.
    #[arg(long)]
    role: String,
    /// An organization key (sees every app).
    #[arg(long, conflicts_with = "user")]
    org: bool,
    /// A user key acting as this user (created if missing).
    #[arg(long, value_name = "EMAIL")]
    user: Option<String>,
    /// A label to recognise the key by.
    #[arg(long)]
    name: Option<String>,
}

pub async fn run(cmd: KeyCommand) -> anyhow::Result<()> {
    let KeyCommand::Create(args) = cmd;
    let role = Role::parse(&args.role).ok_or_else(|| {
        anyhow!(
            "unknown role '{}': use product-admin, read-write or read-only",
            args.role
        )
    })?;
    let store = store::open(&args.database).await?;
    let service = Service::new(store, Arc::new(SystemClock), rampart_engine::catalogue());
    let req = KeyRequest {
        org: None,
        role,
        organization_key: args.org,
        user_email: args.user,
        name: args.name,
    };
    let key = service.create_key(req).await.map_err(|e| match e {
        ServiceError::Validation { problems, .. } => {
            anyhow!(problems
                .into_iter()
                .map(|p| p.explanation)
                .collect::<Vec<_>>()
                .join("; "))
        }
        other => anyhow!(other),
    });
    let key = key.context("cannot create the key")?;
    println!("{}", key.token);
    Ok(())
}
