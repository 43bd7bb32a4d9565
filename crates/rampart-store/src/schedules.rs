//! Schedules: recurring scans and the compare-and-set that fires each occurrence once.

use crate::{ListRequest, NewJob, Page, StoreResult, Visibility};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rampart_domain::job::JobEvent;
use rampart_domain::*;

/// Schedules; reads honour the [`Visibility`] of their app. Deleting a scan config sets
/// its schedules' `scan_config` to `None` (they are then disabled, never deleted).
#[async_trait]
pub trait ScheduleStore: Send + Sync {
    async fn create_schedule(&self, s: &Schedule) -> StoreResult<()>;
    async fn get_schedule(
        &self,
        org: OrgId,
        id: ScheduleId,
        vis: &Visibility,
    ) -> StoreResult<Schedule>;
    /// Writes every field but `id`, `org` and `created_at` (`next_run_at` included).
    async fn update_schedule(&self, s: &Schedule) -> StoreResult<()>;
    async fn delete_schedule(&self, org: OrgId, id: ScheduleId) -> StoreResult<()>;
    async fn list_schedules(
        &self,
        org: OrgId,
        vis: &Visibility,
        req: &ListRequest,
    ) -> StoreResult<Page<Schedule>>;
    /// Enabled schedules of every organization whose `next_run_at` is at or before `now`,
    /// earliest first, at most `limit`.
    async fn list_due_schedules(
        &self,
        now: DateTime<Utc>,
        limit: u64,
    ) -> StoreResult<Vec<Schedule>>;
    /// Fires one occurrence, exactly once: in one transaction, moves `next_run_at` from
    /// `due` to `next` (and `last_fired_at` to `due`) only while the schedule is enabled and
    /// still due at `due`, and then writes the scan, its job and its first platform events
    /// as `ScanStore::create_scan` does. Returns `false` (and writes nothing) when another
    /// caller fired or changed the schedule first.
    #[allow(clippy::too_many_arguments)]
    async fn fire_schedule(
        &self,
        org: OrgId,
        id: ScheduleId,
        due: DateTime<Utc>,
        next: Option<DateTime<Utc>>,
        scan: &Scan,
        job: Option<NewJob>,
        platform_events: &[JobEvent],
    ) -> StoreResult<bool>;
    /// Moves `next_run_at` from `due` to `next` without firing (compare-and-set, as
    /// [`fire_schedule`](Self::fire_schedule)); returns whether it did.
    async fn advance_schedule(
        &self,
        org: OrgId,
        id: ScheduleId,
        due: DateTime<Utc>,
        next: Option<DateTime<Utc>>,
    ) -> StoreResult<bool>;
    /// Disables every enabled schedule of `org` whose scan config is gone, with `reason`;
    /// returns how many.
    async fn disable_orphan_schedules(&self, org: OrgId, reason: &str) -> StoreResult<u64>;
}
