//! The job protocol between the platform and a scan worker.
//!
//! One worker implementation runs jobs over two transports: in process (the server's
//! embedded engine slots call the service directly) and over HTTP (`rampart engine`,
//! `/engine/v1`). Every type here is therefore serde-serializable and is the wire format
//! of `/engine/v1` as well.
//!
//! A job's life: `claim` → lease (the worker is the lease owner) → `heartbeat` every few
//! seconds (extends the lease, saves counters and an optional checkpoint, returns the
//! pending action) → `events` and `findings` batches (each batch has an id; a batch id
//! already ingested for the scan changes nothing) → `finish` with an outcome. A call from
//! a worker that no longer holds the lease is refused (`LeaseLost`) and changes nothing.

use crate::ids::*;
use crate::model::{ParameterLocation, Severity};
use crate::scan::{FailureReason, Finding, RootCause, ScanAction, ScanStatus, ScanType};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A module the job's attack template enables, with its template settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobModule {
    pub module: ModuleId,
    pub severity: Severity,
    pub max_findings: i64,
    pub parameter_locations: Vec<ParameterLocation>,
}

/// Everything a worker needs to run one scan; built by the platform at claim time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobSpec {
    pub scan: ScanId,
    pub org: OrgId,
    pub app: AppId,
    pub scan_config: ScanConfigId,
    pub scan_type: ScanType,
    /// Claims of this job so far, this one included (1 on the first run).
    pub attempt: u32,
    /// How long the lease lasts without a heartbeat.
    pub lease_seconds: u64,
    /// The scan as compiled from its config's options at submit (seeds, scope, the
    /// organization's enabled targets, limits, session): checked, never parsed again.
    pub recipe: crate::plan::Recipe,
    /// Enabled modules of the config's attack template.
    pub modules: Vec<JobModule>,
    /// A verification scan re-checks these root causes (empty for other scan types).
    pub verify: Vec<RootCause>,
    /// Opaque engine state saved by the previous lease holder, to resume from.
    pub checkpoint: Option<String>,
}

/// Live counters of a running scan (`execution-details`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecutionDetails {
    pub logged_in: bool,
    pub links_in_queue: i64,
    pub links_crawled: i64,
    pub attacks_in_queue: i64,
    pub attacked: i64,
    pub vulnerable: i64,
    pub requests: i64,
    pub failed_requests: i64,
    pub network_speed: i64,
    pub drip_delay: i64,
}

/// What a worker reports on each heartbeat.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Heartbeat {
    /// The status the worker is in (`RUNNING`, `PAUSED`, `AUTHENTICATING`, …); the platform
    /// applies it when the status machine allows the move.
    pub status: ScanStatus,
    pub details: ExecutionDetails,
    #[serde(default)]
    pub checkpoint: Option<String>,
    /// What the scan could not cover; sent with the last heartbeat, once the engine is done
    /// (absent before, and from workers that predate it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Coverage>,
}

/// What a finished scan could not cover, as its engine reported it: the limits it reached
/// with what each left out, and what requests that got no answer cost. Kept structured by
/// the platform so that a report built from server data shows what a local one does.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// The limits reached, as the engine names them (`max_requests`, `max_per_pattern`, …).
    pub limits_reached: Vec<String>,
    /// One line per limit reached: which setting, and what it left out.
    pub limit_details: Vec<String>,
    /// Pages not crawled because their request got no answer, per reason.
    pub dropped: std::collections::BTreeMap<String, u64>,
    /// Attack jobs abandoned with their remaining payloads (no answer), per reason.
    pub abandoned: std::collections::BTreeMap<String, u64>,
}

impl Coverage {
    /// Nothing reached, nothing lost.
    pub fn is_empty(&self) -> bool {
        self.limits_reached.is_empty()
            && self.limit_details.is_empty()
            && self.dropped.is_empty()
            && self.abandoned.is_empty()
    }
}

/// The platform's answer to a heartbeat.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HeartbeatReply {
    /// An action a client asked for since the last heartbeat.
    pub action: Option<ScanAction>,
}

/// Which log a scan event belongs to: the engine's (`engine-events`) or the platform's
/// (`platform-events`: submission, actions sent, lease expiries, status changes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EventKind {
    Engine,
    Platform,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Engine => "ENGINE",
            EventKind::Platform => "PLATFORM",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ENGINE" => Some(EventKind::Engine),
            "PLATFORM" => Some(EventKind::Platform),
            _ => None,
        }
    }
}

/// One engine event of a scan (`engine-events`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobEvent {
    pub time: DateTime<Utc>,
    pub event: String,
}

/// A batch of confirmed findings; `batch_id` makes a retried send harmless.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FindingBatch {
    pub batch_id: String,
    pub findings: Vec<Finding>,
}

/// How a job ended, as the worker saw it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum JobOutcome {
    /// The scan ran to its end; `partial` when a budget cut it short.
    Completed { partial: bool },
    /// A STOP action ended it early; results stand (ends `COMPLETE`).
    Stopped,
    /// A CANCEL action ended it (ends `FAILED` / `CANCELED`).
    Canceled,
    /// It could not run (ends `FAILED` with the reason).
    Failed {
        reason: FailureReason,
        message: String,
    },
}

/// Why the platform refused a worker's call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum JobRefusal {
    /// The worker no longer holds the lease (it expired, or the job was re-queued).
    #[error("the lease on this job is no longer held by this worker")]
    LeaseLost,
}
