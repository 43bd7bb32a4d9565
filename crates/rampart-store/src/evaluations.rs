//! The gate policies' verdicts on completed scans (`ScanEvaluation`), written with their
//! `policy.failed` deliveries in one transaction.

use crate::StoreResult;
use async_trait::async_trait;
use rampart_domain::*;

/// A scan whose verdict is still due (see [`ScanEvaluationStore::due_scan_evaluations`]).
#[derive(Clone, Debug, PartialEq)]
pub struct DueEvaluation {
    pub org: OrgId,
    pub scan: uuid::Uuid,
    pub app: AppId,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// The scan is stored complete (an import exists, an engine scan is `COMPLETE`).
    pub complete: bool,
}

#[async_trait]
pub trait ScanEvaluationStore: Send + Sync {
    /// Notes that `scan` of `app` will be judged once it completes (before the change that
    /// completes it, so that a crash in between leaves the note for the duty). Noting it
    /// again keeps the first note.
    async fn expect_scan_evaluation(
        &self,
        org: OrgId,
        scan: uuid::Uuid,
        app: AppId,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()>;
    /// Records the verdict of a noted scan and writes `deliveries` in the same
    /// transaction, only when no verdict was recorded yet (a compare-and-set: whoever
    /// judges the scan first wins; `false` and nothing written for the others).
    /// `NotFound` when the scan was never noted.
    async fn record_scan_evaluation(
        &self,
        e: &ScanEvaluation,
        deliveries: &[WebhookDelivery],
    ) -> StoreResult<bool>;
    /// The recorded verdicts of these scans of the tenant (scans without one are left out).
    async fn scan_evaluations(
        &self,
        org: OrgId,
        scans: &[uuid::Uuid],
    ) -> StoreResult<Vec<ScanEvaluation>>;
    /// Of every tenant, the noted scans still without a verdict noted before `before`,
    /// oldest first, at most `limit`, each with whether its scan is stored complete.
    async fn due_scan_evaluations(
        &self,
        before: chrono::DateTime<chrono::Utc>,
        limit: u64,
    ) -> StoreResult<Vec<DueEvaluation>>;
    /// Drops a note without a verdict (its scan never completed).
    async fn drop_scan_evaluation(&self, org: OrgId, scan: uuid::Uuid) -> StoreResult<()>;
}
