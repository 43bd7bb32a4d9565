//! The job queue: one job per scan, leased by workers. Only the claim itself is written
//! by each adapter (`claim_next`: SQLite has no `SKIP LOCKED`).

use super::rows::{en, get, opt_en, opt_time};
use super::*;
use rampart_store::{ExpiredJob, JobState, JobStore, NewJob, ScanJob};
use sea_query::{InsertStatement, Order, UpdateStatement};

const JOB_COLUMNS: &[&str] = &[
    "scan_id",
    "org_id",
    "state",
    "lease_owner",
    "lease_expires_at",
    "attempts",
    "pending_action",
    "checkpoint",
    "recipe",
];

fn job(r: &Row) -> StoreResult<ScanJob> {
    Ok(ScanJob {
        scan: ScanId(get(r, "scan_id")?),
        org: OrgId(get(r, "org_id")?),
        state: en(r, "state", JobState::parse)?,
        lease_owner: get(r, "lease_owner")?,
        lease_expires_at: opt_time(r, "lease_expires_at")?,
        attempts: u32::try_from(get::<i32>(r, "attempts")?).unwrap_or(0),
        pending_action: opt_en(r, "pending_action", ScanAction::parse)?,
        checkpoint: get(r, "checkpoint")?,
        recipe: match get::<Option<String>>(r, "recipe")? {
            None => None,
            Some(text) => {
                Some(serde_json::from_str(&text).map_err(|e| StoreError::Backend(e.to_string()))?)
            }
        },
    })
}

/// The job of a new scan (see `ScanStore::create_scan`): queued, or held while its scan
/// waits out a blackout (`BLACKED_OUT`).
pub(crate) fn job_insert(
    org: OrgId,
    scan: ScanId,
    job: NewJob,
    state: JobState,
) -> StoreResult<InsertStatement> {
    Ok(Query::insert()
        .into_table(a("scan_jobs"))
        .columns(
            [
                "scan_id",
                "org_id",
                "state",
                "attempts",
                "enqueued_at",
                "engine_group_id",
                "recipe",
            ]
            .map(a),
        )
        .values([
            scan.0.into(),
            org.0.into(),
            state.as_str().into(),
            0i32.into(),
            t(job.enqueued_at),
            job.engine_group.map(|g| g.0).into(),
            job.recipe
                .as_ref()
                .map(serde_json::to_string)
                .transpose()
                .map_err(|e| StoreError::Backend(e.to_string()))?
                .into(),
        ])
        .map_err(insert_err)?
        .to_owned())
}

/// An update of the job `worker` holds.
fn update_held(scan: ScanId, worker: &str) -> UpdateStatement {
    Query::update()
        .table(a("scan_jobs"))
        .and_where(Expr::col(a("scan_id")).eq(scan.0))
        .and_where(Expr::col(a("state")).eq(JobState::Leased.as_str()))
        .and_where(Expr::col(a("lease_owner")).eq(worker))
        .to_owned()
}

/// Gives a leased job back: queued again while `attempts < max_attempts`, else done.
fn give_back(q: &mut UpdateStatement, max_attempts: u32) {
    let max = i32::try_from(max_attempts).unwrap_or(i32::MAX);
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
}

fn lease_until(now: chrono::DateTime<chrono::Utc>, lease: chrono::Duration) -> i64 {
    to_micros(now).saturating_add(lease.num_microseconds().unwrap_or(i64::MAX))
}

#[async_trait::async_trait]
impl JobStore for SqlStore {
    async fn heartbeat_job(
        &self,
        scan: ScanId,
        worker: &str,
        now: chrono::DateTime<chrono::Utc>,
        lease: chrono::Duration,
        checkpoint: Option<&str>,
    ) -> StoreResult<Option<ScanAction>> {
        let mut q = update_held(scan, worker);
        q.values([
            (a("lease_expires_at"), lease_until(now, lease).into()),
            (a("heartbeat_at"), t(now)),
        ]);
        if let Some(cp) = checkpoint {
            q.value(a("checkpoint"), cp);
        }
        touched(self.exec(&q).await?)?;
        Ok(self.find_job(scan).await?.pending_action)
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
        let mut q = update_held(scan, worker);
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
        let mut q = update_held(scan, worker);
        give_back(&mut q, max_attempts);
        touched(self.exec(&q).await?)?;
        Ok(self.find_job(scan).await?.state == JobState::Queued)
    }

    async fn get_job(&self, org: OrgId, scan: ScanId) -> StoreResult<ScanJob> {
        let j = self.find_job(scan).await?;
        if j.org == org {
            Ok(j)
        } else {
            Err(StoreError::NotFound)
        }
    }

    async fn find_job(&self, scan: ScanId) -> StoreResult<ScanJob> {
        let mut q = Query::select();
        q.columns(JOB_COLUMNS.iter().map(|x| a(x)))
            .from(a("scan_jobs"))
            .and_where(Expr::col(a("scan_id")).eq(scan.0));
        job(&self.one(&q).await?)
    }

    async fn end_job(&self, org: OrgId, scan: ScanId) -> StoreResult<()> {
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

    async fn clear_pending_action(&self, scan: ScanId, delivered: ScanAction) -> StoreResult<bool> {
        let q = Query::update()
            .table(a("scan_jobs"))
            .value(a("pending_action"), Option::<String>::None)
            .and_where(Expr::col(a("scan_id")).eq(scan.0))
            .and_where(Expr::col(a("pending_action")).eq(delivered.as_str()))
            .to_owned();
        Ok(self.exec(&q).await? > 0)
    }

    async fn expire_leases(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        max_attempts: u32,
    ) -> StoreResult<Vec<ExpiredJob>> {
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
        let mut out = Vec::new();
        for r in &tx_all(&mut tx, &q).await? {
            let j = job(r)?;
            out.push(ExpiredJob {
                org: j.org,
                scan: j.scan,
                requeued: j.attempts < max_attempts,
                attempts: j.attempts,
            });
        }
        let mut u = Query::update();
        u.table(a("scan_jobs")).and_where(expired());
        give_back(&mut u, max_attempts);
        tx_exec(&mut tx, &u).await?;
        commit(tx).await?;
        Ok(out)
    }

    async fn claim_job_scoped(
        &self,
        scope: &ClaimScope,
        worker: &str,
        now: chrono::DateTime<chrono::Utc>,
        lease: chrono::Duration,
        max_attempts: u32,
    ) -> StoreResult<Option<ScanJob>> {
        let max = i32::try_from(max_attempts).unwrap_or(i32::MAX);
        let claimed = self
            .claim_next(scope, worker, to_micros(now), lease_until(now, lease), max)
            .await?;
        match claimed {
            Some(id) => self.find_job(ScanId(id)).await.map(Some),
            None => Ok(None),
        }
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
        self.all(&q)
            .await?
            .iter()
            .map(|r| Ok((ScanId(get(r, "scan_id")?), get::<String>(r, "lease_owner")?)))
            .collect()
    }
}
