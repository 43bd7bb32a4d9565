//! `/ias/v1` bodies (reference §3).

use crate::lenient;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// A hypermedia link.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Link {
    pub rel: String,
    pub href: String,
}

impl Link {
    pub fn new(rel: &str, href: String) -> Self {
        Self {
            rel: rel.to_string(),
            href,
        }
    }
}

/// `{"id": "<uuid>"}`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct IdRef {
    pub id: Uuid,
}

/// Page metadata.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PageMetadata {
    pub index: u64,
    pub size: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
    pub total_data: u64,
    pub total_pages: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_token: Option<String>,
}

/// The pagination envelope of every collection.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub metadata: PageMetadata,
    pub links: Vec<Link>,
}

/// Kind of a validation problem.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum ValidationErrorType {
    Object,
    Property,
}

/// One validation problem.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ValidationError {
    #[serde(rename = "type")]
    pub kind: ValidationErrorType,
    pub context: String,
    pub explanation: String,
}

/// The error body of every 4xx/5xx (§10.1): `status` like `"404 NOT_FOUND"`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub status: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<ValidationError>>,
}

/// `GET /validate`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Message {
    pub message: String,
}

/// An app.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct App {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
}

/// An allow-listed target domain.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Target {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    #[serde(default)]
    pub domain: String,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub enabled: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub archived: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
}

/// A tag.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Tag {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator: Option<IdRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
}

/// An attack template.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AttackTemplate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub system_defined: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub browser_encoding_enabled: Option<bool>,
    /// `SEQUENTIAL`, `SMART` or `RANDOMIZED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attack_prioritization: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub advanced_attacks_enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub false_positive_regex: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
}

/// A module's settings inside an attack template.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AttackModule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module_config_id: Option<Uuid>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub enabled: Option<bool>,
    #[serde(default)]
    pub parameter_locations: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_findings: Option<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
}

/// A module's default settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ModuleConfig {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub types: Vec<String>,
    pub max_findings: i64,
    pub severity: String,
    pub parameter_locations: Vec<String>,
}

/// A module of the engine.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ModuleMetadata {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub links: Vec<Link>,
}

/// An attack of a module.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AttackMetadata {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub class: String,
    pub description: String,
    pub links: Vec<Link>,
}

/// The documentation of an attack.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AttackDocumentation {
    pub references: BTreeMap<String, String>,
    pub description: String,
    pub recommendation: String,
}

/// Where a scan config's scans run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EngineAssignment {
    #[serde(rename = "type", default = "engine_group")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    #[serde(default)]
    pub environment: String,
}

fn engine_group() -> String {
    "ENGINE_GROUP".to_string()
}

/// A scan config.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ScanConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<IdRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attack_template: Option<IdRef>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub incremental: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment: Option<EngineAssignment>,
    /// Read-only: the problems a scan of this config would fail on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
}

/// The options document of a scan config (reference Appendix A); free-form JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct ScanConfigOptions(pub Value);

/// `POST /search` body.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SearchRequest {
    /// `APP`, `SCAN_CONFIG`, `TARGET`, `ATTACK_TEMPLATE`, `TAG`, … (see the search catalogue).
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The query, e.g. `app.name='shop' && app.description CONTAINS 'x'`.
    #[serde(default)]
    pub query: String,
}
