//! Server-side reports (reference §3.10): the stored request, its parameters and its
//! generation status. The report types, their formats and their rendering belong to
//! `rampart-report`; here a type and a format are their wire names.

use crate::ids::{AppId, OrgId, PrincipalId, ReportId, ScanId};
use crate::model::str_enum;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

str_enum!(
    /// Where a report's generation stands.
    ReportStatus {
        Processing = "PROCESSING",
        Failed = "FAILED",
        Complete = "COMPLETE",
    }
);

/// What narrows a report, as requested (`start`/`end` `yyyy-mm-dd`, `month` `yyyy-mm`,
/// `filter` in the search language over vulnerabilities), stored as JSON.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<chrono::NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<chrono::NaiveDate>,
    /// The first day of the requested month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<chrono::NaiveDate>,
    /// Whether the owner saw every app when asking (an all-apps report then covers every
    /// app; otherwise only the apps the owner is a member of).
    #[serde(default)]
    pub owner_sees_all: bool,
}

impl ReportParams {
    /// The half-open time window `[from, to)` the dates select, if any: `month` is the
    /// whole month; `start`/`end` are whole days, `end` included.
    pub fn window(&self) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        let day = |d: chrono::NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
        if let Some(m) = self.month {
            let next = m.checked_add_months(chrono::Months::new(1)).and_then(day);
            return (day(m), next);
        }
        (
            self.start.and_then(day),
            self.end.and_then(|e| e.succ_opt()).and_then(day),
        )
    }
}

/// A report (reference §3.10 `Report`) without its content.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub id: ReportId,
    pub org: OrgId,
    pub name: String,
    /// The §3.10 type (`VULN_SUMMARY`, …).
    pub kind: String,
    /// `PDF`, `HTML` or `CSV`.
    pub format: String,
    pub owner: PrincipalId,
    /// The app it is about (none: every app the owner sees).
    pub app: Option<AppId>,
    pub scan: Option<ScanId>,
    pub params: ReportParams,
    pub status: ReportStatus,
    pub failure_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    /// When it was requested, then when its generation completed (or failed).
    pub generated_date: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> chrono::NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_month_is_its_days_and_end_is_inclusive() {
        let p = ReportParams {
            month: Some(d("2026-02-01")),
            ..Default::default()
        };
        let (a, b) = p.window();
        assert_eq!(a.unwrap().to_rfc3339(), "2026-02-01T00:00:00+00:00");
        assert_eq!(b.unwrap().to_rfc3339(), "2026-03-01T00:00:00+00:00");
        let p = ReportParams {
            start: Some(d("2026-01-10")),
            end: Some(d("2026-01-12")),
            ..Default::default()
        };
        let (a, b) = p.window();
        assert_eq!(a.unwrap().to_rfc3339(), "2026-01-10T00:00:00+00:00");
        assert_eq!(b.unwrap().to_rfc3339(), "2026-01-13T00:00:00+00:00");
    }
}
