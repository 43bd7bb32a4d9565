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

/// A member of an app (`/apps/{id}/users`): shown as its id and, for a user, its
/// email; added by `{"id": …}` (a user or service account) or `{"email": …}` (a user).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AppUser {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
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
    #[schema(required = true)]
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
    #[schema(required = true)]
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
    #[schema(required = true)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator: Option<IdRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
}

/// A file of an app (reference §3.9); its content is read and written on its own.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct File {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    /// Required; the extension must fit the type (e.g. SWAGGER: `.json`, `.yaml`, `.yml`).
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Required: `MACRO`, `RECORDED_TRAFFIC`, `SELENIUM`, `WSDL`, `SWAGGER`, `CERTIFICATE`
    /// or `GRAPHQL`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// A locked file can be changed only by its owner.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub locked: Option<bool>,
    /// Read-only: who created it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<IdRef>,
    /// Read-only: whether content was uploaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_available: Option<bool>,
    /// Read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated_by_user: Option<IdRef>,
    /// Read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<String>,
    /// Read-only: the content's size in bytes, once uploaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
}

/// A report request (reference §3.10 `ReportGeneration`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReportGeneration {
    /// Required.
    #[serde(default)]
    pub name: String,
    /// Required: `VULN_SUMMARY`, `VULN_REMEDIATION`, a compliance type
    /// (`OWASP_2021_COMPLIANCE`, `PCI4_COMPLIANCE`, …) or an executive type
    /// (`EXEC_SINGLE_APP_NEW_VULNS`, `EXEC_ALL_APPS_ALL_VULNS`, …).
    #[serde(rename = "type", default)]
    pub kind: String,
    /// Required: `PDF`, `HTML` or `CSV`, as the type allows.
    #[serde(default)]
    pub format: String,
    /// The scan (summary, remediation and compliance reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan: Option<IdRef>,
    /// The app (single-app executive reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<IdRef>,
    /// `yyyy-mm-dd`: only vulnerabilities first discovered on or after this day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// `yyyy-mm-dd`: only vulnerabilities first discovered on or before this day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    /// `yyyy-mm`: only vulnerabilities first discovered in this month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<String>,
    /// A search-language query over vulnerabilities, e.g. `vulnerability.severity = 'HIGH'`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
}

/// A report (reference §3.10 `Report`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Report {
    pub id: Uuid,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub format: String,
    pub owner: IdRef,
    /// When generation completed or failed (while `PROCESSING`: when it was requested).
    pub generated_date: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<IdRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan: Option<IdRef>,
    /// `PROCESSING`, `FAILED` or `COMPLETE`.
    pub status: String,
    /// Why generation failed (`FAILED` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
}

/// An attack template.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AttackTemplate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    #[serde(default)]
    #[schema(required = true)]
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

/// An engine group (§3.7). Engines in no group belong to the conceptual Default group,
/// which has no id and is not listed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EngineGroup {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    #[serde(default)]
    #[schema(required = true)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
}

/// A scan engine (§3.7). `status`, `failure_reason`, `latest_version` and `upgradeable`
/// are read-only; `engine_group` is omitted for the Default group.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Engine {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    #[serde(default)]
    #[schema(required = true)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine_group: Option<IdRef>,
    /// `IDLE`, `SCANNING`, `OFFLINE`, `UPGRADING`, `FAILED` (also `INITIALIZING`,
    /// `LICENSING`, `TERMINATING`, `PARKED` on the wire, never produced by rampart).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `TERMINATION_FAILED`, `INITIALIZATION_FAILED`, `UPGRADE_FAILED`, `GENERAL_FAILURE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub latest_version: Option<bool>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub upgradeable: Option<bool>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub auto_upgrade: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
}

/// `GET`/`PUT /engines/{id}/credential`: the engine's token for `rampart engine --key`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EngineCredential {
    pub api_key: String,
}

/// A scan config.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ScanConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    #[serde(default)]
    #[schema(required = true)]
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

/// `{"parent_scan_id": …}` of a verification scan.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ScanValidation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_scan_id: Option<Uuid>,
}

/// A validation scan of a subset of a parent scan's vulnerabilities.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SpecializedScanParameters {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_scan_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vulnerability_ids: Vec<Uuid>,
}

/// Who submitted a scan: `{"type": "USER"|"ORGANIZATION"|"SCHEDULE", "id": …}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Submitter {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: Uuid,
}

/// A scan: the `POST /scans` request (only `scan_config` is required) and the response.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Scan {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<IdRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan_config: Option<IdRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitter: Option<Submitter>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submit_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion_time: Option<String>,
    /// `PENDING`, `RUNNING`, …, `COMPLETE`, `FAILED` (reference §1.7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation: Option<ScanValidation>,
    /// `REGULAR`, `VERIFICATION` or `INCREMENTAL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub specialized_scan_parameters: Option<SpecializedScanParameters>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
}

/// `PUT /scans/{id}/action` body and `GET` answer: `PAUSE RESUME STOP CANCEL AUTHENTICATE`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ScanActionBody {
    #[serde(default)]
    pub action: String,
}

/// `GET /scans/{id}/execution-details`: live counters.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ScanExecutionDetails {
    pub logged_in: bool,
    pub links_in_queue: i64,
    pub links_crawled: i64,
    pub attacks_in_queue: i64,
    pub attacked: i64,
    pub vulnerable: i64,
    pub requests: i64,
    pub failed_requests: i64,
    pub network_speed: i64,
    pub drip_delay: i64,
    /// What the finished scan could not cover; a rampart extension, absent until the engine
    /// reports it at the scan's end (and when it reached no limit and lost nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<ScanCoverage>,
}

/// What a finished scan could not cover, as its engine reported it (a rampart extension of
/// `execution-details`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ScanCoverage {
    /// The limits reached (`max_requests`, `max_per_pattern`, `probe_budget`, …).
    #[serde(default)]
    pub limits_reached: Vec<String>,
    /// One line per limit reached: which setting, and what it left out.
    #[serde(default)]
    pub limit_details: Vec<String>,
    /// Pages not crawled because their request got no answer, per reason.
    #[serde(default)]
    pub dropped: BTreeMap<String, u64>,
    /// Attack jobs abandoned with their remaining payloads (no answer), per reason.
    #[serde(default)]
    pub abandoned: BTreeMap<String, u64>,
}

/// One engine or platform event of a scan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LogEvent {
    pub time: String,
    pub event: String,
}

/// Where a vulnerability lives.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RootCause {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    pub method: String,
}

/// A raw HTTP exchange (`\r\n` line ends).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Exchange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    pub request: String,
    pub response: String,
}

/// `{"id": "SQLI_01"}`: attack ids are free strings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AttackRef {
    pub id: String,
}

/// One way a vulnerability was shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Variance {
    pub id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_exchange: Option<Exchange>,
    pub module: IdRef,
    pub attack: AttackRef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attack_value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof_description: Option<String>,
    /// How sure the engine is (`LOW`, `MEDIUM`, `HIGH`, `CONFIRMED`); a rampart extension,
    /// absent when the engine did not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<String>,
    #[serde(default)]
    pub references: BTreeMap<String, String>,
    #[serde(default)]
    pub attack_exchanges: Vec<Exchange>,
}

/// A vulnerability (§3.6). Only `severity` and `status` can be changed with `PUT`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Vulnerability {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<IdRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_cause: Option<RootCause>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_discovered: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_discovered: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub newly_discovered: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variances: Vec<Variance>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vector_string: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vulnerability_score: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insight_ui_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_time: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
}

/// One scan's sighting of a vulnerability.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct VulnerabilityDiscovery {
    pub id: Uuid,
    pub vulnerability: IdRef,
    pub scan: IdRef,
    pub discovered: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
}

/// A comment on a vulnerability; `content` (1–5000 characters) is the only input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct VulnerabilityComment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vulnerability: Option<IdRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<IdRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_update_author: Option<IdRef>,
    #[serde(default)]
    pub content: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_time: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
}

/// Who changed a vulnerability: `source_type` `SCAN`, `USER` or `ORGANIZATION`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UpdateSource {
    pub source_id: Uuid,
    pub source_type: String,
}

/// One changed field: `SEVERITY`, `STATUS`, `VECTOR_STRING` or `VULNERABILITY_SCORE`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FieldChange {
    pub field: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_value: Option<String>,
}

/// One element of `GET /vulnerabilities/{id}/history`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct VulnerabilityUpdate {
    pub id: Uuid,
    pub create_time: String,
    pub source: UpdateSource,
    pub changes: Vec<FieldChange>,
}

/// `POST /vulnerabilities/variances/documentation` body.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct VarianceFilterRequest {
    #[serde(default)]
    pub variance_ids: Vec<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan_id: Option<Uuid>,
    #[serde(default)]
    pub vuln_uuids: Vec<Uuid>,
    #[serde(default)]
    pub vuln_ids: Vec<Uuid>,
}

/// The documentation of a variance's attack.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct VarianceDocumentation {
    pub id: Uuid,
    pub references: BTreeMap<String, String>,
    pub description: String,
    pub recommendation: String,
}

/// `frequency` of a schedule or blackout: `type` ONCE, HOURLY, DAILY, WEEKLY or MONTHLY and
/// `interval` (not needed for ONCE).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Frequency {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<i64>,
}

/// A schedule (§3.8): a scan config submitted at each occurrence of `frequency` or `rrule`
/// (exactly one), from `first_start` (§2.3 forms; a `[Zone/Id]` suffix names the zone the
/// occurrences are computed in) until `last_start` (`""` or null: none).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Schedule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    #[serde(default)]
    #[schema(required = true)]
    pub name: String,
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan_config: Option<IdRef>,
    /// Read-only: the scan config's app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<IdRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_start: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_start: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<Frequency>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub rrule: Option<String>,
    /// Read-only: when the next scan is due (none while disabled or finished).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_run_time: Option<String>,
    /// Read-only: the occurrence that fired last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_run_time: Option<String>,
    /// Read-only: why the platform disabled the schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
}

/// A blackout (quiet window) of one app (`scope` `APP`) or of the organization (`GLOBAL`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Blackout {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    #[serde(default)]
    pub name: String,
    /// Read-only: `APP` with an app, `GLOBAL` without.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Required; `"true"`/`"false"` strings are accepted.
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub enabled: Option<bool>,
    /// Read-only: whether one of its windows covers the time it was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<IdRef>,
    /// §2.3 forms, a zone in brackets included: `2019-08-12T14:00:00.000000Z[Asia/Tokyo]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_start: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_end: Option<String>,
    /// `""` or `null`: open-ended.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_start: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<Frequency>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub rrule: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
}
