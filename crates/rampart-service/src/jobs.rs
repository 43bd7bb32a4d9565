//! The platform side of the job protocol (`rampart_protocol`), transport-free: the
//! embedded engine calls it in process ([`crate::LocalSource`]), `/engine/v1` over HTTP.
//!
//! - `claim_job` leases the oldest queued job (or one whose lease expired, while it has
//!   attempts left), builds its [`JobSpec`] and moves the scan to `RUNNING`.
//! - Every worker call names the scan and the worker; a worker that no longer holds the
//!   lease gets [`JobError::Refused`]`(LeaseLost)` and nothing changes (a late finding
//!   batch of a superseded lease is not ingested).
//! - `job_finish` settles the scan: completed or stopped → `SCANNED` → `PROCESSED` →
//!   `COMPLETE`; canceled → `FAILED`/`CANCELED`; failed → `FAILED` with the reason.
//! - The reaper (`requeue_expired`) puts a scan whose lease expired back to `PENDING`
//!   with its job queued again (a scan never stays `RUNNING` without a live lease), and
//!   fails it with `ENGINE_UNAVAILABLE` once its attempts are used up. A scan that was
//!   `STOPPING` or `CANCELING` when its engine vanished is settled instead of re-run.

use crate::scans::ev;
use crate::{Service, ServiceError};
use rampart_domain::job::*;
use rampart_domain::options;
use rampart_domain::plan::{self, PlanError, PlanInput, Recipe};
use rampart_domain::*;
use rampart_store::{JobState, ListRequest, ScanJob, StoreError, Visibility};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Lease length and attempts of the job queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JobSettings {
    /// How long a lease lasts without a heartbeat.
    pub lease: Duration,
    /// Claims of one job before the reaper gives up on it (`ENGINE_UNAVAILABLE`).
    pub max_attempts: u32,
}

impl Default for JobSettings {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(30),
            max_attempts: 3,
        }
    }
}

/// Shared by every clone of the service: settings, the "a job was queued" signal and the
/// "an action was asked for" signal.
#[derive(Debug, Default)]
pub(crate) struct JobQueue {
    pub settings: std::sync::RwLock<JobSettings>,
    pub notify: Arc<Notify>,
    pub actions: Arc<Notify>,
    /// "This scan changed", for live views (`progress.rs`).
    pub progress: crate::progress::ScanProgress,
}

/// While an action long-poll waits, the job is also looked at this often (an action set
/// through another replica does not signal this process).
pub const ACTION_POLL: Duration = Duration::from_millis(500);

impl JobQueue {
    pub fn signal(&self) {
        self.notify.notify_waiters();
    }
    pub fn signal_action(&self) {
        self.actions.notify_waiters();
    }
    fn settings(&self) -> JobSettings {
        *self
            .settings
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Why a worker call failed.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// The worker no longer holds the lease: it must stop and send nothing more.
    #[error(transparent)]
    Refused(#[from] JobRefusal),
    /// Anything else (storage down, …): retry later.
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<StoreError> for JobError {
    fn from(e: StoreError) -> Self {
        JobError::Service(e.into())
    }
}

pub type JobResult<T> = Result<T, JobError>;

/// What one reaper pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReaperReport {
    /// Scans queued again (back to `PENDING`).
    pub requeued: Vec<ScanId>,
    /// Scans failed with `ENGINE_UNAVAILABLE` (out of attempts).
    pub failed: Vec<ScanId>,
    /// Scans settled because they were stopping or canceling.
    pub settled: Vec<ScanId>,
}

fn lost() -> JobError {
    JobError::Refused(JobRefusal::LeaseLost)
}

impl Service {
    /// Sets the lease length and attempts (before the service is shared).
    pub fn set_job_settings(&self, s: JobSettings) {
        *self
            .jobs
            .settings
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = s;
    }

    pub fn job_settings(&self) -> JobSettings {
        self.jobs.settings()
    }

    /// Signalled (`notify_waiters`) whenever a job is queued in this process; claimers
    /// create `notified()` before trying to claim so a signal in between is not lost.
    pub fn job_signal(&self) -> Arc<Notify> {
        self.jobs.notify.clone()
    }

    /// Signalled whenever a pending action is set in this process (see [`Service::job_signal`]).
    pub fn action_signal(&self) -> Arc<Notify> {
        self.jobs.actions.clone()
    }

    /// Hands the job's pending action over (once), if there is one.
    pub async fn job_take_action(
        &self,
        scan: ScanId,
        worker: &str,
    ) -> JobResult<Option<ScanAction>> {
        let job = self.held(scan, worker).await?;
        let Some(a) = job.pending_action else {
            return Ok(None);
        };
        // Only the caller that clears the action hands it over (see `clear_pending_action`).
        Ok(self.store.clear_pending_action(scan, a).await?.then_some(a))
    }

    /// The action long-poll: waits up to `wait` for an action on the job and hands it over
    /// as soon as it is set (this process's signal, or the [`ACTION_POLL`] for actions set
    /// through another replica).
    pub async fn job_wait_action(
        &self,
        scan: ScanId,
        worker: &str,
        wait: Duration,
    ) -> JobResult<Option<ScanAction>> {
        let signal = self.action_signal();
        rampart_protocol::poll::long_poll(&signal, ACTION_POLL, wait, || {
            self.job_take_action(scan, worker)
        })
        .await
    }

    /// At start: hands back at once every job whose lease owner starts with `prefix` (the
    /// embedded slots of this server instance before it restarted); their scans are queued
    /// again instead of reading `RUNNING` until the lease expires. Returns how many.
    pub async fn release_jobs_owned_by(&self, prefix: &str) -> Result<usize, ServiceError> {
        if prefix.is_empty() {
            return Err(ServiceError::Internal(
                "an empty lease-owner prefix would release every job".into(),
            ));
        }
        let mut n = 0;
        for (scan, worker) in self.store.leased_jobs_of(prefix).await? {
            match self
                .job_release_because(scan, &worker, "Server restarted: the scan is queued again")
                .await
            {
                Ok(()) => n += 1,
                // Finished or taken over meanwhile: nothing to hand back.
                Err(JobError::Refused(_)) => {}
                Err(JobError::Service(e)) => return Err(e),
            }
        }
        Ok(n)
    }

    fn lease(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.jobs.settings().lease)
            .unwrap_or_else(|_| chrono::Duration::seconds(30))
    }

    /// The job of `scan` if `worker` holds its lease.
    async fn held(&self, scan: ScanId, worker: &str) -> JobResult<ScanJob> {
        match self.store.find_job(scan).await {
            Ok(j) if j.state == JobState::Leased && j.lease_owner.as_deref() == Some(worker) => {
                Ok(j)
            }
            Ok(_) | Err(StoreError::NotFound) => Err(lost()),
            Err(e) => Err(e.into()),
        }
    }

    /// Leases the next job to an embedded `worker` (jobs without an engine group).
    pub async fn claim_job(&self, worker: &str) -> JobResult<Option<JobSpec>> {
        self.claim_job_in(&ClaimScope::embedded(), worker).await
    }

    /// Leases the next job `scope` admits to `worker` and builds its spec; `None` when
    /// there is none.
    pub async fn claim_job_in(
        &self,
        scope: &ClaimScope,
        worker: &str,
    ) -> JobResult<Option<JobSpec>> {
        let settings = self.jobs.settings();
        // A job whose scan was settled meanwhile is closed and the next one tried.
        for _ in 0..16 {
            let Some(job) = self
                .store
                .claim_job_scoped(
                    scope,
                    worker,
                    self.now(),
                    self.lease(),
                    settings.max_attempts,
                )
                .await?
            else {
                return Ok(None);
            };
            let scan = match self
                .store
                .get_scan(job.org, job.scan, &Visibility::All)
                .await
            {
                Ok(s) => s,
                Err(StoreError::NotFound) => continue,
                Err(e) => return Err(e.into()),
            };
            if scan.status.is_terminal() {
                let _ = self.store.complete_job(scan.id, worker).await;
                continue;
            }
            if scan.status.settle().is_some() {
                let _ = self.store.complete_job(scan.id, worker).await;
                self.settle_finished(&scan).await?;
                continue;
            }
            let spec = match self.job_spec(&scan, &job).await {
                Ok(s) => s,
                Err(e) => {
                    let _ = self.store.complete_job(scan.id, worker).await;
                    self.fail_scan(&scan, FailureReason::SystemError, &format!("{e}"))
                        .await?;
                    continue;
                }
            };
            if scan.status != ScanStatus::Running && scan.status.can_move_to(ScanStatus::Running) {
                self.store
                    .transition_scan(
                        scan.org,
                        scan.id,
                        scan.status,
                        ScanStatus::Running,
                        None,
                        None,
                    )
                    .await?;
            }
            let text = if job.attempts > 1 {
                format!(
                    "Scan started by engine worker {worker} (attempt {})",
                    job.attempts
                )
            } else {
                format!("Scan started by engine worker {worker}")
            };
            self.platform_event(scan.org, scan.id, text).await;
            return Ok(Some(spec));
        }
        Ok(None)
    }

    async fn job_spec(&self, scan: &Scan, job: &ScanJob) -> Result<JobSpec, ServiceError> {
        let cfg = self
            .store
            .get_scan_config(scan.org, scan.scan_config, &Visibility::All)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => {
                    ServiceError::Internal("the scan's config no longer exists".into())
                }
                other => other.into(),
            })?;
        let verified = self
            .verify_targets(scan.org, scan.parent, &scan.vulnerability_ids)
            .await?;
        // A verification scan runs only the modules of the vulnerabilities it verifies.
        let only: Option<std::collections::HashSet<ModuleId>> = scan
            .parent
            .map(|_| verified.iter().map(|(m, _)| *m).collect());
        let modules = self
            .store
            .list_attack_modules(scan.org, cfg.attack_template)
            .await?
            .into_iter()
            .filter(|m| m.enabled)
            .filter(|m| only.as_ref().is_none_or(|o| o.contains(&m.module)))
            .map(|m| JobModule {
                module: m.module,
                severity: m.severity,
                max_findings: m.max_findings,
                parameter_locations: m.parameter_locations,
            })
            .collect();
        let recipe = match &job.recipe {
            Some(r) => self.open_recipe(scan.org, r.clone())?,
            // A job queued before recipes were stored: compiled now. If it no longer
            // compiles, the worker gets an empty recipe with the reason as a note and
            // fails the scan as a configuration problem.
            None => match self
                .compile_recipe(
                    scan.org,
                    &cfg,
                    scan.scan_type,
                    scan.parent,
                    &scan.vulnerability_ids,
                )
                .await?
            {
                Ok(r) => r,
                Err(e) => Recipe {
                    notes: vec![e.to_string()],
                    ..Recipe::default()
                },
            },
        };
        Ok(JobSpec {
            scan: scan.id,
            org: scan.org,
            app: scan.app,
            scan_config: scan.scan_config,
            scan_type: scan.scan_type,
            attempt: job.attempts,
            lease_seconds: self.jobs.settings().lease.as_secs().max(1),
            recipe,
            modules,
            verify: verified.into_iter().map(|(_, rc)| rc).collect(),
            checkpoint: job.checkpoint.clone(),
        })
    }

    /// The one compilation of a scan's options (`rampart_domain::plan::compile`) with the
    /// organization's enabled targets and, for a verification scan, the root causes it
    /// re-checks. The outer error is a storage failure; the inner one why the scan fails.
    pub(crate) async fn compile_recipe(
        &self,
        org: OrgId,
        cfg: &ScanConfig,
        scan_type: ScanType,
        parent: Option<ScanId>,
        vulnerability_ids: &[VulnerabilityId],
    ) -> Result<Result<Recipe, PlanError>, ServiceError> {
        let verify: Vec<RootCause> = self
            .verify_targets(org, parent, vulnerability_ids)
            .await?
            .into_iter()
            .map(|(_, rc)| rc)
            .collect();
        let domains = self.enabled_domains(org).await?;
        let opened = match self.open_options(org, cfg.options.clone()) {
            Ok(d) => d,
            Err(why) => return Ok(Err(PlanError::config(why))),
        };
        let doc = options::overlay(&options::defaults(), &opened);
        let files = self.plan_files(org, cfg.app, &doc).await?;
        Ok(plan::compile(PlanInput {
            options: &doc,
            allowed_domains: &domains,
            scan_type,
            verify: &verify,
            files: &files,
        }))
    }

    /// The (module, root cause) pairs a verification scan re-checks: the listed
    /// vulnerabilities, or every vulnerability the parent scan found.
    async fn verify_targets(
        &self,
        org: OrgId,
        parent: Option<ScanId>,
        vulnerability_ids: &[VulnerabilityId],
    ) -> Result<Vec<(ModuleId, RootCause)>, ServiceError> {
        let Some(parent) = parent else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        if !vulnerability_ids.is_empty() {
            for v in vulnerability_ids {
                match self
                    .store
                    .get_vulnerability(org, *v, &Visibility::All)
                    .await
                {
                    Ok(x) => out.push((x.module, x.root_cause)),
                    Err(StoreError::NotFound) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            return Ok(out);
        }
        let query = rampart_query::parse_query(
            rampart_query::ResourceType::Vulnerability,
            &format!("vulnerability.scans.id = '{parent}'"),
        )
        .map_err(|e| ServiceError::Internal(e.message))?;
        let mut req = ListRequest::first(1000);
        req.filter = Some(query);
        loop {
            let page = self
                .store
                .list_vulnerabilities(org, &Visibility::All, &req)
                .await?;
            let n = page.items.len() as u64;
            out.extend(page.items.into_iter().map(|v| (v.module, v.root_cause)));
            if n < req.size || (req.index + 1) * req.size >= page.total {
                return Ok(out);
            }
            req.index += 1;
        }
    }

    /// Extends the lease, saves counters and checkpoint, applies the reported status
    /// when the lifecycle allows it, and hands over the pending action (once).
    pub async fn job_heartbeat(
        &self,
        scan: ScanId,
        worker: &str,
        hb: &Heartbeat,
    ) -> JobResult<HeartbeatReply> {
        let job = self.held(scan, worker).await?;
        let now = self.now();
        let action = match self
            .store
            .heartbeat_job(scan, worker, now, self.lease(), hb.checkpoint.as_deref())
            .await
        {
            Ok(a) => a,
            Err(StoreError::NotFound) => return Err(lost()),
            Err(e) => return Err(e.into()),
        };
        self.store
            .save_execution_details(job.org, scan, &hb.details, now)
            .await?;
        if let Some(c) = &hb.coverage {
            self.store.save_scan_coverage(job.org, scan, c, now).await?;
        }
        let current = self.store.get_scan(job.org, scan, &Visibility::All).await?;
        // Endings go through `job_finish`; STOPPING and CANCELING are the platform's.
        let reportable = !matches!(
            hb.status,
            ScanStatus::Scanned
                | ScanStatus::Processed
                | ScanStatus::Complete
                | ScanStatus::Failed
                | ScanStatus::Stopping
                | ScanStatus::Canceling
                | ScanStatus::Pending
        );
        // A PENDING scan is one whose lease was handed back while this heartbeat was on its
        // way (a revoked credential, a drain): only a claim starts it again.
        if reportable
            && current.status != ScanStatus::Pending
            && current.status.can_move_to(hb.status)
        {
            self.store
                .transition_scan(job.org, scan, current.status, hb.status, None, None)
                .await?;
        }
        // Only the caller that clears the action hands it over: a PAUSE read here while the
        // action long-poll delivered it and a RESUME followed is not delivered a second time.
        let action = match action {
            Some(a) if self.store.clear_pending_action(scan, a).await? => Some(a),
            _ => None,
        };
        self.scan_changed(scan);
        Ok(HeartbeatReply { action })
    }

    /// Appends engine events.
    pub async fn job_events(
        &self,
        scan: ScanId,
        worker: &str,
        events: &[JobEvent],
    ) -> JobResult<()> {
        let job = self.held(scan, worker).await?;
        self.store
            .append_scan_events(job.org, scan, EventKind::Engine, events)
            .await?;
        self.scan_changed(scan);
        Ok(())
    }

    /// Ingests a finding batch (a batch id seen before changes nothing). Refused when the
    /// lease is lost, so a superseded worker's late batch is never stored.
    pub async fn job_findings(
        &self,
        scan: ScanId,
        worker: &str,
        batch: &FindingBatch,
    ) -> JobResult<rampart_store::IngestCounts> {
        let job = self.held(scan, worker).await?;
        // The batch's events are written with it (a crash keeps both or neither; a batch
        // sent again after a crash is a duplicate and announces nothing twice).
        let outbox = self.outbox(job.org).await?;
        let announce = |c: &rampart_store::IngestCounts| {
            self.dast_finding_deliveries(&outbox, scan, &batch.findings, c)
        };
        let counts = self
            .store
            .ingest_findings_announced(job.org, scan, &batch.batch_id, &batch.findings, &announce)
            .await?;
        if !counts.created.is_empty() || !counts.reopened.is_empty() {
            self.wake_deliverer();
        }
        self.scan_changed(scan);
        Ok(counts)
    }

    /// Ends the job and settles the scan's status from the outcome.
    pub async fn job_finish(
        &self,
        scan: ScanId,
        worker: &str,
        outcome: &JobOutcome,
    ) -> JobResult<()> {
        let job = self.held(scan, worker).await?;
        match self.store.complete_job(scan, worker).await {
            Ok(()) => {}
            Err(StoreError::NotFound) => return Err(lost()),
            Err(e) => return Err(e.into()),
        }
        let s = self.store.get_scan(job.org, scan, &Visibility::All).await?;
        if s.status.is_terminal() {
            return Ok(());
        }
        match outcome {
            // A CANCEL the engine had not seen yet still wins.
            _ if s.status == ScanStatus::Canceling => self.settle_finished(&s).await?,
            JobOutcome::Completed { partial } => {
                self.platform_event(
                    s.org,
                    s.id,
                    if *partial {
                        "Engine finished the scan (a limit cut it short)"
                    } else {
                        "Engine finished the scan"
                    },
                )
                .await;
                self.complete_scan(&s, !*partial).await?;
            }
            JobOutcome::Stopped => {
                self.platform_event(s.org, s.id, "Engine stopped the scan")
                    .await;
                self.complete_scan(&s, false).await?;
            }
            JobOutcome::Canceled => {
                self.fail_scan(&s, FailureReason::Canceled, "Scan canceled")
                    .await?;
            }
            JobOutcome::Failed { reason, message } => {
                self.fail_scan(&s, *reason, &format!("Scan failed: {message}"))
                    .await?;
            }
        }
        Ok(())
    }

    /// Gives a running job back (graceful shutdown of an engine slot): queued again with
    /// the scan `PENDING` while attempts remain, else failed `ENGINE_UNAVAILABLE`.
    pub async fn job_release(&self, scan: ScanId, worker: &str) -> JobResult<()> {
        self.job_release_because(scan, worker, "Engine shut down")
            .await
    }

    pub(crate) async fn job_release_because(
        &self,
        scan: ScanId,
        worker: &str,
        why: &str,
    ) -> JobResult<()> {
        let job = self.held(scan, worker).await?;
        let requeued = match self
            .store
            .release_job(scan, worker, self.jobs.settings().max_attempts)
            .await
        {
            Ok(r) => r,
            Err(StoreError::NotFound) => return Err(lost()),
            Err(e) => return Err(e.into()),
        };
        let s = self.store.get_scan(job.org, scan, &Visibility::All).await?;
        self.after_lease_end(&s, requeued, why).await?;
        Ok(())
    }

    /// Whether this replica runs the background `duty` now (one replica at a time on
    /// PostgreSQL, see `LeaderStore::try_lead`).
    pub async fn try_lead(&self, duty: &str) -> Result<bool, ServiceError> {
        Ok(self.store.try_lead(duty).await?)
    }

    /// The lease reaper: expired leases go back to the queue (scan `PENDING`) or, past
    /// `max_attempts`, their scans fail with `ENGINE_UNAVAILABLE`.
    pub async fn requeue_expired(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        max_attempts: u32,
    ) -> Result<ReaperReport, ServiceError> {
        let mut report = ReaperReport::default();
        for x in self.store.expire_leases(now, max_attempts).await? {
            let s = match self.store.get_scan(x.org, x.scan, &Visibility::All).await {
                Ok(s) => s,
                Err(StoreError::NotFound) => continue,
                Err(e) => return Err(e.into()),
            };
            let why = format!("Engine lease expired (attempt {})", x.attempts);
            match self.after_lease_end(&s, x.requeued, &why).await? {
                LeaseEnd::Requeued => report.requeued.push(s.id),
                LeaseEnd::Failed => report.failed.push(s.id),
                LeaseEnd::Settled => report.settled.push(s.id),
                LeaseEnd::Nothing => {}
            }
        }
        if !report.requeued.is_empty() {
            self.jobs.signal();
        }
        Ok(report)
    }

    async fn after_lease_end(
        &self,
        s: &Scan,
        requeued: bool,
        why: &str,
    ) -> Result<LeaseEnd, ServiceError> {
        if s.status.is_terminal() {
            if requeued {
                self.store.end_job(s.org, s.id).await?;
            }
            return Ok(LeaseEnd::Nothing);
        }
        if s.status.settle().is_some() {
            if requeued {
                self.store.end_job(s.org, s.id).await?;
            }
            self.platform_event(s.org, s.id, why).await;
            self.settle_finished(s).await?;
            return Ok(LeaseEnd::Settled);
        }
        if requeued {
            self.store.set_pending_action(s.org, s.id, None).await?;
            self.store
                .transition_scan(s.org, s.id, s.status, ScanStatus::Pending, None, None)
                .await?;
            self.platform_event(s.org, s.id, format!("{why}; the scan is queued again"))
                .await;
            self.jobs.signal();
            Ok(LeaseEnd::Requeued)
        } else {
            self.fail_scan(
                s,
                FailureReason::EngineUnavailable,
                &format!("{why}; no attempts left, the scan failed"),
            )
            .await?;
            Ok(LeaseEnd::Failed)
        }
    }

    /// Ends a scan asked to stop or cancel (`settle`), or completes a finished one.
    pub(crate) async fn settle_finished(&self, s: &Scan) -> Result<(), ServiceError> {
        match s.status.settle() {
            Some((ScanStatus::Failed, reason)) => {
                self.fail_scan(
                    s,
                    reason.unwrap_or(FailureReason::Canceled),
                    "Scan canceled",
                )
                .await
            }
            _ => self.complete_scan(s, false).await,
        }
    }

    /// `… → SCANNED → PROCESSED → COMPLETE` with the completion time. `full`: the engine
    /// ran the whole scan (not stopped, no limit reached) — only then may a verification
    /// scan conclude that what it did not find is fixed.
    async fn complete_scan(&self, s: &Scan, full: bool) -> Result<(), ServiceError> {
        let mut from = s.status;
        for step in [ScanStatus::Scanned, ScanStatus::Processed] {
            // Only the worker's own outcome reaches here, so a status the lifecycle
            // would not move from (e.g. PAUSED) still goes on to SCANNED.
            if self
                .store
                .transition_scan(s.org, s.id, from, step, None, None)
                .await?
            {
                from = step;
            } else {
                return Ok(());
            }
        }
        if let (ScanType::Verification, Some(parent)) = (s.scan_type, s.parent) {
            if full {
                let fixed = self
                    .store
                    .remediate_unconfirmed(s.org, s.id, parent, &s.vulnerability_ids, self.now())
                    .await?;
                self.emit_dast_closed(s, &fixed).await;
                self.platform_event(
                    s.org,
                    s.id,
                    format!(
                        "Verification: {} vulnerabilit{} not found again, marked REMEDIATED",
                        fixed.len(),
                        if fixed.len() == 1 { "y" } else { "ies" }
                    ),
                )
                .await;
            } else {
                self.platform_event(
                    s.org,
                    s.id,
                    "Verification incomplete (stopped or cut short by a limit): nothing marked REMEDIATED",
                )
                .await;
            }
        }
        self.store
            .transition_scan(
                s.org,
                s.id,
                from,
                ScanStatus::Complete,
                None,
                Some(self.now()),
            )
            .await?;
        self.platform_event(s.org, s.id, "Scan complete").await;
        self.apply_triage_policies(s.org, Some(s.app)).await;
        self.emit_dast_completed(s).await;
        Ok(())
    }

    async fn fail_scan(
        &self,
        s: &Scan,
        reason: FailureReason,
        text: &str,
    ) -> Result<(), ServiceError> {
        let current = self.store.get_scan(s.org, s.id, &Visibility::All).await?;
        if current.status.is_terminal() {
            return Ok(());
        }
        self.store
            .transition_scan(
                s.org,
                s.id,
                current.status,
                ScanStatus::Failed,
                Some(reason),
                Some(self.now()),
            )
            .await?;
        self.store
            .append_scan_events(s.org, s.id, EventKind::Platform, &[ev(self.now(), text)])
            .await?;
        self.scan_changed(s.id);
        Ok(())
    }
}

enum LeaseEnd {
    Requeued,
    Failed,
    Settled,
    Nothing,
}
