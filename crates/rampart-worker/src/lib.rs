//! The scan worker: one implementation, two transports.
//!
//! A [`Worker`] runs `slots` jobs at a time. Each slot claims a job from a [`JobSource`],
//! turns its [`JobSpec`] into an engine scan plan, runs the engine, and streams the
//! results back through the same source: heartbeats (counters, status, checkpoint; the
//! reply carries pending actions), engine events, finding batches with ids (retried
//! with the same id), and the outcome. The server's embedded engine uses a source that
//! calls the service in process; `rampart engine` uses one that speaks `/engine/v1`.
//!
//! Modules: `worker` (slots, claim loop, shutdown), `job` (one job: engine events →
//! heartbeats, events, finding batches; actions; retries; outcome), `plan` (`JobSpec` →
//! engine plan), `convert` (engine → domain findings scored by `rampart_engine::cvss_base_score`, counters, outcomes),
//! `config`. The transports live in `local` (in process, over the service) and `http`
//! (`/engine/v1`).

#![deny(clippy::unwrap_used, clippy::expect_used)]

mod backoff;
pub mod config;
pub mod convert;
mod job;
pub mod plan;
mod worker;

pub use config::WorkerConfig;
pub use plan::{build_plan, BuiltPlan, PlanError, PlanSettings};
/// The shutdown signal [`Worker::run`] takes.
pub use tokio_util::sync::CancellationToken;
pub use worker::{SlotExit, Worker, WorkerHandle};

pub mod http;

pub mod local;

pub use local::LocalSource;

use async_trait::async_trait;
use rampart_domain::job::*;
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
}
