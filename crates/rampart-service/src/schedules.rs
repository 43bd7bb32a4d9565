//! Schedules (CRUD, §3.8) and the scheduler's `fire_due`: each due occurrence becomes a scan
//! through the same admission as `POST /scans`, fired exactly once.
//!
//! Decisions:
//! - `next_run_at` is set when a schedule is written (the first occurrence at or after
//!   now); past occurrences never fire. An update keeps a pending due time unless the
//!   recurrence, the scan config or `enabled` changed.
//! - `fire_due(now)` fires every enabled schedule due at `now` once and moves it to its
//!   first occurrence *after now*: after downtime a schedule catches up once, not once per
//!   missed occurrence. The move and the scan are one transaction keyed on the due time,
//!   so a replica or a restart racing for the same occurrence fires it once.
//! - A config with `errors[]` (or targets outside the organization's) gives a `FAILED` scan
//!   with its reason, as `POST /scans` does; a schedule whose scan config was deleted is
//!   disabled with `disabled_reason`.

use crate::error::Checks;
use crate::{require, Problem, Service, ServiceError, ServiceResult};
use chrono::{DateTime, Utc};
use rampart_domain::recurrence::{Recurrence, RecurrenceInput};
use rampart_domain::schedule::CONFIG_DELETED;
use rampart_domain::*;
use rampart_store::{ListRequest, Page, StoreError, Visibility};
use std::collections::HashSet;

/// A schedule as a client writes it (`POST`/`PUT /schedules`).
#[derive(Clone, Debug, Default)]
pub struct ScheduleInput {
    pub name: String,
    /// Required.
    pub enabled: Option<bool>,
    pub scan_config: Option<ScanConfigId>,
    pub first_start: Option<String>,
    /// `None` or `""`: no last start.
    pub last_start: Option<String>,
    /// `frequency {type, interval}` as sent.
    pub frequency: Option<(Option<String>, Option<i64>)>,
    pub rrule: Option<String>,
}

/// What one `fire_due` call did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FireReport {
    /// Scans submitted (`PENDING` or `FAILED` with their reason).
    pub fired: Vec<ScanId>,
    /// Schedules disabled because their scan config is gone.
    pub disabled: u64,
}

/// How many due schedules one read takes.
const DUE_BATCH: u64 = 200;

/// How many firings run at once.
const FIRE_CONCURRENCY: usize = 8;

impl Service {
    async fn check_schedule(
        &self,
        p: &Principal,
        input: &ScheduleInput,
    ) -> ServiceResult<(ScanConfig, Recurrence)> {
        let mut c = Checks::default();
        c.text("name", &input.name, 1, 200);
        if input.enabled.is_none() {
            c.push(Problem::property("enabled", "is required (true or false)"));
        }
        let cfg = match input.scan_config {
            None => {
                c.push(Problem::property("scan_config.id", "is required"));
                None
            }
            Some(id) => match self
                .store
                .get_scan_config(p.org, id, &Visibility::of(p))
                .await
            {
                Ok(cfg) => Some(cfg),
                Err(StoreError::NotFound) => {
                    c.push(Problem::property("scan_config.id", "no such scan config"));
                    None
                }
                Err(e) => return Err(e.into()),
            },
        };
        let recurrence = match input.first_start.as_deref() {
            None | Some("") => {
                c.push(Problem::property("first_start", "is required"));
                None
            }
            Some(first) => {
                let parsed = Recurrence::parse(&RecurrenceInput {
                    first_start: first,
                    last_start: input.last_start.as_deref(),
                    frequency: input.frequency.as_ref().map(|(k, i)| (k.as_deref(), *i)),
                    rrule: input.rrule.as_deref(),
                });
                match parsed {
                    Ok(r) => Some(r),
                    Err(e) => {
                        c.push(Problem::property(e.field, e.message));
                        None
                    }
                }
            }
        };
        c.finish()?;
        match (cfg, recurrence) {
            (Some(cfg), Some(r)) => Ok((cfg, r)),
            _ => Err(ServiceError::Internal("schedule checks incomplete".into())),
        }
    }

    pub async fn create_schedule(
        &self,
        p: &Principal,
        input: ScheduleInput,
    ) -> ServiceResult<ScheduleId> {
        require(p, Resource::Schedules, Action::Manage)?;
        let (cfg, recurrence) = self.check_schedule(p, &input).await?;
        let now = self.now();
        let mut s = Schedule {
            id: ScheduleId::new(),
            org: p.org,
            app: cfg.app,
            scan_config: Some(cfg.id),
            name: input.name,
            enabled: input.enabled.unwrap_or(true),
            recurrence,
            next_run_at: None,
            last_fired_at: None,
            disabled_reason: None,
            created_at: now,
            updated_at: now,
        };
        s.next_run_at = s.next_due(now);
        self.store.create_schedule(&s).await?;
        Ok(s.id)
    }

    pub async fn get_schedule(&self, p: &Principal, id: ScheduleId) -> ServiceResult<Schedule> {
        require(p, Resource::Schedules, Action::Read)?;
        Ok(self
            .store
            .get_schedule(p.org, id, &Visibility::of(p))
            .await?)
    }

    /// The schedules of the apps the caller may see (default sort `schedule.name`).
    pub async fn list_schedules(
        &self,
        p: &Principal,
        req: &ListRequest,
    ) -> ServiceResult<Page<Schedule>> {
        require(p, Resource::Schedules, Action::Read)?;
        Ok(self
            .store
            .list_schedules(p.org, &Visibility::of(p), req)
            .await?)
    }

    pub async fn update_schedule(
        &self,
        p: &Principal,
        id: ScheduleId,
        input: ScheduleInput,
    ) -> ServiceResult<Schedule> {
        let mut s = self.get_schedule(p, id).await?;
        require(p, Resource::Schedules, Action::Manage)?;
        let (cfg, recurrence) = self.check_schedule(p, &input).await?;
        let enabled = input.enabled.unwrap_or(s.enabled);
        let unchanged =
            s.enabled == enabled && s.scan_config == Some(cfg.id) && s.recurrence == recurrence;
        let now = self.now();
        s.name = input.name;
        s.enabled = enabled;
        s.app = cfg.app;
        s.scan_config = Some(cfg.id);
        s.recurrence = recurrence;
        if enabled {
            s.disabled_reason = None;
        }
        if !unchanged || s.next_run_at.is_none() {
            s.next_run_at = s.next_due(now);
        }
        s.updated_at = now;
        self.store.update_schedule(&s).await?;
        Ok(s)
    }

    pub async fn delete_schedule(&self, p: &Principal, id: ScheduleId) -> ServiceResult<()> {
        self.get_schedule(p, id).await?;
        require(p, Resource::Schedules, Action::Manage)?;
        Ok(self.store.delete_schedule(p.org, id).await?)
    }

    /// After a scan config was deleted: its schedules stop, with the reason.
    pub(crate) async fn disable_orphan_schedules(&self, org: OrgId) -> ServiceResult<u64> {
        Ok(self
            .store
            .disable_orphan_schedules(org, CONFIG_DELETED)
            .await?)
    }

    /// Fires every schedule due at `now` (the scheduler calls it about every second, on
    /// the leading replica; any number of concurrent callers still fire each occurrence
    /// once). A schedule that cannot be fired for a transient reason stays due and is
    /// tried again at the next call.
    pub async fn fire_due(&self, now: DateTime<Utc>) -> ServiceResult<FireReport> {
        let mut report = FireReport::default();
        let mut seen = HashSet::new();
        loop {
            let due = self.store.list_due_schedules(now, DUE_BATCH).await?;
            let full = due.len() as u64 == DUE_BATCH;
            let mut progressed = false;
            // A few firings at once: each waits on the database for most of its time.
            let mut running = tokio::task::JoinSet::new();
            for s in due {
                if !seen.insert(s.id) {
                    continue;
                }
                progressed = true;
                if running.len() >= FIRE_CONCURRENCY {
                    if let Some(done) = running.join_next().await {
                        record(&mut report, done);
                    }
                }
                let me = self.clone();
                running.spawn(async move {
                    let r = me.fire_one(&s, now).await;
                    (s.id, r)
                });
            }
            while let Some(done) = running.join_next().await {
                record(&mut report, done);
            }
            if !full || !progressed {
                return Ok(report);
            }
        }
    }

    async fn fire_one(&self, s: &Schedule, now: DateTime<Utc>) -> ServiceResult<Fired> {
        let Some(due) = s.next_run_at else {
            return Ok(Fired::Lost);
        };
        let cfg = match s.scan_config {
            None => None,
            Some(id) => match self
                .store
                .get_scan_config(s.org, id, &Visibility::All)
                .await
            {
                Ok(cfg) => Some(cfg),
                Err(StoreError::NotFound) => None,
                Err(e) => return Err(e.into()),
            },
        };
        let Some(cfg) = cfg else {
            let mut off = s.clone();
            off.enabled = false;
            off.next_run_at = None;
            off.disabled_reason = Some(CONFIG_DELETED.into());
            off.updated_at = now;
            self.store.update_schedule(&off).await?;
            return Ok(Fired::Disabled);
        };
        // Catch up once: the next due time is the first occurrence after now.
        let next = s.recurrence.next_after(now);
        let submitter = Submitter {
            kind: SubmitterType::Schedule,
            id: s.id.0,
        };
        // Submitted now (the clock, not the tick: with many due at once, later ones are later).
        let at = self.now().max(now);
        let mut admitted = self
            .admit_scan(&cfg, submitter, ScanType::Regular, None, Vec::new(), at)
            .await?;
        admitted.events.insert(
            1,
            crate::scans::ev(
                at,
                format!(
                    "Submitted by schedule {:?} for its occurrence at {}",
                    s.name,
                    due.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                ),
            ),
        );
        let fired = self
            .store
            .fire_schedule(
                s.org,
                s.id,
                due,
                next,
                &admitted.scan,
                admitted.job,
                &admitted.events,
            )
            .await?;
        if !fired {
            return Ok(Fired::Lost);
        }
        self.admitted(&admitted.scan);
        Ok(Fired::Scan(admitted.scan.id))
    }
}

/// Adds one firing's outcome to the report.
fn record(
    report: &mut FireReport,
    done: Result<(ScheduleId, ServiceResult<Fired>), tokio::task::JoinError>,
) {
    match done {
        Ok((_, Ok(Fired::Scan(id)))) => report.fired.push(id),
        Ok((_, Ok(Fired::Disabled))) => report.disabled += 1,
        Ok((_, Ok(Fired::Lost))) => {}
        Ok((id, Err(e))) => {
            tracing::warn!(schedule = %id, error = %e, "could not fire a due schedule");
        }
        Err(e) => tracing::error!(error = %e, "a schedule firing task failed"),
    }
}

enum Fired {
    Scan(ScanId),
    Disabled,
    /// Another caller fired or changed the schedule first.
    Lost,
}
