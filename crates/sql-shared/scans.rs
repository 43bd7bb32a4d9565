//! Scans, the job queue (all but the claim, which each adapter writes) and findings.

use super::vulns::{insert_update, variances_json, variances_of, with_ids};
use super::*;
use rampart_domain::time::from_micros;
use rampart_query::ResourceType;
use rampart_store::{IngestCounts, JobState, ScanJob};
use sea_query::{OnConflict, Order};
use sqlx::Row as _;
use uuid::Uuid;

const SCAN_COLUMNS: &[&str] = &[
    "id",
    "org_id",
    "app_id",
    "scan_config_id",
    "submitter_type",
    "submitter_id",
    "submit_time",
    "completion_time",
    "status",
    "failure_reason",
    "scan_type",
    "parent_scan_id",
    "vulnerability_ids",
];
pub(crate) const JOB_COLUMNS: &[&str] = &[
    "scan_id",
    "org_id",
    "state",
    "lease_owner",
    "lease_expires_at",
    "attempts",
    "pending_action",
    "checkpoint",
];
pub(crate) const VULN_COLUMNS: &[&str] = &[
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
pub(crate) const DISCOVERY_COLUMNS: &[&str] =
    &["id", "org_id", "vulnerability_id", "scan_id", "discovered"];

pub(crate) fn get<'r, T>(r: &'r Row, col: &str) -> StoreResult<T>
where
    T: sqlx::Decode<'r, Db> + sqlx::Type<Db>,
{
    r.try_get(col).map_err(map_err)
}

pub(crate) fn time(r: &Row, col: &str) -> StoreResult<chrono::DateTime<chrono::Utc>> {
    Ok(from_micros(get::<i64>(r, col)?))
}

fn opt_time(r: &Row, col: &str) -> StoreResult<Option<chrono::DateTime<chrono::Utc>>> {
    Ok(get::<Option<i64>>(r, col)?.map(from_micros))
}

fn parse<T>(col: &str, s: &str, f: fn(&str) -> Option<T>) -> StoreResult<T> {
    f(s).ok_or_else(|| StoreError::Backend(format!("unexpected {col} value '{s}'")))
}

fn en<T>(r: &Row, col: &str, f: fn(&str) -> Option<T>) -> StoreResult<T> {
    parse(col, &get::<String>(r, col)?, f)
}

fn opt_en<T>(r: &Row, col: &str, f: fn(&str) -> Option<T>) -> StoreResult<Option<T>> {
    get::<Option<String>>(r, col)?
        .map(|s| parse(col, &s, f))
        .transpose()
}

fn scan(r: &Row) -> StoreResult<Scan> {
    Ok(Scan {
        id: ScanId(get(r, "id")?),
        org: OrgId(get(r, "org_id")?),
        app: AppId(get(r, "app_id")?),
        scan_config: ScanConfigId(get(r, "scan_config_id")?),
        submitter: Submitter {
            kind: en(r, "submitter_type", SubmitterType::parse)?,
            id: get(r, "submitter_id")?,
        },
        submit_time: time(r, "submit_time")?,
        completion_time: opt_time(r, "completion_time")?,
        status: en(r, "status", ScanStatus::parse)?,
        failure_reason: opt_en(r, "failure_reason", FailureReason::parse)?,
        scan_type: en(r, "scan_type", ScanType::parse)?,
        parent: get::<Option<Uuid>>(r, "parent_scan_id")?.map(ScanId),
        vulnerability_ids: serde_json::from_str::<Vec<Uuid>>(&get::<String>(
            r,
            "vulnerability_ids",
        )?)
        .map_err(|e| StoreError::Backend(format!("vulnerability_ids: {e}")))?
        .into_iter()
        .map(VulnerabilityId)
        .collect(),
    })
}

pub(crate) fn job(r: &Row) -> StoreResult<ScanJob> {
    Ok(ScanJob {
        scan: ScanId(get(r, "scan_id")?),
        org: OrgId(get(r, "org_id")?),
        state: en(r, "state", JobState::parse)?,
        lease_owner: get(r, "lease_owner")?,
        lease_expires_at: opt_time(r, "lease_expires_at")?,
        attempts: u32::try_from(get::<i32>(r, "attempts")?).unwrap_or(0),
        pending_action: opt_en(r, "pending_action", ScanAction::parse)?,
        checkpoint: get(r, "checkpoint")?,
    })
}

pub(crate) fn vulnerability(r: &Row) -> StoreResult<Vulnerability> {
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

pub(crate) fn discovery(r: &Row) -> StoreResult<VulnerabilityDiscovery> {
    Ok(VulnerabilityDiscovery {
        id: get(r, "id")?,
        org: OrgId(get(r, "org_id")?),
        vulnerability: VulnerabilityId(get(r, "vulnerability_id")?),
        scan: ScanId(get(r, "scan_id")?),
        discovered: time(r, "discovered")?,
    })
}

async fn tx_optional(tx: &mut Tx<'_>, stmt: &SelectStatement) -> StoreResult<Option<Row>> {
    let (sql, values) = stmt.build_sqlx(QB);
    sqlx::query_with(&sql, values)
        .fetch_optional(&mut **tx)
        .await
        .map_err(map_err)
}

fn job_of(scan: ScanId, worker: &str) -> [SimpleExpr; 3] {
    [
        Expr::col(a("scan_id")).eq(scan.0),
        Expr::col(a("state")).eq(JobState::Leased.as_str()),
        Expr::col(a("lease_owner")).eq(worker),
    ]
}

pub(crate) fn update_job(scan: ScanId, worker: &str) -> sea_query::UpdateStatement {
    let mut q = Query::update();
    q.table(a("scan_jobs"));
    for w in job_of(scan, worker) {
        q.and_where(w);
    }
    q
}

impl SqlStore {
    pub(crate) async fn job_by_scan(&self, scan: Uuid) -> StoreResult<ScanJob> {
        let mut q = Query::select();
        q.columns(JOB_COLUMNS.iter().map(|x| a(x)))
            .from(a("scan_jobs"))
            .and_where(Expr::col(a("scan_id")).eq(scan));
        job(&self.one(&q).await?)
    }
}

#[async_trait::async_trait]
impl rampart_store::ScanStore for SqlStore {
    async fn create_scan(&self, x: &Scan) -> StoreResult<()> {
        let q = Query::insert()
            .into_table(a("scans"))
            .columns(SCAN_COLUMNS.iter().map(|x| a(x)))
            .values([
                x.id.0.into(),
                x.org.0.into(),
                x.app.0.into(),
                x.scan_config.0.into(),
                x.submitter.kind.as_str().into(),
                x.submitter.id.into(),
                t(x.submit_time),
                x.completion_time.map(to_micros).into(),
                x.status.as_str().into(),
                x.failure_reason.map(|f| f.as_str()).into(),
                x.scan_type.as_str().into(),
                x.parent.map(|p| p.0).into(),
                serde_json::to_string(&x.vulnerability_ids.iter().map(|v| v.0).collect::<Vec<_>>())
                    .unwrap_or_else(|_| "[]".into())
                    .into(),
            ])
            .map_err(insert_err)?
            .to_owned();
        self.exec(&q).await.map(|_| ())
    }

    async fn get_scan(&self, org: OrgId, id: ScanId, vis: &Visibility) -> StoreResult<Scan> {
        let mut q = select("scans", SCAN_COLUMNS, org);
        q.and_where(c("scans", "id").eq(id.0));
        if let Some(v) = visible("scans", "app_id", vis) {
            q.and_where(v);
        }
        scan(&self.one(&q).await?)
    }

    async fn list_scans(
        &self,
        org: OrgId,
        vis: &Visibility,
        req: &ListRequest,
    ) -> StoreResult<Page<Scan>> {
        let mut q = select("scans", SCAN_COLUMNS, org);
        if let Some(v) = visible("scans", "app_id", vis) {
            q.and_where(v);
        }
        self.page(q, req, ResourceType::Scan, scan).await
    }

    async fn delete_scan(&self, org: OrgId, id: ScanId) -> StoreResult<()> {
        let q = Query::delete()
            .from_table(a("scans"))
            .and_where(Expr::col(a("org_id")).eq(org.0))
            .and_where(Expr::col(a("id")).eq(id.0))
            .to_owned();
        touched(self.exec(&q).await?)
    }

    async fn update_scan_status(
        &self,
        org: OrgId,
        id: ScanId,
        status: ScanStatus,
        failure_reason: Option<FailureReason>,
        completion_time: Option<chrono::DateTime<chrono::Utc>>,
    ) -> StoreResult<()> {
        let q = Query::update()
            .table(a("scans"))
            .values([
                (a("status"), status.as_str().into()),
                (
                    a("failure_reason"),
                    failure_reason.map(|f| f.as_str()).into(),
                ),
                (a("completion_time"), completion_time.map(to_micros).into()),
            ])
            .and_where(Expr::col(a("org_id")).eq(org.0))
            .and_where(Expr::col(a("id")).eq(id.0))
            .to_owned();
        touched(self.exec(&q).await?)
    }

    async fn transition_scan(
        &self,
        org: OrgId,
        id: ScanId,
        from: ScanStatus,
        to: ScanStatus,
        failure_reason: Option<FailureReason>,
        completion_time: Option<chrono::DateTime<chrono::Utc>>,
    ) -> StoreResult<bool> {
        let q = Query::update()
            .table(a("scans"))
            .values([
                (a("status"), to.as_str().into()),
                (
                    a("failure_reason"),
                    failure_reason.map(|f| f.as_str()).into(),
                ),
                (a("completion_time"), completion_time.map(to_micros).into()),
            ])
            .and_where(Expr::col(a("org_id")).eq(org.0))
            .and_where(Expr::col(a("id")).eq(id.0))
            .and_where(Expr::col(a("status")).eq(from.as_str()))
            .to_owned();
        Ok(self.exec(&q).await? == 1)
    }

    async fn enqueue_job(
        &self,
        org: OrgId,
        scan: ScanId,
        now: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()> {
        self.enqueue_job_for(org, scan, None, now).await
    }

    async fn enqueue_job_for(
        &self,
        org: OrgId,
        scan: ScanId,
        engine_group: Option<EngineGroupId>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()> {
        // The scan must exist in this tenant.
        let mut s = select("scans", &["id"], org);
        s.and_where(c("scans", "id").eq(scan.0));
        self.one(&s).await?;
        let q = Query::insert()
            .into_table(a("scan_jobs"))
            .columns(
                [
                    "scan_id",
                    "org_id",
                    "state",
                    "attempts",
                    "enqueued_at",
                    "engine_group_id",
                ]
                .map(a),
            )
            .values([
                scan.0.into(),
                org.0.into(),
                JobState::Queued.as_str().into(),
                0i32.into(),
                t(now),
                engine_group.map(|g| g.0).into(),
            ])
            .map_err(insert_err)?
            .to_owned();
        self.exec(&q).await.map(|_| ())
    }

    async fn claim_job(
        &self,
        worker: &str,
        now: chrono::DateTime<chrono::Utc>,
        lease: chrono::Duration,
    ) -> StoreResult<Option<ScanJob>> {
        let until = to_micros(now).saturating_add(lease.num_microseconds().unwrap_or(i64::MAX));
        match self
            .claim_next(
                &ClaimScope::embedded(),
                worker,
                to_micros(now),
                until,
                i32::MAX,
            )
            .await?
        {
            Some(id) => self.job_by_scan(id).await.map(Some),
            None => Ok(None),
        }
    }

    async fn heartbeat_job(
        &self,
        scan: ScanId,
        worker: &str,
        now: chrono::DateTime<chrono::Utc>,
        lease: chrono::Duration,
        checkpoint: Option<&str>,
    ) -> StoreResult<Option<ScanAction>> {
        let until = to_micros(now).saturating_add(lease.num_microseconds().unwrap_or(i64::MAX));
        let mut q = update_job(scan, worker);
        q.values([
            (a("lease_expires_at"), until.into()),
            (a("heartbeat_at"), t(now)),
        ]);
        if let Some(cp) = checkpoint {
            q.value(a("checkpoint"), cp);
        }
        touched(self.exec(&q).await?)?;
        Ok(self.job_by_scan(scan.0).await?.pending_action)
    }

    async fn set_pending_action(
        &self,
        org: OrgId,
        scan: ScanId,
        action: Option<ScanAction>,
    ) -> StoreResult<()> {
        let q = Query::update()
            .table(a("scan_jobs"))
            .value(a("pending_action"), action.map(|x| x.as_str()))
            .and_where(Expr::col(a("org_id")).eq(org.0))
            .and_where(Expr::col(a("scan_id")).eq(scan.0))
            .to_owned();
        touched(self.exec(&q).await?)
    }

    async fn complete_job(&self, scan: ScanId, worker: &str) -> StoreResult<()> {
        let mut q = update_job(scan, worker);
        q.values([
            (a("state"), JobState::Done.as_str().into()),
            (a("lease_expires_at"), Option::<i64>::None.into()),
        ]);
        touched(self.exec(&q).await?)
    }

    async fn release_job(
        &self,
        scan: ScanId,
        worker: &str,
        max_attempts: u32,
    ) -> StoreResult<bool> {
        let max = i32::try_from(max_attempts).unwrap_or(i32::MAX);
        let mut q = update_job(scan, worker);
        q.values([
            (
                a("state"),
                Expr::case(Expr::col(a("attempts")).lt(max), JobState::Queued.as_str())
                    .finally(JobState::Done.as_str())
                    .into(),
            ),
            (a("lease_owner"), Option::<String>::None.into()),
            (a("lease_expires_at"), Option::<i64>::None.into()),
        ]);
        touched(self.exec(&q).await?)?;
        Ok(self.job_by_scan(scan.0).await?.state == JobState::Queued)
    }

    async fn requeue_expired_jobs(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        max_attempts: u32,
    ) -> StoreResult<Vec<(OrgId, ScanId)>> {
        let max = i32::try_from(max_attempts).unwrap_or(i32::MAX);
        let expired = || {
            Expr::col(a("state"))
                .eq(JobState::Leased.as_str())
                .and(Expr::col(a("lease_expires_at")).lt(to_micros(now)))
        };
        let mut tx = self.begin().await?;
        let mut given_up = Query::select();
        given_up
            .columns([a("org_id"), a("scan_id")])
            .from(a("scan_jobs"))
            .and_where(expired())
            .and_where(Expr::col(a("attempts")).gte(max));
        let (sql, values) = given_up.build_sqlx(QB);
        let rows = sqlx::query_with(&sql, values)
            .fetch_all(&mut *tx)
            .await
            .map_err(map_err)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push((OrgId(get(r, "org_id")?), ScanId(get(r, "scan_id")?)));
        }
        let q = Query::update()
            .table(a("scan_jobs"))
            .values([
                (
                    a("state"),
                    Expr::case(Expr::col(a("attempts")).lt(max), JobState::Queued.as_str())
                        .finally(JobState::Done.as_str())
                        .into(),
                ),
                (a("lease_owner"), Option::<String>::None.into()),
                (a("lease_expires_at"), Option::<i64>::None.into()),
            ])
            .and_where(expired())
            .to_owned();
        tx_exec(&mut tx, &q).await?;
        commit(tx).await?;
        Ok(out)
    }

    async fn claim_job_within(
        &self,
        worker: &str,
        now: chrono::DateTime<chrono::Utc>,
        lease: chrono::Duration,
        max_attempts: u32,
    ) -> StoreResult<Option<ScanJob>> {
        self.claim_job_within_impl(&ClaimScope::embedded(), worker, now, lease, max_attempts)
            .await
    }
    async fn claim_job_scoped(
        &self,
        scope: &ClaimScope,
        worker: &str,
        now: chrono::DateTime<chrono::Utc>,
        lease: chrono::Duration,
        max_attempts: u32,
    ) -> StoreResult<Option<ScanJob>> {
        self.claim_job_within_impl(scope, worker, now, lease, max_attempts)
            .await
    }
    async fn try_lead(&self, duty: &str) -> StoreResult<bool> {
        self.try_lead_impl(duty).await
    }
    async fn leased_jobs_of(&self, owner_prefix: &str) -> StoreResult<Vec<(ScanId, String)>> {
        let escaped = owner_prefix
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let mut q = Query::select();
        q.columns([a("scan_id"), a("lease_owner")])
            .from(a("scan_jobs"))
            .and_where(Expr::col(a("state")).eq(JobState::Leased.as_str()))
            .and_where(
                Expr::col(a("lease_owner"))
                    .like(sea_query::LikeExpr::new(format!("{escaped}%")).escape('\\')),
            )
            .order_by(a("scan_id"), Order::Asc);
        let (sql, values) = q.build_sqlx(QB);
        let rows = sqlx::query_with(&sql, values)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows.iter()
            .map(|r| Ok((ScanId(get(r, "scan_id")?), get::<String>(r, "lease_owner")?)))
            .collect()
    }
    async fn find_job(&self, scan: ScanId) -> StoreResult<ScanJob> {
        self.find_job_impl(scan).await
    }
    async fn end_job(&self, org: OrgId, scan: ScanId) -> StoreResult<()> {
        self.end_job_impl(org, scan).await
    }
    async fn clear_pending_action(&self, scan: ScanId, delivered: ScanAction) -> StoreResult<()> {
        self.clear_pending_action_impl(scan, delivered).await
    }
    async fn expire_leases(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        max_attempts: u32,
    ) -> StoreResult<Vec<rampart_store::ExpiredJob>> {
        self.expire_leases_impl(now, max_attempts).await
    }
    async fn append_scan_events(
        &self,
        org: OrgId,
        scan: ScanId,
        kind: rampart_domain::job::EventKind,
        events: &[rampart_domain::job::JobEvent],
    ) -> StoreResult<()> {
        self.append_scan_events_impl(org, scan, kind, events).await
    }
    async fn list_scan_events(
        &self,
        org: OrgId,
        scan: ScanId,
        kind: rampart_domain::job::EventKind,
    ) -> StoreResult<Vec<rampart_domain::job::JobEvent>> {
        self.list_scan_events_impl(org, scan, kind).await
    }
    async fn save_execution_details(
        &self,
        org: OrgId,
        scan: ScanId,
        details: &rampart_domain::job::ExecutionDetails,
        now: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()> {
        self.save_execution_details_impl(org, scan, details, now)
            .await
    }
    async fn get_execution_details(
        &self,
        org: OrgId,
        scan: ScanId,
    ) -> StoreResult<rampart_domain::job::ExecutionDetails> {
        self.get_execution_details_impl(org, scan).await
    }

    async fn get_job(&self, org: OrgId, scan: ScanId) -> StoreResult<ScanJob> {
        let j = self.job_by_scan(scan.0).await?;
        if j.org == org {
            Ok(j)
        } else {
            Err(StoreError::NotFound)
        }
    }

    async fn ingest_findings(
        &self,
        org: OrgId,
        scan_id: ScanId,
        batch_id: &str,
        findings: &[Finding],
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
        for f in findings {
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
                counts.new_vulnerabilities += 1;
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
                    let same = |o: &Variance| {
                        o.attack_id == v.attack_id
                            && o.attack_value == v.attack_value
                            && o.original_value == v.original_value
                            && o.proof == v.proof
                    };
                    if !all.iter().any(same) {
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
        self.page(q, req, ResourceType::Vulnerability, vulnerability)
            .await
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
        self.update_vulnerability_impl(org, id, severity, status, source, now)
            .await
    }

    async fn list_vulnerability_history(
        &self,
        org: OrgId,
        id: VulnerabilityId,
    ) -> StoreResult<Vec<VulnerabilityUpdate>> {
        self.list_vulnerability_history_impl(org, id).await
    }

    async fn create_vulnerability_comment(&self, x: &VulnerabilityComment) -> StoreResult<()> {
        self.create_vulnerability_comment_impl(x).await
    }

    async fn get_vulnerability_comment(
        &self,
        org: OrgId,
        vuln: VulnerabilityId,
        id: Uuid,
    ) -> StoreResult<VulnerabilityComment> {
        self.get_vulnerability_comment_impl(org, vuln, id).await
    }

    async fn list_vulnerability_comments(
        &self,
        org: OrgId,
        vuln: VulnerabilityId,
        req: &ListRequest,
    ) -> StoreResult<Page<VulnerabilityComment>> {
        self.list_vulnerability_comments_impl(org, vuln, req).await
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
        self.update_vulnerability_comment_impl(org, vuln, id, content, author, now)
            .await
    }

    async fn delete_vulnerability_comment(
        &self,
        org: OrgId,
        vuln: VulnerabilityId,
        id: Uuid,
    ) -> StoreResult<()> {
        self.delete_vulnerability_comment_impl(org, vuln, id).await
    }

    async fn get_discovery(
        &self,
        org: OrgId,
        vuln: VulnerabilityId,
        id: Uuid,
    ) -> StoreResult<VulnerabilityDiscovery> {
        self.get_discovery_impl(org, vuln, id).await
    }

    async fn page_discoveries(
        &self,
        org: OrgId,
        vuln: VulnerabilityId,
        req: &ListRequest,
    ) -> StoreResult<Page<VulnerabilityDiscovery>> {
        self.page_discoveries_impl(org, vuln, req).await
    }

    async fn remediate_unconfirmed(
        &self,
        org: OrgId,
        verification_scan: ScanId,
        parent_scan: ScanId,
        only: &[VulnerabilityId],
        now: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<Vec<VulnerabilityId>> {
        self.remediate_unconfirmed_impl(org, verification_scan, parent_scan, only, now)
            .await
    }

    async fn search_discoveries(
        &self,
        org: OrgId,
        vis: &Visibility,
        req: &ListRequest,
    ) -> StoreResult<Page<VulnerabilityDiscovery>> {
        self.search_discoveries_impl(org, vis, req).await
    }
}
