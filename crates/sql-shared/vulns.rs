//! Findings and vulnerabilities: ingestion (a vulnerability per module and root cause,
//! a discovery per vulnerability and scan), triage with history, comments, discoveries,
//! and remediation by verification scans.

use super::rows::{en, get, time};
use super::*;
use rampart_domain::time::from_micros;
use rampart_query::ResourceType;
use rampart_store::{IngestCounts, VulnStore};
use sea_query::{OnConflict, Order};
use uuid::Uuid;

const VULN_COLUMNS: &[&str] = &[
    "id",
    "org_id",
    "app_id",
    "module_id",
    "root_cause_url",
    "root_cause_parameter",
    "root_cause_method",
    "severity",
    "status",
    "first_discovered",
    "last_discovered",
    "newly_discovered",
    "vulnerability_score",
    "severity_rank",
    "vector_string",
    "variances",
    "updated_time",
];
const DISCOVERY_COLUMNS: &[&str] = &["id", "org_id", "vulnerability_id", "scan_id", "discovered"];

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

/// The stored variances (a JSON array of domain variances).
fn variances_of(json: &str) -> StoreResult<Vec<Variance>> {
    serde_json::from_str(json).map_err(|e| StoreError::Backend(format!("bad variances: {e}")))
}

fn variances_json(v: &[Variance]) -> StoreResult<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Backend(e.to_string()))
}

/// The variances with an id each: a nil id gets a fresh one, so ids are stable once stored.
fn with_ids(v: &[Variance]) -> Vec<Variance> {
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

/// Whether `b` is a variance already stored as `a` (both of one vulnerability, reported by
/// one scan): the rule that keeps a re-run of a scan (after a lost lease or a server crash)
/// from adding each variance a second time. A re-run reports its variances with new ids and
/// with fresh random operands and markers in the attack value and the proof, so neither can
/// tell them apart; what is stable is the attack (its id) and where it was made: the request
/// line (method and URL) of the original, un-attacked request. Without an original exchange
/// (passive findings) the shown URL, attack value and proof must all be equal.
fn same_variance(a: &Variance, b: &Variance) -> bool {
    let request_line = |v: &Variance| {
        v.original_exchange
            .as_ref()
            .and_then(|e| e.request.lines().next().map(str::to_owned))
    };
    if a.attack_id != b.attack_id {
        return false;
    }
    match (request_line(a), request_line(b)) {
        (Some(x), Some(y)) => x == y,
        (None, None) => {
            a.message == b.message
                && a.attack_value == b.attack_value
                && a.original_value == b.original_value
                && a.proof == b.proof
        }
        _ => false,
    }
}

/// Appends one history entry inside `tx`.
async fn insert_update(
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

fn vulnerability(r: &Row) -> StoreResult<Vulnerability> {
    let parameter: String = get(r, "root_cause_parameter")?;
    Ok(Vulnerability {
        id: VulnerabilityId(get(r, "id")?),
        org: OrgId(get(r, "org_id")?),
        app: AppId(get(r, "app_id")?),
        module: ModuleId(get(r, "module_id")?),
        root_cause: RootCause {
            url: get(r, "root_cause_url")?,
            // The key column is NOT NULL so that it takes part in the unique index.
            parameter: (!parameter.is_empty()).then_some(parameter),
            method: get(r, "root_cause_method")?,
        },
        severity: en(r, "severity", Severity::parse)?,
        status: en(r, "status", VulnStatus::parse)?,
        first_discovered: time(r, "first_discovered")?,
        last_discovered: time(r, "last_discovered")?,
        newly_discovered: get(r, "newly_discovered")?,
        vulnerability_score: get(r, "vulnerability_score")?,
        vector_string: get(r, "vector_string")?,
        variances: variances_of(&get::<String>(r, "variances")?)?,
        updated_time: time(r, "updated_time")?,
    })
}

fn discovery(r: &Row) -> StoreResult<VulnerabilityDiscovery> {
    Ok(VulnerabilityDiscovery {
        id: get(r, "id")?,
        org: OrgId(get(r, "org_id")?),
        vulnerability: VulnerabilityId(get(r, "vulnerability_id")?),
        scan: ScanId(get(r, "scan_id")?),
        discovered: time(r, "discovered")?,
    })
}

fn comment_select(org: OrgId, vuln: VulnerabilityId) -> SelectStatement {
    let mut q = select("vulnerability_comments", COMMENT_COLUMNS, org);
    q.and_where(c("vulnerability_comments", "vulnerability_id").eq(vuln.0));
    q
}

/// Whether `sort` is the vulnerability list's default order (severity DESC, then id).
fn default_vulnerability_order(sort: &[rampart_query::SortKey]) -> bool {
    let default = ResourceType::Vulnerability.default_sort();
    sort.is_empty()
        || (sort.len() <= default.len()
            && sort
                .iter()
                .zip(&default)
                .all(|(a, b)| a.field_name() == b.field_name() && a.descending() == b.descending()))
}

/// The scan of a search that is exactly `vulnerability.scans.id = '…'`.
fn by_scan(node: &rampart_query::Node) -> Option<uuid::Uuid> {
    use rampart_query::{syntax::CmpOp, value::Value, Check, Node};
    match node {
        Node::All(children) if children.len() == 1 => by_scan(&children[0]),
        Node::Pred(p) if p.field.name == "vulnerability.scans.id" => match &p.test {
            Check::Cmp(CmpOp::Eq, Value::Id(id)) => Some(*id),
            _ => None,
        },
        _ => None,
    }
}

impl SqlStore {
    /// The maintained count (`vulnerability_counts`, kept by triggers) of the `kind` rows
    /// of `org`: one row (`id`) or, without it, their sum.
    async fn counted(&self, org: OrgId, kind: &str, id: Option<Uuid>) -> StoreResult<u64> {
        // SUM of a BIGINT is NUMERIC on PostgreSQL: cast back.
        let mut q = Query::select();
        q.expr(Expr::cust("CAST(COALESCE(SUM(n), 0) AS BIGINT)"))
            .from(a("vulnerability_counts"))
            .and_where(Expr::col(a("org_id")).eq(org.0))
            .and_where(Expr::col(a("kind")).eq(kind));
        if let Some(id) = id {
            q.and_where(Expr::col(a("id")).eq(id));
        }
        let n: i64 = sqlx::Row::try_get(&self.one(&q).await?, 0).map_err(map_err)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// A search by scan in the default order: the page's ids from the discoveries' index
    /// (scan, severity rank DESC, vulnerability id), then those rows by primary key, and
    /// the total from the scan's maintained count. Same result as the general query.
    async fn scan_vulnerabilities(
        &self,
        org: OrgId,
        scan: Uuid,
        req: &ListRequest,
    ) -> StoreResult<Page<Vulnerability>> {
        let total = self.counted(org, "SCAN", Some(scan)).await?;
        let mut ids = Query::select();
        ids.column(a("vulnerability_id"))
            .from(a("vulnerability_discoveries"))
            .and_where(Expr::col(a("scan_id")).eq(scan))
            .and_where(Expr::col(a("org_id")).eq(org.0))
            .order_by(a("severity_rank"), Order::Desc)
            .order_by(a("vulnerability_id"), Order::Asc)
            .limit(req.size)
            .offset(req.index.saturating_mul(req.size));
        let ids: Vec<Uuid> = self
            .all(&ids)
            .await?
            .iter()
            .map(|r| get(r, "vulnerability_id"))
            .collect::<StoreResult<_>>()?;
        if ids.is_empty() {
            return Ok(Page {
                items: Vec::new(),
                total,
            });
        }
        let mut q = select("vulnerabilities", VULN_COLUMNS, org);
        q.and_where(c("vulnerabilities", "id").is_in(ids.iter().copied()));
        let mut rows = self
            .all(&q)
            .await?
            .iter()
            .map(vulnerability)
            .collect::<StoreResult<Vec<_>>>()?;
        rows.sort_by_key(|v| ids.iter().position(|i| *i == v.id.0));
        Ok(Page { items: rows, total })
    }

    /// `NotFound` unless the vulnerability exists in `org`.
    async fn vuln_exists(&self, org: OrgId, id: VulnerabilityId) -> StoreResult<()> {
        let mut q = select("vulnerabilities", &["id"], org);
        q.and_where(c("vulnerabilities", "id").eq(id.0));
        self.one(&q).await.map(|_| ())
    }
}

#[async_trait::async_trait]
impl VulnStore for SqlStore {
    async fn ingest_findings_announced(
        &self,
        org: OrgId,
        scan_id: ScanId,
        batch_id: &str,
        findings: &[Finding],
        outbox: &(dyn for<'c> Fn(&'c IngestCounts) -> Vec<WebhookDelivery> + Send + Sync),
    ) -> StoreResult<IngestCounts> {
        let mut tx = self.begin().await?;
        let mut s = select("scans", &["app_id"], org);
        s.and_where(c("scans", "id").eq(scan_id.0));
        let app: Uuid = get(
            &tx_optional(&mut tx, &s)
                .await?
                .ok_or(StoreError::NotFound)?,
            "app_id",
        )?;
        let batch = Query::insert()
            .into_table(a("finding_batches"))
            .columns([a("scan_id"), a("batch_id")])
            .values([scan_id.0.into(), batch_id.into()])
            .map_err(insert_err)?
            .on_conflict(
                OnConflict::columns([a("scan_id"), a("batch_id")])
                    .do_nothing()
                    .to_owned(),
            )
            .to_owned();
        let mut counts = IngestCounts::default();
        if tx_exec(&mut tx, &batch).await? == 0 {
            counts.duplicate_batch = true;
            return Ok(counts);
        }
        let key = [
            "app_id",
            "module_id",
            "root_cause_url",
            "root_cause_parameter",
            "root_cause_method",
        ];
        counts.app = Some(AppId(app));
        for (index, f) in findings.iter().enumerate() {
            let parameter = f.root_cause.parameter.clone().unwrap_or_default();
            let fresh_variances = with_ids(&f.variances);
            let insert = Query::insert()
                .into_table(a("vulnerabilities"))
                .columns(VULN_COLUMNS.iter().map(|x| a(x)))
                .values([
                    Uuid::new_v4().into(),
                    org.0.into(),
                    app.into(),
                    f.module.0.into(),
                    f.root_cause.url.clone().into(),
                    parameter.clone().into(),
                    f.root_cause.method.clone().into(),
                    f.severity.as_str().into(),
                    VulnStatus::Unreviewed.as_str().into(),
                    t(f.discovered),
                    t(f.discovered),
                    true.into(),
                    f.vulnerability_score.into(),
                    severity_rank(f.severity).into(),
                    f.vector_string.clone().into(),
                    variances_json(&fresh_variances)?.into(),
                    t(f.discovered),
                ])
                .map_err(insert_err)?
                .on_conflict(OnConflict::columns(key.map(a)).do_nothing().to_owned())
                .to_owned();
            let fresh = tx_exec(&mut tx, &insert).await? == 1;
            let mut find = Query::select();
            find.columns(
                [
                    "id",
                    "last_discovered",
                    "status",
                    "variances",
                    "vector_string",
                ]
                .map(a),
            )
            .from(a("vulnerabilities"))
            .and_where(Expr::col(a("app_id")).eq(app))
            .and_where(Expr::col(a("module_id")).eq(f.module.0))
            .and_where(Expr::col(a("root_cause_url")).eq(f.root_cause.url.clone()))
            .and_where(Expr::col(a("root_cause_parameter")).eq(parameter))
            .and_where(Expr::col(a("root_cause_method")).eq(f.root_cause.method.clone()));
            let row = tx_optional(&mut tx, &find)
                .await?
                .ok_or(StoreError::NotFound)?;
            let vuln: Uuid = get(&row, "id")?;
            let d = Query::insert()
                .into_table(a("vulnerability_discoveries"))
                .columns(DISCOVERY_COLUMNS.iter().map(|x| a(x)))
                .values([
                    Uuid::new_v4().into(),
                    org.0.into(),
                    vuln.into(),
                    scan_id.0.into(),
                    t(f.discovered),
                ])
                .map_err(insert_err)?
                .on_conflict(
                    OnConflict::columns([a("vulnerability_id"), a("scan_id")])
                        .do_nothing()
                        .to_owned(),
                )
                .to_owned();
            let new_discovery = tx_exec(&mut tx, &d).await? == 1;
            counts.discoveries += u64::from(new_discovery);
            if fresh {
                counts.created.push(VulnerabilityId(vuln));
                counts.created_from.push(index);
                continue;
            }
            let last: i64 = get(&row, "last_discovered")?;
            let when = last.max(to_micros(f.discovered));
            let mut q = Query::update();
            q.table(a("vulnerabilities"))
                .and_where(Expr::col(a("id")).eq(vuln));
            if new_discovery {
                // Found again by another scan: this scan's variances replace the old ones.
                q.values([
                    (a("last_discovered"), when.into()),
                    (a("updated_time"), when.into()),
                    (a("newly_discovered"), false.into()),
                    (a("variances"), variances_json(&fresh_variances)?.into()),
                ]);
                if f.vector_string.is_some() {
                    q.value(a("vector_string"), f.vector_string.clone());
                }
                let status = en(&row, "status", VulnStatus::parse)?;
                if status == VulnStatus::Remediated {
                    // A fixed vulnerability that a scan finds again is open again.
                    counts.reopened.push(VulnerabilityId(vuln));
                    counts.reopened_from.push(index);
                    q.value(a("status"), VulnStatus::Unreviewed.as_str());
                    let change = FieldChange {
                        field: ChangeField::Status,
                        previous: Some(status.as_str().to_string()),
                        new: Some(VulnStatus::Unreviewed.as_str().to_string()),
                    };
                    insert_update(
                        &mut tx,
                        org,
                        vuln,
                        from_micros(when),
                        UpdateSource::scan(scan_id),
                        &[change],
                    )
                    .await?;
                }
            } else {
                // The same scan reports it again (another batch, another variance).
                // A re-run of the scan (after a lost lease) reports the same variances
                // again: keep one of each.
                let mut all = variances_of(&get::<String>(&row, "variances")?)?;
                for v in fresh_variances {
                    if !all.iter().any(|o| same_variance(o, &v)) {
                        all.push(v);
                    }
                }
                q.values([
                    (a("last_discovered"), when.into()),
                    (a("variances"), variances_json(&all)?.into()),
                ]);
            }
            tx_exec(&mut tx, &q).await?;
        }
        for d in outbox(&counts) {
            tx_exec(&mut tx, &super::webhooks::delivery_insert(&d)?).await?;
        }
        commit(tx).await?;
        Ok(counts)
    }

    async fn get_vulnerability(
        &self,
        org: OrgId,
        id: VulnerabilityId,
        vis: &Visibility,
    ) -> StoreResult<Vulnerability> {
        let mut q = select("vulnerabilities", VULN_COLUMNS, org);
        q.and_where(c("vulnerabilities", "id").eq(id.0));
        if let Some(v) = visible("vulnerabilities", "app_id", vis) {
            q.and_where(v);
        }
        vulnerability(&self.one(&q).await?)
    }

    async fn list_vulnerabilities(
        &self,
        org: OrgId,
        vis: &Visibility,
        req: &ListRequest,
    ) -> StoreResult<Page<Vulnerability>> {
        let mut q = select("vulnerabilities", VULN_COLUMNS, org);
        if let Some(v) = visible("vulnerabilities", "app_id", vis) {
            q.and_where(v);
        }
        // The two shapes that must stay fast at a million rows (every app visible, the
        // default order): the whole list and a search by scan. Anything else is counted.
        let mut total = None;
        if *vis == Visibility::All && default_vulnerability_order(&req.sort) {
            match req.filter.as_ref().map(|f| by_scan(f.root())) {
                None => total = Some(self.counted(org, "APP", None).await?),
                Some(Some(scan)) => return self.scan_vulnerabilities(org, scan, req).await,
                Some(None) => {}
            }
        }
        self.page_counted(q, req, ResourceType::Vulnerability, vulnerability, total)
            .await
    }

    async fn list_scan_vulnerability_ids(
        &self,
        org: OrgId,
        scan: ScanId,
    ) -> StoreResult<Vec<VulnerabilityId>> {
        // One range of the (scan_id, vulnerability_id) index.
        let mut q = select("vulnerability_discoveries", &["vulnerability_id"], org);
        q.and_where(c("vulnerability_discoveries", "scan_id").eq(scan.0))
            .order_by(a("vulnerability_id"), Order::Asc);
        self.all(&q)
            .await?
            .iter()
            .map(|r| Ok(VulnerabilityId(get(r, "vulnerability_id")?)))
            .collect()
    }

    async fn list_discoveries(
        &self,
        org: OrgId,
        vuln: VulnerabilityId,
    ) -> StoreResult<Vec<VulnerabilityDiscovery>> {
        let mut q = select("vulnerability_discoveries", DISCOVERY_COLUMNS, org);
        q.and_where(c("vulnerability_discoveries", "vulnerability_id").eq(vuln.0))
            .order_by(a("discovered"), Order::Desc)
            .order_by(a("id"), Order::Asc);
        self.all(&q).await?.iter().map(discovery).collect()
    }

    async fn update_vulnerability(
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

    async fn list_vulnerability_history(
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

    async fn create_vulnerability_comment(&self, x: &VulnerabilityComment) -> StoreResult<()> {
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

    async fn get_vulnerability_comment(
        &self,
        org: OrgId,
        vuln: VulnerabilityId,
        id: Uuid,
    ) -> StoreResult<VulnerabilityComment> {
        let mut q = comment_select(org, vuln);
        q.and_where(c("vulnerability_comments", "id").eq(id));
        comment(&self.one(&q).await?)
    }

    async fn list_vulnerability_comments(
        &self,
        org: OrgId,
        vuln: VulnerabilityId,
        req: &ListRequest,
    ) -> StoreResult<Page<VulnerabilityComment>> {
        self.vuln_exists(org, vuln).await?;
        let q = comment_select(org, vuln);
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

    async fn update_vulnerability_comment(
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

    async fn delete_vulnerability_comment(
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

    async fn get_discovery(
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

    async fn page_discoveries(
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

    async fn remediate_unconfirmed_announced(
        &self,
        org: OrgId,
        verification_scan: ScanId,
        parent_scan: ScanId,
        only: &[VulnerabilityId],
        now: chrono::DateTime<chrono::Utc>,
        outbox: &(dyn for<'c> Fn(&'c [VulnerabilityId]) -> Vec<WebhookDelivery> + Send + Sync),
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
        let rows = tx_all(&mut tx, &q).await?;
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
        if !out.is_empty() {
            for d in outbox(&out) {
                tx_exec(&mut tx, &super::webhooks::delivery_insert(&d)?).await?;
            }
        }
        commit(tx).await?;
        Ok(out)
    }

    async fn search_discoveries(
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
