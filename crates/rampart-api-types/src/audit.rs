//! The AppSec+ audit log bodies (appsecplus-api.md §1.3, §1.4 `AuditLogEntry`): camelCase,
//! RFC 3339 UTC times.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// Who acted.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditActor {
    pub id: String,
    /// `user`, `service_account` or `organization`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The shown prefix of the API key used, when one was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
}

/// What was acted on.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditResource {
    /// Singular, snake_case: `app`, `scan_config`, `application`, …
    #[serde(rename = "type")]
    pub kind: String,
    pub id: Option<String>,
}

/// Where from, how, and what changed.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditMetadata {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The request's `r7-correlation-id`.
    pub request_id: String,
    pub method: String,
    /// The route template, e.g. `/ias/v1/apps/{app_id}`.
    pub route: String,
    /// The response status.
    pub status: u16,
    /// `{field: {"old": …, "new": …}}` (dotted paths; secrets `[REDACTED]`); absent when no
    /// state could be read.
    #[schema(value_type = Option<Object>)]
    pub changes: Option<Value>,
}

/// One audit log entry.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditLogEntry {
    pub id: String,
    #[schema(value_type = String, format = DateTime)]
    pub timestamp: DateTime<Utc>,
    pub actor: AuditActor,
    /// `resource.verb`: `app.create`, `scan_config.options.update`, `scan.action`, …
    pub action: String,
    pub resource: AuditResource,
    pub metadata: AuditMetadata,
}

/// `POST /audit-logs/export`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditExportRequest {
    /// `jsonl` (default) or `csv`.
    pub format: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub from: Option<DateTime<Utc>>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub to: Option<DateTime<Utc>>,
}

/// An export of the audit log.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditExport {
    pub id: String,
    /// `processing`, `completed` or `failed` (rampart generates exports when asked: `completed`).
    pub status: String,
    pub format: String,
    pub entries: u64,
    pub download_url: String,
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: DateTime<Utc>,
}

/// The CSV header of an export; each entry is one row in this order.
pub const CSV_COLUMNS: [&str; 13] = [
    "id",
    "timestamp",
    "actor_id",
    "actor_type",
    "credential",
    "action",
    "resource_type",
    "resource_id",
    "method",
    "route",
    "status",
    "ip",
    "request_id",
];

impl AuditLogEntry {
    /// One CSV row (RFC 4180 quoting), then the changes as JSON in a last column.
    pub fn csv_row(&self) -> String {
        let cells = [
            self.id.clone(),
            self.timestamp
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            self.actor.id.clone(),
            self.actor.kind.clone(),
            self.actor.credential.clone().unwrap_or_default(),
            self.action.clone(),
            self.resource.kind.clone(),
            self.resource.id.clone().unwrap_or_default(),
            self.metadata.method.clone(),
            self.metadata.route.clone(),
            self.metadata.status.to_string(),
            self.metadata.ip.clone().unwrap_or_default(),
            self.metadata.request_id.clone(),
            self.metadata
                .changes
                .as_ref()
                .map(Value::to_string)
                .unwrap_or_default(),
        ];
        let mut line = cells
            .iter()
            .map(|c| csv_cell(c))
            .collect::<Vec<_>>()
            .join(",");
        line.push_str("\r\n");
        line
    }

    /// The header line.
    pub fn csv_header() -> String {
        let mut h = CSV_COLUMNS.join(",");
        h.push_str(",changes\r\n");
        h
    }
}

fn csv_cell(s: &str) -> String {
    // A leading = + - @ would be a formula in a spreadsheet: quoted with a ' prefix.
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}
