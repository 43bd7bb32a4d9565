//! AppSec+ imported scans and findings.

use crate::{StoreResult, Visibility};
use async_trait::async_trait;
use rampart_domain::*;

/// What an import changes, decided by the service (`rampart_ingest::delta`) and applied by
/// [`PlusStore::apply_plus_import`] in one transaction.
#[derive(Clone, Debug, Default)]
pub struct PlusImport {
    /// Findings seen for the first time.
    pub new: Vec<PlusFinding>,
    /// Reported again: `last_seen` and `scan_id` move, the status stays.
    pub seen: Vec<PlusFindingId>,
    /// Reported again after being resolved: back to `open`.
    pub reopened: Vec<PlusFindingId>,
    /// No longer reported by the tool: `resolved`.
    pub closed: Vec<PlusFindingId>,
}

/// The identity and status of a stored finding (what a re-import compares against).
#[derive(Clone, Debug, PartialEq)]
pub struct PlusFindingState {
    pub id: PlusFindingId,
    pub tool: String,
    pub fingerprint: String,
    pub status: PlusStatus,
}

/// Filters of `GET /vulnerabilities` (imported findings).
#[derive(Clone, Debug, Default)]
pub struct PlusFindingFilter {
    pub app: Option<AppId>,
    pub scan: Option<PlusScanId>,
    pub scan_type: Option<PlusScanType>,
    pub severity: Option<Severity>,
    pub min_severity: Option<Severity>,
    pub status: Option<PlusStatus>,
    pub cwe: Option<String>,
    pub tool: Option<String>,
    /// `severity`, `-severity`, `firstSeen`, `-firstSeen` (default), `lastSeen`, `-lastSeen`, `title`.
    pub sort: Option<String>,
    pub limit: u64,
    pub offset: u64,
}

#[async_trait]
pub trait PlusStore: Send + Sync {
    /// The findings of an app's earlier imports of `scan_type` by any of `tools`.
    async fn plus_finding_states(
        &self,
        org: OrgId,
        app: AppId,
        scan_type: PlusScanType,
        tools: &[String],
    ) -> StoreResult<Vec<PlusFindingState>>;
    /// Records the scan and applies the import; `Conflict` when a concurrent import of the
    /// same findings won (nothing is written).
    /// Writes `outbox` (the import's webhook deliveries) in the same transaction.
    async fn apply_plus_import(
        &self,
        scan: &PlusScan,
        import: &PlusImport,
        outbox: &[WebhookDelivery],
    ) -> StoreResult<()>;
    async fn get_plus_scan(
        &self,
        org: OrgId,
        id: PlusScanId,
        vis: &Visibility,
    ) -> StoreResult<PlusScan>;
    /// Newest first.
    async fn list_plus_scans(
        &self,
        org: OrgId,
        app: Option<AppId>,
        vis: &Visibility,
    ) -> StoreResult<Vec<PlusScan>>;
    async fn get_plus_finding(
        &self,
        org: OrgId,
        id: PlusFindingId,
        vis: &Visibility,
    ) -> StoreResult<PlusFinding>;
    async fn list_plus_findings(
        &self,
        org: OrgId,
        filter: &PlusFindingFilter,
        vis: &Visibility,
    ) -> StoreResult<Vec<PlusFinding>>;
    async fn set_plus_finding_status(
        &self,
        org: OrgId,
        id: PlusFindingId,
        status: PlusStatus,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()>;
    async fn create_policy(&self, p: &Policy) -> StoreResult<()>;
    async fn get_policy(&self, org: OrgId, id: PolicyId) -> StoreResult<Policy>;
    /// By name.
    async fn list_policies(&self, org: OrgId) -> StoreResult<Vec<Policy>>;
    async fn update_policy(&self, p: &Policy) -> StoreResult<()>;
    async fn delete_policy(&self, org: OrgId, id: PolicyId) -> StoreResult<()>;
    /// Records status changes made by a triage policy.
    async fn record_triage(&self, records: &[TriageRecord]) -> StoreResult<()>;
    /// A policy's triage changes, newest first.
    async fn list_triage(
        &self,
        org: OrgId,
        policy: PolicyId,
        limit: u64,
        offset: u64,
    ) -> StoreResult<Vec<TriageRecord>>;
    /// A policy's changes that have not ended (what its expiry undoes), oldest first.
    async fn open_triage(&self, org: OrgId, policy: PolicyId) -> StoreResult<Vec<TriageRecord>>;
    /// Ends changes (`ended_at`, `end`); a change already ended is left as it is.
    async fn end_triage(
        &self,
        org: OrgId,
        ends: &[(uuid::Uuid, TriageEnd)],
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()>;
    /// Notes SLA breaches `(finding, due date)` and returns the ones not noted before (a
    /// compare-and-set: each breach is returned once, whoever asks), and writes the
    /// deliveries `outbox` makes of those in the same transaction (a crash keeps both or
    /// neither, so no breach is noted without its event).
    async fn note_sla_breaches(
        &self,
        org: OrgId,
        breaches: &[(uuid::Uuid, chrono::DateTime<chrono::Utc>)],
        at: chrono::DateTime<chrono::Utc>,
        outbox: &(dyn for<'n> Fn(&'n [uuid::Uuid]) -> Vec<WebhookDelivery> + Send + Sync),
    ) -> StoreResult<Vec<uuid::Uuid>>;
}
