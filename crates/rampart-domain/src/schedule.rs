//! A schedule: a scan config submitted at every occurrence of a recurrence.
//!
//! `next_run_at` is the one due time the scheduler fires next (compare-and-set, so an
//! occurrence fires once however many replicas or restarts race for it); `None` while the
//! schedule is disabled or has no occurrence left.

use crate::ids::{AppId, OrgId, ScanConfigId, ScheduleId};
use crate::recurrence::Recurrence;
use chrono::{DateTime, Duration, Utc};

#[derive(Clone, Debug, PartialEq)]
pub struct Schedule {
    pub id: ScheduleId,
    pub org: OrgId,
    /// The scan config's app (derived, kept for visibility and search).
    pub app: AppId,
    /// `None` once the scan config was deleted (the schedule is then disabled).
    pub scan_config: Option<ScanConfigId>,
    pub name: String,
    pub enabled: bool,
    pub recurrence: Recurrence,
    pub next_run_at: Option<DateTime<Utc>>,
    pub last_fired_at: Option<DateTime<Utc>>,
    /// Why the platform disabled it (e.g. its scan config was deleted).
    pub disabled_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Why a schedule whose scan config is gone stopped.
pub const CONFIG_DELETED: &str =
    "its scan config was deleted; point the schedule at another scan config and enable it";

impl Schedule {
    /// The due time to store when the schedule is (re)written at `now`: the first
    /// occurrence at or after `now` while enabled, else none.
    pub fn next_due(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if !self.enabled || self.scan_config.is_none() {
            return None;
        }
        self.recurrence.next_after(now - Duration::microseconds(1))
    }
}
