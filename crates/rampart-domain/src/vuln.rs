//! Triage of vulnerabilities: their change history and comments.

use crate::ids::*;
use crate::model::str_enum;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

str_enum!(
    /// Who changed a vulnerability.
    UpdateSourceType {
        Scan = "SCAN",
        User = "USER",
        Organization = "ORGANIZATION",
    }
);

str_enum!(
    /// A field whose change the history records.
    ChangeField {
        Severity = "SEVERITY",
        Status = "STATUS",
        VectorString = "VECTOR_STRING",
        VulnerabilityScore = "VULNERABILITY_SCORE",
    }
);

/// Who made a change: a user or the organization (API keys), or a scan (reopening,
/// remediation by a verification scan).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateSource {
    pub kind: UpdateSourceType,
    pub id: Uuid,
}

impl UpdateSource {
    pub fn scan(id: ScanId) -> Self {
        Self {
            kind: UpdateSourceType::Scan,
            id: id.0,
        }
    }
}

/// One changed field, values in their wire spelling.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: ChangeField,
    pub previous: Option<String>,
    pub new: Option<String>,
}

/// One entry of a vulnerability's history: the fields that changed together.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VulnerabilityUpdate {
    pub id: Uuid,
    pub org: OrgId,
    pub vulnerability: VulnerabilityId,
    pub create_time: DateTime<Utc>,
    pub source: UpdateSource,
    pub changes: Vec<FieldChange>,
}

/// A comment on a vulnerability.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VulnerabilityComment {
    pub id: Uuid,
    pub org: OrgId,
    pub vulnerability: VulnerabilityId,
    pub author: PrincipalId,
    pub last_update_author: PrincipalId,
    pub content: String,
    pub create_time: DateTime<Utc>,
    pub update_time: DateTime<Utc>,
}

/// The rank of a severity, `SAFE` = 0 … `CRITICAL` = 5 (the stored `severity_rank`, and
/// the order of the search language's ordered enum).
pub fn severity_rank(s: crate::model::Severity) -> i64 {
    crate::model::Severity::ALL
        .iter()
        .position(|x| *x == s)
        .and_then(|i| i64::try_from(i).ok())
        .unwrap_or(0)
}
