//! The scan half of the storage port: scans, the job queue, findings.

use crate::{ListRequest, Page, StoreResult, Visibility};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rampart_domain::job::{EventKind, ExecutionDetails, JobEvent};
use rampart_domain::*;

/// Where a scan's job is in the queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobState {
    Queued,
    Leased,
    Done,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "QUEUED",
            JobState::Leased => "LEASED",
            JobState::Done => "DONE",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "QUEUED" => Some(JobState::Queued),
            "LEASED" => Some(JobState::Leased),
            "DONE" => Some(JobState::Done),
            _ => None,
        }
    }
}

/// A leased job, as a worker sees it after `claim_job`.
#[derive(Clone, Debug, PartialEq)]
pub struct ScanJob {
    pub scan: ScanId,
    pub org: OrgId,
    pub state: JobState,
    pub lease_owner: Option<String>,
    pub lease_expires_at: Option<DateTime<Utc>>,
    /// Claims so far, this one included.
    pub attempts: u32,
    pub pending_action: Option<ScanAction>,
    /// Opaque engine state saved by the previous holder, to resume from.
    pub checkpoint: Option<String>,
}

/// An expired lease the reaper handled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExpiredJob {
    pub org: OrgId,
    pub scan: ScanId,
    /// Queued again (`true`) or given up after `max_attempts` (`false`).
    pub requeued: bool,
    /// Claims so far.
    pub attempts: u32,
}

/// What one `ingest_findings` call changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IngestCounts {
    /// Vulnerabilities seen for the first time in this app.
    pub new_vulnerabilities: u64,
    /// Discoveries added (one per vulnerability per scan).
    pub discoveries: u64,
    /// The batch id was already ingested: nothing changed.
    pub duplicate_batch: bool,
}

/// Scans and their vulnerabilities. Every method is tenant-scoped, except the queue
/// operations a worker calls (`claim_job`, `heartbeat_job`, `complete_job`,
/// `requeue_expired_jobs`), which serve every tenant and are keyed by scan id and owner.
#[async_trait]
pub trait ScanStore: Send + Sync {
    async fn create_scan(&self, s: &Scan) -> StoreResult<()>;
    async fn get_scan(&self, org: OrgId, id: ScanId, vis: &Visibility) -> StoreResult<Scan>;
    async fn list_scans(
        &self,
        org: OrgId,
        vis: &Visibility,
        req: &ListRequest,
    ) -> StoreResult<Page<Scan>>;
    /// Deletes the scan, its job, its discoveries and batch ids.
    async fn delete_scan(&self, org: OrgId, id: ScanId) -> StoreResult<()>;
    /// Writes status, failure reason and completion time (the caller checks the move
    /// with [`ScanStatus::can_move_to`]).
    async fn update_scan_status(
        &self,
        org: OrgId,
        id: ScanId,
        status: ScanStatus,
        failure_reason: Option<FailureReason>,
        completion_time: Option<DateTime<Utc>>,
    ) -> StoreResult<()>;
    /// Compare-and-set of the status: writes like `update_scan_status` only while the
    /// scan is still `from`; returns whether it did (a concurrent move wins otherwise).
    async fn transition_scan(
        &self,
        org: OrgId,
        id: ScanId,
        from: ScanStatus,
        to: ScanStatus,
        failure_reason: Option<FailureReason>,
        completion_time: Option<DateTime<Utc>>,
    ) -> StoreResult<bool>;

    // --- job queue ---
    /// Queues the scan's job; `Conflict` when it already has one.
    async fn enqueue_job(&self, org: OrgId, scan: ScanId, now: DateTime<Utc>) -> StoreResult<()>;
    /// Leases the oldest claimable job (queued, or leased with an expired lease) to
    /// `worker` until `now + lease`. Two concurrent claimers never get the same job.
    async fn claim_job(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: chrono::Duration,
    ) -> StoreResult<Option<ScanJob>>;
    /// Extends the lease of `worker`'s job and saves `checkpoint` when given; returns
    /// the pending action. `NotFound` when `worker` no longer holds the lease.
    async fn heartbeat_job(
        &self,
        scan: ScanId,
        worker: &str,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        checkpoint: Option<&str>,
    ) -> StoreResult<Option<ScanAction>>;
    /// Records an action for the worker to pick up at its next heartbeat.
    async fn set_pending_action(
        &self,
        org: OrgId,
        scan: ScanId,
        action: Option<ScanAction>,
    ) -> StoreResult<()>;
    /// Marks `worker`'s job done (the scan ended, normally or not).
    /// `NotFound` when `worker` no longer holds the lease.
    async fn complete_job(&self, scan: ScanId, worker: &str) -> StoreResult<()>;
    /// Gives the job back: queued again while `attempts < max_attempts`, else done.
    /// Returns whether it was queued again.
    async fn release_job(&self, scan: ScanId, worker: &str, max_attempts: u32)
        -> StoreResult<bool>;
    /// Expired leases go back to the queue while `attempts < max_attempts`; the others
    /// are marked done and returned (org, scan) so the caller can fail their scans.
    async fn requeue_expired_jobs(
        &self,
        now: DateTime<Utc>,
        max_attempts: u32,
    ) -> StoreResult<Vec<(OrgId, ScanId)>>;
    async fn get_job(&self, org: OrgId, scan: ScanId) -> StoreResult<ScanJob>;
    /// Like [`claim_job`](Self::claim_job), but a job whose lease expired is taken over
    /// only while `attempts < max_attempts` (the reaper gives up on the others).
    async fn claim_job_within(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        max_attempts: u32,
    ) -> StoreResult<Option<ScanJob>>;
    /// The job of `scan` whatever its tenant (worker calls are keyed by scan id).
    async fn find_job(&self, scan: ScanId) -> StoreResult<ScanJob>;
    /// Marks the job done whoever holds it (the platform settled the scan itself,
    /// e.g. a CANCEL before any engine started it). `NotFound` without a job.
    async fn end_job(&self, org: OrgId, scan: ScanId) -> StoreResult<()>;
    /// Clears the pending action if it is still `delivered` (a newer one stays).
    async fn clear_pending_action(&self, scan: ScanId, delivered: ScanAction) -> StoreResult<()>;
    /// The reaper: every expired lease is queued again while `attempts < max_attempts`,
    /// else marked done; each is reported with what happened to it.
    async fn expire_leases(
        &self,
        now: DateTime<Utc>,
        max_attempts: u32,
    ) -> StoreResult<Vec<ExpiredJob>>;

    /// Queues the scan's job for `engine_group` (`None`: the server's own engines), the
    /// group of its config's `ON_PREMISE` assignment. `Conflict` when it already has one.
    async fn enqueue_job_for(
        &self,
        org: OrgId,
        scan: ScanId,
        engine_group: Option<EngineGroupId>,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// [`claim_job_within`](Self::claim_job_within) restricted to the jobs `scope` admits
    /// (embedded: jobs without an engine group, any org; remote: its org and group;
    /// a remote engine of the Default group claims nothing).
    async fn claim_job_scoped(
        &self,
        scope: &ClaimScope,
        worker: &str,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        max_attempts: u32,
    ) -> StoreResult<Option<ScanJob>>;
    /// Whether this process leads the background `duty` (the lease reaper) among the
    /// replicas sharing the database: PostgreSQL holds a session advisory lock per duty
    /// (kept while its connection lives, so one replica leads until it dies); SQLite
    /// always leads.
    async fn try_lead(&self, duty: &str) -> StoreResult<bool>;
    /// The leased jobs whose owner starts with `owner_prefix` (a remote engine's
    /// `engine/<id>/`), as (scan, owner), whatever the tenant.
    async fn leased_jobs_of(&self, owner_prefix: &str) -> StoreResult<Vec<(ScanId, String)>>;

    // --- scan events and execution details ---
    /// Appends events to the scan's engine or platform log.
    async fn append_scan_events(
        &self,
        org: OrgId,
        scan: ScanId,
        kind: EventKind,
        events: &[JobEvent],
    ) -> StoreResult<()>;
    /// One log of the scan, oldest first (ties in insertion order).
    async fn list_scan_events(
        &self,
        org: OrgId,
        scan: ScanId,
        kind: EventKind,
    ) -> StoreResult<Vec<JobEvent>>;
    /// Replaces the scan's latest counters.
    async fn save_execution_details(
        &self,
        org: OrgId,
        scan: ScanId,
        details: &ExecutionDetails,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// The latest counters; all zeros when the scan never reported any.
    async fn get_execution_details(
        &self,
        org: OrgId,
        scan: ScanId,
    ) -> StoreResult<ExecutionDetails>;

    // --- findings ---
    /// Merges `findings` into the scan's app: a vulnerability per (module, root cause),
    /// a discovery per vulnerability and scan. A `batch_id` seen before for this scan
    /// changes nothing.
    async fn ingest_findings(
        &self,
        org: OrgId,
        scan: ScanId,
        batch_id: &str,
        findings: &[Finding],
    ) -> StoreResult<IngestCounts>;
    async fn get_vulnerability(
        &self,
        org: OrgId,
        id: VulnerabilityId,
        vis: &Visibility,
    ) -> StoreResult<Vulnerability>;
    async fn list_vulnerabilities(
        &self,
        org: OrgId,
        vis: &Visibility,
        req: &ListRequest,
    ) -> StoreResult<Page<Vulnerability>>;
    /// Newest first.
    async fn list_discoveries(
        &self,
        org: OrgId,
        vuln: VulnerabilityId,
    ) -> StoreResult<Vec<VulnerabilityDiscovery>>;

    /// Sets severity and/or status in one transaction and records one history entry
    /// with the fields that actually changed (none when nothing changed; `updated_time`
    /// moves only then). Returns the vulnerability as stored afterwards.
    async fn update_vulnerability(
        &self,
        org: OrgId,
        id: VulnerabilityId,
        severity: Option<Severity>,
        status: Option<VulnStatus>,
        source: UpdateSource,
        now: DateTime<Utc>,
    ) -> StoreResult<Vulnerability>;
    /// Oldest first.
    async fn list_vulnerability_history(
        &self,
        org: OrgId,
        id: VulnerabilityId,
    ) -> StoreResult<Vec<VulnerabilityUpdate>>;
    /// `NotFound` when the vulnerability is not in `c.org`.
    async fn create_vulnerability_comment(&self, c: &VulnerabilityComment) -> StoreResult<()>;
    async fn get_vulnerability_comment(
        &self,
        org: OrgId,
        vuln: VulnerabilityId,
        id: uuid::Uuid,
    ) -> StoreResult<VulnerabilityComment>;
    /// Oldest first (`req.sort` is ignored: comments have no search catalogue).
    async fn list_vulnerability_comments(
        &self,
        org: OrgId,
        vuln: VulnerabilityId,
        req: &ListRequest,
    ) -> StoreResult<Page<VulnerabilityComment>>;
    /// Replaces the content; sets `last_update_author` and `update_time`.
    async fn update_vulnerability_comment(
        &self,
        org: OrgId,
        vuln: VulnerabilityId,
        id: uuid::Uuid,
        content: &str,
        author: PrincipalId,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    async fn delete_vulnerability_comment(
        &self,
        org: OrgId,
        vuln: VulnerabilityId,
        id: uuid::Uuid,
    ) -> StoreResult<()>;
    async fn get_discovery(
        &self,
        org: OrgId,
        vuln: VulnerabilityId,
        id: uuid::Uuid,
    ) -> StoreResult<VulnerabilityDiscovery>;
    /// A page of the vulnerability's discoveries (default sort `discovered` DESC).
    async fn page_discoveries(
        &self,
        org: OrgId,
        vuln: VulnerabilityId,
        req: &ListRequest,
    ) -> StoreResult<Page<VulnerabilityDiscovery>>;
    /// After a verification (or specialized) scan completed: the vulnerabilities it
    /// re-checked — those discovered by `parent_scan`, or only `only` when not empty —
    /// that `verification_scan` did not discover and whose status is not
    /// `FALSE_POSITIVE`, `IGNORED` or `REMEDIATED` become `REMEDIATED`, each with a
    /// history entry (source `SCAN`, the verification scan). One transaction; returns
    /// the ids it remediated.
    async fn remediate_unconfirmed(
        &self,
        org: OrgId,
        verification_scan: ScanId,
        parent_scan: ScanId,
        only: &[VulnerabilityId],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<VulnerabilityId>>;
    /// Discoveries of every vulnerability the caller may see, filtered and sorted by
    /// `req` (the `VULNERABILITY_DISCOVERY` search type; default `discovered` DESC).
    async fn search_discoveries(
        &self,
        org: OrgId,
        vis: &Visibility,
        req: &ListRequest,
    ) -> StoreResult<Page<VulnerabilityDiscovery>>;
}
