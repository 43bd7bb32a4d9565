//! `/engine/v1` routes and headers: the server mounts these paths, the worker's HTTP
//! source calls them.
//!
//! | call | route | success | refusal |
//! | --- | --- | --- | --- |
//! | claim | `POST /engine/v1/jobs/claim?wait=SECONDS` | 200 `JobSpec`, 204 none | |
//! | heartbeat | `POST /engine/v1/jobs/{id}/heartbeat` `Heartbeat` | 200 `HeartbeatReply` | 409 lease lost |
//! | action | `POST /engine/v1/jobs/{id}/action?wait=SECONDS` | 200 `ActionReply` | 409 |
//! | events | `POST /engine/v1/jobs/{id}/events` `[JobEvent]` | 204 | 409 |
//! | findings | `POST /engine/v1/jobs/{id}/findings` `FindingBatch` | 204 | 409 |
//! | finish | `POST /engine/v1/jobs/{id}/finish` `JobOutcome` | 204 | 409 |
//! | release | `POST /engine/v1/jobs/{id}/release` | 204 (the job is queued again) | 409 |
//!
//! 401 and 403 mean the credential was revoked or is wrong; 409 that the lease is gone;
//! a network error, a 429 or a 5xx that the platform is unavailable for now.

use rampart_domain::ScanId;
use std::time::Duration;

/// Where the protocol is mounted.
pub const PREFIX: &str = "/engine/v1";
/// Paths relative to [`PREFIX`]; `{id}` is the scan id.
pub const CLAIM: &str = "/jobs/claim";
pub const HEARTBEAT: &str = "/jobs/{id}/heartbeat";
pub const ACTION: &str = "/jobs/{id}/action";
pub const EVENTS: &str = "/jobs/{id}/events";
pub const FINDINGS: &str = "/jobs/{id}/findings";
pub const FINISH: &str = "/jobs/{id}/finish";
pub const RELEASE: &str = "/jobs/{id}/release";

/// Header naming the worker slot that makes a call.
pub const WORKER_HEADER: &str = "Rampart-Worker";
/// Header with the engine's version.
pub const VERSION_HEADER: &str = "Rampart-Engine-Version";

/// Longest claim or action long-poll a server holds.
pub const MAX_WAIT: Duration = Duration::from_secs(30);

/// The path of a per-job route for `scan`, relative to [`PREFIX`].
pub fn job_path(route: &str, scan: ScanId) -> String {
    route.replace("{id}", &scan.to_string())
}
