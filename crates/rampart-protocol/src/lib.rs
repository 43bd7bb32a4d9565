//! The job protocol between the platform and a scan worker, in one place.
//!
//! The server's embedded engine slots and a remote `rampart engine` run the same worker
//! over the same protocol; only the transport differs. Everything both ends must agree on
//! lives here, so that it is written once:
//!
//! - [`wire`]: the bodies (`JobSpec`, `Heartbeat`, `ActionReply`, `FindingBatch`,
//!   `JobOutcome`, …); their JSON is snapshot-tested in this crate's `tests/it`.
//! - [`JobSource`] and [`SourceError`]: the port a worker claims jobs from and reports to
//!   (in process: `rampart_service::LocalSource`; over HTTP: `rampart_worker::http`).
//! - [`routes`]: the `/engine/v1` paths and headers, used by the server's routes and the
//!   worker's HTTP client alike.
//! - [`poll::long_poll`]: the one long-poll (claims and actions, both transports).
//! - [`backoff`]: the one retry policy (worker and `rampart-client`).
//!
//! Invariant: no transport, storage or CLI crate; the service depends on this crate.

#![deny(clippy::unwrap_used, clippy::expect_used)]

pub mod backoff;
pub mod poll;
pub mod routes;
mod source;
pub mod wire;

pub use source::{JobSource, SourceError};
