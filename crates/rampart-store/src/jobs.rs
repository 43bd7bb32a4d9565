//! The job queue: one job per scan, leased by workers (embedded or remote engines).

use crate::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rampart_domain::*;

/// Where a scan's job is in the queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobState {
    Queued,
    /// Waiting out a blackout (its scan is `BLACKED_OUT`): never claimed.
    Held,
    Leased,
    Done,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "QUEUED",
            JobState::Held => "HELD",
            JobState::Leased => "LEASED",
            JobState::Done => "DONE",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "QUEUED" => Some(JobState::Queued),
            "HELD" => Some(JobState::Held),
            "LEASED" => Some(JobState::Leased),
            "DONE" => Some(JobState::Done),
            _ => None,
        }
    }
}

/// A leased job, as a worker sees it after `claim_job_scoped`.
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
    /// The recipe compiled at submit (`None` for jobs queued before recipes were stored).
    pub recipe: Option<rampart_domain::plan::Recipe>,
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

/// The job a new scan is queued with (see [`ScanStore::create_scan`](crate::ScanStore::create_scan)).
#[derive(Clone, Debug, PartialEq)]
pub struct NewJob {
    /// `None`: the server's own engines; else the group of the config's `ON_PREMISE`
    /// assignment.
    pub engine_group: Option<EngineGroupId>,
    pub enqueued_at: DateTime<Utc>,
    /// The scan's options compiled at submit, handed to the worker at claim.
    pub recipe: Option<rampart_domain::plan::Recipe>,
}

/// The job queue. The worker operations (claim, heartbeat, complete, release, the reaper)
/// serve every tenant and are keyed by scan id and lease owner; the others are
/// tenant-scoped.
#[async_trait]
pub trait JobStore: Send + Sync {
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
    async fn get_job(&self, org: OrgId, scan: ScanId) -> StoreResult<ScanJob>;
    /// The job of `scan` whatever its tenant (worker calls are keyed by scan id).
    async fn find_job(&self, scan: ScanId) -> StoreResult<ScanJob>;
    /// Marks the job done whoever holds it (the platform settled the scan itself,
    /// e.g. a CANCEL before any engine started it). `NotFound` without a job.
    async fn end_job(&self, org: OrgId, scan: ScanId) -> StoreResult<()>;
    /// Clears the pending action if it is still `delivered` (a newer one stays); `true` when
    /// this call cleared it. Whoever clears an action is the one that hands it over, so two
    /// deliverers (the heartbeat reply and the action long-poll) never both deliver it, and a
    /// stale read never overtakes a newer action.
    async fn clear_pending_action(&self, scan: ScanId, delivered: ScanAction) -> StoreResult<bool>;
    /// The reaper: every expired lease is queued again while `attempts < max_attempts`,
    /// else marked done; each is reported with what happened to it.
    async fn expire_leases(
        &self,
        now: DateTime<Utc>,
        max_attempts: u32,
    ) -> StoreResult<Vec<ExpiredJob>>;
    /// Leases the oldest claimable job `scope` admits (embedded: jobs without an engine
    /// group, any org; remote: its org and group; a remote engine of the Default group
    /// claims nothing) to `worker` until `now + lease`. Claimable: queued, or leased with
    /// an expired lease and `attempts < max_attempts` (the reaper gives up on the
    /// others). Two concurrent claimers never get the same job.
    async fn claim_job_scoped(
        &self,
        scope: &ClaimScope,
        worker: &str,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        max_attempts: u32,
    ) -> StoreResult<Option<ScanJob>>;
    /// The leased jobs whose owner starts with `owner_prefix` (a remote engine's
    /// `engine/<id>/`), as (scan, owner), whatever the tenant.
    async fn leased_jobs_of(&self, owner_prefix: &str) -> StoreResult<Vec<(ScanId, String)>>;
}
