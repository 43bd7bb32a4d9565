//! Wire shapes of AppSec+ connectors (reference appsecplus §1.4 C1, §3.5): one resource
//! with a `kind`. Integrations carry `type`, `config` and write-only `secrets` (reads name
//! the secret members set in `secretFields`, never their values); agents (rampart's
//! engines) carry `health`, `version`, `lastSeenAt`, `group`, `autoUpgrade`, `currentJobs`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A connector. `kind`: `integration` or `agent`. `status`: `active`, `inactive` or
/// `error`; for an agent it follows `health` (`online` → active, `offline` → inactive,
/// `degraded` → error).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Connector {
    pub id: uuid::Uuid,
    pub name: String,
    pub kind: String,
    /// An integration's type (`GET /connector-types`); `rampart-engine` for an agent.
    #[serde(rename = "type")]
    pub kind_type: String,
    pub status: String,
    /// `online`, `offline` or `degraded` (agents only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<String>,
    /// `notify`, `ticketing` (integrations); `dast` (agents).
    pub capabilities: Vec<String>,
    /// Whether rampart acts on this type yet (placeholders store and check their config).
    pub implemented: bool,
    /// The non-secret configuration (integrations).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub config: serde_json::Map<String, serde_json::Value>,
    /// The secret members that are set (their values are never returned).
    #[serde(default)]
    pub secret_fields: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_sync_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<ConnectorError>,
    /// The version an agent reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// An agent's last heartbeat.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen_at: Option<String>,
    /// An agent's engine group (absent: the Default group).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<uuid::Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_upgrade: Option<bool>,
    /// Scans an agent runs now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_jobs: Option<u32>,
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConnectorError {
    pub at: String,
    pub message: String,
}

/// `POST /connectors` (201, with `registrationToken` for an agent, shown once) and
/// `PUT /connectors/{id}` (overwrites; `secrets` members absent are kept, `null` removes).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConnectorWrite {
    pub name: String,
    /// `integration` (default) or `agent`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// An integration's type (required for one).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind_type: Option<String>,
    /// `active` (default) or `inactive`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub config: serde_json::Map<String, serde_json::Value>,
    /// Write-only secret members (`secretRefs`): stored sealed, never returned.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub secrets: serde_json::Map<String, serde_json::Value>,
    /// An agent's engine group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<uuid::Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_upgrade: Option<bool>,
}

/// The answer of `POST /connectors`: the connector, and an agent's registration token
/// (its engine credential: `rampart engine --key …`), shown this once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewConnector {
    #[serde(flatten)]
    pub connector: Connector,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_token: Option<String>,
}

/// The answer of `POST /connectors/{id}/test`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConnectorTest {
    pub ok: bool,
    pub message: String,
    /// The receiver's HTTP status (a webhook connector that answered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_status: Option<u16>,
    /// The connector after the test.
    pub connector: Connector,
}

/// One member of a connector type's config.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConnectorField {
    pub name: String,
    pub required: bool,
    /// Written in `secrets`, never returned.
    pub secret: bool,
    /// `uri` or `string`.
    pub format: String,
    pub description: String,
}

/// A connector type's contract (`GET /connector-types`, `GET /connector-types/{type}`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConnectorTypeInfo {
    pub name: String,
    /// `integration`.
    pub kind: String,
    pub description: String,
    pub capabilities: Vec<String>,
    pub implemented: bool,
    pub fields: Vec<ConnectorField>,
}
