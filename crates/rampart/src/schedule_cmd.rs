//! `rampart schedule list | create | delete`: recurring scans of a scan config on a server.

use crate::remote::{fail, ServerArgs};
use clap::{Args, Subcommand};
use rampart_api_types::ias::{Frequency, IdRef, Schedule};
use rampart_automation::lookup::{find_app, find_config};
use rampart_client::{quote, search_type, Client};
use serde_json::{json, Value};
use std::process::ExitCode;
use uuid::Uuid;

#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// List schedules (all, or one app's).
    List(ListArgs),
    /// Create a schedule of an app's scan config.
    Create(Box<CreateArgs>),
    /// Delete a schedule by id or exact name.
    Delete(DeleteArgs),
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub server: ServerArgs,
    /// Only this app's schedules (name or id).
    #[arg(long)]
    pub app: Option<String>,
    /// table (aligned columns) or json.
    #[arg(long, default_value = "table", value_parser = ["table", "json"])]
    pub format: String,
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    #[command(flatten)]
    pub server: ServerArgs,
    /// The app (name or id).
    #[arg(long)]
    pub app: String,
    /// The app's scan config (name or id).
    #[arg(long = "config")]
    pub config: String,
    #[arg(long)]
    pub name: String,
    /// `2026-01-05T02:00:00Z`, `2026-01-05`, or with a zone: `2026-01-05T01:00:00Z[Europe/Berlin]`.
    #[arg(long = "first-start")]
    pub first_start: String,
    #[arg(long = "last-start")]
    pub last_start: Option<String>,
    /// ONCE, HOURLY, DAILY, WEEKLY or MONTHLY (or give --rrule).
    #[arg(long, conflicts_with = "rrule")]
    pub frequency: Option<String>,
    /// Every N periods of --frequency.
    #[arg(long, default_value_t = 1)]
    pub interval: i64,
    /// An RFC 5545 rule, e.g. `FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1` (last Friday).
    #[arg(long)]
    pub rrule: Option<String>,
    /// Create it disabled.
    #[arg(long)]
    pub disabled: bool,
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    #[command(flatten)]
    pub server: ServerArgs,
    /// The schedule's id or exact name.
    pub schedule: String,
}

pub async fn run(cmd: ScheduleCommand) -> ExitCode {
    let result = match cmd {
        ScheduleCommand::List(a) => list(a).await,
        ScheduleCommand::Create(a) => create(*a).await,
        ScheduleCommand::Delete(a) => delete(a).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail("schedule", e),
    }
}

/// The columns a person reads: what, when, and whether it runs.
fn row(s: &Schedule) -> Value {
    let every = match (&s.frequency, &s.rrule) {
        (Some(f), _) => match (f.kind.as_deref(), f.interval) {
            (Some("ONCE"), _) => "ONCE".to_string(),
            (Some(k), Some(n)) if n > 1 => format!("{k} every {n}"),
            (Some(k), _) => k.to_string(),
            (None, _) => String::new(),
        },
        (None, Some(r)) => r.clone(),
        (None, None) => String::new(),
    };
    json!({
        "id": s.id,
        "name": s.name,
        "enabled": s.enabled,
        "recurrence": every,
        "first_start": s.first_start,
        "next_run": s.next_run_time,
        "scan_config": s.scan_config.map(|c| c.id),
        "note": s.disabled_reason,
    })
}

async fn list(a: ListArgs) -> Result<(), String> {
    let c = a.server.client()?;
    let schedules: Vec<Schedule> = match &a.app {
        None => c.schedules().all().await.map_err(|e| e.to_string())?,
        Some(app) => {
            let app = find_app(&c, app).await?;
            let q = format!(
                "schedule.app.id={}",
                quote(&app.id.unwrap_or_default().to_string())
            );
            c.search(search_type::SCHEDULE, &q)
                .all()
                .await
                .map_err(|e| e.to_string())?
        }
    };
    crate::search_cmd::print_list(&schedules, &a.format, "no schedules", row);
    Ok(())
}

async fn create(a: CreateArgs) -> Result<(), String> {
    let c = a.server.client()?;
    let app = find_app(&c, &a.app).await?;
    let cfg = find_config(&c, &app, &a.config).await?;
    if a.frequency.is_none() && a.rrule.is_none() {
        return Err("give --frequency (ONCE, HOURLY, DAILY, WEEKLY, MONTHLY) or --rrule".into());
    }
    let body = Schedule {
        name: a.name,
        enabled: Some(!a.disabled),
        scan_config: cfg.id.map(|id| IdRef { id }),
        first_start: Some(a.first_start),
        last_start: a.last_start,
        frequency: a.frequency.map(|k| Frequency {
            kind: Some(k.to_ascii_uppercase()),
            interval: Some(a.interval),
        }),
        rrule: a.rrule,
        ..Schedule::default()
    };
    let id = c.create_schedule(&body).await.map_err(|e| e.to_string())?;
    let s = c.get_schedule(id).await.map_err(|e| e.to_string())?;
    println!(
        "created schedule {id} '{}' of scan config '{}' (app '{}'), next run {}",
        s.name,
        cfg.name,
        app.name,
        s.next_run_time.as_deref().unwrap_or("none")
    );
    Ok(())
}

async fn find_schedule(c: &Client, name_or_id: &str) -> Result<Uuid, String> {
    if let Ok(id) = Uuid::parse_str(name_or_id) {
        return Ok(id);
    }
    let hits: Vec<Schedule> = c
        .search(
            search_type::SCHEDULE,
            &format!("schedule.name={}", quote(name_or_id)),
        )
        .all()
        .await
        .map_err(|e| e.to_string())?;
    let ids: Vec<Uuid> = hits
        .iter()
        .filter(|s| s.name == name_or_id)
        .filter_map(|s| s.id)
        .collect();
    match ids.as_slice() {
        [] => Err(format!("schedule '{name_or_id}' not found")),
        [id] => Ok(*id),
        _ => Err(format!(
            "{} schedules are named '{name_or_id}': pass the schedule id instead",
            ids.len()
        )),
    }
}

async fn delete(a: DeleteArgs) -> Result<(), String> {
    let c = a.server.client()?;
    let id = find_schedule(&c, &a.schedule).await?;
    c.delete_schedule(id).await.map_err(|e| {
        if e.is_not_found() {
            format!("schedule {id} not found")
        } else {
            e.to_string()
        }
    })?;
    println!("deleted schedule {id}");
    Ok(())
}
