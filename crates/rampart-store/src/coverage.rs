//! What finished scans could not cover (limits reached, pages dropped, attack jobs
//! abandoned), kept structured for the reports built from server data.

use crate::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rampart_domain::job::Coverage;
use rampart_domain::{OrgId, ScanId};

#[async_trait]
pub trait CoverageStore: Send + Sync {
    /// Replaces the scan's coverage; `NotFound` when the scan is not the organization's.
    async fn save_scan_coverage(
        &self,
        org: OrgId,
        scan: ScanId,
        c: &Coverage,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// `None` when the engine reported none (nothing reached or lost, or an older worker).
    async fn find_scan_coverage(&self, org: OrgId, scan: ScanId) -> StoreResult<Option<Coverage>>;
}
