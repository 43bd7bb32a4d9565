//! The port a worker claims jobs from and reports to.

use crate::wire::*;
use async_trait::async_trait;
use rampart_domain::scan::ScanAction;
use rampart_domain::ScanId;
use std::time::Duration;

/// Why a call to the job source failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    /// This worker no longer holds the job's lease: stop the scan, send nothing more.
    #[error("lease lost")]
    LeaseLost,
    /// The platform is away (network error, 5xx): retry with backoff, keep what is unsent.
    #[error("platform unavailable: {0}")]
    Unavailable(String),
    /// The platform refuses this worker (credential revoked, bad request): do not retry.
    #[error("refused: {0}")]
    Refused(String),
}

/// Where jobs come from and results go: the platform, in process or over HTTP.
#[async_trait]
pub trait JobSource: Send + Sync + 'static {
    /// Waits up to `wait` for a job and leases it to `worker`; `None` when none came.
    async fn claim(&self, worker: &str, wait: Duration) -> Result<Option<JobSpec>, SourceError>;
    /// Extends the lease; the reply carries the pending action, if any.
    async fn heartbeat(
        &self,
        scan: ScanId,
        worker: &str,
        hb: &Heartbeat,
    ) -> Result<HeartbeatReply, SourceError>;
    /// Waits up to `wait` for an action on the job (PAUSE, STOP, CANCEL, …) and hands it
    /// over (once); `None` when none came. Answered as soon as a client asks for one.
    async fn wait_action(
        &self,
        scan: ScanId,
        worker: &str,
        wait: Duration,
    ) -> Result<Option<ScanAction>, SourceError>;
    /// Appends engine events.
    async fn events(
        &self,
        scan: ScanId,
        worker: &str,
        events: &[JobEvent],
    ) -> Result<(), SourceError>;
    /// Stores a batch of confirmed findings; a batch id seen before changes nothing.
    async fn findings(
        &self,
        scan: ScanId,
        worker: &str,
        batch: &FindingBatch,
    ) -> Result<(), SourceError>;
    /// Ends the job with its outcome; the platform settles the scan's status.
    async fn finish(
        &self,
        scan: ScanId,
        worker: &str,
        outcome: &JobOutcome,
    ) -> Result<(), SourceError>;
    /// Hands an unfinished job back (a draining worker): the platform queues it again at
    /// once instead of waiting for the lease to expire.
    async fn release(&self, scan: ScanId, worker: &str) -> Result<(), SourceError>;
}
