//! Server-side reports (reference §3.10): the request, its status, its leased generation
//! and its content.

use crate::{ListRequest, Page, StoreResult, Visibility};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rampart_domain::report::Report;
use rampart_domain::*;

/// A report lease: who generates it until when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportLease {
    pub owner: String,
    pub until: DateTime<Utc>,
}

/// How a generation ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReportOutcome {
    Complete(Vec<u8>),
    Failed(String),
}

/// Reports. A report with an app honours the [`Visibility`] of its app; one without (all
/// apps) is visible to principals who see every app and to its owner. Generation is a
/// lease on a `PROCESSING` report, taken over when it expires (at most `max_attempts`
/// times; [`fail_exhausted_reports`](ReportStore::fail_exhausted_reports) then fails it).
#[async_trait]
pub trait ReportStore: Send + Sync {
    /// Stores a new report (no content, no lease).
    async fn create_report(&self, r: &Report) -> StoreResult<()>;
    async fn get_report(&self, org: OrgId, id: ReportId, vis: &Visibility) -> StoreResult<Report>;
    /// The report and, once COMPLETE, its content.
    async fn get_report_content(
        &self,
        org: OrgId,
        id: ReportId,
        vis: &Visibility,
    ) -> StoreResult<(Report, Option<Vec<u8>>)>;
    async fn delete_report(&self, org: OrgId, id: ReportId) -> StoreResult<()>;
    /// A page of the reports `vis` may see (default order: generated date, newest first).
    async fn list_reports(
        &self,
        org: OrgId,
        vis: &Visibility,
        req: &ListRequest,
    ) -> StoreResult<Page<Report>>;
    /// Leases the oldest `PROCESSING` report whose lease is free or expired at `now`
    /// (attempts below `max_attempts`), for any tenant: a compare-and-set, so two
    /// replicas never hold the same report.
    async fn claim_report(
        &self,
        lease: &ReportLease,
        now: DateTime<Utc>,
        max_attempts: i32,
    ) -> StoreResult<Option<Report>>;
    /// Extends the lease while `lease.owner` still holds it (`NotFound` otherwise).
    async fn renew_report_lease(&self, id: ReportId, lease: &ReportLease) -> StoreResult<()>;
    /// Ends the generation if `owner` still holds the lease (`NotFound` otherwise):
    /// COMPLETE with its content or FAILED with a reason, `generated_date` = `at`.
    async fn finish_report(
        &self,
        id: ReportId,
        owner: &str,
        outcome: ReportOutcome,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Frees the leases whose owner starts with `prefix` (a restarted server's own).
    async fn release_report_leases(&self, prefix: &str) -> StoreResult<u64>;
    /// Fails `PROCESSING` reports no one holds (lease free or expired) with no attempt
    /// left; their ids.
    async fn fail_exhausted_reports(
        &self,
        now: DateTime<Utc>,
        max_attempts: i32,
        reason: &str,
    ) -> StoreResult<Vec<ReportId>>;
    /// Deletes finished (COMPLETE or FAILED) reports generated before `before`; how many.
    async fn purge_reports(&self, before: DateTime<Utc>) -> StoreResult<u64>;
}
