//! AppSec+ imported scans and findings.

use crate::{StoreResult, Visibility};
use async_trait::async_trait;
use rampart_domain::*;

/// What an import changes, decided by the service (`rampart_ingest::delta`) and applied by
/// [`PlusStore::apply_plus_import`] in one transaction. Only changes are listed: a finding
/// reported again with nothing changed is not written (its `scan_id` and `last_seen` are
/// the latest import of its stream, see [`PlusStream`]).
#[derive(Clone, Debug, Default)]
pub struct PlusImport {
    /// Findings seen for the first time.
    pub new: Vec<PlusFinding>,
    /// Reported again after being resolved: back to `open`.
    pub reopened: Vec<PlusFindingId>,
    /// Reported again after an import of their stream that did not report them, status
    /// kept (e.g. `accepted`).
    pub returned: Vec<PlusFindingId>,
    /// Per tool of the import: its earlier import and the findings leaving it (a tool
    /// not listed, or listed without `previous`, is a new stream).
    pub streams: Vec<PlusStreamChange>,
}

impl PlusImport {
    /// Every finding the import resolves.
    pub fn closed(&self) -> impl Iterator<Item = PlusFindingId> + '_ {
        self.streams.iter().flat_map(|s| s.closed.iter().copied())
    }
}

/// What an import does to one stream.
#[derive(Clone, Debug, PartialEq)]
pub struct PlusStreamChange {
    pub tool: String,
    /// The stream's latest import as read when the import was planned (None: none yet):
    /// another import of the stream in between makes this one a `Conflict`.
    pub previous: Option<PlusStream>,
    /// No longer reported while open or in progress: `resolved`.
    pub closed: Vec<PlusFindingId>,
    /// No longer reported, status kept (accepted, or resolved by hand).
    pub gone: Vec<PlusFindingId>,
}

/// The latest import of a stream: one tool's results of one scan type for one application.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlusStream {
    pub scan: PlusScanId,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// The identity and status of a stored finding (what a re-import compares against).
#[derive(Clone, Debug, PartialEq)]
pub struct PlusFindingState {
    pub id: PlusFindingId,
    pub tool: String,
    pub fingerprint: String,
    pub status: PlusStatus,
    /// Reported by the latest import of its stream.
    pub present: bool,
}

/// What a re-import is compared against: the streams' latest imports, read before the
/// findings (so an import that lands between the two reads is caught by the
/// compare-and-set of [`PlusStreamChange::previous`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlusKnown {
    pub streams: Vec<(String, PlusStream)>,
    pub findings: Vec<PlusFindingState>,
}

impl PlusKnown {
    /// The import of `new` findings and of the known ones the re-import rule decided on
    /// (indices into `findings`); `reported` is every (tool, fingerprint) of the upload.
    /// Lists only what must be written: a finding reported again that was present and
    /// keeps its status is in no list.
    pub fn import(
        &self,
        new: Vec<PlusFinding>,
        reported: &[(&str, &str)],
        unchanged: &[usize],
        reopened: &[usize],
        closed: &[usize],
    ) -> PlusImport {
        let reported: std::collections::HashSet<(&str, &str)> = reported.iter().copied().collect();
        let mut streams: Vec<PlusStreamChange> = self
            .streams
            .iter()
            .map(|(tool, previous)| PlusStreamChange {
                tool: tool.clone(),
                previous: Some(*previous),
                closed: Vec::new(),
                gone: Vec::new(),
            })
            .collect();
        let mut is_closed = vec![false; self.findings.len()];
        for i in closed {
            is_closed[*i] = true;
        }
        for (k, is_closed) in self.findings.iter().zip(is_closed) {
            let gone = k.present && !reported.contains(&(k.tool.as_str(), k.fingerprint.as_str()));
            if !is_closed && !gone {
                continue;
            }
            let i = match streams.iter().position(|c| c.tool == k.tool) {
                Some(i) => i,
                None => {
                    // Stored before streams existed: the stream starts now.
                    streams.push(PlusStreamChange {
                        tool: k.tool.clone(),
                        previous: None,
                        closed: Vec::new(),
                        gone: Vec::new(),
                    });
                    streams.len() - 1
                }
            };
            if is_closed {
                streams[i].closed.push(k.id);
            } else {
                streams[i].gone.push(k.id);
            }
        }
        PlusImport {
            new,
            reopened: reopened.iter().map(|i| self.findings[*i].id).collect(),
            returned: unchanged
                .iter()
                .filter(|i| !self.findings[**i].present)
                .map(|i| self.findings[*i].id)
                .collect(),
            streams,
        }
    }
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
    /// The streams and findings of an app's earlier imports of `scan_type` by any of `tools`.
    async fn plus_finding_states(
        &self,
        org: OrgId,
        app: AppId,
        scan_type: PlusScanType,
        tools: &[String],
    ) -> StoreResult<PlusKnown>;
    /// Records the scan, makes it the latest import of each of its tools' streams and
    /// applies the import; `Conflict` when a concurrent import of one of those streams won
    /// (nothing is written).
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
