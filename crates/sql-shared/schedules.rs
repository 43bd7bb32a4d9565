//! Schedules, and the compare-and-set on `next_run_at` that fires an occurrence (and
//! writes its scan) in one transaction.

use super::rows::{get, opt_time, time};
use super::scans::insert_scan;
use super::*;
use rampart_domain::job::JobEvent;
use rampart_domain::recurrence::Recurrence;
use rampart_query::ResourceType;
use rampart_store::{NewJob, ScheduleStore};
use sea_query::Order;
use uuid::Uuid;

const COLUMNS: &[&str] = &[
    "id",
    "org_id",
    "app_id",
    "scan_config_id",
    "name",
    "enabled",
    "recurrence",
    "next_run_at",
    "last_fired_at",
    "disabled_reason",
    "created_at",
    "updated_at",
];

fn schedule(r: &Row) -> StoreResult<Schedule> {
    let recurrence: Recurrence = serde_json::from_str(&get::<String>(r, "recurrence")?)
        .map_err(|e| StoreError::Backend(format!("schedule recurrence: {e}")))?;
    Ok(Schedule {
        id: ScheduleId(get(r, "id")?),
        org: OrgId(get(r, "org_id")?),
        app: AppId(get(r, "app_id")?),
        scan_config: get::<Option<Uuid>>(r, "scan_config_id")?.map(ScanConfigId),
        name: get(r, "name")?,
        enabled: get(r, "enabled")?,
        recurrence,
        next_run_at: opt_time(r, "next_run_at")?,
        last_fired_at: opt_time(r, "last_fired_at")?,
        disabled_reason: get(r, "disabled_reason")?,
        created_at: time(r, "created_at")?,
        updated_at: time(r, "updated_at")?,
    })
}

fn recurrence_json(s: &Schedule) -> StoreResult<String> {
    serde_json::to_string(&s.recurrence).map_err(|e| StoreError::Backend(e.to_string()))
}

/// The compare-and-set of `next_run_at` from `due` to `next` (`last_fired_at` = `due`
/// when `fired`).
fn advance(
    org: OrgId,
    id: ScheduleId,
    due: chrono::DateTime<chrono::Utc>,
    next: Option<chrono::DateTime<chrono::Utc>>,
    fired: bool,
) -> sea_query::UpdateStatement {
    let [o, i] = by_id(org, id.0);
    let mut q = Query::update();
    q.table(a("schedules"))
        .value(a("next_run_at"), next.map(to_micros))
        .and_where(o)
        .and_where(i)
        .and_where(Expr::col(a("enabled")).eq(true))
        .and_where(Expr::col(a("next_run_at")).eq(to_micros(due)));
    if fired {
        q.value(a("last_fired_at"), to_micros(due));
    }
    q
}

#[async_trait::async_trait]
impl ScheduleStore for SqlStore {
    async fn create_schedule(&self, x: &Schedule) -> StoreResult<()> {
        let q = Query::insert()
            .into_table(a("schedules"))
            .columns(COLUMNS.iter().map(|x| a(x)))
            .values([
                x.id.0.into(),
                x.org.0.into(),
                x.app.0.into(),
                x.scan_config.map(|c| c.0).into(),
                x.name.clone().into(),
                x.enabled.into(),
                recurrence_json(x)?.into(),
                x.next_run_at.map(to_micros).into(),
                x.last_fired_at.map(to_micros).into(),
                x.disabled_reason.clone().into(),
                t(x.created_at),
                t(x.updated_at),
            ])
            .map_err(insert_err)?
            .to_owned();
        self.exec(&q).await.map(|_| ())
    }

    async fn get_schedule(
        &self,
        org: OrgId,
        id: ScheduleId,
        vis: &Visibility,
    ) -> StoreResult<Schedule> {
        let mut q = select("schedules", COLUMNS, org);
        q.and_where(c("schedules", "id").eq(id.0));
        if let Some(v) = visible("schedules", "app_id", vis) {
            q.and_where(v);
        }
        schedule(&self.one(&q).await?)
    }

    async fn update_schedule(&self, x: &Schedule) -> StoreResult<()> {
        let [o, i] = by_id(x.org, x.id.0);
        let q = Query::update()
            .table(a("schedules"))
            .values([
                (a("app_id"), x.app.0.into()),
                (a("scan_config_id"), x.scan_config.map(|c| c.0).into()),
                (a("name"), x.name.clone().into()),
                (a("enabled"), x.enabled.into()),
                (a("recurrence"), recurrence_json(x)?.into()),
                (a("next_run_at"), x.next_run_at.map(to_micros).into()),
                (a("last_fired_at"), x.last_fired_at.map(to_micros).into()),
                (a("disabled_reason"), x.disabled_reason.clone().into()),
                (a("updated_at"), t(x.updated_at)),
            ])
            .and_where(o)
            .and_where(i)
            .to_owned();
        touched(self.exec(&q).await?)
    }

    async fn delete_schedule(&self, org: OrgId, id: ScheduleId) -> StoreResult<()> {
        let [o, i] = by_id(org, id.0);
        let q = Query::delete()
            .from_table(a("schedules"))
            .and_where(o)
            .and_where(i)
            .to_owned();
        touched(self.exec(&q).await?)
    }

    async fn list_schedules(
        &self,
        org: OrgId,
        vis: &Visibility,
        req: &ListRequest,
    ) -> StoreResult<Page<Schedule>> {
        let mut q = select("schedules", COLUMNS, org);
        if let Some(v) = visible("schedules", "app_id", vis) {
            q.and_where(v);
        }
        self.page(q, req, ResourceType::Schedule, schedule).await
    }

    async fn list_due_schedules(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        limit: u64,
    ) -> StoreResult<Vec<Schedule>> {
        let mut q = Query::select();
        q.columns(COLUMNS.iter().map(|x| (a("schedules"), a(x))))
            .from(a("schedules"))
            // The partial index's own predicate (`WHERE enabled`), so that it is used.
            .and_where(c("schedules", "enabled").into())
            .and_where(c("schedules", "next_run_at").lte(to_micros(now)))
            .order_by((a("schedules"), a("next_run_at")), Order::Asc)
            .order_by((a("schedules"), a("id")), Order::Asc)
            .limit(limit);
        self.all(&q).await?.iter().map(schedule).collect()
    }

    async fn fire_schedule(
        &self,
        org: OrgId,
        id: ScheduleId,
        due: chrono::DateTime<chrono::Utc>,
        next: Option<chrono::DateTime<chrono::Utc>>,
        scan: &Scan,
        job: Option<NewJob>,
        platform_events: &[JobEvent],
    ) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        // The update takes the row's write lock first: a concurrent firing of the same
        // occurrence waits for this transaction and then finds `next_run_at` moved.
        if tx_exec(&mut tx, &advance(org, id, due, next, true)).await? == 0 {
            return Ok(false);
        }
        insert_scan(&mut tx, scan, job, platform_events).await?;
        commit(tx).await?;
        Ok(true)
    }

    async fn advance_schedule(
        &self,
        org: OrgId,
        id: ScheduleId,
        due: chrono::DateTime<chrono::Utc>,
        next: Option<chrono::DateTime<chrono::Utc>>,
    ) -> StoreResult<bool> {
        Ok(self.exec(&advance(org, id, due, next, false)).await? == 1)
    }

    async fn disable_orphan_schedules(&self, org: OrgId, reason: &str) -> StoreResult<u64> {
        let q = Query::update()
            .table(a("schedules"))
            .values([
                (a("enabled"), false.into()),
                (a("next_run_at"), Option::<i64>::None.into()),
                (a("disabled_reason"), reason.into()),
            ])
            .and_where(Expr::col(a("org_id")).eq(org.0))
            .and_where(Expr::col(a("scan_config_id")).is_null())
            .and_where(Expr::col(a("enabled")).eq(true))
            .to_owned();
        self.exec(&q).await
    }
}
