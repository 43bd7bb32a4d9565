//! AppSec+ connectors (reference appsecplus §1.4 C1, §3.5): one resource with a `kind`.
//! Agents are rampart's remote engines (their health comes from heartbeats; they are
//! stored as engines, not here). Integrations are stored here: a `type` from
//! [`CONNECTOR_TYPES`], its non-secret `config` and its secrets sealed with the server key.
//! [`ConnectorType`] is the one contract of each type: its config members, which of them
//! are secret, what it can do, and whether rampart acts on it yet.

use crate::ids::*;
use crate::model::str_enum;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

str_enum!(
    /// What a connector is: the kinds rampart accepts, and so the ones its OpenAPI document
    /// lists. The reference's other two (contradiction C1: one resource, four kinds) have no
    /// counterpart: rampart's scanners are its engines (`agent`), and it has no proxy.
    ConnectorKind {
        Integration = "integration",
        Agent = "agent",
    }
);

impl ConnectorKind {
    /// Why a kind was refused (422 naming `kind`).
    pub fn refusal() -> String {
        let names: Vec<&str> = Self::ALL.iter().map(|k| k.as_str()).collect();
        format!(
            "must be one of {} (rampart's scanners are its engines: kind agent)",
            names.join(", ")
        )
    }
}

str_enum!(
    /// An integration's state: set by its owner (`active`/`inactive`), or `error` after
    /// a failed test.
    ConnectorStatus {
        Active = "active",
        Inactive = "inactive",
        Error = "error",
    }
);

str_enum!(
    /// An agent's health, from its heartbeats.
    ConnectorHealth {
        Online = "online",
        Offline = "offline",
        Degraded = "degraded",
    }
);

/// One member of a connector type's config.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConfigField {
    pub name: &'static str,
    pub required: bool,
    /// Written in `secrets`, sealed, never read back.
    pub secret: bool,
    /// Must be an absolute `https` URL (or `http` where the server allows it).
    pub url: bool,
    pub description: &'static str,
}

/// The contract of one integration type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectorType {
    pub name: &'static str,
    pub description: &'static str,
    /// `notify`, `ticketing`.
    pub capabilities: &'static [&'static str],
    pub fields: &'static [ConfigField],
    /// rampart acts on it (`webhook`); `false`: a placeholder that stores and checks its
    /// configuration by the documented contract, and whose test says it is not acted on.
    pub implemented: bool,
}

const fn field(
    name: &'static str,
    required: bool,
    secret: bool,
    url: bool,
    description: &'static str,
) -> ConfigField {
    ConfigField {
        name,
        required,
        secret,
        url,
        description,
    }
}

/// The integration types and their contracts.
pub const CONNECTOR_TYPES: &[ConnectorType] = &[
    ConnectorType {
        name: "webhook",
        description: "POSTs a signed JSON body to a receiver (the test sends a `connector.test` ping, signed like webhook deliveries when a secret is set)",
        capabilities: &["notify"],
        fields: &[
            field("url", true, false, true, "the receiver's URL"),
            field("secret", false, true, false, "signs the body: X-Rampart-Signature v1=HMAC-SHA256(secret, timestamp.body)"),
        ],
        implemented: true,
    },
    ConnectorType {
        name: "jira",
        description: "Jira Cloud or Data Center issues for vulnerabilities (placeholder: stored and checked, no issue is created yet)",
        capabilities: &["ticketing"],
        fields: &[
            field("baseUrl", true, false, true, "the site, e.g. https://example.atlassian.net"),
            field("projectKey", true, false, false, "the project issues go to, e.g. SEC"),
            field("issueType", false, false, false, "default Bug"),
            field("email", false, false, false, "the account of an API token (Jira Cloud)"),
            field("apiToken", true, true, false, "an API token or personal access token"),
        ],
        implemented: false,
    },
    ConnectorType {
        name: "servicenow",
        description: "ServiceNow records for vulnerabilities (placeholder: stored and checked, no record is created yet)",
        capabilities: &["ticketing"],
        fields: &[
            field("instanceUrl", true, false, true, "e.g. https://example.service-now.com"),
            field("table", false, false, false, "default incident"),
            field("username", true, false, false, "the integration user"),
            field("password", true, true, false, "the integration user's password"),
        ],
        implemented: false,
    },
];

impl ConnectorType {
    pub fn find(name: &str) -> Option<&'static ConnectorType> {
        CONNECTOR_TYPES.iter().find(|t| t.name == name)
    }

    pub fn field(&self, name: &str) -> Option<&'static ConfigField> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// A stored integration connector.
#[derive(Clone, Debug, PartialEq)]
pub struct Connector {
    pub id: ConnectorId,
    pub org: OrgId,
    pub name: String,
    /// One of [`CONNECTOR_TYPES`].
    pub kind_type: String,
    pub status: ConnectorStatus,
    /// The non-secret config members (a JSON object of strings).
    pub config: serde_json::Map<String, serde_json::Value>,
    /// The secret members as a JSON object, sealed with the server key; `None`: none.
    pub secrets_sealed: Option<String>,
    /// The names of the secret members set (readable: which are set, never their values).
    pub secret_names: Vec<String>,
    pub last_sync_at: Option<DateTime<Utc>>,
    pub last_error_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
