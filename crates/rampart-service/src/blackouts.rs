//! Blackouts: CRUD with the §5.3 permissions, and their enforcement on scans.
//!
//! Decisions (reference §1.7, §3.5, §3.8, §5.3):
//! - `scope` follows `app`: with an app `APP`, without `GLOBAL`. Creating, changing or
//!   deleting a global blackout (or turning one into the other) needs Manage Global
//!   Blackouts (Product Admin and organization keys). The table gives the other roles no
//!   Global Blackouts permission at all, so they do not see global blackouts either: a
//!   global blackout is `404` for them and absent from their lists and searches (a scan
//!   it holds says so in its platform events, without naming it).
//! - `active` is derived from the recurrence whenever a blackout is read.
//! - A scan submitted while an enabled blackout covering its app is active is stored
//!   `BLACKED_OUT` with a held job; [`Service::enforce_blackouts`] queues it again when
//!   no window covers it any more, holds queued scans whose app entered a window, pauses
//!   running scans (the `PAUSE` action through the job protocol) and resumes the ones a
//!   blackout paused (`blackout_pauses`) once the window ends. It keeps no state of its
//!   own: every decision is derived from the store, so a restart changes nothing.

use crate::error::Checks;
use crate::{require, Problem, Service, ServiceError, ServiceResult};
use chrono::{DateTime, Utc};
use rampart_domain::blackout::{Blackout, FrequencySpec};
use rampart_domain::*;
use rampart_store::{
    BlackoutCandidate, BlackoutVisibility, JobState, ListRequest, Page, StoreError, Visibility,
};

/// A blackout as written by `POST`/`PUT /blackouts`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BlackoutInput {
    pub name: String,
    /// Required.
    pub enabled: Option<bool>,
    /// `None`: a global blackout.
    pub app: Option<AppId>,
    pub first_start: Option<String>,
    pub first_end: Option<String>,
    pub last_start: Option<String>,
    pub frequency: Option<FrequencySpec>,
    pub rrule: Option<String>,
}

/// A blackout with `active` computed at the time it was read.
#[derive(Clone, Debug, PartialEq)]
pub struct BlackoutView {
    pub blackout: Blackout,
    pub active: bool,
}

/// What one enforcement pass did (scan ids).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EnforceReport {
    /// Queued scans now waiting out a window (`BLACKED_OUT`).
    pub held: Vec<ScanId>,
    /// `BLACKED_OUT` scans queued again.
    pub released: Vec<ScanId>,
    /// Running scans asked to pause.
    pub paused: Vec<ScanId>,
    /// Scans a blackout paused, asked to resume.
    pub resumed: Vec<ScanId>,
}

impl EnforceReport {
    pub fn is_empty(&self) -> bool {
        self.held.is_empty()
            && self.released.is_empty()
            && self.paused.is_empty()
            && self.resumed.is_empty()
    }
}

/// An active window over a scan's app: who to name and when it ends.
struct Cover {
    name: Option<String>,
    end: DateTime<Utc>,
}

impl Cover {
    fn describe(&self) -> String {
        let what = match &self.name {
            Some(n) => format!("blackout '{n}'"),
            None => "a global blackout".to_string(),
        };
        format!(
            "{what} is active until {}",
            self.end.format("%Y-%m-%dT%H:%M:%SZ")
        )
    }
}

/// The enabled blackouts active at one instant.
struct Active(Vec<(Blackout, DateTime<Utc>)>);

impl Active {
    fn of(blackouts: Vec<Blackout>, now: DateTime<Utc>) -> Self {
        Self(
            blackouts
                .into_iter()
                .filter(|b| b.enabled)
                .filter_map(|b| {
                    let end = b.window().ok()?.covering(now)?.1;
                    Some((b, end))
                })
                .collect(),
        )
    }

    /// The covering window that ends last (the scan waits for all of them).
    fn cover(&self, org: OrgId, app: AppId) -> Option<Cover> {
        self.0
            .iter()
            .filter(|(b, _)| b.org == org && b.covers_app(app))
            .max_by_key(|(_, end)| *end)
            .map(|(b, end)| Cover {
                name: b.app.map(|_| b.name.clone()),
                end: *end,
            })
    }
}

fn visibility(p: &Principal) -> BlackoutVisibility {
    BlackoutVisibility {
        apps: Visibility::of(p),
        global: p.can(Resource::GlobalBlackouts, Action::Read),
    }
}

fn problems(errors: Vec<rampart_domain::blackout::FieldError>) -> Vec<Problem> {
    errors
        .into_iter()
        .map(|e| Problem::property(e.field, e.explanation))
        .collect()
}

impl Service {
    fn view(&self, b: Blackout) -> BlackoutView {
        let active = b.active_at(self.now());
        BlackoutView {
            blackout: b,
            active,
        }
    }

    /// 403 unless the caller may manage a blackout of this scope.
    fn require_scope(p: &Principal, app: Option<AppId>) -> ServiceResult<()> {
        require(p, Resource::Blackouts, Action::Manage)?;
        if app.is_none() {
            require(p, Resource::GlobalBlackouts, Action::Manage)?;
        }
        Ok(())
    }

    /// Validates `input` into `b` (all problems at once, each naming its field).
    async fn fill_blackout(
        &self,
        p: &Principal,
        b: &mut Blackout,
        input: BlackoutInput,
    ) -> ServiceResult<()> {
        let mut checks = Checks::default();
        checks.text("name", &input.name, 1, 200);
        if input.enabled.is_none() {
            checks.push(Problem::property("enabled", "is required (true or false)"));
        }
        for (field, v) in [
            ("first_start", &input.first_start),
            ("first_end", &input.first_end),
        ] {
            if v.as_deref().is_none_or(|s| s.trim().is_empty()) {
                checks.push(Problem::property(field, "is required"));
            }
        }
        if let Some(app) = input.app {
            match self.store.get_app(p.org, app, &Visibility::of(p)).await {
                Ok(_) => {}
                Err(StoreError::NotFound) => {
                    checks.push(Problem::property("app.id", "no such app"));
                }
                Err(e) => return Err(e.into()),
            }
        }
        b.name = input.name;
        b.enabled = input.enabled.unwrap_or(false);
        b.app = input.app;
        b.first_start = input.first_start.unwrap_or_default();
        b.first_end = input.first_end.unwrap_or_default();
        b.last_start = input.last_start.filter(|s| !s.trim().is_empty());
        b.frequency = input.frequency;
        b.rrule = input.rrule.filter(|s| !s.trim().is_empty());
        if checks.0.is_empty() {
            if let Err(e) = b.window() {
                checks.0.extend(problems(e));
            }
        }
        checks.finish()
    }

    pub async fn create_blackout(
        &self,
        p: &Principal,
        input: BlackoutInput,
    ) -> ServiceResult<BlackoutId> {
        Self::require_scope(p, input.app)?;
        let now = self.now();
        let mut b = Blackout {
            id: BlackoutId::new(),
            org: p.org,
            app: None,
            name: String::new(),
            enabled: false,
            first_start: String::new(),
            first_end: String::new(),
            last_start: None,
            frequency: None,
            rrule: None,
            created_at: now,
            updated_at: now,
        };
        self.fill_blackout(p, &mut b, input).await?;
        self.store.create_blackout(&b).await?;
        Ok(b.id)
    }

    pub async fn get_blackout(&self, p: &Principal, id: BlackoutId) -> ServiceResult<BlackoutView> {
        require(p, Resource::Blackouts, Action::Read)?;
        let b = self.store.get_blackout(p.org, id, &visibility(p)).await?;
        Ok(self.view(b))
    }

    /// The blackouts the caller may see (default sort `blackout.name`).
    pub async fn list_blackouts(
        &self,
        p: &Principal,
        req: &ListRequest,
    ) -> ServiceResult<Page<BlackoutView>> {
        require(p, Resource::Blackouts, Action::Read)?;
        let page = self
            .store
            .list_blackouts(p.org, &visibility(p), req)
            .await?;
        Ok(Page {
            items: page.items.into_iter().map(|b| self.view(b)).collect(),
            total: page.total,
        })
    }

    pub async fn update_blackout(
        &self,
        p: &Principal,
        id: BlackoutId,
        input: BlackoutInput,
    ) -> ServiceResult<()> {
        let mut b = self.get_blackout(p, id).await?.blackout;
        Self::require_scope(p, b.app)?;
        Self::require_scope(p, input.app)?;
        self.fill_blackout(p, &mut b, input).await?;
        b.updated_at = self.now();
        Ok(self.store.update_blackout(&b).await?)
    }

    pub async fn delete_blackout(&self, p: &Principal, id: BlackoutId) -> ServiceResult<()> {
        let b = self.get_blackout(p, id).await?.blackout;
        Self::require_scope(p, b.app)?;
        Ok(self.store.delete_blackout(p.org, id).await?)
    }

    /// The active blackout window over `app` at `now`, if any, as the platform event a
    /// scan submitted now starts `BLACKED_OUT` with (`POST /scans` and the scheduler).
    pub(crate) async fn blackout_at_submit(
        &self,
        org: OrgId,
        app: AppId,
        now: DateTime<Utc>,
    ) -> ServiceResult<Option<String>> {
        let all = BlackoutVisibility {
            apps: Visibility::All,
            global: true,
        };
        let mut req = ListRequest::first(1000);
        let mut found = Vec::new();
        loop {
            let page = self.store.list_blackouts(org, &all, &req).await?;
            let n = page.items.len() as u64;
            found.extend(page.items.into_iter().filter(|b| b.covers_app(app)));
            if n < req.size || (req.index + 1) * req.size >= page.total {
                break;
            }
            req.index += 1;
        }
        Ok(Active::of(found, now).cover(org, app).map(|c| {
            format!(
                "Scan is blacked out: {}; it is queued when the window ends",
                c.describe()
            )
        }))
    }

    /// One enforcement pass at `now` (see the module docs); run periodically by the
    /// replica that leads the `blackouts` duty. Idempotent.
    pub async fn enforce_blackouts(&self, now: DateTime<Utc>) -> ServiceResult<EnforceReport> {
        let mut report = EnforceReport::default();
        let candidates = self.store.blackout_candidates().await?;
        if candidates.is_empty() {
            return Ok(report);
        }
        // Only blackouts that could cover a candidate are expanded (expansion is the
        // costly part, and most tenants have no live scan at a given moment).
        let apps: std::collections::HashSet<(OrgId, AppId)> =
            candidates.iter().map(|c| (c.org, c.app)).collect();
        let orgs: std::collections::HashSet<OrgId> = apps.iter().map(|(o, _)| *o).collect();
        let relevant = self
            .store
            .enabled_blackouts()
            .await?
            .into_iter()
            .filter(|b| match b.app {
                Some(a) => apps.contains(&(b.org, a)),
                None => orgs.contains(&b.org),
            })
            .collect();
        let active = Active::of(relevant, now);
        for c in candidates {
            let cover = active.cover(c.org, c.app);
            if let Err(e) = self.enforce_one(&c, cover, &mut report).await {
                tracing::warn!(scan = %c.scan, error = %e, "blackout enforcement of a scan failed");
            }
        }
        Ok(report)
    }

    async fn enforce_one(
        &self,
        c: &BlackoutCandidate,
        cover: Option<Cover>,
        report: &mut EnforceReport,
    ) -> ServiceResult<()> {
        use ScanStatus::*;
        let (org, scan) = (c.org, c.scan);
        match (c.status, c.job, cover) {
            // Waiting out a window that ended: back in the queue (the scan first, so a
            // crash in between leaves a PENDING scan with a held job, released next time).
            (BlackedOut, Some(JobState::Held | JobState::Queued), None)
            | (Pending, Some(JobState::Held), None) => {
                let moved = c.status == BlackedOut
                    && self
                        .store
                        .transition_scan(org, scan, BlackedOut, Pending, None, None)
                        .await?;
                let released = self.store.release_held_job(org, scan).await?;
                if moved || released {
                    self.platform_event(org, scan, "Blackout window ended; the scan is queued")
                        .await;
                    self.jobs.signal();
                    report.released.push(scan);
                }
            }
            // Not started yet and a window began (or a hold was half done): wait it out.
            (Pending | Queued, Some(JobState::Queued | JobState::Held), Some(cover)) => {
                let held = self.store.hold_job(org, scan).await? || c.job == Some(JobState::Held);
                if held
                    && self
                        .store
                        .transition_scan(org, scan, c.status, BlackedOut, None, None)
                        .await?
                {
                    self.platform_event(
                        org,
                        scan,
                        format!(
                            "Scan is blacked out: {}; it is queued when the window ends",
                            cover.describe()
                        ),
                    )
                    .await;
                    report.held.push(scan);
                }
            }
            // An engine runs it inside a window: pause it through the job protocol.
            (status, Some(JobState::Leased), Some(cover))
                if status.on_action(ScanAction::Pause).is_ok() =>
            {
                // Remembered first, so a crash after the pause still resumes it later.
                self.store
                    .record_blackout_pause(org, scan, self.now())
                    .await?;
                let next = status
                    .on_action(ScanAction::Pause)
                    .map_err(|e| ServiceError::Conflict(e.to_string()))?;
                if self
                    .store
                    .transition_scan(org, scan, status, next, None, None)
                    .await?
                {
                    self.platform_event(
                        org,
                        scan,
                        format!("Pausing the scan: {}", cover.describe()),
                    )
                    .await;
                    self.platform_event(org, scan, "Sending scan state action PAUSE")
                        .await;
                    self.store
                        .set_pending_action(org, scan, Some(ScanAction::Pause))
                        .await?;
                    self.jobs.signal_action();
                    report.paused.push(scan);
                }
            }
            // Paused by a blackout whose window ended: resume it.
            (Paused | Pausing, Some(JobState::Leased), None) if c.paused_by_blackout => {
                let next = c
                    .status
                    .on_action(ScanAction::Resume)
                    .map_err(|e| ServiceError::Conflict(e.to_string()))?;
                if self
                    .store
                    .transition_scan(org, scan, c.status, next, None, None)
                    .await?
                {
                    self.platform_event(org, scan, "Blackout window ended; resuming the scan")
                        .await;
                    self.platform_event(org, scan, "Sending scan state action RESUME")
                        .await;
                    self.store
                        .set_pending_action(org, scan, Some(ScanAction::Resume))
                        .await?;
                    self.jobs.signal_action();
                    self.store.clear_blackout_pause(org, scan).await?;
                    report.resumed.push(scan);
                }
            }
            // A recorded pause that no longer stands for a paused scan (it finished, was
            // queued again, or the window ended without a lease to resume): forget it.
            (status, _, cover)
                if c.paused_by_blackout
                    && !(matches!(status, Paused | Pausing) && cover.is_some()) =>
            {
                self.store.clear_blackout_pause(org, scan).await?;
            }
            _ => {}
        }
        Ok(())
    }
}
