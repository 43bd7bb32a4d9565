//! The rest of the job protocol's storage: claims bounded by attempts, the reaper's
//! report, pending-action delivery, scan events (engine and platform logs) and the
//! latest execution counters of each scan.

use super::scans::{get, job, time, JOB_COLUMNS};
use super::*;
use rampart_domain::job::{EventKind, ExecutionDetails, JobEvent};
use rampart_store::{ExpiredJob, JobState, ScanJob};
use sea_query::{OnConflict, Order};

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

impl SqlStore {
    pub(crate) async fn claim_job_within_impl(
        &self,
        scope: &ClaimScope,
        worker: &str,
        now: chrono::DateTime<chrono::Utc>,
        lease: chrono::Duration,
        max_attempts: u32,
    ) -> StoreResult<Option<ScanJob>> {
        let until = to_micros(now).saturating_add(lease.num_microseconds().unwrap_or(i64::MAX));
        let max = i32::try_from(max_attempts).unwrap_or(i32::MAX);
        match self
            .claim_next(scope, worker, to_micros(now), until, max)
            .await?
        {
            Some(id) => self.job_by_scan(id).await.map(Some),
            None => Ok(None),
        }
    }

    pub(crate) async fn find_job_impl(&self, scan: ScanId) -> StoreResult<ScanJob> {
        self.job_by_scan(scan.0).await
    }

    pub(crate) async fn end_job_impl(&self, org: OrgId, scan: ScanId) -> StoreResult<()> {
        let q = Query::update()
            .table(a("scan_jobs"))
            .values([
                (a("state"), JobState::Done.as_str().into()),
                (a("lease_expires_at"), Option::<i64>::None.into()),
                (a("pending_action"), Option::<String>::None.into()),
            ])
            .and_where(Expr::col(a("org_id")).eq(org.0))
            .and_where(Expr::col(a("scan_id")).eq(scan.0))
            .to_owned();
        touched(self.exec(&q).await?)
    }

    pub(crate) async fn clear_pending_action_impl(
        &self,
        scan: ScanId,
        delivered: ScanAction,
    ) -> StoreResult<()> {
        let q = Query::update()
            .table(a("scan_jobs"))
            .value(a("pending_action"), Option::<String>::None)
            .and_where(Expr::col(a("scan_id")).eq(scan.0))
            .and_where(Expr::col(a("pending_action")).eq(delivered.as_str()))
            .to_owned();
        self.exec(&q).await.map(|_| ())
    }

    pub(crate) async fn expire_leases_impl(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        max_attempts: u32,
    ) -> StoreResult<Vec<ExpiredJob>> {
        let max = i32::try_from(max_attempts).unwrap_or(i32::MAX);
        let expired = || {
            Expr::col(a("state"))
                .eq(JobState::Leased.as_str())
                .and(Expr::col(a("lease_expires_at")).lt(to_micros(now)))
        };
        let mut tx = self.begin().await?;
        let mut q = Query::select();
        q.columns(JOB_COLUMNS.iter().map(|x| a(x)))
            .from(a("scan_jobs"))
            .and_where(expired());
        let (sql, values) = q.build_sqlx(QB);
        let rows = sqlx::query_with(&sql, values)
            .fetch_all(&mut *tx)
            .await
            .map_err(map_err)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let j = job(r)?;
            out.push(ExpiredJob {
                org: j.org,
                scan: j.scan,
                requeued: j.attempts < max_attempts,
                attempts: j.attempts,
            });
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

    pub(crate) async fn append_scan_events_impl(
        &self,
        org: OrgId,
        scan: ScanId,
        kind: EventKind,
        events: &[JobEvent],
    ) -> StoreResult<()> {
        if events.is_empty() {
            return Ok(());
        }
        let mut s = select("scans", &["id"], org);
        s.and_where(c("scans", "id").eq(scan.0));
        self.one(&s).await?;
        // Bounded statements: a chatty engine sends many events at once.
        for chunk in events.chunks(200) {
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
            self.exec(&q).await?;
        }
        Ok(())
    }

    pub(crate) async fn list_scan_events_impl(
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

    pub(crate) async fn save_execution_details_impl(
        &self,
        org: OrgId,
        scan: ScanId,
        d: &ExecutionDetails,
        now: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()> {
        let mut s = select("scans", &["id"], org);
        s.and_where(c("scans", "id").eq(scan.0));
        self.one(&s).await?;
        let mut cols = vec!["scan_id", "org_id"];
        cols.extend_from_slice(DETAIL_COLUMNS);
        cols.push("updated_at");
        let mut update: Vec<&str> = DETAIL_COLUMNS.to_vec();
        update.push("updated_at");
        let q = Query::insert()
            .into_table(a("scan_execution_details"))
            .columns(cols.into_iter().map(a))
            .values([
                scan.0.into(),
                org.0.into(),
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
                t(now),
            ])
            .map_err(insert_err)?
            .on_conflict(
                OnConflict::column(a("scan_id"))
                    .update_columns(update.into_iter().map(a))
                    .to_owned(),
            )
            .to_owned();
        self.exec(&q).await.map(|_| ())
    }

    pub(crate) async fn get_execution_details_impl(
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
