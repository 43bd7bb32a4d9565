//! The audit log and its exports.

use super::rows::{get, opt_time, time};
use super::{a, c, insert_err, select, t, Row, SqlStore};
use rampart_domain::audit::{
    AuditActor, AuditCursor, AuditEntry, AuditExport, AuditFilter, ExportFormat,
};
use rampart_domain::time::to_micros;
use rampart_domain::*;
use rampart_store::{AuditStore, StoreError, StoreResult};
use sea_query::{Expr, Order, Query};

const COLUMNS: &[&str] = &[
    "id",
    "org_id",
    "at",
    "actor_id",
    "actor_kind",
    "credential",
    "action",
    "method",
    "route",
    "resource_type",
    "resource_id",
    "status",
    "ip",
    "user_agent",
    "request_id",
    "changes",
];

fn entry(r: &Row) -> StoreResult<AuditEntry> {
    let kind: String = get(r, "actor_kind")?;
    Ok(AuditEntry {
        id: AuditId(get(r, "id")?),
        org: OrgId(get(r, "org_id")?),
        at: time(r, "at")?,
        actor: AuditActor {
            id: PrincipalId(get(r, "actor_id")?),
            kind: PrincipalKind::parse(&kind)
                .ok_or_else(|| StoreError::Backend(format!("unexpected actor_kind '{kind}'")))?,
            credential: get(r, "credential")?,
        },
        action: get(r, "action")?,
        method: get(r, "method")?,
        route: get(r, "route")?,
        resource_type: get(r, "resource_type")?,
        resource_id: get(r, "resource_id")?,
        status: u16::try_from(get::<i64>(r, "status")?).unwrap_or(0),
        ip: get(r, "ip")?,
        user_agent: get(r, "user_agent")?,
        request_id: get(r, "request_id")?,
        changes: get::<Option<String>>(r, "changes")?
            .map(|s| serde_json::from_str(&s).map_err(|e| StoreError::Backend(e.to_string())))
            .transpose()?,
    })
}

const EXPORT_COLUMNS: &[&str] = &[
    "id",
    "org_id",
    "requested_by",
    "format",
    "from_at",
    "to_at",
    "created_at",
    "expires_at",
    "entries",
];

fn export(r: &Row, with_content: bool) -> StoreResult<AuditExport> {
    let format: String = get(r, "format")?;
    Ok(AuditExport {
        id: AuditExportId(get(r, "id")?),
        org: OrgId(get(r, "org_id")?),
        requested_by: PrincipalId(get(r, "requested_by")?),
        format: ExportFormat::parse(&format)
            .ok_or_else(|| StoreError::Backend(format!("unexpected format '{format}'")))?,
        from: opt_time(r, "from_at")?,
        to: opt_time(r, "to_at")?,
        created_at: time(r, "created_at")?,
        expires_at: time(r, "expires_at")?,
        entries: u64::try_from(get::<i64>(r, "entries")?).unwrap_or(0),
        content: if with_content {
            Some(get(r, "content")?)
        } else {
            None
        },
    })
}

#[async_trait::async_trait]
impl AuditStore for SqlStore {
    async fn append_audit(&self, e: &AuditEntry) -> StoreResult<()> {
        let q = Query::insert()
            .into_table(a("audit_log"))
            .columns(COLUMNS.iter().map(|x| a(x)))
            .values([
                e.id.0.into(),
                e.org.0.into(),
                t(e.at),
                e.actor.id.0.into(),
                e.actor.kind.as_str().into(),
                e.actor.credential.clone().into(),
                e.action.clone().into(),
                e.method.clone().into(),
                e.route.clone().into(),
                e.resource_type.clone().into(),
                e.resource_id.clone().into(),
                i64::from(e.status).into(),
                e.ip.clone().into(),
                e.user_agent.clone().into(),
                e.request_id.clone().into(),
                e.changes.as_ref().map(|c| c.to_string()).into(),
            ])
            .map_err(insert_err)?
            .to_owned();
        self.exec(&q).await.map(|_| ())
    }

    async fn get_audit(&self, org: OrgId, id: AuditId) -> StoreResult<AuditEntry> {
        let mut q = select("audit_log", COLUMNS, org);
        q.and_where(c("audit_log", "id").eq(id.0));
        entry(&self.one(&q).await?)
    }

    async fn list_audit(
        &self,
        org: OrgId,
        f: &AuditFilter,
        after: Option<AuditCursor>,
        limit: u64,
    ) -> StoreResult<Vec<AuditEntry>> {
        let mut q = select("audit_log", COLUMNS, org);
        if let Some(x) = f.actor {
            q.and_where(c("audit_log", "actor_id").eq(x.0));
        }
        if let Some(x) = &f.resource_type {
            q.and_where(c("audit_log", "resource_type").eq(x.clone()));
        }
        if let Some(x) = &f.action {
            q.and_where(c("audit_log", "action").eq(x.clone()));
        }
        if let Some(x) = f.from {
            q.and_where(c("audit_log", "at").gte(to_micros(x)));
        }
        if let Some(x) = f.to {
            q.and_where(c("audit_log", "at").lt(to_micros(x)));
        }
        if let Some(k) = after {
            let at = to_micros(k.at);
            q.and_where(
                c("audit_log", "at").lt(at).or(c("audit_log", "at")
                    .eq(at)
                    .and(c("audit_log", "id").lt(k.id.0))),
            );
        }
        q.order_by((a("audit_log"), a("at")), Order::Desc)
            .order_by((a("audit_log"), a("id")), Order::Desc)
            .limit(limit);
        self.all(&q).await?.iter().map(entry).collect()
    }

    async fn purge_audit(&self, before: chrono::DateTime<chrono::Utc>) -> StoreResult<u64> {
        let n = self
            .exec(
                &Query::delete()
                    .from_table(a("audit_log"))
                    .and_where(Expr::col(a("at")).lt(to_micros(before)))
                    .to_owned(),
            )
            .await?;
        self.exec(
            &Query::delete()
                .from_table(a("audit_exports"))
                .and_where(Expr::col(a("expires_at")).lt(to_micros(before)))
                .to_owned(),
        )
        .await?;
        Ok(n)
    }

    async fn create_audit_export(&self, x: &AuditExport) -> StoreResult<()> {
        let mut columns = EXPORT_COLUMNS.to_vec();
        columns.push("content");
        let q = Query::insert()
            .into_table(a("audit_exports"))
            .columns(columns.iter().map(|x| a(x)))
            .values([
                x.id.0.into(),
                x.org.0.into(),
                x.requested_by.0.into(),
                x.format.as_str().into(),
                x.from.map(to_micros).into(),
                x.to.map(to_micros).into(),
                t(x.created_at),
                t(x.expires_at),
                i64::try_from(x.entries).unwrap_or(i64::MAX).into(),
                x.content.clone().unwrap_or_default().into(),
            ])
            .map_err(insert_err)?
            .to_owned();
        self.exec(&q).await.map(|_| ())
    }

    async fn get_audit_export(
        &self,
        org: OrgId,
        id: AuditExportId,
        with_content: bool,
    ) -> StoreResult<AuditExport> {
        let mut columns = EXPORT_COLUMNS.to_vec();
        if with_content {
            columns.push("content");
        }
        let mut q = select("audit_exports", &columns, org);
        q.and_where(c("audit_exports", "id").eq(id.0));
        export(&self.one(&q).await?, with_content)
    }
}
