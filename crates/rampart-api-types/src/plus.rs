//! Wire shapes of the AppSec+ applications, scans and vulnerabilities (reference
//! appsecplus §1.4, camelCase members, RFC 3339 times, bare arrays for lists).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An application. `criticality` is `low`, `medium` (default), `high` or `critical`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    pub id: uuid::Uuid,
    pub name: String,
    pub description: Option<String>,
    pub criticality: String,
    pub owner: Option<String>,
    pub repo_url: Option<String>,
    pub service_url: Option<String>,
    pub language: Option<String>,
    pub business_unit: Option<String>,
    pub tags: Vec<String>,
    pub archived: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// `POST /applications` and `PUT /applications/{id}` (a full overwrite: an absent
/// optional member is cleared). Unknown members are ignored.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationWrite {
    pub name: String,
    pub description: Option<String>,
    pub criticality: Option<String>,
    pub owner: Option<String>,
    pub repo_url: Option<String>,
    pub service_url: Option<String>,
    pub language: Option<String>,
    pub business_unit: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// Finding counts of a scan, and on imports what the import changed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScanSummary {
    pub total_findings: u64,
    pub critical: u64,
    pub high: u64,
    pub medium: u64,
    pub low: u64,
    pub info: u64,
    pub new: u64,
    pub unchanged: u64,
    pub reopened: u64,
    pub closed: u64,
}

/// A scan: `dast` scans are `/ias/v1` engine scans; `sast`, `sca` and `container` scans
/// are imports (status `completed` once stored).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Scan {
    pub id: uuid::Uuid,
    pub application_id: uuid::Uuid,
    /// `sast`, `dast`, `sca` or `container`.
    pub scan_type: String,
    /// `queued`, `running`, `completed` or `failed`.
    pub status: String,
    pub triggered_by: Option<String>,
    /// `import` or `engine`.
    pub source: String,
    /// Import format: `sarif`, `cyclonedx` (JSON or XML) or `spdx`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    pub tools: Vec<String>,
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
    pub summary: ScanSummary,
    /// The gate policies' verdict, judged once when the scan completed (absent until then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_evaluation: Option<ScanPolicyEvaluation>,
}

/// The verdict of the enabled gate policies that cover a completed scan's application,
/// over the application's findings when the scan completed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScanPolicyEvaluation {
    /// `pass`, `warn` or `fail`: the worst verdict (`pass` when no gate policy covers the
    /// application).
    pub result: String,
    pub evaluated_at: String,
    /// How many gate policies judged the scan.
    pub evaluated_policies: u64,
    /// The policies whose verdict is not `pass`.
    pub violations: Vec<PolicyViolation>,
}

/// A gate policy that warned (`monitor`) or failed (`block`) a scan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyViolation {
    pub policy_id: uuid::Uuid,
    pub policy_name: String,
    /// `block` or `monitor`.
    pub action: String,
    /// `warn` or `fail`.
    pub result: String,
    /// Findings that matched its conditions.
    pub matched: u64,
    /// The matching findings (at most 100).
    pub vulnerability_ids: Vec<uuid::Uuid>,
    pub reason: String,
}

/// `POST /scans` (JSON; a `dast` scan of the app's scan config).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScanTrigger {
    pub application_id: Option<uuid::Uuid>,
    pub scan_type: String,
    pub triggered_by: Option<String>,
    /// The `/ias/v1` scan config to run (default: the app's only one).
    pub scan_config_id: Option<uuid::Uuid>,
}

/// A dry-run import: what a real one would change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportPreview {
    pub dry_run: bool,
    pub total_findings: u64,
    pub new: u64,
    pub unchanged: u64,
    pub reopened: u64,
    pub closed: u64,
}

/// A vulnerability of any scan type. `status` is `open`, `in_progress`, `resolved` or
/// `accepted` (mapped both ways onto the `/ias/v1` statuses).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Vulnerability {
    pub id: uuid::Uuid,
    pub application_id: uuid::Uuid,
    pub scan_id: Option<uuid::Uuid>,
    pub scan_type: String,
    pub title: String,
    pub description: Option<String>,
    /// `info`, `low`, `medium`, `high` or `critical`.
    pub severity: String,
    pub status: String,
    pub cwe: Option<String>,
    pub cve: Option<String>,
    pub cvss_score: Option<f64>,
    pub remediation: Option<String>,
    pub tool: Option<String>,
    pub rule_id: Option<String>,
    /// Stable identity across imports (hex SHA-256).
    pub fingerprint: Option<String>,
    /// `path:line`, a purl, or the URL of a DAST finding.
    pub location: Option<String>,
    pub first_seen_at: String,
    pub last_seen_at: String,
    pub created_at: String,
    pub updated_at: String,
    /// When it must be fixed: the earliest due date of the enabled SLA policies that cover
    /// it (first seen + the policy's days for its severity); absent when none does.
    pub sla_due_at: Option<String>,
    /// Past `slaDueAt` and still `open` or `in_progress`.
    #[serde(default)]
    pub sla_breached: bool,
    /// The source named a fix: an `sca` or `container` finding with a remediation (a
    /// CycloneDX `recommendation`, an SPDX `fix` reference).
    #[serde(default)]
    pub fix_available: bool,
}

/// `PATCH /vulnerabilities/{id}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct VulnerabilityPatch {
    pub status: String,
}

/// A gate policy's conditions. `vulnerabilitySeverity` (the docs) and `minSeverity` (the
/// OpenAPI) are one threshold: either is accepted (two given must name the same severity),
/// both are written (contradiction C4).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyConditions {
    #[serde(default)]
    pub application_ids: Vec<uuid::Uuid>,
    pub vulnerability_severity: Option<String>,
    pub min_severity: Option<String>,
    /// `sast`, `dast`, `sca`, `container`; empty: any.
    #[serde(default)]
    pub scan_types: Vec<String>,
    /// Default `open` and `in_progress`.
    #[serde(default)]
    pub statuses: Vec<String>,
    /// `CWE-89`; empty: any.
    #[serde(default)]
    pub cwe: Vec<String>,
    /// Only findings first seen at least this many days ago.
    #[serde(default, deserialize_with = "crate::lenient::opt_u32")]
    pub min_age_days: Option<u32>,
    /// How many matching findings are allowed (default 0).
    #[serde(default, deserialize_with = "crate::lenient::count")]
    pub max_count: u64,
    /// Only findings with (true) or without (false) a known fix (`fixAvailable`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix_available: Option<bool>,
    /// Only findings of applications with at least one of these tags (any case); empty:
    /// any application.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// What a `triage` policy does to the findings its conditions match, across every
/// application in scope: give them `status` (`accepted` suppresses; `in_progress`,
/// `resolved` and `open` are status changes) with a justification, until `until` (then
/// each finding it changed, and nobody changed since, gets its earlier status back).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyTriage {
    pub status: String,
    pub justification: String,
    /// RFC 3339; absent: no expiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
}

/// One change a triage policy made (`GET /policies/{id}/changes`): the audit trail.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TriageChange {
    pub id: uuid::Uuid,
    pub policy_id: uuid::Uuid,
    pub policy_name: String,
    pub vulnerability_id: uuid::Uuid,
    pub previous_status: String,
    pub status: String,
    pub justification: String,
    pub applied_at: String,
    /// When the policy's expiry ended it.
    pub ended_at: Option<String>,
    /// `reverted` (the earlier status is back) or `kept` (someone changed the finding
    /// since, so it was left alone).
    pub end: Option<String>,
}

/// Days to fix per severity, counted from a finding's first sighting (an SLA policy). An
/// absent member takes DefectDojo's default: critical 7, high 30, medium 90, low 120, info
/// none.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicySla {
    // Each a whole number, also written as a float (`31.0`), as `minAgeDays` is read.
    #[serde(default, deserialize_with = "crate::lenient::opt_u32")]
    #[schema(minimum = 1, maximum = 3650)]
    pub critical_days: Option<u32>,
    #[serde(default, deserialize_with = "crate::lenient::opt_u32")]
    #[schema(minimum = 1, maximum = 3650)]
    pub high_days: Option<u32>,
    #[serde(default, deserialize_with = "crate::lenient::opt_u32")]
    #[schema(minimum = 1, maximum = 3650)]
    pub medium_days: Option<u32>,
    #[serde(default, deserialize_with = "crate::lenient::opt_u32")]
    #[schema(minimum = 1, maximum = 3650)]
    pub low_days: Option<u32>,
    #[serde(default, deserialize_with = "crate::lenient::opt_u32")]
    #[schema(minimum = 1, maximum = 3650)]
    pub info_days: Option<u32>,
}

/// A policy. `type` `gate`: its conditions gate (`action` `allow`, `block` or `monitor`);
/// `sla`: it gives the findings it covers a due date (`slaDueAt` on vulnerabilities) and its
/// evaluation counts only the findings past it; `triage`: it sets the status of the
/// findings it matches, when created or changed, after every scan or import, and when
/// evaluated (see `triage`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    pub id: uuid::Uuid,
    pub name: String,
    pub description: Option<String>,
    /// `gate`, `sla` or `triage`.
    #[serde(rename = "type")]
    pub kind: String,
    pub action: String,
    pub enabled: bool,
    pub conditions: PolicyConditions,
    /// The days to fix of an `sla` policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla: Option<PolicySla>,
    /// What a `triage` policy does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub triage: Option<PolicyTriage>,
    pub created_at: String,
    pub updated_at: String,
}

/// `POST /policies`, `PUT /policies/{id}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyWrite {
    pub name: String,
    pub description: Option<String>,
    /// `gate` (default), `sla` (default when `sla` is given) or `triage` (default when
    /// `triage` is given).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The days to fix of an `sla` policy (absent members take the defaults).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla: Option<PolicySla>,
    /// What a `triage` policy does (required for one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub triage: Option<PolicyTriage>,
    pub action: String,
    /// Default true.
    pub enabled: Option<bool>,
    #[serde(default)]
    pub conditions: PolicyConditions,
}

/// `POST /policies/{id}/evaluate` body (optional).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyEvaluateRequest {
    /// Evaluate one application's findings (default: every visible application).
    pub application_id: Option<uuid::Uuid>,
}

/// The verdict and the findings that decided it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyEvaluation {
    pub policy_id: uuid::Uuid,
    /// `pass`, `warn` (a `monitor` policy over its threshold) or `fail`.
    pub result: String,
    /// Findings that matched the conditions.
    pub matched: u64,
    /// Findings read.
    pub evaluated: u64,
    /// The matching findings when the result is not `pass` (at most 100 in full).
    pub deciding_findings: Vec<Vulnerability>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_counts_may_be_written_as_floats() {
        let w: PolicyWrite = serde_json::from_str(
            r#"{"name": "p", "action": "block", "conditions": {"maxCount": 34.0, "minAgeDays": 7.0}}"#,
        )
        .expect("whole floats");
        assert_eq!(w.conditions.max_count, 34);
        assert_eq!(w.conditions.min_age_days, Some(7));
    }
}
