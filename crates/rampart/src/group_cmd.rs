//! `rampart group create | list | add-member | grant-app | grant-tag` over the API
//! (Product Admin): identity groups and the app access they grant.

use crate::remote::{fail, ServerArgs};
use clap::{Args, Subcommand};
use rampart_api_types::identity::{Grant, IdentityGroup, MemberRef};
use rampart_automation::lookup::{find_app, find_group, find_principal};
use serde_json::{json, Value};
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum GroupCommand {
    /// Create a (local) identity group.
    Create(CreateArgs),
    /// List the identity groups with their members and grants.
    List(ListArgs),
    /// Add a user (email or id) or service account (name or id) to a group.
    AddMember(MemberArgs),
    /// Let a group's members see an app (name or id).
    GrantApp(AppArgs),
    /// Let a group's members see every app with a tag (now and later).
    GrantTag(TagArgs),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    #[command(flatten)]
    server: ServerArgs,
    name: String,
    #[arg(long)]
    description: Option<String>,
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
pub struct MemberArgs {
    #[command(flatten)]
    server: ServerArgs,
    /// The group (name or id).
    group: String,
    /// A user's email or id, or a service account's name or id.
    member: String,
}

#[derive(Debug, Args)]
pub struct AppArgs {
    #[command(flatten)]
    server: ServerArgs,
    /// The group (name or id).
    group: String,
    /// The app (name or id).
    app: String,
}

#[derive(Debug, Args)]
pub struct TagArgs {
    #[command(flatten)]
    server: ServerArgs,
    /// The group (name or id).
    group: String,
    /// The tag (name or id; a new name is created).
    tag: String,
}

pub async fn run(cmd: GroupCommand) -> ExitCode {
    let result = match cmd {
        GroupCommand::Create(a) => create(a).await,
        GroupCommand::List(a) => list(a).await,
        GroupCommand::AddMember(a) => add_member(a).await,
        GroupCommand::GrantApp(a) => grant_app(a).await,
        GroupCommand::GrantTag(a) => grant_tag(a).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail("group", e),
    }
}

async fn create(a: CreateArgs) -> Result<(), String> {
    let c = a.server.client()?;
    let g = c
        .create_identity_group(&IdentityGroup {
            name: Some(a.name),
            description: a.description,
            ..IdentityGroup::default()
        })
        .await
        .map_err(|e| e.to_string())?;
    println!("{}", g.id.unwrap_or_default());
    Ok(())
}

fn row(g: &IdentityGroup) -> Value {
    let members: Vec<String> = g
        .member_details
        .iter()
        .flatten()
        .map(|m| m.display.clone())
        .collect();
    json!({
        "id": g.id,
        "name": g.name,
        "source": g.source,
        "members": members.join(", "),
        "apps": g.application_ids.as_ref().map_or(0, Vec::len),
        "tags": g.application_tags.clone().unwrap_or_default().join(", "),
    })
}

async fn list(a: ListArgs) -> Result<(), String> {
    let c = a.server.client()?;
    let groups = c.identity_groups().await.map_err(|e| e.to_string())?;
    crate::search_cmd::print_list(&groups, &a.format, "no identity groups", row);
    Ok(())
}

fn group_id(g: &IdentityGroup) -> uuid::Uuid {
    g.id.unwrap_or_default()
}

async fn add_member(a: MemberArgs) -> Result<(), String> {
    let c = a.server.client()?;
    let g = find_group(&c, &a.group).await?;
    let (id, _) = find_principal(&c, &a.member).await?;
    c.add_group_member(
        group_id(&g),
        &MemberRef {
            id: Some(id),
            email: None,
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    eprintln!(
        "added {} to group '{}'",
        a.member,
        g.name.unwrap_or_default()
    );
    Ok(())
}

async fn grant_app(a: AppArgs) -> Result<(), String> {
    let c = a.server.client()?;
    let g = find_group(&c, &a.group).await?;
    let app = find_app(&c, &a.app).await?;
    c.grant_group(
        group_id(&g),
        &Grant {
            application_id: app.id,
            tag: None,
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    eprintln!(
        "group '{}' now sees app '{}'",
        g.name.unwrap_or_default(),
        app.name
    );
    Ok(())
}

async fn grant_tag(a: TagArgs) -> Result<(), String> {
    let c = a.server.client()?;
    let g = find_group(&c, &a.group).await?;
    c.grant_group(
        group_id(&g),
        &Grant {
            application_id: None,
            tag: Some(a.tag.clone()),
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    eprintln!(
        "group '{}' now sees every app tagged '{}'",
        g.name.unwrap_or_default(),
        a.tag
    );
    Ok(())
}
