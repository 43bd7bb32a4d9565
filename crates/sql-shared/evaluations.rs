//! The gate policies' verdicts on completed scans (`scan_evaluations`).

use super::rows::{get, opt_en, opt_time, time};
use super::{a, c, commit, insert_err, select, t, tx_exec, Row, SqlStore};
use rampart_domain::*;
use rampart_store::{DueEvaluation, ScanEvaluationStore, StoreError, StoreResult};
use sea_query::{Expr, JoinType, Order, Query};

const COLUMNS: &[&str] = &[
    "scan_id",
    "org_id",
    "app_id",
    "created_at",
    "verdict",
    "policies",
    "evaluated_at",
];

fn evaluation(r: &Row) -> StoreResult<Option<ScanEvaluation>> {
    let (Some(verdict), Some(at)) = (
        opt_en(r, "verdict", Verdict::parse)?,
        opt_time(r, "evaluated_at")?,
    ) else {
        return Ok(None);
    };
    let policies: String = get::<Option<String>>(r, "policies")?.unwrap_or_default();
    Ok(Some(ScanEvaluation {
        org: OrgId(get(r, "org_id")?),
        scan: get(r, "scan_id")?,
        app: AppId(get(r, "app_id")?),
        verdict,
        policies: serde_json::from_str(&policies)
            .map_err(|e| StoreError::Backend(format!("scan_evaluations.policies: {e}")))?,
        evaluated_at: at,
    }))
}

#[async_trait::async_trait]
impl ScanEvaluationStore for SqlStore {
    async fn expect_scan_evaluation(
        &self,
        org: OrgId,
        scan: uuid::Uuid,
        app: AppId,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()> {
        let q = Query::insert()
            .into_table(a("scan_evaluations"))
            .columns(["scan_id", "org_id", "app_id", "created_at"].map(a))
            .values([scan.into(), org.0.into(), app.0.into(), t(at)])
            .map_err(insert_err)?
            .on_conflict(
                sea_query::OnConflict::column(a("scan_id"))
                    .do_nothing()
                    .to_owned(),
            )
            .to_owned();
        self.exec(&q).await.map(|_| ())
    }

    async fn record_scan_evaluation(
        &self,
        e: &ScanEvaluation,
        deliveries: &[WebhookDelivery],
    ) -> StoreResult<bool> {
        let policies = serde_json::to_string(&e.policies)
            .map_err(|x| StoreError::Backend(format!("scan_evaluations.policies: {x}")))?;
        let mut tx = self.begin().await?;
        let q = Query::update()
            .table(a("scan_evaluations"))
            .values([
                (a("verdict"), e.verdict.as_str().into()),
                (a("policies"), policies.into()),
                (a("evaluated_at"), t(e.evaluated_at)),
            ])
            .and_where(Expr::col(a("org_id")).eq(e.org.0))
            .and_where(Expr::col(a("scan_id")).eq(e.scan))
            .and_where(Expr::col(a("verdict")).is_null())
            .to_owned();
        if tx_exec(&mut tx, &q).await? == 0 {
            let mut known = select("scan_evaluations", &["scan_id"], e.org);
            known.and_where(c("scan_evaluations", "scan_id").eq(e.scan));
            return match super::tx_optional(&mut tx, &known).await? {
                Some(_) => Ok(false),
                None => Err(StoreError::NotFound),
            };
        }
        for d in deliveries {
            tx_exec(&mut tx, &super::webhooks::delivery_insert(d)?).await?;
        }
        commit(tx).await?;
        Ok(true)
    }

    async fn scan_evaluations(
        &self,
        org: OrgId,
        scans: &[uuid::Uuid],
    ) -> StoreResult<Vec<ScanEvaluation>> {
        let mut out = Vec::new();
        for chunk in scans.chunks(400) {
            let mut q = select("scan_evaluations", COLUMNS, org);
            q.and_where(c("scan_evaluations", "scan_id").is_in(chunk.iter().copied()))
                .and_where(c("scan_evaluations", "verdict").is_not_null());
            for r in self.all(&q).await? {
                out.extend(evaluation(&r)?);
            }
        }
        Ok(out)
    }

    async fn due_scan_evaluations(
        &self,
        before: chrono::DateTime<chrono::Utc>,
        limit: u64,
    ) -> StoreResult<Vec<DueEvaluation>> {
        let q = Query::select()
            .columns(
                ["scan_id", "org_id", "app_id", "created_at"]
                    .map(|x| (a("scan_evaluations"), a(x))),
            )
            .expr_as(c("scans", "status"), a("engine_status"))
            .expr_as(c("plus_scans", "id"), a("import_id"))
            .from(a("scan_evaluations"))
            .join(
                JoinType::LeftJoin,
                a("scans"),
                c("scans", "id").equals((a("scan_evaluations"), a("scan_id"))),
            )
            .join(
                JoinType::LeftJoin,
                a("plus_scans"),
                c("plus_scans", "id").equals((a("scan_evaluations"), a("scan_id"))),
            )
            .and_where(c("scan_evaluations", "verdict").is_null())
            .and_where(c("scan_evaluations", "created_at").lt(t(before)))
            .order_by((a("scan_evaluations"), a("created_at")), Order::Asc)
            .limit(limit)
            .to_owned();
        self.all(&q)
            .await?
            .iter()
            .map(|r| {
                let engine: Option<String> = get(r, "engine_status")?;
                let import: Option<uuid::Uuid> = get(r, "import_id")?;
                Ok(DueEvaluation {
                    org: OrgId(get(r, "org_id")?),
                    scan: get(r, "scan_id")?,
                    app: AppId(get(r, "app_id")?),
                    created_at: time(r, "created_at")?,
                    complete: import.is_some()
                        || engine.as_deref() == Some(ScanStatus::Complete.as_str()),
                })
            })
            .collect()
    }

    async fn drop_scan_evaluation(&self, org: OrgId, scan: uuid::Uuid) -> StoreResult<()> {
        let q = Query::delete()
            .from_table(a("scan_evaluations"))
            .and_where(Expr::col(a("org_id")).eq(org.0))
            .and_where(Expr::col(a("scan_id")).eq(scan))
            .and_where(Expr::col(a("verdict")).is_null())
            .to_owned();
        self.exec(&q).await.map(|_| ())
    }
}
