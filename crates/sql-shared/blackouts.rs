//! Blackouts, and the held jobs and blackout pauses their enforcement keeps.

use super::rows::{en, get, opt_en, time};
use super::*;
use rampart_domain::blackout::{Blackout, FrequencySpec};
use rampart_query::ResourceType;
use rampart_store::{
    BlackoutCandidate, BlackoutStore, BlackoutVisibility, JobState, ListRequest, Page,
};
use sea_query::{Cond, OnConflict};

const COLUMNS: &[&str] = &[
    "id",
    "org_id",
    "app_id",
    "scope",
    "name",
    "enabled",
    "first_start",
    "first_end",
    "last_start",
    "frequency_type",
    "frequency_interval",
    "rrule",
    "created_at",
    "updated_at",
];

fn decode(r: &Row) -> StoreResult<Blackout> {
    let kind: Option<String> = get(r, "frequency_type")?;
    let interval: Option<i32> = get(r, "frequency_interval")?;
    Ok(Blackout {
        id: BlackoutId(get(r, "id")?),
        org: OrgId(get(r, "org_id")?),
        app: get::<Option<uuid::Uuid>>(r, "app_id")?.map(AppId),
        name: get(r, "name")?,
        enabled: get(r, "enabled")?,
        first_start: get(r, "first_start")?,
        first_end: get(r, "first_end")?,
        last_start: get(r, "last_start")?,
        frequency: kind.map(|kind| FrequencySpec {
            kind,
            interval: interval.map(i64::from),
        }),
        rrule: get(r, "rrule")?,
        created_at: time(r, "created_at")?,
        updated_at: time(r, "updated_at")?,
    })
}

/// The columns a write sets, in `COLUMNS` order from `app_id` on.
fn values(b: &Blackout) -> Vec<SimpleExpr> {
    vec![
        b.app.map(|x| x.0).into(),
        b.scope().as_str().into(),
        b.name.clone().into(),
        b.enabled.into(),
        b.first_start.clone().into(),
        b.first_end.clone().into(),
        b.last_start.clone().into(),
        b.frequency.as_ref().map(|f| f.kind.clone()).into(),
        b.frequency
            .as_ref()
            .and_then(|f| f.interval)
            .map(|n| i32::try_from(n).unwrap_or(i32::MAX))
            .into(),
        b.rrule.clone().into(),
    ]
}

fn scoped(q: &mut SelectStatement, vis: &BlackoutVisibility) {
    if !vis.global {
        q.and_where(c("blackouts", "app_id").is_not_null());
    }
    if let Some(v) = visible("blackouts", "app_id", &vis.apps) {
        q.and_where(
            Cond::any()
                .add(c("blackouts", "app_id").is_null())
                .add(v)
                .into(),
        );
    }
}

impl SqlStore {
    async fn app_of_org(&self, org: OrgId, app: Option<AppId>) -> StoreResult<()> {
        if let Some(app) = app {
            let q = select("apps", &["id"], org)
                .and_where(c("apps", "id").eq(app.0))
                .to_owned();
            self.one(&q).await?;
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl BlackoutStore for SqlStore {
    async fn create_blackout(&self, b: &Blackout) -> StoreResult<()> {
        self.app_of_org(b.org, b.app).await?;
        let mut row: Vec<SimpleExpr> = vec![b.id.0.into(), b.org.0.into()];
        row.extend(values(b));
        row.extend([t(b.created_at), t(b.updated_at)]);
        let q = Query::insert()
            .into_table(a("blackouts"))
            .columns(COLUMNS.iter().map(|x| a(x)))
            .values(row)
            .map_err(insert_err)?
            .to_owned();
        self.exec(&q).await.map(|_| ())
    }

    async fn get_blackout(
        &self,
        org: OrgId,
        id: BlackoutId,
        vis: &BlackoutVisibility,
    ) -> StoreResult<Blackout> {
        let mut q = select("blackouts", COLUMNS, org);
        q.and_where(c("blackouts", "id").eq(id.0));
        scoped(&mut q, vis);
        decode(&self.one(&q).await?)
    }

    async fn update_blackout(&self, b: &Blackout) -> StoreResult<()> {
        self.app_of_org(b.org, b.app).await?;
        let mut set: Vec<_> = COLUMNS[2..12].iter().map(|x| a(x)).zip(values(b)).collect();
        set.push((a("updated_at"), t(b.updated_at)));
        let [o, i] = by_id(b.org, b.id.0);
        let q = Query::update()
            .table(a("blackouts"))
            .values(set)
            .and_where(o)
            .and_where(i)
            .to_owned();
        touched(self.exec(&q).await?)
    }

    async fn delete_blackout(&self, org: OrgId, id: BlackoutId) -> StoreResult<()> {
        let [o, i] = by_id(org, id.0);
        let q = Query::delete()
            .from_table(a("blackouts"))
            .and_where(o)
            .and_where(i)
            .to_owned();
        touched(self.exec(&q).await?)
    }

    async fn list_blackouts(
        &self,
        org: OrgId,
        vis: &BlackoutVisibility,
        req: &ListRequest,
    ) -> StoreResult<Page<Blackout>> {
        let mut q = select("blackouts", COLUMNS, org);
        scoped(&mut q, vis);
        self.page(q, req, ResourceType::Blackout, decode).await
    }

    async fn enabled_blackouts(&self) -> StoreResult<Vec<Blackout>> {
        let q = Query::select()
            .columns(COLUMNS.iter().map(|x| (a("blackouts"), a(x))))
            .from(a("blackouts"))
            .and_where(c("blackouts", "enabled").eq(true))
            .to_owned();
        self.all(&q).await?.iter().map(decode).collect()
    }

    async fn blackout_candidates(&self) -> StoreResult<Vec<BlackoutCandidate>> {
        let live = [
            ScanStatus::Pending,
            ScanStatus::Queued,
            ScanStatus::BlackedOut,
            ScanStatus::Running,
            ScanStatus::AwaitingAuthentication,
            ScanStatus::Authenticating,
            ScanStatus::Authenticated,
            ScanStatus::Resuming,
            ScanStatus::Pausing,
            ScanStatus::Paused,
        ]
        .map(|s| s.as_str());
        let q = Query::select()
            .column((a("scans"), a("org_id")))
            .column((a("scans"), a("id")))
            .column((a("scans"), a("app_id")))
            .column((a("scans"), a("status")))
            .expr_as(c("scan_jobs", "state"), a("job_state"))
            .expr_as(c("blackout_pauses", "paused_at"), a("paused_at"))
            .from(a("scans"))
            .left_join(
                a("scan_jobs"),
                c("scan_jobs", "scan_id").equals((a("scans"), a("id"))),
            )
            .left_join(
                a("blackout_pauses"),
                c("blackout_pauses", "scan_id").equals((a("scans"), a("id"))),
            )
            .cond_where(
                Cond::any()
                    .add(c("blackout_pauses", "scan_id").is_not_null())
                    .add(
                        Cond::all()
                            .add(c("scans", "status").is_in(live))
                            .add(c("scan_jobs", "state").ne(JobState::Done.as_str())),
                    ),
            )
            .to_owned();
        self.all(&q)
            .await?
            .iter()
            .map(|r| {
                Ok(BlackoutCandidate {
                    org: OrgId(get(r, "org_id")?),
                    scan: ScanId(get(r, "id")?),
                    app: AppId(get(r, "app_id")?),
                    status: en(r, "status", ScanStatus::parse)?,
                    job: opt_en(r, "job_state", JobState::parse)?,
                    paused_by_blackout: get::<Option<i64>>(r, "paused_at")?.is_some(),
                })
            })
            .collect()
    }

    async fn hold_job(&self, org: OrgId, scan: ScanId) -> StoreResult<bool> {
        self.move_job(org, scan, JobState::Queued, JobState::Held)
            .await
    }

    async fn release_held_job(&self, org: OrgId, scan: ScanId) -> StoreResult<bool> {
        self.move_job(org, scan, JobState::Held, JobState::Queued)
            .await
    }

    async fn record_blackout_pause(
        &self,
        org: OrgId,
        scan: ScanId,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()> {
        let q = Query::insert()
            .into_table(a("blackout_pauses"))
            .columns([a("scan_id"), a("org_id"), a("paused_at")])
            .values([scan.0.into(), org.0.into(), t(at)])
            .map_err(insert_err)?
            .on_conflict(OnConflict::column(a("scan_id")).do_nothing().to_owned())
            .to_owned();
        self.exec(&q).await.map(|_| ())
    }

    async fn clear_blackout_pause(&self, org: OrgId, scan: ScanId) -> StoreResult<bool> {
        let q = Query::delete()
            .from_table(a("blackout_pauses"))
            .and_where(Expr::col(a("org_id")).eq(org.0))
            .and_where(Expr::col(a("scan_id")).eq(scan.0))
            .to_owned();
        Ok(self.exec(&q).await? > 0)
    }
}

impl SqlStore {
    /// Compare-and-set of a job's state.
    async fn move_job(
        &self,
        org: OrgId,
        scan: ScanId,
        from: JobState,
        to: JobState,
    ) -> StoreResult<bool> {
        let q = Query::update()
            .table(a("scan_jobs"))
            .values([(a("state"), to.as_str().into())])
            .and_where(Expr::col(a("org_id")).eq(org.0))
            .and_where(Expr::col(a("scan_id")).eq(scan.0))
            .and_where(Expr::col(a("state")).eq(from.as_str()))
            .to_owned();
        Ok(self.exec(&q).await? == 1)
    }
}
