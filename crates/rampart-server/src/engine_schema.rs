//! OpenAPI schemas of the `/engine/v1` bodies (`rampart_protocol::wire`).
//!
//! The protocol crate stays free of utoipa (the service depends on it, and utoipa brings
//! axum), so the schemas are declared here, field for field; `tests/it/openapi.rs` checks
//! that every property of each schema is exactly a field the real type serialises, so the
//! two cannot drift apart silently.

#![allow(dead_code)]

use utoipa::ToSchema;

/// A module the job's attack template enables.
#[derive(ToSchema)]
#[schema(as = EngineJobModule)]
pub struct JobModule {
    #[schema(value_type = uuid::Uuid)]
    module: String,
    /// `SAFE`, `INFORMATIONAL`, `LOW`, `MEDIUM`, `HIGH`, `CRITICAL`.
    severity: String,
    max_findings: i64,
    /// `QUERY`, `POST`, `COOKIE`, …
    parameter_locations: Vec<String>,
}

/// A root cause: what a vulnerability is unique by within a module.
#[derive(ToSchema)]
#[schema(as = EngineRootCause)]
pub struct RootCause {
    url: String,
    parameter: Option<String>,
    method: String,
}

/// One scope rule, matched against the full URL.
#[derive(ToSchema)]
#[schema(as = EngineScopeRule)]
pub struct ScopeRule {
    /// `INCLUDE` or `EXCLUDE`.
    kind: String,
    /// `LITERAL`, `WILDCARD` or `REGEX`.
    matcher: String,
    pattern: String,
    /// Upper-case HTTP method, or null for all.
    method: Option<String>,
}

/// Limits the options set; null keeps the engine's default.
#[derive(ToSchema)]
#[schema(as = EngineRecipeLimits)]
pub struct RecipeLimits {
    max_scan_minutes: Option<u64>,
    max_crawl_results: Option<u64>,
    max_concurrent_requests: Option<u64>,
    drip_delay_ms: Option<u64>,
    max_response_bytes: Option<u64>,
    read_timeout_ms: Option<u64>,
}

/// FORM authentication.
#[derive(ToSchema)]
#[schema(as = EngineRecipeLogin)]
pub struct RecipeLogin {
    url: String,
    username: String,
    password: String,
    logged_in_regex: Option<String>,
    session_loss_regex: Option<String>,
}

/// A file's name, type and content as handed to the engine.
#[derive(ToSchema)]
#[schema(as = EngineRecipeFile)]
pub struct RecipeFileContent {
    name: String,
    /// `SWAGGER`, `GRAPHQL`, `RECORDED_TRAFFIC`, `CERTIFICATE`, `SELENIUM`, `MACRO`, `WSDL`.
    #[schema(rename = "type")]
    kind: String,
    /// The content, standard base64.
    #[schema(format = Byte)]
    content: String,
}

/// A SWAGGER, GRAPHQL or RECORDED_TRAFFIC file that seeds the scan.
#[derive(ToSchema)]
#[schema(as = EngineRecipeDefinition)]
pub struct RecipeDefinition {
    file: RecipeFileContent,
    /// Where the definition's requests go (absent: what the file says).
    endpoint: Option<String>,
    /// GraphQL only: `POST` or `GET`.
    verb: Option<String>,
}

/// A PKCS#12 client certificate and its password.
#[derive(ToSchema)]
#[schema(as = EngineRecipeCertificate)]
pub struct RecipeCertificate {
    file: RecipeFileContent,
    password: String,
}

/// A scan's options compiled once at submit (`rampart_domain::plan::Recipe`).
#[derive(ToSchema)]
#[schema(as = EngineRecipe)]
pub struct Recipe {
    /// Crawl seeds, then the in-scope root causes a verification scan re-checks.
    seeds: Vec<String>,
    /// Ordered scope rules.
    scope: Vec<ScopeRule>,
    /// The organization's enabled target domains at submit.
    allowed_domains: Vec<String>,
    limits: RecipeLimits,
    /// Custom headers as `[name, value]` pairs.
    #[schema(value_type = Vec<Vec<String>>)]
    headers: Vec<(String, String)>,
    cookie: Option<String>,
    user_agent: Option<String>,
    logout_regex: Option<String>,
    login: Option<RecipeLogin>,
    out_of_band_host: Option<String>,
    /// Settings the engine cannot honour, sent as scan events.
    notes: Vec<String>,
    /// API definitions and recorded traffic that seed the scan (absent when none).
    definitions: Option<Vec<RecipeDefinition>>,
    /// The client TLS certificate (absent when none).
    client_certificate: Option<RecipeCertificate>,
    /// A recorded login sequence (SELENIUM or MACRO; absent when none).
    login_script: Option<RecipeFileContent>,
}

/// Everything a worker needs to run one scan (the answer to a claim).
#[derive(ToSchema)]
#[schema(as = EngineJobSpec)]
pub struct JobSpec {
    #[schema(value_type = uuid::Uuid)]
    scan: String,
    #[schema(value_type = uuid::Uuid)]
    org: String,
    #[schema(value_type = uuid::Uuid)]
    app: String,
    #[schema(value_type = uuid::Uuid)]
    scan_config: String,
    /// `REGULAR`, `VERIFICATION`, `INCREMENTAL`.
    scan_type: String,
    /// Claims of this job so far, this one included.
    attempt: u32,
    /// How long the lease lasts without a heartbeat.
    lease_seconds: u64,
    /// The scan's options as compiled at submit.
    recipe: Recipe,
    modules: Vec<JobModule>,
    /// Root causes a verification scan re-checks.
    verify: Vec<RootCause>,
    /// Opaque engine state of the previous lease holder.
    checkpoint: Option<String>,
}

/// Live counters of a running scan.
#[derive(ToSchema)]
#[schema(as = EngineExecutionDetails)]
pub struct ExecutionDetails {
    logged_in: bool,
    links_in_queue: i64,
    links_crawled: i64,
    attacks_in_queue: i64,
    attacked: i64,
    vulnerable: i64,
    requests: i64,
    failed_requests: i64,
    network_speed: i64,
    drip_delay: i64,
}

/// What a worker reports on each heartbeat.
#[derive(ToSchema)]
#[schema(as = EngineHeartbeat)]
pub struct Heartbeat {
    /// The worker's status: `RUNNING`, `PAUSED`, `AUTHENTICATING`, …
    status: String,
    details: ExecutionDetails,
    checkpoint: Option<String>,
    /// Sent with the last heartbeat: what the finished scan could not cover.
    coverage: Option<Coverage>,
}

/// What a finished scan could not cover: the limits reached (with one line each of what
/// they left out), the pages dropped and attack jobs abandoned for want of an answer.
#[derive(ToSchema)]
#[schema(as = EngineCoverage)]
pub struct Coverage {
    limits_reached: Vec<String>,
    limit_details: Vec<String>,
    dropped: std::collections::BTreeMap<String, u64>,
    abandoned: std::collections::BTreeMap<String, u64>,
}

/// The answer to a heartbeat or an action long-poll.
#[derive(ToSchema)]
#[schema(as = EngineActionReply)]
pub struct ActionReply {
    /// `PAUSE`, `RESUME`, `STOP`, `CANCEL`, `AUTHENTICATE`, or null.
    action: Option<String>,
}

/// One engine event.
#[derive(ToSchema)]
#[schema(as = EngineJobEvent)]
pub struct JobEvent {
    #[schema(value_type = String, format = DateTime)]
    time: String,
    event: String,
}

/// One confirmed finding.
#[derive(ToSchema)]
#[schema(as = EngineFinding)]
pub struct Finding {
    #[schema(value_type = uuid::Uuid)]
    module: String,
    root_cause: RootCause,
    severity: String,
    vulnerability_score: Option<f64>,
    #[schema(value_type = String, format = DateTime)]
    discovered: String,
    vector_string: Option<String>,
    /// Attack variances (attack, proof, exchanges).
    #[schema(value_type = Vec<Object>)]
    variances: Vec<String>,
}

/// A batch of confirmed findings; a batch id seen before changes nothing.
#[derive(ToSchema)]
#[schema(as = EngineFindingBatch)]
pub struct FindingBatch {
    batch_id: String,
    findings: Vec<Finding>,
}

/// How a job ended: `{"outcome": "COMPLETED", "partial": false}`, `STOPPED`, `CANCELED`,
/// or `{"outcome": "FAILED", "reason": "TARGETS_INVALID", "message": "…"}`.
#[derive(ToSchema)]
#[schema(as = EngineJobOutcome)]
pub struct JobOutcome {
    /// `COMPLETED`, `STOPPED`, `CANCELED`, `FAILED`.
    outcome: String,
    /// COMPLETED only: a budget cut the scan short.
    partial: Option<bool>,
    /// FAILED only: the failure reason.
    reason: Option<String>,
    /// FAILED only.
    message: Option<String>,
}
