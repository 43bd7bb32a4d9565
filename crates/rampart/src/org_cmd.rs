//! `rampart org create | list | rename | delete`: tenants are an operator's business, done
//! over the API by an administrator of the operator organization (`--server`/`RAMPART_URL`
//! and `--api-key`/`RAMPART_API_KEY`; `/organizations`), or on the database directly
//! (`--database`, like `rampart key create --database`: the bootstrap path).

use crate::key_cmd::explain;
use crate::remote::ServerArgs;
use crate::store;
use anyhow::{anyhow, Context};
use clap::{Args, Subcommand};
use rampart_api_types::identity::{time, Organization};
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
    /// Rename an organization (name or id).
    Rename(RenameArgs),
    /// Delete an organization (name or id) and everything it owns.
    Delete(DeleteArgs),
}

/// Where the organizations are: a server (over the API) or a database.
#[derive(Debug, Args)]
pub struct Target {
    /// Database URL (sqlite://PATH or postgres://…): work on the database directly.
    /// Without it, and with --server, over the API.
    #[arg(long, env = "RAMPART_DATABASE_URL")]
    database: Option<String>,
    /// The server, to work over the API (an operator organization's administrator key).
    #[arg(long = "server", env = "RAMPART_URL", value_name = "URL")]
    server: Option<String>,
    /// The API key (`rmp_…`) with --server.
    #[arg(
        long = "api-key",
        env = "RAMPART_API_KEY",
        hide_env_values = true,
        value_name = "KEY"
    )]
    api_key: Option<String>,
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    #[command(flatten)]
    target: Target,
    /// The organization's name (unique).
    name: String,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    target: Target,
    /// table (aligned columns) or json.
    #[arg(long, default_value = "table", value_parser = ["table", "json"])]
    format: String,
}

#[derive(Debug, Args)]
pub struct RenameArgs {
    #[command(flatten)]
    target: Target,
    /// The organization (name or id).
    org: String,
    /// Its new name.
    name: String,
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    #[command(flatten)]
    target: Target,
    /// The organization (name or id).
    org: String,
    /// Confirm: the organization's apps, scans, findings, keys and audit log go with it.
    #[arg(long)]
    yes: bool,
}

enum Via {
    Api(rampart_client::Client),
    Db(Service),
}

impl Target {
    async fn open(&self) -> anyhow::Result<Via> {
        match (&self.database, &self.server) {
            (None, Some(server)) => {
                let key = self
                    .api_key
                    .clone()
                    .ok_or_else(|| anyhow!("give --api-key (or RAMPART_API_KEY) with --server"))?;
                let c = ServerArgs::with_key(server.clone(), key)
                    .client()
                    .map_err(|e| anyhow!(e))?;
                Ok(Via::Api(c))
            }
            _ => {
                let url = self
                    .database
                    .clone()
                    .unwrap_or_else(|| store::DEFAULT_DATABASE.to_string());
                let store = store::open_existing(&url).await?;
                Ok(Via::Db(Service::new(
                    store,
                    Arc::new(SystemClock),
                    rampart_engine::catalogue(),
                )))
            }
        }
    }
}

fn wire(o: rampart_domain::Organization) -> Organization {
    Organization {
        id: o.id.0,
        name: o.name,
        created_at: time(o.created_at),
        operator: o.operator,
    }
}

/// The organization named `who` (name or id) among `all`.
fn pick(all: Vec<Organization>, who: &str) -> anyhow::Result<Organization> {
    let id = uuid::Uuid::parse_str(who).ok();
    all.into_iter()
        .find(|o| Some(o.id) == id || o.name == who)
        .ok_or_else(|| anyhow!("no organization '{who}' (see rampart org list)"))
}

async fn list(via: &Via) -> anyhow::Result<Vec<Organization>> {
    Ok(match via {
        Via::Api(c) => c.organizations().await.map_err(|e| anyhow!("{e}"))?,
        Via::Db(s) => s
            .list_orgs()
            .await
            .map_err(explain)?
            .into_iter()
            .map(wire)
            .collect(),
    })
}

pub async fn run(cmd: OrgCommand) -> anyhow::Result<()> {
    match cmd {
        OrgCommand::Create(a) => {
            let (org, token) = match a.target.open().await? {
                Via::Api(c) => {
                    let o = c
                        .create_organization(&a.name)
                        .await
                        .map_err(|e| anyhow!("{e}"))?;
                    (o.organization, o.key_secret)
                }
                Via::Db(s) => {
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
                    (wire(org), key.token)
                }
            };
            eprintln!(
                "created organization {} '{}'; its organization key, shown once:",
                org.id, org.name
            );
            println!("{token}");
            Ok(())
        }
        OrgCommand::List(a) => {
            let orgs = list(&a.target.open().await?).await?;
            let rows: Vec<serde_json::Value> = orgs
                .iter()
                .map(|o| json!({"id": o.id.to_string(), "name": o.name, "operator": o.operator, "created": o.created_at}))
                .collect();
            crate::search_cmd::print_list(&rows, &a.format, "no organizations", Clone::clone);
            Ok(())
        }
        OrgCommand::Rename(a) => {
            let via = a.target.open().await?;
            let org = pick(list(&via).await?, &a.org)?;
            let renamed = match &via {
                Via::Api(c) => c
                    .rename_organization(org.id, &a.name)
                    .await
                    .map_err(|e| anyhow!("{e}"))?,
                Via::Db(s) => wire(
                    s.rename_org(rampart_domain::OrgId(org.id), &a.name)
                        .await
                        .map_err(explain)?,
                ),
            };
            eprintln!("organization {} is now '{}'", renamed.id, renamed.name);
            Ok(())
        }
        OrgCommand::Delete(a) => {
            if !a.yes {
                return Err(anyhow!(
                    "deleting '{}' deletes everything it owns: add --yes to confirm",
                    a.org
                ));
            }
            let via = a.target.open().await?;
            let org = pick(list(&via).await?, &a.org)?;
            match &via {
                Via::Api(c) => c
                    .delete_organization(org.id)
                    .await
                    .map_err(|e| anyhow!("{e}"))?,
                Via::Db(s) => s
                    .delete_org(rampart_domain::OrgId(org.id))
                    .await
                    .map_err(explain)?,
            }
            eprintln!("deleted organization {} '{}'", org.id, org.name);
            Ok(())
        }
    }
}
