//! The audit log's use cases: recording (by the HTTP edge, for every mutation), reading and
//! exporting (Product Admins: `Principal::may_read_audit`), and the retention purge.

use crate::{Service, ServiceError, ServiceResult};
use rampart_domain::audit::{AuditCursor, AuditEntry, AuditExport, AuditFilter, ExportFormat};
use rampart_domain::*;

/// The most entries one export holds (older ones need a narrower `from`/`to`).
pub const EXPORT_MAX_ENTRIES: u64 = 1_000_000;
/// How long an export can be downloaded.
pub const EXPORT_TTL_HOURS: i64 = 24;
/// Rows read per statement while exporting.
const EXPORT_BATCH: u64 = 1000;

fn may_read(p: &Principal) -> ServiceResult<()> {
    if p.may_read_audit() {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(format!(
            "the {} role may not read the audit log",
            p.role.as_str()
        )))
    }
}

impl Service {
    /// Appends an entry; the caller (the HTTP edge) has authenticated its actor.
    pub async fn record_audit(&self, e: &AuditEntry) -> ServiceResult<()> {
        Ok(self.store.append_audit(e).await?)
    }

    /// At most `limit` entries, newest first, after the cursor.
    pub async fn list_audit(
        &self,
        p: &Principal,
        filter: &AuditFilter,
        after: Option<AuditCursor>,
        limit: u64,
    ) -> ServiceResult<Vec<AuditEntry>> {
        may_read(p)?;
        Ok(self
            .store
            .list_audit(p.org, filter, after, limit.clamp(1, 1000))
            .await?)
    }

    pub async fn get_audit(&self, p: &Principal, id: AuditId) -> ServiceResult<AuditEntry> {
        may_read(p)?;
        Ok(self.store.get_audit(p.org, id).await?)
    }

    /// Generates an export now (synchronously) with `render` (the wire format belongs to the
    /// HTTP edge) and stores it; it is `completed` as soon as this returns.
    pub async fn export_audit(
        &self,
        p: &Principal,
        format: ExportFormat,
        filter: AuditFilter,
        render: &(dyn Fn(&[AuditEntry], bool) -> Vec<u8> + Send + Sync),
    ) -> ServiceResult<AuditExportId> {
        may_read(p)?;
        let mut content = Vec::new();
        let mut after = None;
        let mut entries = 0u64;
        loop {
            let batch = self
                .store
                .list_audit(p.org, &filter, after, EXPORT_BATCH)
                .await?;
            let Some(last) = batch.last() else { break };
            after = Some(AuditCursor {
                at: last.at,
                id: last.id,
            });
            content.extend(render(&batch, entries == 0));
            entries += batch.len() as u64;
            if batch.len() < EXPORT_BATCH as usize || entries >= EXPORT_MAX_ENTRIES {
                break;
            }
        }
        if entries == 0 {
            content.extend(render(&[], true));
        }
        let now = self.now();
        let x = AuditExport {
            id: AuditExportId::new(),
            org: p.org,
            requested_by: p.id,
            format,
            from: filter.from,
            to: filter.to,
            created_at: now,
            expires_at: now + chrono::Duration::hours(EXPORT_TTL_HOURS),
            entries,
            content: Some(content),
        };
        self.store.create_audit_export(&x).await?;
        Ok(x.id)
    }

    /// An export's metadata, or (`with_content`) its content too; an expired one is gone.
    pub async fn get_audit_export(
        &self,
        p: &Principal,
        id: AuditExportId,
        with_content: bool,
    ) -> ServiceResult<AuditExport> {
        may_read(p)?;
        let x = self.store.get_audit_export(p.org, id, with_content).await?;
        if x.expires_at <= self.now() {
            return Err(ServiceError::NotFound);
        }
        Ok(x)
    }

    /// Deletes entries older than `retention_days` (every tenant) and expired exports; run
    /// by the replica leading the `audit-retention` duty.
    pub async fn purge_audit(&self, retention_days: u32) -> ServiceResult<u64> {
        let before = self.now() - chrono::Duration::days(i64::from(retention_days));
        Ok(self.store.purge_audit(before).await?)
    }
}
