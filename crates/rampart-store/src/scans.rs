//! Scans: the scan records, their logs and execution counters.

use crate::{ListRequest, NewJob, Page, StoreResult, Visibility};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rampart_domain::job::{EventKind, ExecutionDetails, JobEvent};
use rampart_domain::*;

/// One event of a scan's logs with its place in them (numbers grow in writing order).
#[derive(Clone, Debug, PartialEq)]
pub struct LoggedEvent {
    pub seq: i64,
    pub kind: EventKind,
    pub event: JobEvent,
}

/// Scans, their engine and platform logs and their latest counters. Tenant-scoped.
#[async_trait]
pub trait ScanStore: Send + Sync {
    /// Writes the scan, its job (when `job` is given: queued, or `HELD` when the scan is
    /// `BLACKED_OUT`) and its first platform
    /// events in one transaction: on any failure none of them is stored. `NotFound`
    /// when the job's engine group is not one of the scan's organization.
    async fn create_scan(
        &self,
        s: &Scan,
        job: Option<NewJob>,
        platform_events: &[JobEvent],
    ) -> StoreResult<()>;
    async fn get_scan(&self, org: OrgId, id: ScanId, vis: &Visibility) -> StoreResult<Scan>;
    async fn list_scans(
        &self,
        org: OrgId,
        vis: &Visibility,
        req: &ListRequest,
    ) -> StoreResult<Page<Scan>>;
    /// Deletes the scan, its job, its discoveries and batch ids.
    async fn delete_scan(&self, org: OrgId, id: ScanId) -> StoreResult<()>;
    /// Compare-and-set of the status: writes status, failure reason and completion time
    /// only while the scan is still `from`; returns whether it did (a concurrent move
    /// wins otherwise).
    async fn transition_scan(
        &self,
        org: OrgId,
        id: ScanId,
        from: ScanStatus,
        to: ScanStatus,
        failure_reason: Option<FailureReason>,
        completion_time: Option<DateTime<Utc>>,
    ) -> StoreResult<bool>;
    /// [`Self::transition_scan`], writing `deliveries` in the same transaction when the
    /// status moved (a crash keeps the move and its events, or neither; a lost race
    /// writes neither).
    async fn transition_scan_announced(
        &self,
        org: OrgId,
        id: ScanId,
        from: ScanStatus,
        to: ScanStatus,
        completion_time: Option<DateTime<Utc>>,
        deliveries: &[WebhookDelivery],
    ) -> StoreResult<bool>;
    /// Appends events to the scan's engine or platform log.
    async fn append_scan_events(
        &self,
        org: OrgId,
        scan: ScanId,
        kind: EventKind,
        events: &[JobEvent],
    ) -> StoreResult<()>;
    /// One log of the scan, oldest first (ties in insertion order).
    async fn list_scan_events(
        &self,
        org: OrgId,
        scan: ScanId,
        kind: EventKind,
    ) -> StoreResult<Vec<JobEvent>>;
    /// Both logs of the scan in the order they were written, after the event numbered
    /// `after` (0: from the start), at most `limit`: what a live view has not shown yet.
    async fn list_scan_events_after(
        &self,
        org: OrgId,
        scan: ScanId,
        after: i64,
        limit: u64,
    ) -> StoreResult<Vec<LoggedEvent>>;
    /// Replaces the scan's latest counters.
    async fn save_execution_details(
        &self,
        org: OrgId,
        scan: ScanId,
        details: &ExecutionDetails,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// The latest counters; all zeros when the scan never reported any.
    async fn get_execution_details(
        &self,
        org: OrgId,
        scan: ScanId,
    ) -> StoreResult<ExecutionDetails>;
}
