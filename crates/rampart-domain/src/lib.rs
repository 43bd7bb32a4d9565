//! rampart's domain: entities, ids, enums, the role/permission table and the
//! module catalogue types.
//!
//! Invariants: no IO, no async, no transport or storage crate. Every entity belongs to
//! exactly one organization (tenant); ids are UUIDs wrapped in newtypes so that an app
//! id can never be passed where a target id is expected. Time is passed in, never read
//! from a global clock, except through [`time::Clock`].

#![deny(clippy::unwrap_used, clippy::expect_used)]

pub mod address;
pub mod audit;
pub mod auth;
pub mod blackout;
pub mod catalogue;
pub mod connector;
pub mod engine;
pub mod file;
pub mod file_refs;
pub mod identity;
pub mod ids;
pub mod job;
pub mod model;
pub mod oauth;
pub mod options;
pub mod plan;
pub mod plus;
pub mod policy;
pub mod recurrence;
pub mod report;
pub mod scan;
pub mod schedule;
pub mod scope;
pub mod scopes;
pub mod secrets;
pub mod target;
pub mod time;
pub mod vuln;
pub mod webhook;

pub use auth::{Action, Permission, Principal, PrincipalKind, Resource, Role};
pub use connector::{
    Connector, ConnectorHealth, ConnectorKind, ConnectorStatus, ConnectorType, CONNECTOR_TYPES,
};
pub use engine::*;
pub use identity::*;
pub use ids::*;
pub use model::*;
pub use plus::{AppProfile, Criticality, PlusFinding, PlusScan, PlusScanType, PlusStatus};
pub use policy::{
    sla_state, Evaluation, GateConditions, GateFinding, Policy, PolicyAction, PolicyVerdict,
    ScanEvaluation, SlaDays, SlaState, TriageAction, TriageEnd, TriageRecord, Verdict,
    MAX_AGE_DAYS, MAX_COUNT, POLICY_KINDS, SCAN_VERDICT_FINDINGS_MAX,
};
pub use scan::*;
pub use schedule::Schedule;
pub use scopes::{Scope, Scopes};
pub use vuln::*;
pub use webhook::{DeliveryStatus, Webhook, WebhookDelivery, WebhookEvent, WebhookStatus};
