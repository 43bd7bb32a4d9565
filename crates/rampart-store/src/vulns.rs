//! Findings and vulnerabilities: ingestion, triage, history, comments, discoveries.

use crate::{ListRequest, Page, StoreResult, Visibility};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rampart_domain::*;

/// What one `ingest_findings` call changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IngestCounts {
    /// Vulnerabilities seen for the first time in this app.
    pub created: Vec<VulnerabilityId>,
    /// Remediated vulnerabilities this batch found again, so open again.
    pub reopened: Vec<VulnerabilityId>,
    /// Discoveries added (one per vulnerability per scan).
    pub discoveries: u64,
    /// The batch id was already ingested: nothing changed.
    pub duplicate_batch: bool,
    /// The scan's application (when the batch was not a duplicate).
    pub app: Option<AppId>,
    /// For each of `created`, the index in the batch of the finding that created it.
    pub created_from: Vec<usize>,
    /// For each of `reopened`, the index in the batch of the finding that reopened it.
    pub reopened_from: Vec<usize>,
}

/// Vulnerabilities and their discoveries, history and comments. Tenant-scoped; reads
/// honour the [`Visibility`] of the vulnerability's app.
#[async_trait]
pub trait VulnStore: Send + Sync {
    /// Merges `findings` into the scan's app: a vulnerability per (module, root cause),
    /// a discovery per vulnerability and scan. A `batch_id` seen before for this scan
    /// changes nothing.
    async fn ingest_findings(
        &self,
        org: OrgId,
        scan: ScanId,
        batch_id: &str,
        findings: &[Finding],
    ) -> StoreResult<IngestCounts> {
        self.ingest_findings_announced(org, scan, batch_id, findings, &|_| Vec::new())
            .await
    }
    /// [`Self::ingest_findings`], writing the deliveries `outbox` makes of its counts in the
    /// same transaction (a crash keeps the findings and their events, or neither; a
    /// duplicate batch announces nothing).
    async fn ingest_findings_announced(
        &self,
        org: OrgId,
        scan: ScanId,
        batch_id: &str,
        findings: &[Finding],
        outbox: &(dyn for<'c> Fn(&'c IngestCounts) -> Vec<WebhookDelivery> + Send + Sync),
    ) -> StoreResult<IngestCounts>;
    async fn get_vulnerability(
        &self,
        org: OrgId,
        id: VulnerabilityId,
        vis: &Visibility,
    ) -> StoreResult<Vulnerability>;
    async fn list_vulnerabilities(
        &self,
        org: OrgId,
        vis: &Visibility,
        req: &ListRequest,
    ) -> StoreResult<Page<Vulnerability>>;
    /// The ids of the vulnerabilities `scan` discovered, ascending (no visibility filter:
    /// the caller has read the scan).
    async fn list_scan_vulnerability_ids(
        &self,
        org: OrgId,
        scan: ScanId,
    ) -> StoreResult<Vec<VulnerabilityId>>;
    /// Newest first.
    async fn list_discoveries(
        &self,
        org: OrgId,
        vuln: VulnerabilityId,
    ) -> StoreResult<Vec<VulnerabilityDiscovery>>;
    /// Sets severity and/or status in one transaction and records one history entry
    /// with the fields that actually changed (none when nothing changed; `updated_time`
    /// moves only then). Returns the vulnerability as stored afterwards.
    async fn update_vulnerability(
        &self,
        org: OrgId,
        id: VulnerabilityId,
        severity: Option<Severity>,
        status: Option<VulnStatus>,
        source: UpdateSource,
        now: DateTime<Utc>,
    ) -> StoreResult<Vulnerability>;
    /// Oldest first.
    async fn list_vulnerability_history(
        &self,
        org: OrgId,
        id: VulnerabilityId,
    ) -> StoreResult<Vec<VulnerabilityUpdate>>;
    /// `NotFound` when the vulnerability is not in `c.org`.
    async fn create_vulnerability_comment(&self, c: &VulnerabilityComment) -> StoreResult<()>;
    async fn get_vulnerability_comment(
        &self,
        org: OrgId,
        vuln: VulnerabilityId,
        id: uuid::Uuid,
    ) -> StoreResult<VulnerabilityComment>;
    /// Oldest first (`req.sort` is ignored: comments have no search catalogue).
    async fn list_vulnerability_comments(
        &self,
        org: OrgId,
        vuln: VulnerabilityId,
        req: &ListRequest,
    ) -> StoreResult<Page<VulnerabilityComment>>;
    /// Replaces the content; sets `last_update_author` and `update_time`.
    async fn update_vulnerability_comment(
        &self,
        org: OrgId,
        vuln: VulnerabilityId,
        id: uuid::Uuid,
        content: &str,
        author: PrincipalId,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    async fn delete_vulnerability_comment(
        &self,
        org: OrgId,
        vuln: VulnerabilityId,
        id: uuid::Uuid,
    ) -> StoreResult<()>;
    async fn get_discovery(
        &self,
        org: OrgId,
        vuln: VulnerabilityId,
        id: uuid::Uuid,
    ) -> StoreResult<VulnerabilityDiscovery>;
    /// A page of the vulnerability's discoveries (default sort `discovered` DESC).
    async fn page_discoveries(
        &self,
        org: OrgId,
        vuln: VulnerabilityId,
        req: &ListRequest,
    ) -> StoreResult<Page<VulnerabilityDiscovery>>;
    /// After a verification (or specialized) scan completed: the vulnerabilities it
    /// re-checked — those discovered by `parent_scan`, or only `only` when not empty —
    /// that `verification_scan` did not discover and whose status is not
    /// `FALSE_POSITIVE`, `IGNORED` or `REMEDIATED` become `REMEDIATED`, each with a
    /// history entry (source `SCAN`, the verification scan). One transaction; returns
    /// the ids it remediated.
    async fn remediate_unconfirmed(
        &self,
        org: OrgId,
        verification_scan: ScanId,
        parent_scan: ScanId,
        only: &[VulnerabilityId],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<VulnerabilityId>> {
        self.remediate_unconfirmed_announced(
            org,
            verification_scan,
            parent_scan,
            only,
            now,
            &|_| Vec::new(),
        )
        .await
    }
    /// [`Self::remediate_unconfirmed`], writing the deliveries `outbox` makes of the
    /// remediated ids in the same transaction (none when nothing was remediated), so a
    /// crash keeps the remediation and its `vulnerability.closed` event, or neither.
    async fn remediate_unconfirmed_announced(
        &self,
        org: OrgId,
        verification_scan: ScanId,
        parent_scan: ScanId,
        only: &[VulnerabilityId],
        now: DateTime<Utc>,
        outbox: &(dyn for<'c> Fn(&'c [VulnerabilityId]) -> Vec<WebhookDelivery> + Send + Sync),
    ) -> StoreResult<Vec<VulnerabilityId>>;
    /// Discoveries of every vulnerability the caller may see, filtered and sorted by
    /// `req` (the `VULNERABILITY_DISCOVERY` search type; default `discovered` DESC).
    async fn search_discoveries(
        &self,
        org: OrgId,
        vis: &Visibility,
        req: &ListRequest,
    ) -> StoreResult<Page<VulnerabilityDiscovery>>;
}
