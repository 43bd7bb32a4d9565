//! Scans: submission (with the configuration and target checks that fail a scan at
//! once), reads, deletion of failed scans, state actions, events and counters.
//!
//! Decisions (reference §3.5, §10.7):
//! - `POST /scans` always creates the scan: a config with `errors[]` makes it `FAILED`
//!   with `CONFIGURATION_INVALID`, a seed or scope URL outside the organization's
//!   enabled targets `FAILED` with `TARGETS_INVALID`; otherwise it reads `PENDING` and
//!   its job is queued, or, inside an active blackout window over its app, `BLACKED_OUT`
//!   with its job held until the window ends (`blackouts.rs`).
//! - Only a `FAILED` scan can be deleted; any other status is a conflict (409, the
//!   error table's "Action conflict"), the message names the status.
//! - An action illegal in the current status is a conflict (409) naming the status; an
//!   unknown action is a validation error (422).
//! - `STOP` on a scan no engine has started ends it at once (`COMPLETE`, nothing was
//!   scanned); `CANCEL` on one fails it at once (`FAILED`/`CANCELED`). Either way its job
//!   is done. On a running scan both are passed to the engine at its next heartbeat.

use crate::{require, Problem, Service, ServiceError, ServiceResult};
use rampart_domain::job::{EventKind, ExecutionDetails, JobEvent};
use rampart_domain::*;
use rampart_store::{JobState, ListRequest, NewJob, Page, StoreError, Visibility};

/// The verification half of a scan request: `validation.parent_scan_id` or
/// `specialized_scan_parameters` (`parent_scan_id` + `vulnerability_ids`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScanParent {
    /// `None` when the member was sent without a parent id (a validation error).
    pub parent: Option<ScanId>,
    /// Specialized scans only: the subset of the parent's vulnerabilities to re-check.
    pub vulnerability_ids: Vec<VulnerabilityId>,
}

/// A `POST /scans` request.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScanInput {
    pub scan_config: Option<ScanConfigId>,
    /// Optional; must be the config's app.
    pub app: Option<AppId>,
    /// `REGULAR` by default, `VERIFICATION` when a parent is given.
    pub scan_type: Option<ScanType>,
    /// `validation {parent_scan_id}`.
    pub validation: Option<ScanParent>,
    /// `specialized_scan_parameters {parent_scan_id, vulnerability_ids}`.
    pub specialized: Option<ScanParent>,
}

/// A scan as admission built it: not stored yet.
#[derive(Debug)]
pub(crate) struct Admitted {
    pub scan: Scan,
    pub job: Option<NewJob>,
    /// Its first platform events.
    pub events: Vec<JobEvent>,
}

pub(crate) fn ev(time: chrono::DateTime<chrono::Utc>, text: impl Into<String>) -> JobEvent {
    JobEvent {
        time,
        event: text.into(),
    }
}

impl Service {
    /// The organization's enabled (and not archived) target domains.
    pub(crate) async fn enabled_domains(&self, org: OrgId) -> ServiceResult<Vec<String>> {
        let mut out = Vec::new();
        let mut req = ListRequest::first(1000);
        loop {
            let page = self.store.list_targets(org, &req).await?;
            let n = page.items.len() as u64;
            out.extend(
                page.items
                    .into_iter()
                    .filter(|t| t.enabled && !t.archived)
                    .map(|t| t.domain),
            );
            if n < req.size || (req.index + 1) * req.size >= page.total {
                return Ok(out);
            }
            req.index += 1;
        }
    }

    pub(crate) async fn platform_event(&self, org: OrgId, scan: ScanId, text: impl Into<String>) {
        let e = ev(self.now(), text);
        if let Err(err) = self
            .store
            .append_scan_events(org, scan, EventKind::Platform, &[e])
            .await
        {
            tracing::warn!(%scan, error = %err, "could not record a platform event");
        }
        self.scan_changed(scan);
    }

    async fn check_parent(
        &self,
        p: &Principal,
        cfg: &ScanConfig,
        context: &str,
        parent: &ScanParent,
        problems: &mut Vec<Problem>,
    ) -> Option<ScanId> {
        let Some(id) = parent.parent else {
            problems.push(Problem::property(
                format!("{context}.parent_scan_id"),
                "is required",
            ));
            return None;
        };
        match self.store.get_scan(p.org, id, &Visibility::of(p)).await {
            Ok(s) if s.app == cfg.app => {}
            Ok(_) => {
                problems.push(Problem::property(
                    format!("{context}.parent_scan_id"),
                    "the parent scan must be a scan of the scan config's app",
                ));
                return None;
            }
            Err(_) => {
                problems.push(Problem::property(
                    format!("{context}.parent_scan_id"),
                    "no such scan",
                ));
                return None;
            }
        }
        for v in &parent.vulnerability_ids {
            let found = self
                .store
                .get_vulnerability(p.org, *v, &Visibility::of(p))
                .await;
            let ok = match found {
                Ok(x) if x.app == cfg.app => self
                    .store
                    .list_discoveries(p.org, *v)
                    .await
                    .map(|ds| ds.iter().any(|d| d.scan == id))
                    .unwrap_or(false),
                _ => false,
            };
            if !ok {
                problems.push(Problem::property(
                    format!("{context}.vulnerability_ids"),
                    format!("{v} is not a vulnerability the parent scan found"),
                ));
            }
        }
        Some(id)
    }

    /// Submits a scan (`POST /scans`); see the module docs for the outcomes.
    pub async fn submit_scan(&self, p: &Principal, input: ScanInput) -> ServiceResult<ScanId> {
        require(p, Resource::Scans, Action::Manage)?;
        let mut problems = Vec::new();
        let Some(cfg_id) = input.scan_config else {
            return Err(ServiceError::invalid(vec![Problem::property(
                "scan_config.id",
                "is required",
            )]));
        };
        let cfg = match self
            .store
            .get_scan_config(p.org, cfg_id, &Visibility::of(p))
            .await
        {
            Ok(c) => c,
            Err(StoreError::NotFound) => {
                return Err(ServiceError::invalid(vec![Problem::property(
                    "scan_config.id",
                    "no such scan config",
                )]))
            }
            Err(e) => return Err(e.into()),
        };
        if input.app.is_some_and(|a| a != cfg.app) {
            problems.push(Problem::property(
                "app.id",
                "must be the app of the scan config",
            ));
        }
        let mut parent = None;
        let mut vulnerability_ids = Vec::new();
        match (&input.validation, &input.specialized) {
            (Some(_), Some(_)) => problems.push(Problem::object(
                "scan",
                "validation and specialized_scan_parameters are mutually exclusive",
            )),
            (Some(v), None) => {
                parent = self
                    .check_parent(p, &cfg, "validation", v, &mut problems)
                    .await;
            }
            (None, Some(s)) => {
                parent = self
                    .check_parent(p, &cfg, "specialized_scan_parameters", s, &mut problems)
                    .await;
                vulnerability_ids = s.vulnerability_ids.clone();
            }
            (None, None) => {}
        }
        let has_parent = input.validation.is_some() || input.specialized.is_some();
        let scan_type = input.scan_type.unwrap_or(if has_parent {
            ScanType::Verification
        } else {
            ScanType::Regular
        });
        match (scan_type, has_parent) {
            (ScanType::Verification, false) => problems.push(Problem::property(
                "validation.parent_scan_id",
                "a VERIFICATION scan needs the scan it verifies",
            )),
            (ScanType::Regular | ScanType::Incremental, true) => problems.push(Problem::property(
                "scan_type",
                "only a VERIFICATION scan has a parent scan",
            )),
            _ => {}
        }
        if !problems.is_empty() {
            return Err(ServiceError::invalid(problems));
        }

        let submitter = Submitter {
            kind: if p.kind == PrincipalKind::Organization {
                SubmitterType::Organization
            } else {
                SubmitterType::User
            },
            id: p.id.0,
        };
        let admitted = self
            .admit_scan(
                &cfg,
                submitter,
                scan_type,
                parent,
                vulnerability_ids,
                self.now(),
            )
            .await?;
        let id = admitted.scan.id;
        // One transaction: a scan is never stored without its job and first events.
        self.store
            .create_scan(&admitted.scan, admitted.job, &admitted.events)
            .await?;
        self.admitted(&admitted.scan);
        Ok(id)
    }

    /// Admission, the one path every scan takes (`POST /scans` and the scheduler): the
    /// options compile into the job's recipe, the targets and the engine group are checked,
    /// and the scan is built `PENDING` with its queued job, `BLACKED_OUT` with a held job
    /// inside an active blackout window over its app, or `FAILED` at once with its
    /// reason (never skipped). Nothing is stored: the caller writes the result in one
    /// transaction (`create_scan`, or a schedule's `fire_schedule`) and then calls
    /// [`admitted`](Self::admitted).
    pub(crate) async fn admit_scan(
        &self,
        cfg: &ScanConfig,
        submitter: Submitter,
        scan_type: ScanType,
        parent: Option<ScanId>,
        vulnerability_ids: Vec<VulnerabilityId>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> ServiceResult<Admitted> {
        let org = cfg.org;
        // The options compile once, here; the recipe goes with the job to the worker.
        let recipe = self
            .compile_recipe(org, cfg, scan_type, parent, &vulnerability_ids)
            .await?;
        let group = cfg.assignment.job_engine_group();
        let availability = self.engine_group_availability(org, group).await?;
        let failure = match &recipe {
            Ok(_) => None,
            Err(e) => Some((e.reason, format!("Scan failed: {}", e.message))),
        };
        let failure = failure.or_else(|| {
            (!availability.is_available()).then(|| {
                (
                    FailureReason::EngineUnavailable,
                    "Scan failed: no engine of the assigned engine group is online".to_string(),
                )
            })
        });
        // A scan due inside an active blackout window waits it out (BLACKED_OUT, held job).
        let blacked_out = match failure {
            None => self.blackout_at_submit(org, cfg.app, now).await?,
            Some(_) => None,
        };
        let scan = Scan {
            id: ScanId::new(),
            org,
            app: cfg.app,
            scan_config: cfg.id,
            submitter,
            submit_time: now,
            completion_time: failure.as_ref().map(|_| now),
            status: if failure.is_some() {
                ScanStatus::Failed
            } else if blacked_out.is_some() {
                ScanStatus::BlackedOut
            } else {
                ScanStatus::Pending
            },
            failure_reason: failure.as_ref().map(|f| f.0),
            scan_type,
            parent,
            vulnerability_ids,
        };
        let mut events = vec![ev(now, "Scan submitted")];
        let job = match failure {
            Some((_, why)) => {
                events.push(ev(now, why));
                None
            }
            None => {
                if let Some(why) = blacked_out {
                    events.push(ev(now, why));
                }
                events.push(ev(
                    now,
                    if group.is_some() {
                        "Scan is awaiting an engine of its engine group"
                    } else {
                        "Scan is awaiting an engine"
                    },
                ));
                Some(NewJob {
                    engine_group: group,
                    enqueued_at: now,
                    // Its secrets are sealed at rest, opened when an engine claims it.
                    recipe: recipe.ok().map(|r| self.seal_recipe(org, r)),
                })
            }
        };
        Ok(Admitted { scan, job, events })
    }

    /// After an admitted scan was stored: wakes the engine slots when it is queued.
    pub(crate) fn admitted(&self, scan: &Scan) {
        if scan.status == ScanStatus::Pending {
            self.jobs.signal();
        }
    }

    pub async fn get_scan(&self, p: &Principal, id: ScanId) -> ServiceResult<Scan> {
        require(p, Resource::Scans, Action::Read)?;
        Ok(self.store.get_scan(p.org, id, &Visibility::of(p)).await?)
    }

    /// The scans of the apps the caller may see (default sort `scan.submit_time` DESC).
    pub async fn list_scans(&self, p: &Principal, req: &ListRequest) -> ServiceResult<Page<Scan>> {
        require(p, Resource::Scans, Action::Read)?;
        Ok(self
            .store
            .list_scans(p.org, &Visibility::of(p), req)
            .await?)
    }

    /// Deletes a `FAILED` scan; any other status is a conflict.
    pub async fn delete_scan(&self, p: &Principal, id: ScanId) -> ServiceResult<()> {
        let s = self.get_scan(p, id).await?;
        require(p, Resource::Scans, Action::Manage)?;
        if s.status != ScanStatus::Failed {
            return Err(ServiceError::Conflict(format!(
                "only a FAILED scan can be deleted; this scan is {}",
                s.status
            )));
        }
        Ok(self.store.delete_scan(p.org, id).await?)
    }

    /// The action waiting for the engine's next heartbeat, if any.
    pub async fn pending_scan_action(
        &self,
        p: &Principal,
        id: ScanId,
    ) -> ServiceResult<Option<ScanAction>> {
        self.get_scan(p, id).await?;
        match self.store.get_job(p.org, id).await {
            Ok(j) if j.state != JobState::Done => Ok(j.pending_action),
            Ok(_) | Err(StoreError::NotFound) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// `PUT /scans/{id}/action`: `action` is matched case-insensitively.
    pub async fn send_scan_action(
        &self,
        p: &Principal,
        id: ScanId,
        action: &str,
    ) -> ServiceResult<ScanStatus> {
        let scan = self.get_scan(p, id).await?;
        require(p, Resource::Scans, Action::Manage)?;
        let Some(action) = ScanAction::parse(&action.trim().to_ascii_uppercase()) else {
            return Err(ServiceError::invalid(vec![Problem::property(
                "action",
                "must be one of PAUSE, RESUME, STOP, CANCEL, AUTHENTICATE",
            )]));
        };
        let next = scan
            .status
            .on_action(action)
            .map_err(|e| ServiceError::Conflict(e.to_string()))?;
        let job = match self.store.get_job(p.org, id).await {
            Ok(j) => Some(j),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        };
        let not_started = job.as_ref().is_none_or(|j| j.state != JobState::Leased);
        self.platform_event(p.org, id, format!("Sending scan state action {action}"))
            .await;
        let now = self.now();
        let conflict = || {
            ServiceError::Conflict(format!(
                "the scan's status changed while {action} was sent; read it and try again"
            ))
        };
        if next == ScanStatus::Failed || (not_started && action == ScanAction::Cancel) {
            // CANCEL before any engine started the scan: it fails at once.
            if !self
                .store
                .transition_scan(
                    p.org,
                    id,
                    scan.status,
                    ScanStatus::Failed,
                    Some(FailureReason::Canceled),
                    Some(now),
                )
                .await?
            {
                return Err(conflict());
            }
            self.end_job_quietly(p.org, id).await;
            self.platform_event(p.org, id, "Scan canceled").await;
            return Ok(ScanStatus::Failed);
        }
        if !self
            .store
            .transition_scan(p.org, id, scan.status, next, None, None)
            .await?
        {
            return Err(conflict());
        }
        if next == ScanStatus::Stopping && not_started {
            // STOP before any engine started it: nothing to wait for, it completes now.
            self.end_job_quietly(p.org, id).await;
            self.settle_finished(&Scan {
                status: next,
                ..scan
            })
            .await?;
            return Ok(ScanStatus::Complete);
        }
        if job.is_some() {
            self.store
                .set_pending_action(p.org, id, Some(action))
                .await?;
            self.jobs.signal_action();
        }
        self.scan_changed(id);
        Ok(next)
    }

    async fn end_job_quietly(&self, org: OrgId, scan: ScanId) {
        match self.store.end_job(org, scan).await {
            Ok(()) | Err(StoreError::NotFound) => {}
            Err(e) => tracing::warn!(%scan, error = %e, "could not end the scan's job"),
        }
    }

    pub async fn scan_execution_details(
        &self,
        p: &Principal,
        id: ScanId,
    ) -> ServiceResult<ExecutionDetails> {
        self.get_scan(p, id).await?;
        Ok(self.store.get_execution_details(p.org, id).await?)
    }

    /// What the finished scan could not cover, as its engine reported it (`None`: nothing
    /// reported, or not finished yet).
    pub async fn scan_coverage(
        &self,
        p: &Principal,
        id: ScanId,
    ) -> ServiceResult<Option<rampart_domain::job::Coverage>> {
        self.get_scan(p, id).await?;
        Ok(self.store.find_scan_coverage(p.org, id).await?)
    }

    /// The engine's (`Engine`) or the platform's (`Platform`) log of the scan, oldest first.
    pub async fn scan_events(
        &self,
        p: &Principal,
        id: ScanId,
        kind: EventKind,
    ) -> ServiceResult<Vec<JobEvent>> {
        self.get_scan(p, id).await?;
        Ok(self.store.list_scan_events(p.org, id, kind).await?)
    }
}
