//! AppSec+ (reference appsecplus §1.4, §3.1–§3.3): an application's profile (the extra
//! columns of the one `apps` table), imported scans and their findings, and the one status
//! model of AppSec+ vulnerabilities mapped both ways onto the `/ias/v1` statuses.

use crate::ids::*;
use crate::model::{str_enum, Severity};
use crate::scan::VulnStatus;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

str_enum!(
    /// How much an application matters (documented values; default `medium`).
    Criticality {
        Low = "low",
        Medium = "medium",
        High = "high",
        Critical = "critical",
    }
);

// `str_enum!` takes no variant attributes, so no `#[default]`.
#[allow(clippy::derivable_impls)]
impl Default for Criticality {
    fn default() -> Self {
        Criticality::Medium
    }
}

/// What AppSec+ adds to an app. Tags are the app's `/ias/v1` tags (by name).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppProfile {
    pub criticality: Criticality,
    pub owner: Option<String>,
    pub repo_url: Option<String>,
    pub service_url: Option<String>,
    pub language: Option<String>,
    pub business_unit: Option<String>,
    /// Archived apps take no scans and stay readable.
    pub archived: bool,
}

str_enum!(
    /// The AppSec+ scan types; `dast` is an engine scan (`/ias/v1/scans`), the others
    /// import a tool's output.
    PlusScanType {
        Sast = "sast",
        Dast = "dast",
        Sca = "sca",
        Container = "container",
    }
);

str_enum!(
    /// The four documented AppSec+ vulnerability statuses.
    PlusStatus {
        Open = "open",
        InProgress = "in_progress",
        Resolved = "resolved",
        Accepted = "accepted",
    }
);

impl PlusStatus {
    /// Still to be dealt with (what an import may close).
    pub fn is_active(self) -> bool {
        matches!(self, PlusStatus::Open | PlusStatus::InProgress)
    }

    /// The `/ias/v1` status of an AppSec+ status.
    pub fn to_ias(self) -> VulnStatus {
        match self {
            PlusStatus::Open => VulnStatus::Unreviewed,
            PlusStatus::InProgress => VulnStatus::Verified,
            PlusStatus::Resolved => VulnStatus::Remediated,
            PlusStatus::Accepted => VulnStatus::Ignored,
        }
    }

    /// The AppSec+ status of an `/ias/v1` status (false positives and duplicates are
    /// decisions not to fix: `accepted`).
    pub fn from_ias(s: VulnStatus) -> PlusStatus {
        match s {
            VulnStatus::Unreviewed => PlusStatus::Open,
            VulnStatus::Verified => PlusStatus::InProgress,
            VulnStatus::Remediated => PlusStatus::Resolved,
            VulnStatus::Ignored | VulnStatus::FalsePositive | VulnStatus::Duplicate => {
                PlusStatus::Accepted
            }
        }
    }
}

/// The AppSec+ spelling of a severity (`info` for informational and safe).
pub fn plus_severity(s: Severity) -> &'static str {
    match s {
        Severity::Safe | Severity::Informational => "info",
        Severity::Low => "low",
        Severity::Medium => "medium",
        Severity::High => "high",
        Severity::Critical => "critical",
    }
}

/// The AppSec+ severity words, least to most severe ([`plus_severity`]'s image).
pub const PLUS_SEVERITIES: [&str; 5] = ["info", "low", "medium", "high", "critical"];

/// The orders of an AppSec+ vulnerability list (`sort`): by first sighting or by severity,
/// `-` first for descending (the default is `-firstSeen`).
pub const PLUS_FINDING_SORTS: [&str; 4] = ["firstSeen", "-firstSeen", "severity", "-severity"];

/// Parses an AppSec+ severity (`info`, `low`, …, case-insensitive).
pub fn parse_plus_severity(s: &str) -> Option<Severity> {
    Some(match s.to_ascii_lowercase().as_str() {
        "info" | "informational" => Severity::Informational,
        "low" => Severity::Low,
        "medium" => Severity::Medium,
        "high" => Severity::High,
        "critical" => Severity::Critical,
        _ => return None,
    })
}

/// An import of a tool's results into an application.
#[derive(Clone, Debug, PartialEq)]
pub struct PlusScan {
    pub id: PlusScanId,
    pub org: OrgId,
    pub app: AppId,
    pub scan_type: PlusScanType,
    /// The tool names of the imported runs (the re-import scope).
    pub tools: Vec<String>,
    pub format: String,
    pub triggered_by: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Counts: `new`, `unchanged`, `reopened`, `closed`, and the report's findings by severity.
    pub summary: serde_json::Value,
}

/// A finding imported from a tool's output; its identity is (app, scan type, tool,
/// fingerprint).
#[derive(Clone, Debug, PartialEq)]
pub struct PlusFinding {
    pub id: PlusFindingId,
    pub org: OrgId,
    pub app: AppId,
    /// The last import that reported it.
    pub scan: PlusScanId,
    pub scan_type: PlusScanType,
    pub tool: String,
    pub fingerprint: String,
    pub rule_id: String,
    pub title: String,
    pub description: Option<String>,
    pub severity: Severity,
    pub status: PlusStatus,
    pub cwe: Option<String>,
    pub cve: Option<String>,
    pub cvss_score: Option<f64>,
    /// `path:line` of code, or the purl of a component.
    pub location: Option<String>,
    pub remediation: Option<String>,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_through_ias() {
        for s in PlusStatus::ALL {
            assert_eq!(PlusStatus::from_ias(s.to_ias()), *s);
        }
        assert_eq!(
            PlusStatus::from_ias(VulnStatus::FalsePositive),
            PlusStatus::Accepted
        );
    }
}
