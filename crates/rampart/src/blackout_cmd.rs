//! `rampart blackout list|create|delete`: quiet windows of an app or of the organization.

use crate::remote::{fail, ServerArgs};
use clap::{Args, Subcommand};
use rampart_api_types::ias::{Blackout, Frequency, IdRef};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct BlackoutArgs {
    #[command(flatten)]
    pub server: ServerArgs,
    #[command(subcommand)]
    pub command: BlackoutCommand,
}

#[derive(Debug, Subcommand)]
pub enum BlackoutCommand {
    /// Lists the blackouts you may see, by name (`ACTIVE` is computed by the server now).
    List {
        /// table (aligned columns) or json (the array of blackouts).
        #[arg(long, default_value = "table", value_parser = ["table", "json"])]
        format: String,
    },
    /// Creates a blackout; without `--app` it is global (Product Admin keys only).
    Create(CreateArgs),
    /// Deletes a blackout by id.
    Delete { id: uuid::Uuid },
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    #[arg(long)]
    pub name: String,
    /// The app (name or id); omit for a global blackout.
    #[arg(long)]
    pub app: Option<String>,
    /// When the first window starts, e.g. `2026-12-24T18:00:00Z` or
    /// `2026-12-24T18:00:00Z[Europe/Berlin]`.
    #[arg(long)]
    pub start: String,
    /// When the first window ends; every window lasts `end - start`.
    #[arg(long)]
    pub end: String,
    /// No window starts after this.
    #[arg(long)]
    pub last_start: Option<String>,
    /// ONCE, HOURLY, DAILY, WEEKLY or MONTHLY (default ONCE unless --rrule is given).
    #[arg(long, conflicts_with = "rrule")]
    pub frequency: Option<String>,
    /// Every N periods of --frequency.
    #[arg(long, default_value_t = 1)]
    pub interval: i64,
    /// An RFC 5545 rule instead of --frequency, e.g. `FREQ=WEEKLY;INTERVAL=1;BYDAY=SA,SU`.
    #[arg(long)]
    pub rrule: Option<String>,
    /// Create it disabled.
    #[arg(long)]
    pub disabled: bool,
}

/// The columns `list` prints, in order.
const COLUMNS: [&str; 9] = [
    "ID",
    "NAME",
    "SCOPE",
    "APP",
    "ENABLED",
    "ACTIVE",
    "FIRST_START",
    "FIRST_END",
    "RECURRENCE",
];

fn row(b: &Blackout) -> Vec<String> {
    let flag = |v: Option<bool>| v.map(|b| b.to_string()).unwrap_or_default();
    let recurrence = match (&b.frequency, &b.rrule) {
        (_, Some(r)) => r.clone(),
        (Some(f), None) if f.kind.as_deref() == Some("ONCE") => "ONCE".into(),
        (Some(f), None) => format!(
            "{} every {}",
            f.kind.as_deref().unwrap_or_default(),
            f.interval.unwrap_or(1)
        ),
        (None, None) => String::new(),
    };
    vec![
        b.id.map(|i| i.to_string()).unwrap_or_default(),
        b.name.clone(),
        b.scope.clone().unwrap_or_default(),
        b.app.map(|a| a.id.to_string()).unwrap_or_default(),
        flag(b.enabled),
        flag(b.active),
        b.first_start.clone().unwrap_or_default(),
        b.first_end.clone().unwrap_or_default(),
        recurrence,
    ]
}

fn aligned(rows: &[Vec<String>]) -> String {
    let headers: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
    crate::term::aligned(&headers, rows)
}

pub async fn run(args: BlackoutArgs) -> ExitCode {
    let client = match args.server.client() {
        Ok(c) => c,
        Err(e) => return fail("blackout", e),
    };
    match args.command {
        BlackoutCommand::List { format } => {
            let all: Vec<Blackout> = match client.blackouts().all().await {
                Ok(b) => b,
                Err(e) => return fail("blackout list", e),
            };
            if format == "json" {
                println!("{}", serde_json::to_string_pretty(&all).unwrap_or_default());
            } else if all.is_empty() {
                eprintln!("no blackouts");
            } else {
                println!("{}", aligned(&all.iter().map(row).collect::<Vec<_>>()));
            }
            ExitCode::SUCCESS
        }
        BlackoutCommand::Create(c) => {
            let app = match &c.app {
                Some(a) => match rampart_automation::lookup::find_app(&client, a).await {
                    Ok(app) => app.id.map(|id| IdRef { id }),
                    Err(e) => return fail("blackout create", e),
                },
                None => None,
            };
            let frequency = match (&c.rrule, c.frequency) {
                (Some(_), _) => None,
                (None, f) => {
                    let kind = f.unwrap_or_else(|| "ONCE".into()).to_ascii_uppercase();
                    let interval = if kind == "ONCE" { 0 } else { c.interval };
                    Some(Frequency {
                        kind: Some(kind),
                        interval: Some(interval),
                    })
                }
            };
            let body = Blackout {
                name: c.name,
                enabled: Some(!c.disabled),
                app,
                first_start: Some(c.start),
                first_end: Some(c.end),
                last_start: c.last_start,
                frequency,
                rrule: c.rrule,
                ..Default::default()
            };
            match client.create_blackout(&body).await {
                Ok(id) => {
                    println!("{id}");
                    ExitCode::SUCCESS
                }
                Err(e) => fail("blackout create", e),
            }
        }
        BlackoutCommand::Delete { id } => match client.delete_blackout(id).await {
            Ok(()) => {
                eprintln!("deleted blackout {id}");
                ExitCode::SUCCESS
            }
            Err(e) => fail("blackout delete", e),
        },
    }
}
