//! `rampart key list | create | revoke | rotate`. `create` works on the database directly
//! (`--database`, the bootstrap path: prints a new key, alone, on stdout) or over the API
//! (`--server`/`RAMPART_URL` and `--api-key`/`RAMPART_API_KEY`); the others over the API.

use crate::remote::ServerArgs;
use crate::store;
use anyhow::{anyhow, Context};
use clap::{Args, Subcommand};
use rampart_api_types::identity::{ApiKey, KeyOwner, NewApiKey};
use rampart_automation::lookup::find_principal;
use rampart_client::Client;
use rampart_domain::time::SystemClock;
use rampart_domain::Role;
use rampart_service::{KeyRequest, Service, ServiceError};
use serde_json::{json, Value};
use std::sync::Arc;
use uuid::Uuid;

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// List the organization's keys (never their secrets).
    List(ListArgs),
    /// Create an API key and print it (only once) on stdout.
    Create(CreateArgs),
    /// Revoke a key (by id or prefix): refused from the next request on.
    Revoke(KeyArgs),
    /// Give a key a new secret (same name, role, owner) and print it; the old one stops.
    Rotate(KeyArgs),
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    server: ServerArgs,
    /// Only the keys of this user (email or id) or service account (name or id).
    #[arg(long)]
    owner: Option<String>,
    /// table (aligned columns) or json.
    #[arg(long, default_value = "table", value_parser = ["table", "json"])]
    format: String,
}

#[derive(Debug, Args)]
pub struct KeyArgs {
    #[command(flatten)]
    server: ServerArgs,
    /// The key's id or its prefix (`rmp_…`, as `rampart key list` shows it).
    key: String,
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Database URL (sqlite://PATH or postgres://…): create the key in the database
    /// directly (the bootstrap path). Without it, and with --server, over the API.
    #[arg(long, env = "RAMPART_DATABASE_URL")]
    database: Option<String>,
    /// The server, to create the key over the API.
    #[arg(long = "server", env = "RAMPART_URL", value_name = "URL")]
    server: Option<String>,
    /// The API key to create it with (Product Admin).
    #[arg(
        long = "api-key",
        env = "RAMPART_API_KEY",
        hide_env_values = true,
        value_name = "KEY"
    )]
    api_key: Option<String>,
    /// product-admin, read-write or read-only.
    #[arg(long)]
    role: String,
    /// An organization key (sees every app).
    #[arg(long, conflicts_with_all = ["user", "service_account"])]
    org: bool,
    /// A user key acting as this user (with --database: created if missing).
    #[arg(long, value_name = "EMAIL")]
    user: Option<String>,
    /// A key of this service account (name or id; over the API).
    #[arg(long = "service-account", value_name = "NAME", conflicts_with = "user")]
    service_account: Option<String>,
    /// With --database: the organization (name or id; default: the default one).
    #[arg(long, value_name = "NAME")]
    tenant: Option<String>,
    /// A label to recognise the key by.
    #[arg(long)]
    name: Option<String>,
}

pub async fn run(cmd: KeyCommand) -> anyhow::Result<()> {
    let code = match cmd {
        KeyCommand::Create(args) => return create(args).await,
        KeyCommand::List(a) => list(a).await,
        KeyCommand::Revoke(a) => revoke(a).await,
        KeyCommand::Rotate(a) => rotate(a).await,
    };
    code.map_err(|e| anyhow!("key: {e}"))
}

fn parse_role(raw: &str) -> anyhow::Result<Role> {
    Role::parse(raw)
        .ok_or_else(|| anyhow!("unknown role '{raw}': use product-admin, read-write or read-only"))
}

async fn create(args: CreateArgs) -> anyhow::Result<()> {
    let role = parse_role(&args.role)?;
    match (&args.database, &args.server) {
        (None, Some(server)) => {
            let key = args
                .api_key
                .clone()
                .ok_or_else(|| anyhow!("give --api-key (or RAMPART_API_KEY) with --server"))?;
            let c = ServerArgs::with_key(server.clone(), key)
                .client()
                .map_err(|e| anyhow!(e))?;
            create_remote(&c, &args).await.map_err(|e| anyhow!(e))
        }
        _ => create_local(args, role).await,
    }
}

async fn create_local(args: CreateArgs, role: Role) -> anyhow::Result<()> {
    if args.service_account.is_some() {
        return Err(anyhow!(
            "a service account's key is created over the API: give --server and --api-key"
        ));
    }
    let database = args
        .database
        .unwrap_or_else(|| store::DEFAULT_DATABASE.to_string());
    let store = store::open_existing(&database).await?;
    let service = Service::new(store, Arc::new(SystemClock), rampart_engine::catalogue());
    let org = match &args.tenant {
        Some(t) => Some(
            service
                .find_org(t)
                .await
                .map_err(|_| anyhow!("no organization '{t}' (see rampart org list)"))?
                .id,
        ),
        None => None,
    };
    let owner = match (args.org, args.user) {
        (true, None) => rampart_service::KeyOwner::Organization,
        (false, Some(email)) => rampart_service::KeyOwner::UserEmail(email),
        _ => {
            return Err(anyhow!(
                "say --org for an organization key or --user EMAIL for a user key"
            ))
        }
    };
    let req = KeyRequest {
        org,
        role,
        owner,
        name: args.name,
    };
    let key = service.create_key(req).await.map_err(explain);
    let key = key.context("cannot create the key")?;
    println!("{}", key.token);
    Ok(())
}

/// A validation error's explanations, joined; any other error as it is.
pub fn explain(e: ServiceError) -> anyhow::Error {
    match e {
        ServiceError::Validation { problems, .. } => anyhow!(problems
            .into_iter()
            .map(|p| p.explanation)
            .collect::<Vec<_>>()
            .join("; ")),
        other => anyhow!(other),
    }
}

async fn create_remote(c: &Client, args: &CreateArgs) -> Result<(), String> {
    let owner = match (&args.user, &args.service_account, args.org) {
        (None, None, true) => None,
        (Some(who), None, false) | (None, Some(who), false) => {
            let (id, kind) = find_principal(c, who).await?;
            Some(KeyOwner {
                kind: kind.to_string(),
                id: Some(id),
                display: None,
            })
        }
        _ => return Err("say --org, --user EMAIL or --service-account NAME".into()),
    };
    let new = NewApiKey {
        name: args.name.clone(),
        role: args.role.clone(),
        owner,
    };
    let k = c.create_api_key(&new).await.map_err(|e| e.to_string())?;
    eprintln!("created key {} ({}), shown once:", k.key.id, k.key.prefix);
    println!("{}", k.secret);
    Ok(())
}

fn row(k: &ApiKey) -> Value {
    json!({
        "id": k.id,
        "prefix": k.prefix,
        "name": k.name,
        "owner": k.owner.display.clone().unwrap_or_default(),
        "type": k.owner.kind,
        "role": k.role,
        "created": k.created_at,
        "last_used": k.last_used_at.clone().unwrap_or_else(|| "never".into()),
    })
}

async fn list(a: ListArgs) -> Result<(), String> {
    let c = a.server.client()?;
    let owner = match &a.owner {
        Some(o) => Some(find_principal(&c, o).await?.0),
        None => None,
    };
    let keys = c.api_keys(owner).await.map_err(|e| e.to_string())?;
    crate::search_cmd::print_list(&keys, &a.format, "no keys", row);
    Ok(())
}

/// A key by id, or by its prefix (unique among the live keys).
async fn find_key(c: &Client, key: &str) -> Result<Uuid, String> {
    if let Ok(id) = Uuid::parse_str(key) {
        return Ok(id);
    }
    let keys = c.api_keys(None).await.map_err(|e| e.to_string())?;
    let hits: Vec<&ApiKey> = keys
        .iter()
        .filter(|k| k.prefix.starts_with(key) || key.starts_with(&k.prefix))
        .collect();
    match hits.as_slice() {
        [k] => Ok(k.id),
        [] => Err(format!("no key '{key}' (see rampart key list)")),
        _ => Err(format!(
            "{} keys match '{key}': pass the key id",
            hits.len()
        )),
    }
}

async fn revoke(a: KeyArgs) -> Result<(), String> {
    let c = a.server.client()?;
    let id = find_key(&c, &a.key).await?;
    c.revoke_api_key(id).await.map_err(|e| e.to_string())?;
    eprintln!("revoked key {id}");
    Ok(())
}

async fn rotate(a: KeyArgs) -> Result<(), String> {
    let c = a.server.client()?;
    let id = find_key(&c, &a.key).await?;
    let k = c.rotate_api_key(id).await.map_err(|e| e.to_string())?;
    eprintln!(
        "key {id} revoked; its successor {} ({}), shown once:",
        k.key.id, k.key.prefix
    );
    println!("{}", k.secret);
    Ok(())
}
