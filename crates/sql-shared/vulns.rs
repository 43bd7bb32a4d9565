//! Vulnerability triage: severity/status updates with history, comments, discoveries by
//! id, and remediation by verification scans. The trait methods in `scans.rs` delegate here.

use super::scans::{discovery, vulnerability, DISCOVERY_COLUMNS, VULN_COLUMNS};
use super::*;
use rampart_domain::time::from_micros;
use rampart_query::ResourceType;
use sea_query::Order;
use sqlx::Row as _;
use uuid::Uuid;

const COMMENT_COLUMNS: &[&str] = &[
    "id",
    "org_id",
    "vulnerability_id",
    "author_id",
    "last_update_author_id",
    "content",
    "create_time",
    "update_time",
];
const UPDATE_COLUMNS: &[&str] = &[
    "id",
    "org_id",
    "vulnerability_id",
    "create_time",
    "source_type",
    "source_id",
    "changes",
];

fn get<'r, T>(r: &'r Row, col: &str) -> StoreResult<T>
where
    T: sqlx::Decode<'r, Db> + sqlx::Type<Db>,
{
    r.try_get(col).map_err(map_err)
}

/// The stored variances (a JSON array of domain variances).
pub(crate) fn variances_of(json: &str) -> StoreResult<Vec<Variance>> {
    serde_json::from_str(json).map_err(|e| StoreError::Backend(format!("bad variances: {e}")))
}

pub(crate) fn variances_json(v: &[Variance]) -> StoreResult<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Backend(e.to_string()))
}

/// The variances with an id each: a nil id gets a fresh one, so ids are stable once stored.
pub(crate) fn with_ids(v: &[Variance]) -> Vec<Variance> {
    v.iter()
        .map(|x| {
            let mut x = x.clone();
            if x.id.is_nil() {
                x.id = Uuid::new_v4();
            }
            x
        })
        .collect()
}

/// Appends one history entry inside `tx`.
pub(crate) async fn insert_update(
    tx: &mut Tx<'_>,
    org: OrgId,
    vuln: Uuid,
    at: chrono::DateTime<chrono::Utc>,
    source: UpdateSource,
    changes: &[FieldChange],
) -> StoreResult<()> {
    let stored: Vec<serde_json::Value> = changes
        .iter()
        .map(|c| {
            serde_json::json!({
                "field": c.field.as_str(),
                "previous_value": c.previous,
                "new_value": c.new,
            })
        })
        .collect();
    let json = serde_json::Value::Array(stored).to_string();
    let q = Query::insert()
        .into_table(a("vulnerability_updates"))
        .columns(UPDATE_COLUMNS.iter().map(|x| a(x)))
        .values([
            Uuid::new_v4().into(),
            org.0.into(),
            vuln.into(),
            t(at),
            source.kind.as_str().into(),
            source.id.into(),
            json.into(),
        ])
        .map_err(insert_err)?
        .to_owned();
    tx_exec(tx, &q).await.map(|_| ())
}

fn update_row(r: &Row) -> StoreResult<VulnerabilityUpdate> {
    let kind: String = get(r, "source_type")?;
    let stored: Vec<serde_json::Value> = serde_json::from_str(&get::<String>(r, "changes")?)
        .map_err(|e| StoreError::Backend(format!("bad history changes: {e}")))?;
    let text = |c: &serde_json::Value, k: &str| c.get(k).and_then(|v| v.as_str()).map(String::from);
    let mut changes = Vec::with_capacity(stored.len());
    for c in &stored {
        let field = text(c, "field").unwrap_or_default();
        changes.push(FieldChange {
            field: ChangeField::parse(&field)
                .ok_or_else(|| StoreError::Backend(format!("bad change field {field}")))?,
            previous: text(c, "previous_value"),
            new: text(c, "new_value"),
        });
    }
    Ok(VulnerabilityUpdate {
        id: get(r, "id")?,
        org: OrgId(get(r, "org_id")?),
        vulnerability: VulnerabilityId(get(r, "vulnerability_id")?),
        create_time: from_micros(get(r, "create_time")?),
        source: UpdateSource {
            kind: UpdateSourceType::parse(&kind)
                .ok_or_else(|| StoreError::Backend(format!("bad source type {kind}")))?,
            id: get(r, "source_id")?,
        },
        changes,
    })
}

fn comment(r: &Row) -> StoreResult<VulnerabilityComment> {
    Ok(VulnerabilityComment {
        id: get(r, "id")?,
        org: OrgId(get(r, "org_id")?),
        vulnerability: VulnerabilityId(get(r, "vulnerability_id")?),
        author: PrincipalId(get(r, "author_id")?),
        last_update_author: PrincipalId(get(r, "last_update_author_id")?),
        content: get(r, "content")?,
        create_time: from_micros(get(r, "create_time")?),
        update_time: from_micros(get(r, "update_time")?),
    })
}

async fn tx_rows(tx: &mut Tx<'_>, stmt: &SelectStatement) -> StoreResult<Vec<Row>> {
    let (sql, values) = stmt.build_sqlx(QB);
    sqlx::query_with(&sql, values)
        .fetch_all(&mut **tx)
        .await
        .map_err(map_err)
}

impl SqlStore {
    /// `NotFound` unless the vulnerability exists in `org`.
    async fn vuln_exists(&self, org: OrgId, id: VulnerabilityId) -> StoreResult<()> {
        let mut q = select("vulnerabilities", &["id"], org);
        q.and_where(c("vulnerabilities", "id").eq(id.0));
        self.one(&q).await.map(|_| ())
    }

    pub(crate) async fn update_vulnerability_impl(
        &self,
        org: OrgId,
        id: VulnerabilityId,
        severity: Option<Severity>,
        status: Option<VulnStatus>,
        source: UpdateSource,
        now: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<Vulnerability> {
        let mut tx = self.begin().await?;
        let mut q = select("vulnerabilities", VULN_COLUMNS, org);
        q.and_where(c("vulnerabilities", "id").eq(id.0));
        let (sql, values) = q.build_sqlx(QB);
        let row = sqlx::query_with(&sql, values)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?
            .ok_or(StoreError::NotFound)?;
        let mut v = vulnerability(&row)?;
        let mut changes = Vec::new();
        let mut u = Query::update();
        u.table(a("vulnerabilities"))
            .and_where(Expr::col(a("org_id")).eq(org.0))
            .and_where(Expr::col(a("id")).eq(id.0));
        if let Some(sev) = severity.filter(|s| *s != v.severity) {
            changes.push(FieldChange {
                field: ChangeField::Severity,
                previous: Some(v.severity.as_str().into()),
                new: Some(sev.as_str().into()),
            });
            u.value(a("severity"), sev.as_str())
                .value(a("severity_rank"), severity_rank(sev));
            v.severity = sev;
        }
        if let Some(st) = status.filter(|s| *s != v.status) {
            changes.push(FieldChange {
                field: ChangeField::Status,
                previous: Some(v.status.as_str().into()),
                new: Some(st.as_str().into()),
            });
            u.value(a("status"), st.as_str());
            v.status = st;
        }
        if changes.is_empty() {
            commit(tx).await?;
            return Ok(v);
        }
        u.value(a("updated_time"), to_micros(now));
        v.updated_time = now;
        tx_exec(&mut tx, &u).await?;
        insert_update(&mut tx, org, id.0, now, source, &changes).await?;
        commit(tx).await?;
        Ok(v)
    }

    pub(crate) async fn list_vulnerability_history_impl(
        &self,
        org: OrgId,
        id: VulnerabilityId,
    ) -> StoreResult<Vec<VulnerabilityUpdate>> {
        self.vuln_exists(org, id).await?;
        let mut q = select("vulnerability_updates", UPDATE_COLUMNS, org);
        q.and_where(c("vulnerability_updates", "vulnerability_id").eq(id.0))
            .order_by(a("create_time"), Order::Asc)
            .order_by(a("id"), Order::Asc);
        self.all(&q).await?.iter().map(update_row).collect()
    }

    pub(crate) async fn create_vulnerability_comment_impl(
        &self,
        x: &VulnerabilityComment,
    ) -> StoreResult<()> {
        self.vuln_exists(x.org, x.vulnerability).await?;
        let q = Query::insert()
            .into_table(a("vulnerability_comments"))
            .columns(COMMENT_COLUMNS.iter().map(|x| a(x)))
            .values([
                x.id.into(),
                x.org.0.into(),
                x.vulnerability.0.into(),
                x.author.0.into(),
                x.last_update_author.0.into(),
                x.content.clone().into(),
                t(x.create_time),
                t(x.update_time),
            ])
            .map_err(insert_err)?
            .to_owned();
        self.exec(&q).await.map(|_| ())
    }

    fn comment_select(org: OrgId, vuln: VulnerabilityId) -> SelectStatement {
        let mut q = select("vulnerability_comments", COMMENT_COLUMNS, org);
        q.and_where(c("vulnerability_comments", "vulnerability_id").eq(vuln.0));
        q
    }

    pub(crate) async fn get_vulnerability_comment_impl(
        &self,
        org: OrgId,
        vuln: VulnerabilityId,
        id: Uuid,
    ) -> StoreResult<VulnerabilityComment> {
        let mut q = Self::comment_select(org, vuln);
        q.and_where(c("vulnerability_comments", "id").eq(id));
        comment(&self.one(&q).await?)
    }

    pub(crate) async fn list_vulnerability_comments_impl(
        &self,
        org: OrgId,
        vuln: VulnerabilityId,
        req: &ListRequest,
    ) -> StoreResult<Page<VulnerabilityComment>> {
        self.vuln_exists(org, vuln).await?;
        let q = Self::comment_select(org, vuln);
        let mut count = q.clone();
        count.clear_selects();
        count.expr(Expr::cust("COUNT(*)"));
        let total: i64 = sqlx::Row::try_get(&self.one(&count).await?, 0).map_err(map_err)?;
        let mut page = q;
        page.order_by(a("create_time"), Order::Asc)
            .order_by(a("id"), Order::Asc)
            .limit(req.size)
            .offset(req.index.saturating_mul(req.size));
        let items = self
            .all(&page)
            .await?
            .iter()
            .map(comment)
            .collect::<StoreResult<_>>()?;
        Ok(Page {
            items,
            total: u64::try_from(total).unwrap_or(0),
        })
    }

    pub(crate) async fn update_vulnerability_comment_impl(
        &self,
        org: OrgId,
        vuln: VulnerabilityId,
        id: Uuid,
        content: &str,
        author: PrincipalId,
        now: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()> {
        let q = Query::update()
            .table(a("vulnerability_comments"))
            .values([
                (a("content"), content.into()),
                (a("last_update_author_id"), author.0.into()),
                (a("update_time"), t(now)),
            ])
            .and_where(Expr::col(a("org_id")).eq(org.0))
            .and_where(Expr::col(a("vulnerability_id")).eq(vuln.0))
            .and_where(Expr::col(a("id")).eq(id))
            .to_owned();
        touched(self.exec(&q).await?)
    }

    pub(crate) async fn delete_vulnerability_comment_impl(
        &self,
        org: OrgId,
        vuln: VulnerabilityId,
        id: Uuid,
    ) -> StoreResult<()> {
        let q = Query::delete()
            .from_table(a("vulnerability_comments"))
            .and_where(Expr::col(a("org_id")).eq(org.0))
            .and_where(Expr::col(a("vulnerability_id")).eq(vuln.0))
            .and_where(Expr::col(a("id")).eq(id))
            .to_owned();
        touched(self.exec(&q).await?)
    }

    pub(crate) async fn get_discovery_impl(
        &self,
        org: OrgId,
        vuln: VulnerabilityId,
        id: Uuid,
    ) -> StoreResult<VulnerabilityDiscovery> {
        let mut q = select("vulnerability_discoveries", DISCOVERY_COLUMNS, org);
        q.and_where(c("vulnerability_discoveries", "vulnerability_id").eq(vuln.0))
            .and_where(c("vulnerability_discoveries", "id").eq(id));
        discovery(&self.one(&q).await?)
    }

    pub(crate) async fn page_discoveries_impl(
        &self,
        org: OrgId,
        vuln: VulnerabilityId,
        req: &ListRequest,
    ) -> StoreResult<Page<VulnerabilityDiscovery>> {
        self.vuln_exists(org, vuln).await?;
        let mut q = select("vulnerability_discoveries", DISCOVERY_COLUMNS, org);
        q.and_where(c("vulnerability_discoveries", "vulnerability_id").eq(vuln.0));
        self.page(q, req, ResourceType::VulnerabilityDiscovery, discovery)
            .await
    }

    pub(crate) async fn remediate_unconfirmed_impl(
        &self,
        org: OrgId,
        verification_scan: ScanId,
        parent_scan: ScanId,
        only: &[VulnerabilityId],
        now: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<Vec<VulnerabilityId>> {
        let mut tx = self.begin().await?;
        // Both scans must be in this tenant.
        for scan in [verification_scan, parent_scan] {
            let mut s = select("scans", &["id"], org);
            s.and_where(c("scans", "id").eq(scan.0));
            let (sql, values) = s.build_sqlx(QB);
            sqlx::query_with(&sql, values)
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_err)?
                .ok_or(StoreError::NotFound)?;
        }
        let discovered_by = |scan: ScanId| {
            Query::select()
                .column(a("vulnerability_id"))
                .from(a("vulnerability_discoveries"))
                .and_where(Expr::col(a("scan_id")).eq(scan.0))
                .to_owned()
        };
        let mut q = select("vulnerabilities", &["id", "status"], org);
        q.and_where(c("vulnerabilities", "id").in_subquery(discovered_by(parent_scan)))
            .and_where(
                c("vulnerabilities", "id")
                    .in_subquery(discovered_by(verification_scan))
                    .not(),
            )
            .and_where(c("vulnerabilities", "status").is_not_in([
                VulnStatus::FalsePositive.as_str(),
                VulnStatus::Ignored.as_str(),
                VulnStatus::Remediated.as_str(),
            ]));
        if !only.is_empty() {
            q.and_where(c("vulnerabilities", "id").is_in(only.iter().map(|v| v.0)));
        }
        q.order_by((a("vulnerabilities"), a("id")), Order::Asc);
        let rows = tx_rows(&mut tx, &q).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let id: Uuid = get(r, "id")?;
            let previous: String = get(r, "status")?;
            let u = Query::update()
                .table(a("vulnerabilities"))
                .values([
                    (a("status"), VulnStatus::Remediated.as_str().into()),
                    (a("updated_time"), t(now)),
                ])
                .and_where(Expr::col(a("id")).eq(id))
                .to_owned();
            tx_exec(&mut tx, &u).await?;
            let change = FieldChange {
                field: ChangeField::Status,
                previous: Some(previous),
                new: Some(VulnStatus::Remediated.as_str().into()),
            };
            insert_update(
                &mut tx,
                org,
                id,
                now,
                UpdateSource::scan(verification_scan),
                &[change],
            )
            .await?;
            out.push(VulnerabilityId(id));
        }
        commit(tx).await?;
        Ok(out)
    }

    pub(crate) async fn search_discoveries_impl(
        &self,
        org: OrgId,
        vis: &Visibility,
        req: &ListRequest,
    ) -> StoreResult<Page<VulnerabilityDiscovery>> {
        let mut q = select("vulnerability_discoveries", DISCOVERY_COLUMNS, org);
        if let Some(v) = visible("vulnerabilities", "app_id", vis) {
            let seen = Query::select()
                .column((a("vulnerabilities"), a("id")))
                .from(a("vulnerabilities"))
                .and_where(v)
                .to_owned();
            q.and_where(c("vulnerability_discoveries", "vulnerability_id").in_subquery(seen));
        }
        self.page(q, req, ResourceType::VulnerabilityDiscovery, discovery)
            .await
    }
}
