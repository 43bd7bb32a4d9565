//! AppSec+ imported scans and findings (`plus_scans`, `plus_findings`).

use super::rows::{en, get, time};
use super::{a, c, commit, insert_err, select, t, tx_exec, visible, Row, SqlStore};
use rampart_domain::*;
use rampart_store::{
    PlusFindingFilter, PlusFindingState, PlusImport, PlusKnown, PlusStore, PlusStream, StoreError,
    StoreResult, Visibility,
};
use sea_query::{Expr, Order, Query, SelectStatement, SimpleExpr};

const SCAN_COLUMNS: &[&str] = &[
    "id",
    "org_id",
    "app_id",
    "scan_type",
    "tools",
    "format",
    "triggered_by",
    "summary",
    "created_at",
];

const FINDING_COLUMNS: &[&str] = &[
    "id",
    "org_id",
    "app_id",
    "scan_id",
    "scan_type",
    "tool",
    "fingerprint",
    "rule_id",
    "title",
    "description",
    "severity",
    "severity_rank",
    "status",
    "cwe",
    "cve",
    "cvss_score",
    "location",
    "remediation",
    "first_seen",
    "last_seen",
    "updated_at",
    "present",
];

/// The columns read as stored; `scan_id`, `last_seen` and `updated_at` are [`seen`].
const STORED_COLUMNS: &[&str] = &[
    "id",
    "org_id",
    "app_id",
    "scan_type",
    "tool",
    "fingerprint",
    "rule_id",
    "title",
    "description",
    "severity",
    "status",
    "cwe",
    "cve",
    "cvss_score",
    "location",
    "remediation",
    "first_seen",
];

/// A finding's `scan_id`, `last_seen` and `updated_at` as read: a finding the latest
/// import of its stream reported (`present`) was seen by that import, which an unchanged
/// re-import does not write on the finding; otherwise the values stored when it left.
fn seen(column: &str) -> SimpleExpr {
    let f = |x: &str| Expr::col((a("plus_findings"), a(x)));
    let st = |x: &str| Expr::col((a("plus_streams"), a(x)));
    let present = f("present").eq(true).and(st("scan_id").is_not_null());
    match column {
        "scan_id" => Expr::case(present, st("scan_id")).finally(f("scan_id")),
        "last_seen" => Expr::case(present, st("last_seen")).finally(f("last_seen")),
        _ => Expr::case(
            present.and(st("last_seen").gt(f("updated_at"))),
            st("last_seen"),
        )
        .finally(f("updated_at")),
    }
    .into()
}

/// A select of findings as read (see [`seen`]) within the tenant.
fn findings(org: OrgId) -> SelectStatement {
    let mut q = select("plus_findings", STORED_COLUMNS, org);
    for col in ["scan_id", "last_seen", "updated_at"] {
        q.expr_as(seen(col), a(col));
    }
    let on = |x: &str| c("plus_streams", x).equals((a("plus_findings"), a(x)));
    q.left_join(
        a("plus_streams"),
        on("org_id")
            .and(on("app_id"))
            .and(on("scan_type"))
            .and(on("tool")),
    );
    q
}

/// Rows per multi-row statement (well under SQLite's bound-parameter limit).
const BATCH: usize = 400;

/// A JSON text column (no serde import: each adapter names only serde_json).
macro_rules! json {
    ($r:expr, $col:literal) => {
        serde_json::from_str(&get::<String>($r, $col)?)
            .map_err(|e| StoreError::Backend(format!("bad {}: {e}", $col)))?
    };
}

fn scan(r: &Row) -> StoreResult<PlusScan> {
    Ok(PlusScan {
        id: PlusScanId(get(r, "id")?),
        org: OrgId(get(r, "org_id")?),
        app: AppId(get(r, "app_id")?),
        scan_type: en(r, "scan_type", PlusScanType::parse)?,
        tools: json!(r, "tools"),
        format: get(r, "format")?,
        triggered_by: get(r, "triggered_by")?,
        summary: json!(r, "summary"),
        created_at: time(r, "created_at")?,
    })
}

fn finding(r: &Row) -> StoreResult<PlusFinding> {
    Ok(PlusFinding {
        id: PlusFindingId(get(r, "id")?),
        org: OrgId(get(r, "org_id")?),
        app: AppId(get(r, "app_id")?),
        scan: PlusScanId(get(r, "scan_id")?),
        scan_type: en(r, "scan_type", PlusScanType::parse)?,
        tool: get(r, "tool")?,
        fingerprint: get(r, "fingerprint")?,
        rule_id: get(r, "rule_id")?,
        title: get(r, "title")?,
        description: get(r, "description")?,
        severity: en(r, "severity", Severity::parse)?,
        status: en(r, "status", PlusStatus::parse)?,
        cwe: get(r, "cwe")?,
        cve: get(r, "cve")?,
        cvss_score: get(r, "cvss_score")?,
        location: get(r, "location")?,
        remediation: get(r, "remediation")?,
        first_seen: time(r, "first_seen")?,
        last_seen: time(r, "last_seen")?,
        updated_at: time(r, "updated_at")?,
    })
}

fn ids<T: Copy>(list: &[T], f: fn(T) -> uuid::Uuid) -> Vec<uuid::Uuid> {
    list.iter().map(|x| f(*x)).collect()
}

/// `columns` of the rows of `table` that belong to the app's streams of `tools` for one scan
/// type: what an import plans against.
fn of_tools(
    table: &str,
    columns: &[&str],
    (org, app, scan_type, tools): (OrgId, AppId, PlusScanType, &[String]),
) -> SelectStatement {
    let mut q = select(table, columns, org);
    q.and_where(c(table, "app_id").eq(app.0))
        .and_where(c(table, "scan_type").eq(scan_type.as_str()))
        .and_where(c(table, "tool").is_in(tools.iter().cloned()));
    q
}

#[async_trait::async_trait]
impl PlusStore for SqlStore {
    async fn plus_finding_states(
        &self,
        org: OrgId,
        app: AppId,
        scan_type: PlusScanType,
        tools: &[String],
    ) -> StoreResult<PlusKnown> {
        // Streams first: an import landing between the two reads changes a stream, which
        // the import planned on these makes a conflict.
        let q = of_tools(
            "plus_streams",
            &["tool", "scan_id", "last_seen"],
            (org, app, scan_type, tools),
        );
        let streams = self
            .all(&q)
            .await?
            .iter()
            .map(|r| {
                Ok((
                    get(r, "tool")?,
                    PlusStream {
                        scan: PlusScanId(get(r, "scan_id")?),
                        at: time(r, "last_seen")?,
                    },
                ))
            })
            .collect::<StoreResult<_>>()?;
        let q = of_tools(
            "plus_findings",
            &["id", "tool", "fingerprint", "status", "present"],
            (org, app, scan_type, tools),
        );
        let findings = self
            .all(&q)
            .await?
            .iter()
            .map(|r| {
                Ok(PlusFindingState {
                    id: PlusFindingId(get(r, "id")?),
                    tool: get(r, "tool")?,
                    fingerprint: get(r, "fingerprint")?,
                    status: en(r, "status", PlusStatus::parse)?,
                    present: get(r, "present")?,
                })
            })
            .collect::<StoreResult<_>>()?;
        Ok(PlusKnown { streams, findings })
    }

    async fn apply_plus_import(
        &self,
        s: &PlusScan,
        import: &PlusImport,
        outbox: &[WebhookDelivery],
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        for d in outbox {
            tx_exec(&mut tx, &super::webhooks::delivery_insert(d)?).await?;
        }
        let ins = Query::insert()
            .into_table(a("plus_scans"))
            .columns(SCAN_COLUMNS.iter().map(|x| a(x)))
            .values([
                s.id.0.into(),
                s.org.0.into(),
                s.app.0.into(),
                s.scan_type.as_str().into(),
                serde_json::to_string(&s.tools).unwrap_or_default().into(),
                s.format.clone().into(),
                s.triggered_by.clone().into(),
                s.summary.to_string().into(),
                t(s.created_at),
            ])
            .map_err(insert_err)?
            .to_owned();
        tx_exec(&mut tx, &ins).await?;
        move_streams(&mut tx, s, import).await?;
        for chunk in import.new.chunks(BATCH) {
            let mut ins = Query::insert();
            ins.into_table(a("plus_findings"))
                .columns(FINDING_COLUMNS.iter().map(|x| a(x)));
            for f in chunk {
                ins.values([
                    f.id.0.into(),
                    f.org.0.into(),
                    f.app.0.into(),
                    f.scan.0.into(),
                    f.scan_type.as_str().into(),
                    f.tool.clone().into(),
                    f.fingerprint.clone().into(),
                    f.rule_id.clone().into(),
                    f.title.clone().into(),
                    f.description.clone().into(),
                    f.severity.as_str().into(),
                    severity_rank(f.severity).into(),
                    f.status.as_str().into(),
                    f.cwe.clone().into(),
                    f.cve.clone().into(),
                    f.cvss_score.into(),
                    f.location.clone().into(),
                    f.remediation.clone().into(),
                    t(f.first_seen),
                    t(f.last_seen),
                    t(f.updated_at),
                    true.into(),
                ])
                .map_err(insert_err)?;
            }
            tx_exec(&mut tx, &ins).await?;
        }
        let update = |list: Vec<uuid::Uuid>, status: Option<PlusStatus>| {
            let mut q = Query::update();
            q.table(a("plus_findings"))
                .value(a("scan_id"), s.id.0)
                .value(a("last_seen"), t(s.created_at))
                .value(a("updated_at"), t(s.created_at))
                .value(a("present"), true)
                .and_where(Expr::col(a("org_id")).eq(s.org.0))
                .and_where(Expr::col(a("id")).is_in(list));
            if let Some(st) = status {
                q.value(a("status"), st.as_str());
            }
            q
        };
        for chunk in import.returned.chunks(BATCH) {
            tx_exec(&mut tx, &update(ids(chunk, |x| x.0), None)).await?;
        }
        for chunk in import.reopened.chunks(BATCH) {
            tx_exec(
                &mut tx,
                &update(ids(chunk, |x| x.0), Some(PlusStatus::Open)),
            )
            .await?;
        }
        for change in &import.streams {
            // Leaving the stream: the values read from it until now become the finding's.
            let left: Vec<uuid::Uuid> = change
                .closed
                .iter()
                .chain(&change.gone)
                .map(|x| x.0)
                .collect();
            // Without a previous import no finding of the stream is present.
            if let Some(prev) = change.previous {
                for chunk in left.chunks(BATCH) {
                    tx_exec(&mut tx, &leave(s.org, prev, chunk)).await?;
                }
            }
            for chunk in change.closed.chunks(BATCH) {
                let mut q = Query::update();
                q.table(a("plus_findings"))
                    .value(a("status"), PlusStatus::Resolved.as_str())
                    .value(a("updated_at"), t(s.created_at))
                    .and_where(Expr::col(a("org_id")).eq(s.org.0))
                    .and_where(Expr::col(a("id")).is_in(ids(chunk, |x| x.0)));
                tx_exec(&mut tx, &q).await?;
            }
        }
        commit(tx).await
    }

    async fn get_plus_scan(
        &self,
        org: OrgId,
        id: PlusScanId,
        vis: &Visibility,
    ) -> StoreResult<PlusScan> {
        let mut q = select("plus_scans", SCAN_COLUMNS, org);
        q.and_where(c("plus_scans", "id").eq(id.0));
        if let Some(v) = visible("plus_scans", "app_id", vis) {
            q.and_where(v);
        }
        scan(&self.one(&q).await?)
    }

    async fn list_plus_scans(
        &self,
        org: OrgId,
        app: Option<AppId>,
        vis: &Visibility,
    ) -> StoreResult<Vec<PlusScan>> {
        let mut q = select("plus_scans", SCAN_COLUMNS, org);
        if let Some(app) = app {
            q.and_where(c("plus_scans", "app_id").eq(app.0));
        }
        if let Some(v) = visible("plus_scans", "app_id", vis) {
            q.and_where(v);
        }
        q.order_by((a("plus_scans"), a("created_at")), Order::Desc)
            .order_by((a("plus_scans"), a("id")), Order::Desc);
        self.all(&q).await?.iter().map(scan).collect()
    }

    async fn get_plus_finding(
        &self,
        org: OrgId,
        id: PlusFindingId,
        vis: &Visibility,
    ) -> StoreResult<PlusFinding> {
        let mut q = findings(org);
        q.and_where(c("plus_findings", "id").eq(id.0));
        if let Some(v) = visible("plus_findings", "app_id", vis) {
            q.and_where(v);
        }
        finding(&self.one(&q).await?)
    }

    async fn list_plus_findings(
        &self,
        org: OrgId,
        f: &PlusFindingFilter,
        vis: &Visibility,
    ) -> StoreResult<Vec<PlusFinding>> {
        let col = |x: &str| c("plus_findings", x);
        let mut q = findings(org);
        if let Some(app) = f.app {
            q.and_where(col("app_id").eq(app.0));
        }
        if let Some(s) = f.scan {
            q.and_where(Expr::expr(seen("scan_id")).eq(s.0));
        }
        if let Some(st) = f.scan_type {
            q.and_where(col("scan_type").eq(st.as_str()));
        }
        if let Some(s) = f.severity {
            q.and_where(col("severity").eq(s.as_str()));
        }
        if let Some(s) = f.min_severity {
            q.and_where(col("severity_rank").gte(severity_rank(s)));
        }
        if let Some(s) = f.status {
            q.and_where(col("status").eq(s.as_str()));
        }
        if let Some(cwe) = &f.cwe {
            q.and_where(col("cwe").eq(cwe.clone()));
        }
        if let Some(tool) = &f.tool {
            q.and_where(col("tool").eq(tool.clone()));
        }
        if let Some(v) = visible("plus_findings", "app_id", vis) {
            q.and_where(v);
        }
        let sort = f.sort.as_deref().unwrap_or("-firstSeen");
        let (desc, key) = match sort.strip_prefix('-') {
            Some(k) => (true, k),
            None => (false, sort),
        };
        let column = match key {
            "severity" => col("severity_rank"),
            "lastSeen" => Expr::expr(seen("last_seen")),
            "title" => col("title"),
            _ => col("first_seen"),
        };
        let order = if desc { Order::Desc } else { Order::Asc };
        q.order_by_expr(column.into(), order.clone())
            .order_by((a("plus_findings"), a("id")), order)
            .limit(f.limit)
            .offset(f.offset);
        self.all(&q).await?.iter().map(finding).collect()
    }

    async fn set_plus_finding_status(
        &self,
        org: OrgId,
        id: PlusFindingId,
        status: PlusStatus,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()> {
        let q = Query::update()
            .table(a("plus_findings"))
            .values([
                (a("status"), status.as_str().into()),
                (a("updated_at"), t(at)),
            ])
            .and_where(Expr::col(a("org_id")).eq(org.0))
            .and_where(Expr::col(a("id")).eq(id.0))
            .to_owned();
        super::touched(self.exec(&q).await?)
    }

    async fn create_policy(&self, p: &Policy) -> StoreResult<()> {
        let q = Query::insert()
            .into_table(a("plus_policies"))
            .columns(POLICY_COLUMNS.iter().map(|x| a(x)))
            .values([
                p.id.0.into(),
                p.org.0.into(),
                p.name.clone().into(),
                p.description.clone().into(),
                p.action.as_str().into(),
                p.enabled.into(),
                conditions(p)?.into(),
                t(p.created_at),
                t(p.updated_at),
            ])
            .map_err(insert_err)?
            .to_owned();
        self.exec(&q).await.map(|_| ())
    }

    async fn get_policy(&self, org: OrgId, id: PolicyId) -> StoreResult<Policy> {
        let mut q = select("plus_policies", POLICY_COLUMNS, org);
        q.and_where(c("plus_policies", "id").eq(id.0));
        policy(&self.one(&q).await?)
    }

    async fn list_policies(&self, org: OrgId) -> StoreResult<Vec<Policy>> {
        let mut q = select("plus_policies", POLICY_COLUMNS, org);
        q.order_by((a("plus_policies"), a("name")), Order::Asc);
        self.all(&q).await?.iter().map(policy).collect()
    }

    async fn update_policy(&self, p: &Policy) -> StoreResult<()> {
        let q = Query::update()
            .table(a("plus_policies"))
            .values([
                (a("name"), p.name.clone().into()),
                (a("description"), p.description.clone().into()),
                (a("action"), p.action.as_str().into()),
                (a("enabled"), p.enabled.into()),
                (a("conditions"), conditions(p)?.into()),
                (a("updated_at"), t(p.updated_at)),
            ])
            .and_where(Expr::col(a("org_id")).eq(p.org.0))
            .and_where(Expr::col(a("id")).eq(p.id.0))
            .to_owned();
        super::touched(self.exec(&q).await?)
    }

    async fn delete_policy(&self, org: OrgId, id: PolicyId) -> StoreResult<()> {
        let q = Query::delete()
            .from_table(a("plus_policies"))
            .and_where(Expr::col(a("org_id")).eq(org.0))
            .and_where(Expr::col(a("id")).eq(id.0))
            .to_owned();
        super::touched(self.exec(&q).await?)
    }

    async fn record_triage(&self, records: &[TriageRecord]) -> StoreResult<()> {
        for chunk in records.chunks(BATCH / 2) {
            let mut q = Query::insert();
            q.into_table(a("triage_records"))
                .columns(TRIAGE_COLUMNS.iter().map(|x| a(x)));
            for r in chunk {
                q.values([
                    r.id.into(),
                    r.org.0.into(),
                    r.policy.0.into(),
                    r.policy_name.clone().into(),
                    r.finding.into(),
                    r.previous.as_str().into(),
                    r.status.as_str().into(),
                    r.justification.clone().into(),
                    t(r.applied_at),
                    r.ended_at.map_or_else(|| Option::<i64>::None.into(), t),
                    r.end.map(|e| e.as_str().to_string()).into(),
                ])
                .map_err(insert_err)?;
            }
            self.exec(&q).await?;
        }
        Ok(())
    }

    async fn list_triage(
        &self,
        org: OrgId,
        policy: PolicyId,
        limit: u64,
        offset: u64,
    ) -> StoreResult<Vec<TriageRecord>> {
        let mut q = select("triage_records", TRIAGE_COLUMNS, org);
        q.and_where(c("triage_records", "policy_id").eq(policy.0))
            .order_by((a("triage_records"), a("applied_at")), Order::Desc)
            .order_by((a("triage_records"), a("id")), Order::Desc)
            .limit(limit)
            .offset(offset);
        self.all(&q).await?.iter().map(triage).collect()
    }

    async fn open_triage(&self, org: OrgId, policy: PolicyId) -> StoreResult<Vec<TriageRecord>> {
        let mut q = select("triage_records", TRIAGE_COLUMNS, org);
        q.and_where(c("triage_records", "policy_id").eq(policy.0))
            .and_where(c("triage_records", "ended_at").is_null())
            .order_by((a("triage_records"), a("applied_at")), Order::Asc)
            .order_by((a("triage_records"), a("id")), Order::Asc);
        self.all(&q).await?.iter().map(triage).collect()
    }

    async fn end_triage(
        &self,
        org: OrgId,
        ends: &[(uuid::Uuid, TriageEnd)],
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()> {
        for (id, end) in ends {
            let q = Query::update()
                .table(a("triage_records"))
                .values([(a("ended_at"), t(at)), (a("end_kind"), end.as_str().into())])
                .and_where(Expr::col(a("org_id")).eq(org.0))
                .and_where(Expr::col(a("id")).eq(*id))
                .and_where(Expr::col(a("ended_at")).is_null())
                .to_owned();
            self.exec(&q).await?;
        }
        Ok(())
    }

    async fn note_sla_breaches(
        &self,
        org: OrgId,
        breaches: &[(uuid::Uuid, chrono::DateTime<chrono::Utc>)],
        at: chrono::DateTime<chrono::Utc>,
        outbox: &(dyn for<'n> Fn(&'n [uuid::Uuid]) -> Vec<WebhookDelivery> + Send + Sync),
    ) -> StoreResult<Vec<uuid::Uuid>> {
        let mut tx = self.begin().await?;
        let mut new = Vec::new();
        for (finding, due) in breaches {
            let q = Query::insert()
                .into_table(a("sla_breaches"))
                .columns(["org_id", "finding_id", "due_at", "noticed_at"].map(a))
                .values([org.0.into(), (*finding).into(), t(*due), t(at)])
                .map_err(insert_err)?
                .on_conflict(
                    sea_query::OnConflict::columns([a("finding_id"), a("due_at")])
                        .do_nothing()
                        .to_owned(),
                )
                .to_owned();
            if tx_exec(&mut tx, &q).await? == 1 {
                new.push(*finding);
            }
        }
        if !new.is_empty() {
            for d in outbox(&new) {
                tx_exec(&mut tx, &super::webhooks::delivery_insert(&d)?).await?;
            }
        }
        commit(tx).await?;
        Ok(new)
    }
}

/// Findings leaving their stream: the values read from it until now (`prev`) become theirs.
fn leave(org: OrgId, prev: PlusStream, chunk: &[uuid::Uuid]) -> sea_query::UpdateStatement {
    let updated = Expr::col(a("updated_at"));
    let later: SimpleExpr = Expr::case(updated.clone().lt(t(prev.at)), t(prev.at))
        .finally(updated)
        .into();
    Query::update()
        .table(a("plus_findings"))
        .value(a("present"), false)
        .value(a("scan_id"), prev.scan.0)
        .value(a("last_seen"), t(prev.at))
        .value(a("updated_at"), later)
        .and_where(Expr::col(a("org_id")).eq(org.0))
        .and_where(Expr::col(a("id")).is_in(chunk.iter().copied()))
        .and_where(Expr::col(a("present")).eq(true))
        .to_owned()
}

/// Makes the scan the latest import of each of its tools' streams: a compare-and-set on the
/// stream's previous import (`Conflict` when another import of it landed since the plan).
async fn move_streams(
    tx: &mut super::Tx<'_>,
    s: &PlusScan,
    import: &PlusImport,
) -> StoreResult<()> {
    let raced =
        || StoreError::Conflict("another import of these results ran at the same time".into());
    let mut tools: Vec<&String> = s.tools.iter().collect();
    tools.sort();
    tools.dedup();
    for tool in tools {
        let previous = import.streams.iter().find(|x| &x.tool == tool);
        let n = match previous.and_then(|x| x.previous) {
            Some(previous) => {
                let q = Query::update()
                    .table(a("plus_streams"))
                    .values([
                        (a("scan_id"), s.id.0.into()),
                        (a("last_seen"), t(s.created_at)),
                    ])
                    .and_where(Expr::col(a("org_id")).eq(s.org.0))
                    .and_where(Expr::col(a("app_id")).eq(s.app.0))
                    .and_where(Expr::col(a("scan_type")).eq(s.scan_type.as_str()))
                    .and_where(Expr::col(a("tool")).eq(tool.clone()))
                    .and_where(Expr::col(a("scan_id")).eq(previous.scan.0))
                    .to_owned();
                tx_exec(tx, &q).await?
            }
            None => {
                let q = Query::insert()
                    .into_table(a("plus_streams"))
                    .columns(
                        [
                            "org_id",
                            "app_id",
                            "scan_type",
                            "tool",
                            "scan_id",
                            "last_seen",
                        ]
                        .map(a),
                    )
                    .values([
                        s.org.0.into(),
                        s.app.0.into(),
                        s.scan_type.as_str().into(),
                        tool.clone().into(),
                        s.id.0.into(),
                        t(s.created_at),
                    ])
                    .map_err(insert_err)?
                    .on_conflict(
                        sea_query::OnConflict::columns(
                            ["org_id", "app_id", "scan_type", "tool"].map(a),
                        )
                        .do_nothing()
                        .to_owned(),
                    )
                    .to_owned();
                tx_exec(tx, &q).await?
            }
        };
        if n != 1 {
            return Err(raced());
        }
    }
    Ok(())
}

const TRIAGE_COLUMNS: &[&str] = &[
    "id",
    "org_id",
    "policy_id",
    "policy_name",
    "finding_id",
    "previous_status",
    "status",
    "justification",
    "applied_at",
    "ended_at",
    "end_kind",
];

fn triage(r: &Row) -> StoreResult<TriageRecord> {
    Ok(TriageRecord {
        id: get(r, "id")?,
        org: OrgId(get(r, "org_id")?),
        policy: PolicyId(get(r, "policy_id")?),
        policy_name: get(r, "policy_name")?,
        finding: get(r, "finding_id")?,
        previous: en(r, "previous_status", PlusStatus::parse)?,
        status: en(r, "status", PlusStatus::parse)?,
        justification: get(r, "justification")?,
        applied_at: time(r, "applied_at")?,
        ended_at: super::rows::opt_time(r, "ended_at")?,
        end: super::rows::opt_en(r, "end_kind", TriageEnd::parse)?,
    })
}

const POLICY_COLUMNS: &[&str] = &[
    "id",
    "org_id",
    "name",
    "description",
    "action",
    "enabled",
    "conditions",
    "created_at",
    "updated_at",
];

fn conditions(p: &Policy) -> StoreResult<String> {
    serde_json::to_string(&p.conditions).map_err(|e| StoreError::Backend(e.to_string()))
}

fn policy(r: &Row) -> StoreResult<Policy> {
    Ok(Policy {
        id: PolicyId(get(r, "id")?),
        org: OrgId(get(r, "org_id")?),
        name: get(r, "name")?,
        description: get(r, "description")?,
        action: en(r, "action", PolicyAction::parse)?,
        enabled: get(r, "enabled")?,
        conditions: json!(r, "conditions"),
        created_at: time(r, "created_at")?,
        updated_at: time(r, "updated_at")?,
    })
}
