//! Scans: the scan records (created with their job and first events in one
//! transaction), their engine and platform logs and their latest counters.

use super::jobs::job_insert;
use super::rows::{en, get, opt_en, opt_time, time};
use super::*;
use rampart_domain::job::{EventKind, ExecutionDetails, JobEvent};
use rampart_query::ResourceType;
use rampart_store::{JobState, LoggedEvent, NewJob, ScanStore};
use sea_query::{InsertStatement, Order};
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

const DETAIL_COLUMNS: &[&str] = &[
    "logged_in",
    "links_in_queue",
    "links_crawled",
    "attacks_in_queue",
    "attacked",
    "vulnerable",
    "requests",
    "failed_requests",
    "network_speed",
    "drip_delay",
];

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

/// The compare-and-set of a scan's status: `from` → `to`, touching no row when the scan
/// has moved on.
fn transition(
    org: OrgId,
    id: ScanId,
    from: ScanStatus,
    to: ScanStatus,
    failure_reason: Option<FailureReason>,
    completion_time: Option<chrono::DateTime<chrono::Utc>>,
) -> sea_query::UpdateStatement {
    Query::update()
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
        .to_owned()
}

fn scan_insert(x: &Scan) -> StoreResult<InsertStatement> {
    let vulns = serde_json::to_string(&x.vulnerability_ids.iter().map(|v| v.0).collect::<Vec<_>>())
        .map_err(|e| StoreError::Backend(e.to_string()))?;
    Ok(Query::insert()
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
            vulns.into(),
        ])
        .map_err(insert_err)?
        .to_owned())
}

/// Inserts of `events` in bounded statements (a chatty engine sends many at once).
fn events_inserts(
    org: OrgId,
    scan: ScanId,
    kind: EventKind,
    events: &[JobEvent],
) -> StoreResult<Vec<InsertStatement>> {
    events
        .chunks(200)
        .map(|chunk| {
            let mut q = Query::insert();
            q.into_table(a("scan_events"))
                .columns(["scan_id", "org_id", "kind", "time", "event"].map(a));
            for e in chunk {
                q.values([
                    scan.0.into(),
                    org.0.into(),
                    kind.as_str().into(),
                    t(e.time),
                    e.event.clone().into(),
                ])
                .map_err(insert_err)?;
            }
            Ok(q)
        })
        .collect()
}

/// Writes a scan, its queued job and its first platform events inside `tx` (submission,
/// and a schedule's firing).
pub(crate) async fn insert_scan(
    tx: &mut Tx<'_>,
    x: &Scan,
    job: Option<NewJob>,
    platform_events: &[JobEvent],
) -> StoreResult<()> {
    tx_exec(tx, &scan_insert(x)?).await?;
    if let Some(job) = job {
        if let Some(g) = job.engine_group {
            // The group must be one of the scan's organization.
            let mut q = select("engine_groups", &["id"], x.org);
            q.and_where(c("engine_groups", "id").eq(g.0));
            tx_optional(tx, &q).await?.ok_or(StoreError::NotFound)?;
        }
        // A scan due in an active blackout window waits (`BLACKED_OUT`): its job is held,
        // not claimable, until the window ends.
        let state = if x.status == ScanStatus::BlackedOut {
            JobState::Held
        } else {
            JobState::Queued
        };
        tx_exec(tx, &job_insert(x.org, x.id, job, state)?).await?;
    }
    for q in events_inserts(x.org, x.id, EventKind::Platform, platform_events)? {
        tx_exec(tx, &q).await?;
    }
    Ok(())
}

impl SqlStore {
    /// `NotFound` unless the scan exists in `org`.
    pub(crate) async fn scan_exists(&self, org: OrgId, scan: ScanId) -> StoreResult<()> {
        let mut s = select("scans", &["id"], org);
        s.and_where(c("scans", "id").eq(scan.0));
        self.one(&s).await.map(|_| ())
    }
}

#[async_trait::async_trait]
impl ScanStore for SqlStore {
    async fn create_scan(
        &self,
        x: &Scan,
        job: Option<NewJob>,
        platform_events: &[JobEvent],
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        insert_scan(&mut tx, x, job, platform_events).await?;
        commit(tx).await
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

    async fn transition_scan(
        &self,
        org: OrgId,
        id: ScanId,
        from: ScanStatus,
        to: ScanStatus,
        failure_reason: Option<FailureReason>,
        completion_time: Option<chrono::DateTime<chrono::Utc>>,
    ) -> StoreResult<bool> {
        let q = transition(org, id, from, to, failure_reason, completion_time);
        Ok(self.exec(&q).await? == 1)
    }

    async fn transition_scan_announced(
        &self,
        org: OrgId,
        id: ScanId,
        from: ScanStatus,
        to: ScanStatus,
        completion_time: Option<chrono::DateTime<chrono::Utc>>,
        deliveries: &[WebhookDelivery],
    ) -> StoreResult<bool> {
        let q = transition(org, id, from, to, None, completion_time);
        let mut tx = self.begin().await?;
        if super::tx_exec(&mut tx, &q).await? != 1 {
            return Ok(false);
        }
        for d in deliveries {
            super::tx_exec(&mut tx, &super::webhooks::delivery_insert(d)?).await?;
        }
        super::commit(tx).await?;
        Ok(true)
    }

    async fn append_scan_events(
        &self,
        org: OrgId,
        scan: ScanId,
        kind: EventKind,
        events: &[JobEvent],
    ) -> StoreResult<()> {
        if events.is_empty() {
            return Ok(());
        }
        self.scan_exists(org, scan).await?;
        for q in events_inserts(org, scan, kind, events)? {
            self.exec(&q).await?;
        }
        Ok(())
    }

    async fn list_scan_events(
        &self,
        org: OrgId,
        scan: ScanId,
        kind: EventKind,
    ) -> StoreResult<Vec<JobEvent>> {
        let mut q = select("scan_events", &["time", "event"], org);
        q.and_where(c("scan_events", "scan_id").eq(scan.0))
            .and_where(c("scan_events", "kind").eq(kind.as_str()))
            .order_by(a("time"), Order::Asc)
            .order_by(a("seq"), Order::Asc);
        self.all(&q)
            .await?
            .iter()
            .map(|r| {
                Ok(JobEvent {
                    time: time(r, "time")?,
                    event: get(r, "event")?,
                })
            })
            .collect()
    }

    async fn list_scan_events_after(
        &self,
        org: OrgId,
        scan: ScanId,
        after: i64,
        limit: u64,
    ) -> StoreResult<Vec<LoggedEvent>> {
        let mut q = select("scan_events", &["seq", "kind", "time", "event"], org);
        q.and_where(c("scan_events", "scan_id").eq(scan.0))
            .and_where(c("scan_events", "seq").gt(after))
            .order_by(a("seq"), Order::Asc)
            .limit(limit);
        self.all(&q)
            .await?
            .iter()
            .map(|r| {
                Ok(LoggedEvent {
                    seq: get(r, "seq")?,
                    kind: en(r, "kind", EventKind::parse)?,
                    event: JobEvent {
                        time: time(r, "time")?,
                        event: get(r, "event")?,
                    },
                })
            })
            .collect()
    }

    async fn save_execution_details(
        &self,
        org: OrgId,
        scan: ScanId,
        d: &ExecutionDetails,
        now: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()> {
        self.scan_exists(org, scan).await?;
        let q = replace_scan_row(
            "scan_execution_details",
            org,
            scan,
            DETAIL_COLUMNS,
            vec![
                d.logged_in.into(),
                d.links_in_queue.into(),
                d.links_crawled.into(),
                d.attacks_in_queue.into(),
                d.attacked.into(),
                d.vulnerable.into(),
                d.requests.into(),
                d.failed_requests.into(),
                d.network_speed.into(),
                d.drip_delay.into(),
            ],
            now,
        )?;
        self.exec(&q).await.map(|_| ())
    }

    async fn get_execution_details(
        &self,
        org: OrgId,
        scan: ScanId,
    ) -> StoreResult<ExecutionDetails> {
        let mut q = select("scan_execution_details", DETAIL_COLUMNS, org);
        q.and_where(c("scan_execution_details", "scan_id").eq(scan.0));
        let Some(r) = self.optional(&q).await? else {
            return Ok(ExecutionDetails::default());
        };
        Ok(ExecutionDetails {
            logged_in: get(&r, "logged_in")?,
            links_in_queue: get(&r, "links_in_queue")?,
            links_crawled: get(&r, "links_crawled")?,
            attacks_in_queue: get(&r, "attacks_in_queue")?,
            attacked: get(&r, "attacked")?,
            vulnerable: get(&r, "vulnerable")?,
            requests: get(&r, "requests")?,
            failed_requests: get(&r, "failed_requests")?,
            network_speed: get(&r, "network_speed")?,
            drip_delay: get(&r, "drip_delay")?,
        })
    }
}
