//! The audit log (append-only, newest first with keyset paging) and its exports.

use crate::StoreResult;
use async_trait::async_trait;
use rampart_domain::audit::{AuditCursor, AuditEntry, AuditExport, AuditFilter};
use rampart_domain::*;

/// Audit entries and exports; every read is tenant-scoped (another tenant's entry is
/// `NotFound`). Entries are never updated, only purged by age.
#[async_trait]
pub trait AuditStore: Send + Sync {
    async fn append_audit(&self, e: &AuditEntry) -> StoreResult<()>;
    async fn get_audit(&self, org: OrgId, id: AuditId) -> StoreResult<AuditEntry>;
    /// At most `limit` entries matching `filter`, newest first (`at`, then id, descending),
    /// strictly after `after` in that order.
    async fn list_audit(
        &self,
        org: OrgId,
        filter: &AuditFilter,
        after: Option<AuditCursor>,
        limit: u64,
    ) -> StoreResult<Vec<AuditEntry>>;
    /// Deletes every tenant's entries older than `before` and the exports expired by then;
    /// returns how many entries went.
    async fn purge_audit(&self, before: chrono::DateTime<chrono::Utc>) -> StoreResult<u64>;
    async fn create_audit_export(&self, x: &AuditExport) -> StoreResult<()>;
    /// The export; its content only when `with_content`.
    async fn get_audit_export(
        &self,
        org: OrgId,
        id: AuditExportId,
        with_content: bool,
    ) -> StoreResult<AuditExport>;
}
