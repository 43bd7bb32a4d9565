//! `rampart oauth-client create|list|delete`: OAuth 2.0 client credentials administered
//! on the database, like `rampart key` (the API offers the same at `/oauth/clients`).

use crate::store;
use anyhow::{anyhow, Context};
use clap::{Args, Subcommand};
use rampart_domain::time::SystemClock;
use rampart_domain::{OAuthClientId, Principal, PrincipalId, PrincipalKind, Role};
use rampart_service::{OAuthClientInput, Service, ServiceError, DEFAULT_ORG};
use std::sync::Arc;

#[derive(Debug, Subcommand)]
pub enum OAuthClientCommand {
    /// Create client credentials; prints `client_id` and `client_secret` (only once).
    Create(CreateArgs),
    /// List the organization's clients (never their secrets).
    List(Common),
    /// Delete a client by its id: its tokens stop working at once.
    Delete {
        #[command(flatten)]
        common: Common,
        /// The client's id (the first column of `list`).
        id: uuid::Uuid,
    },
}

#[derive(Debug, Args)]
pub struct Common {
    /// Database URL (sqlite://PATH or postgres://…).
    #[arg(long, env = "RAMPART_DATABASE_URL", default_value = store::DEFAULT_DATABASE)]
    database: String,
    /// The organization (default: `default`).
    #[arg(long, default_value = DEFAULT_ORG)]
    org: String,
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    #[command(flatten)]
    common: Common,
    /// product-admin, read-write or read-only.
    #[arg(long, default_value = "read-only")]
    role: String,
    /// The most a token may carry, space-separated (`read`, `admin`, `scans:write`, …).
    #[arg(long, default_value = "read")]
    scopes: String,
    /// The principal the client acts as (a service account or user id); default: the
    /// organization itself.
    #[arg(long)]
    principal: Option<uuid::Uuid>,
    /// A label to recognise the client by.
    #[arg(long)]
    name: Option<String>,
}

/// The service and the organization principal acting as administrator.
async fn open(c: &Common) -> anyhow::Result<(Service, Principal)> {
    let store = store::open_existing(&c.database).await?;
    let org = store
        .find_org_by_name(&c.org)
        .await?
        .ok_or_else(|| anyhow!("no organization named '{}'", c.org))?;
    let service = Service::new(store, Arc::new(SystemClock), rampart_engine::catalogue());
    let admin = Principal::new(
        org.id,
        PrincipalId(org.id.0),
        PrincipalKind::Organization,
        Role::ProductAdmin,
    );
    Ok((service, admin))
}

fn explain(e: ServiceError) -> anyhow::Error {
    match e {
        ServiceError::Validation { problems, .. } => anyhow!(problems
            .into_iter()
            .map(|p| format!("{}: {}", p.context, p.explanation))
            .collect::<Vec<_>>()
            .join("; ")),
        other => anyhow!(other),
    }
}

pub async fn run(cmd: OAuthClientCommand) -> anyhow::Result<()> {
    match cmd {
        OAuthClientCommand::Create(a) => {
            let (service, admin) = open(&a.common).await?;
            let new = service
                .create_oauth_client(
                    &admin,
                    OAuthClientInput {
                        name: a.name,
                        principal: a.principal.map(PrincipalId),
                        role: Some(a.role),
                        scopes: Some(a.scopes),
                    },
                )
                .await
                .map_err(explain)
                .context("cannot create the client")?;
            println!("client_id={}", new.client.client_id);
            println!("client_secret={}", new.client_secret);
            println!("scopes={}", new.client.scopes);
        }
        OAuthClientCommand::List(c) => {
            let (service, admin) = open(&c).await?;
            for k in service.list_oauth_clients(&admin).await.map_err(explain)? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    k.id,
                    k.client_id,
                    k.role.as_str(),
                    k.kind.as_str(),
                    k.name,
                    k.scopes
                );
            }
        }
        OAuthClientCommand::Delete { common, id } => {
            let (service, admin) = open(&common).await?;
            service
                .delete_oauth_client(&admin, OAuthClientId(id))
                .await
                .map_err(explain)
                .context("cannot delete the client")?;
            println!("deleted {id}");
        }
    }
    Ok(())
}
