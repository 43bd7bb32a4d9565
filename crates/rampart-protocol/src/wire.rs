//! The bodies of the job protocol (`/engine/v1` and the in-process calls alike).
//!
//! The types are defined in `rampart_domain::job` (the service speaks them in process and
//! the domain may depend on nothing) and are the protocol's only spelling: this module is
//! where the protocol names them. Their JSON shape is fixed by snapshot tests
//! (`tests/it/wire.rs`); the server registers an OpenAPI schema for each.

pub use rampart_domain::job::{
    Coverage, EventKind, ExecutionDetails, FindingBatch, Heartbeat, HeartbeatReply, JobEvent,
    JobModule, JobOutcome, JobRefusal, JobSpec,
};

/// The answer to an action long-poll (`POST /engine/v1/jobs/{id}/action?wait=`): the
/// pending action, if one came within the wait. Same shape as a heartbeat's reply.
pub type ActionReply = HeartbeatReply;
