//! The scan worker: one implementation, two transports.
//!
//! A [`Worker`] runs `slots` jobs at a time. Each slot claims a job from a [`JobSource`],
//! turns its `JobSpec` into an engine scan plan, runs the engine, and streams the
//! results back through the same source: heartbeats (counters, status, checkpoint; the
//! reply carries pending actions), engine events, finding batches with ids (retried
//! with the same id), and the outcome. The server's embedded engine uses a source that
//! calls the service in process; `rampart engine` uses one that speaks `/engine/v1`.
//!
//! Modules: `worker` (slots, claim loop, shutdown), `job` (one job: engine events →
//! heartbeats, events, finding batches; actions; retries; outcome), `plan` (`JobSpec` →
//! engine plan), `convert` (engine → domain findings scored by `rampart_engine::cvss_base_score`,
//! counters, outcomes), `config`. The job protocol itself (wire types, the [`JobSource`] port,
//! routes, the backoff) is `rampart_protocol`; this crate has one transport, `http`
//! (`/engine/v1`); the in-process one is `rampart_service::LocalSource`. The worker depends on
//! the engine and the protocol only, never on the service stack.

#![deny(clippy::unwrap_used, clippy::expect_used)]

pub mod config;
pub mod convert;
pub mod http;
mod job;
pub mod plan;
mod worker;

pub use config::WorkerConfig;
pub use plan::{build_plan, BuiltPlan, PlanError, PlanSettings};
/// The port and its errors, defined by the protocol crate.
pub use rampart_protocol::{JobSource, SourceError};
/// The shutdown signal [`Worker::run`] takes.
pub use tokio_util::sync::CancellationToken;
pub use worker::{SlotExit, Worker, WorkerHandle};
