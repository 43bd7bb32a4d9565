//! Blackouts (quiet windows) and the scan state their enforcement keeps: held jobs and
//! the scans a blackout paused.

use crate::{JobState, ListRequest, Page, StoreResult, Visibility};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rampart_domain::blackout::Blackout;
use rampart_domain::*;

/// Which blackouts a caller may see: app blackouts follow app [`Visibility`]; global ones
/// need `global` (the Manage Global Blackouts permission).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlackoutVisibility {
    pub apps: Visibility,
    pub global: bool,
}

/// A live scan the blackout enforcer looks at (every tenant).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlackoutCandidate {
    pub org: OrgId,
    pub scan: ScanId,
    pub app: AppId,
    pub status: ScanStatus,
    /// `None` when the scan has no job (it failed at submission).
    pub job: Option<JobState>,
    /// A blackout paused it (a `blackout_pauses` row), so the enforcer resumes it.
    pub paused_by_blackout: bool,
}

/// Blackouts of an organization, and the job and scan bookkeeping of their enforcement.
#[async_trait]
pub trait BlackoutStore: Send + Sync {
    /// `NotFound` when the app is not one of the organization's.
    async fn create_blackout(&self, b: &Blackout) -> StoreResult<()>;
    async fn get_blackout(
        &self,
        org: OrgId,
        id: BlackoutId,
        vis: &BlackoutVisibility,
    ) -> StoreResult<Blackout>;
    /// Name, enabled, app (scope follows) and recurrence; `NotFound` when it is gone.
    async fn update_blackout(&self, b: &Blackout) -> StoreResult<()>;
    async fn delete_blackout(&self, org: OrgId, id: BlackoutId) -> StoreResult<()>;
    /// Default sort `blackout.name`; a search filter compiles against `blackouts`.
    async fn list_blackouts(
        &self,
        org: OrgId,
        vis: &BlackoutVisibility,
        req: &ListRequest,
    ) -> StoreResult<Page<Blackout>>;
    /// Every enabled blackout of every tenant (the enforcer computes which are active).
    async fn enabled_blackouts(&self) -> StoreResult<Vec<Blackout>>;
    /// Every scan the enforcer may have to move: not-started, active, pausing or paused
    /// scans with an unfinished job, and every scan with a blackout pause recorded.
    async fn blackout_candidates(&self) -> StoreResult<Vec<BlackoutCandidate>>;
    /// `QUEUED` → `HELD` (a held job is never claimed); `false` when it was not queued.
    async fn hold_job(&self, org: OrgId, scan: ScanId) -> StoreResult<bool>;
    /// `HELD` → `QUEUED` with its place in line kept; `false` when it was not held.
    async fn release_held_job(&self, org: OrgId, scan: ScanId) -> StoreResult<bool>;
    /// Remembers that a blackout paused `scan` (idempotent).
    async fn record_blackout_pause(
        &self,
        org: OrgId,
        scan: ScanId,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Forgets it; `false` when there was nothing to forget.
    async fn clear_blackout_pause(&self, org: OrgId, scan: ScanId) -> StoreResult<bool>;
}
