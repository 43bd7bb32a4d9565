//! Server-side reports: one `reports` row holds the request, its status, the generation
//! lease and the content. The claim is a compare-and-set on the lease columns (both
//! databases): a candidate is read, then taken only if it is still claimable.

use super::rows::{self, get};
use super::{a, by_id, c, insert_err, map_err, select, t, touched, visible, Row, SqlStore};
use chrono::{DateTime, Utc};
use rampart_domain::report::{Report, ReportParams, ReportStatus};
use rampart_domain::time::to_micros;
use rampart_domain::*;
use rampart_query::ResourceType;
use rampart_store::{
    ListRequest, Page, ReportLease, ReportOutcome, ReportStore, StoreError, StoreResult, Visibility,
};
use sea_query::{Expr, Order, Query, SelectStatement, SimpleExpr};

const COLUMNS: &[&str] = &[
    "id",
    "org_id",
    "name",
    "type",
    "format",
    "owner_id",
    "app_id",
    "scan_id",
    "parameters",
    "status",
    "failure_reason",
    "created_at",
    "generated_date",
];

fn report(r: &Row) -> StoreResult<Report> {
    let params: ReportParams = serde_json::from_str(&get::<String>(r, "parameters")?)
        .map_err(|e| StoreError::Backend(e.to_string()))?;
    Ok(Report {
        id: ReportId(get(r, "id")?),
        org: OrgId(get(r, "org_id")?),
        name: get(r, "name")?,
        kind: get(r, "type")?,
        format: get(r, "format")?,
        owner: PrincipalId(get(r, "owner_id")?),
        app: get::<Option<uuid::Uuid>>(r, "app_id")?.map(AppId),
        scan: get::<Option<uuid::Uuid>>(r, "scan_id")?.map(ScanId),
        params,
        status: rows::en(r, "status", ReportStatus::parse)?,
        failure_reason: get(r, "failure_reason")?,
        created_at: rows::time(r, "created_at")?,
        generated_date: rows::time(r, "generated_date")?,
    })
}

/// Reports `vis` may see: those of a visible app, and all-apps reports of their owner
/// (every report when `vis` is `All`).
fn scoped(q: &mut SelectStatement, vis: &Visibility) {
    if let (Visibility::MemberOf(p), Some(v)) = (vis, visible("reports", "app_id", vis)) {
        q.and_where(
            c("reports", "app_id")
                .is_null()
                .and(c("reports", "owner_id").eq(p.0))
                .or(v),
        );
    }
}

/// A `PROCESSING` report whose lease is free or expired at `now`, attempts remaining.
fn claimable(now: DateTime<Utc>, max_attempts: i32) -> SimpleExpr {
    super::is_constant("reports", "status", ReportStatus::Processing.as_str())
        .and(
            Expr::col(a("lease_owner"))
                .is_null()
                .or(Expr::col(a("lease_expires_at")).lt(to_micros(now))),
        )
        .and(Expr::col(a("attempts")).lt(max_attempts))
}

#[async_trait::async_trait]
impl ReportStore for SqlStore {
    async fn create_report(&self, r: &Report) -> StoreResult<()> {
        let params =
            serde_json::to_string(&r.params).map_err(|e| StoreError::Backend(e.to_string()))?;
        let q = Query::insert()
            .into_table(a("reports"))
            .columns(COLUMNS.iter().map(|x| a(x)))
            .values([
                r.id.0.into(),
                r.org.0.into(),
                r.name.clone().into(),
                r.kind.clone().into(),
                r.format.clone().into(),
                r.owner.0.into(),
                r.app.map(|x| x.0).into(),
                r.scan.map(|x| x.0).into(),
                params.into(),
                r.status.as_str().into(),
                r.failure_reason.clone().into(),
                t(r.created_at),
                t(r.generated_date),
            ])
            .map_err(insert_err)?
            .to_owned();
        self.exec(&q).await.map(|_| ())
    }

    async fn get_report(&self, org: OrgId, id: ReportId, vis: &Visibility) -> StoreResult<Report> {
        let mut q = select("reports", COLUMNS, org);
        q.and_where(c("reports", "id").eq(id.0));
        scoped(&mut q, vis);
        report(&self.one(&q).await?)
    }

    async fn get_report_content(
        &self,
        org: OrgId,
        id: ReportId,
        vis: &Visibility,
    ) -> StoreResult<(Report, Option<Vec<u8>>)> {
        let mut columns = COLUMNS.to_vec();
        columns.push("content");
        let mut q = select("reports", &columns, org);
        q.and_where(c("reports", "id").eq(id.0));
        scoped(&mut q, vis);
        let r = self.one(&q).await?;
        Ok((report(&r)?, get::<Option<Vec<u8>>>(&r, "content")?))
    }

    async fn delete_report(&self, org: OrgId, id: ReportId) -> StoreResult<()> {
        let [o, i] = by_id(org, id.0);
        let q = Query::delete()
            .from_table(a("reports"))
            .and_where(o)
            .and_where(i)
            .to_owned();
        touched(self.exec(&q).await?)
    }

    async fn list_reports(
        &self,
        org: OrgId,
        vis: &Visibility,
        req: &ListRequest,
    ) -> StoreResult<Page<Report>> {
        let mut q = select("reports", COLUMNS, org);
        scoped(&mut q, vis);
        self.page(q, req, ResourceType::Report, report).await
    }

    async fn claim_report(
        &self,
        lease: &ReportLease,
        now: DateTime<Utc>,
        max_attempts: i32,
    ) -> StoreResult<Option<Report>> {
        // A lost race (another replica took the candidate first) tries the next one.
        for _ in 0..8 {
            let candidate = Query::select()
                .column(a("id"))
                .from(a("reports"))
                .and_where(claimable(now, max_attempts))
                .order_by(a("created_at"), Order::Asc)
                .order_by(a("id"), Order::Asc)
                .limit(1)
                .to_owned();
            let Some(row) = self.optional(&candidate).await? else {
                return Ok(None);
            };
            let id: uuid::Uuid = get(&row, "id")?;
            let take = Query::update()
                .table(a("reports"))
                .values([
                    (a("lease_owner"), lease.owner.clone().into()),
                    (a("lease_expires_at"), t(lease.until)),
                    (a("attempts"), Expr::col(a("attempts")).add(1)),
                ])
                .and_where(Expr::col(a("id")).eq(id))
                .and_where(claimable(now, max_attempts))
                .to_owned();
            if self.exec(&take).await? == 1 {
                let mut q = Query::select();
                q.columns(COLUMNS.iter().map(|col| (a("reports"), a(col))))
                    .from(a("reports"))
                    .and_where(c("reports", "id").eq(id));
                // Read on the writer: the reader may not see the claim yet.
                let (sql, values) = sea_query_binder::SqlxBinder::build_sqlx(&q, super::QB);
                let r = sqlx::query_with(&sql, values)
                    .fetch_one(self.writer())
                    .await
                    .map_err(map_err)?;
                return report(&r).map(Some);
            }
        }
        Ok(None)
    }

    async fn renew_report_lease(&self, id: ReportId, lease: &ReportLease) -> StoreResult<()> {
        let q = Query::update()
            .table(a("reports"))
            .value(a("lease_expires_at"), t(lease.until))
            .and_where(Expr::col(a("id")).eq(id.0))
            .and_where(Expr::col(a("status")).eq(ReportStatus::Processing.as_str()))
            .and_where(Expr::col(a("lease_owner")).eq(lease.owner.clone()))
            .to_owned();
        touched(self.exec(&q).await?)
    }

    async fn finish_report(
        &self,
        id: ReportId,
        owner: &str,
        outcome: ReportOutcome,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let (status, reason, content) = match outcome {
            ReportOutcome::Complete(bytes) => (ReportStatus::Complete, None, Some(bytes)),
            ReportOutcome::Failed(why) => (ReportStatus::Failed, Some(why), None),
        };
        let q = Query::update()
            .table(a("reports"))
            .values([
                (a("status"), status.as_str().into()),
                (a("failure_reason"), reason.into()),
                (a("content"), content.into()),
                (a("generated_date"), t(at)),
                (a("lease_owner"), Option::<String>::None.into()),
                (a("lease_expires_at"), Option::<i64>::None.into()),
            ])
            .and_where(Expr::col(a("id")).eq(id.0))
            .and_where(Expr::col(a("status")).eq(ReportStatus::Processing.as_str()))
            .and_where(Expr::col(a("lease_owner")).eq(owner))
            .to_owned();
        touched(self.exec(&q).await?)
    }

    async fn release_report_leases(&self, prefix: &str) -> StoreResult<u64> {
        let like = format!(
            "{}%",
            prefix
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        let q = Query::update()
            .table(a("reports"))
            .values([
                (a("lease_owner"), Option::<String>::None.into()),
                (a("lease_expires_at"), Option::<i64>::None.into()),
            ])
            .and_where(Expr::col(a("status")).eq(ReportStatus::Processing.as_str()))
            .and_where(
                Expr::col(a("lease_owner")).like(sea_query::LikeExpr::new(like).escape('\\')),
            )
            .to_owned();
        self.exec(&q).await
    }

    async fn fail_exhausted_reports(
        &self,
        now: DateTime<Utc>,
        max_attempts: i32,
        reason: &str,
    ) -> StoreResult<Vec<ReportId>> {
        let exhausted = || {
            Expr::col(a("status"))
                .eq(ReportStatus::Processing.as_str())
                .and(
                    Expr::col(a("lease_owner"))
                        .is_null()
                        .or(Expr::col(a("lease_expires_at")).lt(to_micros(now))),
                )
                .and(Expr::col(a("attempts")).gte(max_attempts))
        };
        let q = Query::select()
            .column(a("id"))
            .from(a("reports"))
            .and_where(exhausted())
            .to_owned();
        let ids = self
            .all(&q)
            .await?
            .iter()
            .map(|r| get::<uuid::Uuid>(r, "id").map(ReportId))
            .collect::<StoreResult<Vec<_>>>()?;
        if ids.is_empty() {
            return Ok(ids);
        }
        let u = Query::update()
            .table(a("reports"))
            .values([
                (a("status"), ReportStatus::Failed.as_str().into()),
                (a("failure_reason"), reason.into()),
                (a("generated_date"), t(now)),
                (a("lease_owner"), Option::<String>::None.into()),
                (a("lease_expires_at"), Option::<i64>::None.into()),
            ])
            .and_where(exhausted())
            .to_owned();
        self.exec(&u).await?;
        Ok(ids)
    }

    async fn purge_reports(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        let q = Query::delete()
            .from_table(a("reports"))
            .and_where(Expr::col(a("status")).ne(ReportStatus::Processing.as_str()))
            .and_where(Expr::col(a("generated_date")).lt(to_micros(before)))
            .to_owned();
        self.exec(&q).await
    }
}
