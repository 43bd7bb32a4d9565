//! The OpenAPI document, generated from the route annotations (never hand-written).

use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, Schema};
use utoipa::{Modify, OpenApi as _};

mod examples;
mod lenient;
mod write;

#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "rampart InsightAppSec-compatible API", version = "v1",
        description = "Wire-compatible with Rapid7 InsightAppSec `/ias/v1`. Authenticate with `X-Api-Key` or `Authorization: Bearer` (an OAuth 2.0 client-credentials token from `POST /oauth/token`). \
Collections page with `index`/`size`/`sort`/`page-token`. Search precedence: `&&` binds tighter than `||`."),
    modifiers(&Security),
    security(("api_key" = []), ("bearer" = []))
)]
struct Doc;

struct Security;

impl Modify for Security {
    fn modify(&self, api: &mut OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-Api-Key"))),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "An RFC 9068 access token from POST /oauth/token (client credentials)",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "engine",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An engine credential (`rampart engine`, `GET /ias/v1/engines/{id}/credential`): \
                         only the /engine/v1 job protocol accepts it",
                    ))
                    .build(),
            ),
        );
    }
}

pub(crate) fn base() -> OpenApi {
    Doc::openapi()
}

/// The complete document of every route (what `/ias/v1/openapi.json` serves).
pub fn openapi() -> OpenApi {
    finish(crate::routes::router().split_for_parts().1)
}

/// Paths that take no credential: the operational probes, OAuth discovery and the token
/// endpoint (which authenticates the client itself).
const OPEN: &[&str] = &[
    "/healthz",
    "/readyz",
    "/.well-known/jwks.json",
    "/.well-known/oauth-authorization-server",
    "/oauth/token",
];

/// What the route annotations cannot say on their own, applied to the generated document so
/// that client generators accept it: every `operationId` unique (utoipa names an operation
/// after its handler, and `list`, `get`, … repeat across resources: a repeated name becomes
/// the name plus the resource path, e.g. `list` on `/ias/v1/apps` → `listApps`), no
/// security on the open paths, the engine credential on `/engine/v1`, the error answers
/// every route shares (see [`errors`]), an example of every JSON request body (see
/// [`examples`]), and the request bodies that read booleans leniently (see [`lenient`]).
pub(crate) fn finish(mut api: OpenApi) -> OpenApi {
    use std::collections::{HashMap, HashSet};
    let mut count: HashMap<String, usize> = HashMap::new();
    for item in api.paths.paths.values() {
        for op in operations(item) {
            if let Some(id) = &op.operation_id {
                *count.entry(id.clone()).or_default() += 1;
            }
        }
    }
    let mut taken: HashSet<String> = count
        .iter()
        .filter(|(_, n)| **n == 1)
        .map(|(id, _)| id.clone())
        .collect();
    for (path, item) in api.paths.paths.iter_mut() {
        let open = OPEN.contains(&path.as_str());
        let family = Family::of(path);
        let path_params = path.contains('{');
        for (method, op) in operations_mut(item) {
            if open {
                op.security = Some(vec![]);
            }
            if family == Some(Family::Engine) {
                op.security = Some(vec![SecurityRequirement::new(
                    "engine",
                    Vec::<String>::new(),
                )]);
            }
            if let Some(family) = family {
                errors(op, family, path_params);
            }
            if path == "/ias/v1/reports/{id}" && method == "get" {
                metadata_or_content(
                    op,
                    "Report",
                    "The report's metadata (JSON) or, as `Accept` asks, its content",
                    &["application/pdf", "application/zip", "text/csv"],
                );
            }
            if path == "/ias/v1/apps/{id}/files/{file_id}" && method == "get" {
                metadata_or_content(
                    op,
                    "File",
                    "The file's metadata (JSON) or, with `Accept: application/octet-stream`, its content",
                    &["application/octet-stream"],
                );
            }
            if path.ends_with("/scans") && method == "post" && family == Some(Family::Plus) {
                import_words(op);
            }
            if path.ends_with("/connectors") && method == "get" {
                // The kinds `ConnectorKind` has (see `connector_kinds`).
                let kinds: Vec<&str> = rampart_domain::ConnectorKind::ALL
                    .iter()
                    .map(|k| k.as_str())
                    .collect();
                for param in op.parameters.iter_mut().flatten() {
                    if param.name == "kind" {
                        param.schema = Some(words_schema(&kinds, false));
                    }
                }
            }
            if family == Some(Family::Plus) && method == "get" {
                plus_query(path, op);
            }
            describe(op);
            for param in op.parameters.iter_mut().flatten() {
                if let Some(schema) = param.schema.as_mut() {
                    no_nul(schema);
                }
            }
            if let Some(body) = op.request_body.as_mut() {
                for content in body.content.values_mut() {
                    if let Some(schema) = content.schema.as_mut() {
                        no_nul(schema);
                    }
                }
            }
            let base = op
                .operation_id
                .clone()
                .unwrap_or_else(|| method.to_string());
            if count.get(&base).copied().unwrap_or(0) == 1 {
                continue;
            }
            let mut id = format!("{}{}", camel(&base), resource(path));
            if taken.contains(&id) {
                id = format!("{method}{}", &id[..1].to_uppercase()) + &id[1..];
            }
            let mut n = 2;
            let stem = id.clone();
            while taken.contains(&id) {
                id = format!("{stem}{n}");
                n += 1;
            }
            taken.insert(id.clone());
            op.operation_id = Some(id);
        }
    }
    examples::apply(&mut api);
    texts(&mut api);
    lenient::apply(&mut api);
    write_only(&mut api);
    write::apply(&mut api);
    api
}

/// One of the [`BODIES`]: (method, path, schema, body schema, required, read-only).
type Body = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
);

/// Request bodies that a route reads otherwise than the resource's schema (its answer) says:
/// (method, path, schema, the body's own schema, members the body must have, members it
/// does not change). The body's schema is the resource's with those members required or
/// read-only.
const BODIES: &[Body] = &[
    ("post", "/users", "User", "NewUser", &["email", "role"], &[]),
    // A user's email cannot change (422 unless it is the user's own).
    ("put", "/users/{id}", "User", "UserUpdate", &[], &["email"]),
    (
        "post",
        "/service-accounts",
        "ServiceAccount",
        "NewServiceAccount",
        &["name", "role"],
        &[],
    ),
];

/// What a request body takes that its answer does not say: the [`BODIES`], a new user's
/// `email` ([`rampart_service::EMAIL_PATTERN`]), and a target's `domain`, read as typed (any
/// case, trailing dots, white space around, see [`rampart_domain::target::input_pattern`])
/// and answered in its canonical form.
fn write_only(api: &mut OpenApi) {
    use rampart_domain::target::{input_pattern, MAX_INPUT_LEN};
    let Some(components) = api.components.as_mut() else {
        return;
    };
    for (_, _, schema, body, required, kept) in BODIES {
        let Some(RefOr::T(Schema::Object(mut o))) = components.schemas.get(*schema).cloned() else {
            continue;
        };
        o.required.extend(required.iter().map(|r| r.to_string()));
        // A required member is not `null` either (the service reads `null` as absent).
        for member in *required {
            if let Some(RefOr::T(Schema::Object(p))) = o.properties.get_mut(*member) {
                if let utoipa::openapi::schema::SchemaType::Array(types) = &mut p.schema_type {
                    types.retain(|t| *t != utoipa::openapi::schema::Type::Null);
                }
                if let Some(values) = p.enum_values.as_mut() {
                    values.retain(|v| !v.is_null());
                }
            }
        }
        for member in *kept {
            if let Some(RefOr::T(Schema::Object(p))) = o.properties.get_mut(*member) {
                p.read_only = Some(true);
            }
        }
        components
            .schemas
            .insert(body.to_string(), RefOr::T(Schema::Object(o)));
    }
    if let Some(p) = property_mut(components, "NewUser", "email") {
        p.pattern = Some(rampart_service::EMAIL_PATTERN.into());
        p.max_length = Some(rampart_service::MAX_EMAIL);
    }
    // The password a user's body may set (never answered, so not in `User`).
    for body in ["NewUser", "UserUpdate"] {
        if let Some(RefOr::T(Schema::Object(o))) = components.schemas.get_mut(body) {
            let mut password = utoipa::openapi::schema::ObjectBuilder::new()
                .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                    utoipa::openapi::schema::Type::String,
                    utoipa::openapi::schema::Type::Null,
                ]))
                .min_length(Some(rampart_service::MIN_PASSWORD))
                .pattern(Some(NO_NUL))
                .description(Some(
                    "Write-only: sets the console password (stored as argon2id).",
                ))
                .build();
            password.write_only = Some(true);
            o.properties.insert("password".into(), password.into());
        }
    }
    if let Some(p) = property_mut(components, &lenient::write_name("Target"), "domain") {
        p.pattern = Some(input_pattern());
        p.min_length = Some(1);
        p.max_length = Some(MAX_INPUT_LEN);
        p.description = Some(
            "A host name, an IPv4 address or an IPv6 address in brackets, with an optional \
             `:port`; no scheme, path or user. Any case, trailing dots and white space around \
             are taken (the answer has the canonical form)."
                .into(),
        );
    }
    for (method, path, _, body, _, _) in BODIES {
        let Some(item) = api.paths.paths.get_mut(*path) else {
            continue;
        };
        for (m, op) in operations_mut(item) {
            if m != *method {
                continue;
            }
            for content in op
                .request_body
                .iter_mut()
                .flat_map(|b| b.content.values_mut())
            {
                content.schema = Some(Ref::from_schema_name(*body).into());
            }
        }
    }
}

/// The AppSec+ list parameters read as closed words or bounded numbers (422 naming the
/// parameter otherwise), as the routes read them: an application's `criticality`, a
/// vulnerability's `severity`, `minSeverity`, `status`, `scanType` and `sort`, every list's
/// `limit` ([`crate::routes::plus::LIMITS`]). (The audit log's `actorId`, `from` and `to`
/// are a principal id and RFC 3339 times, but blank is taken as absent: no format says both.)
fn plus_query(path: &str, op: &mut Op) {
    use rampart_domain::plus::{PLUS_FINDING_SORTS, PLUS_SEVERITIES};
    use rampart_domain::{Criticality, PlusScanType, PlusStatus};
    use utoipa::openapi::path::ParameterIn;
    let path = path.strip_prefix("/v1").unwrap_or(path);
    let vulnerabilities = matches!(
        path,
        "/vulnerabilities" | "/applications/{id}/vulnerabilities"
    );
    for param in op.parameters.iter_mut().flatten() {
        if param.parameter_in != ParameterIn::Query {
            continue;
        }
        let words: Vec<&str> = match param.name.as_str() {
            "criticality" if path == "/applications" => {
                Criticality::ALL.iter().map(|c| c.as_str()).collect()
            }
            "severity" | "minSeverity" if vulnerabilities => PLUS_SEVERITIES.to_vec(),
            "status" if vulnerabilities => PlusStatus::ALL.iter().map(|s| s.as_str()).collect(),
            "scanType" if vulnerabilities => PlusScanType::ALL.iter().map(|t| t.as_str()).collect(),
            "sort" if vulnerabilities => PLUS_FINDING_SORTS.to_vec(),
            "limit" => {
                if let Some(RefOr::T(Schema::Object(o))) = param.schema.as_mut() {
                    let limits = crate::routes::plus::LIMITS;
                    o.minimum = Some((*limits.start()).into());
                    o.maximum = Some((*limits.end()).into());
                }
                continue;
            }
            _ => continue,
        };
        param.schema = Some(words_schema(&words, false));
    }
}

type Op = utoipa::openapi::path::Operation;

/// The texts the service checks (`rampart_service` `Checks::text` / `Checks::lines`), said
/// in their schemas so that a client knows before sending: (schema, property, one line,
/// minimum and maximum length in characters).
const TEXTS: &[(&str, &str, bool, usize, usize)] = &[
    ("App", "name", true, 1, 200),
    ("App", "description", false, 0, 2000),
    ("Tag", "name", true, 1, 100),
    ("EngineGroup", "name", true, 1, 200),
    ("EngineGroup", "description", false, 0, 2000),
    ("Engine", "name", true, 1, 200),
    ("AttackTemplate", "name", true, 1, 200),
    ("AttackTemplate", "description", false, 0, 2000),
    ("ScanConfig", "name", true, 1, 200),
    ("ScanConfig", "description", false, 0, 2000),
    ("Schedule", "name", true, 1, 200),
    ("Blackout", "name", true, 1, 200),
    ("ApplicationWrite", "name", true, 1, 200),
    ("ApplicationWrite", "description", false, 0, 2000),
    ("ApplicationWrite", "owner", true, 0, 200),
    ("ApplicationWrite", "language", true, 0, 200),
    ("ApplicationWrite", "businessUnit", true, 0, 200),
    ("PolicyWrite", "name", true, 1, 200),
    ("PolicyWrite", "description", false, 0, 2000),
    ("PolicyTriage", "justification", false, 1, 2000),
    ("WebhookWrite", "name", true, 1, 200),
    ("ConnectorWrite", "name", true, 1, 200),
    ("WebhookWrite", "secret", true, 16, 200),
    ("File", "name", true, 1, 255),
    ("File", "description", false, 0, 2000),
    ("ReportGeneration", "name", true, 1, 255),
    ("IdentityGroup", "name", true, 1, 200),
    ("IdentityGroup", "description", false, 0, 2000),
    ("IdentityGroup", "externalId", true, 0, 200),
    ("User", "displayName", true, 0, 200),
    ("ServiceAccount", "name", true, 1, 200),
    ("OrganizationInput", "name", true, 1, 200),
    ("NewApiKey", "name", true, 1, 200),
    ("OAuthClientCreate", "name", true, 1, 255),
    (
        "VulnerabilityComment",
        "content",
        false,
        1,
        rampart_service::COMMENT_MAX,
    ),
];

/// No control character (Unicode Cc: C0, DEL, C1) and at least one other than white space.
const ONE_LINE: &str = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$";
/// No control character (as above) but line breaks and tabs.
const LINES: &str = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$";
/// As [`LINES`], with at least one character other than white space.
const SOME_LINES: &str = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$";
/// No control character at all, possibly empty.
const ONE_LINE_OR_EMPTY: &str = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$";
/// No NUL: the server refuses one anywhere in a body (422) or a URL (400), as no database
/// stores it in text.
const NO_NUL: &str = "^[^\\u0000]*$";

fn texts(api: &mut OpenApi) {
    use utoipa::openapi::schema::{KnownFormat, SchemaFormat, SchemaType, Type};
    let Some(components) = api.components.as_mut() else {
        return;
    };
    for (schema, property, line, min, max) in TEXTS {
        let Some(p) = property_mut(components, schema, property) else {
            continue;
        };
        p.min_length = (*min > 0).then_some(*min);
        p.max_length = Some(*max);
        p.pattern = Some(
            match (line, min) {
                (true, 0) => ONE_LINE_OR_EMPTY,
                (true, _) => ONE_LINE,
                (false, 0) => LINES,
                (false, _) => SOME_LINES,
            }
            .to_string(),
        );
    }
    let enums: Vec<(&str, &str, Vec<&str>)> = vec![
        ("NewApiKey", "role", roles()),
        ("User", "role", roles()),
        ("ServiceAccount", "role", roles()),
        (
            "IdentityGroup",
            "source",
            vec!["local", "scim", "oidc", "saml", "ldap"],
        ),
        (
            "ScanActionBody",
            "action",
            vec!["PAUSE", "RESUME", "STOP", "CANCEL", "AUTHENTICATE"],
        ),
        (
            "SearchRequest",
            "type",
            rampart_query::ResourceType::ALL
                .iter()
                .map(|t| t.as_str())
                .collect(),
        ),
        (
            "ReportGeneration",
            "type",
            rampart_report::ReportType::ALL
                .iter()
                .map(|t| t.wire())
                .collect(),
        ),
        (
            "ReportGeneration",
            "format",
            rampart_report::DocFormat::ALL
                .iter()
                .map(|f| f.wire())
                .collect(),
        ),
        ("AuditExportRequest", "format", vec!["jsonl", "csv"]),
        (
            "EngineAssignment",
            "type",
            rampart_domain::AssignmentType::ALL
                .iter()
                .map(|t| t.as_str())
                .collect(),
        ),
        (
            "EngineAssignment",
            "environment",
            rampart_domain::Environment::ALL
                .iter()
                .map(|e| e.as_str())
                .collect(),
        ),
        (
            "AttackModule",
            "severity",
            vec!["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "SAFE"],
        ),
        (
            "AttackTemplate",
            "attack_prioritization",
            vec!["SEQUENTIAL", "SMART", "RANDOMIZED"],
        ),
        (
            "File",
            "type",
            vec![
                "MACRO",
                "RECORDED_TRAFFIC",
                "SELENIUM",
                "WSDL",
                "SWAGGER",
                "CERTIFICATE",
                "GRAPHQL",
            ],
        ),
        ("OAuthClientCreate", "role", roles()),
    ];
    for (schema, property, values) in enums {
        if let Some(p) = property_mut(components, schema, property) {
            p.enum_values = Some(values.into_iter().map(Into::into).collect());
        }
    }
    // AppSec+ (the words `rampart_domain::plus` and the policy route accept); an optional
    // member also takes `null`, which these routes read as absent.
    use rampart_domain::plus::{Criticality, PlusScanType, PlusStatus, PLUS_SEVERITIES};
    use rampart_domain::PolicyAction;
    let words = |all: &[&'static str]| all.to_vec();
    let plus_enums: Vec<(&str, &str, Vec<&str>)> = vec![
        (
            "ApplicationWrite",
            "criticality",
            Criticality::ALL.iter().map(|c| c.as_str()).collect(),
        ),
        (
            "VulnerabilityPatch",
            "status",
            PlusStatus::ALL.iter().map(|s| s.as_str()).collect(),
        ),
        // A JSON trigger runs the engine: `sast`, `sca` and `container` scans import a
        // document sent as the body instead (422 naming `scanType`).
        ("ScanTrigger", "scanType", vec![PlusScanType::Dast.as_str()]),
        (
            "PolicyWrite",
            "action",
            PolicyAction::ALL.iter().map(|a| a.as_str()).collect(),
        ),
        (
            "PolicyTriage",
            "status",
            PlusStatus::ALL.iter().map(|s| s.as_str()).collect(),
        ),
        ("PolicyConditions", "minSeverity", words(&PLUS_SEVERITIES)),
        (
            "PolicyConditions",
            "vulnerabilitySeverity",
            words(&PLUS_SEVERITIES),
        ),
    ];
    // A principal's `status`, as `routes::identity::status` reads it (`null` is absent).
    let statuses: Vec<String> = rampart_domain::PrincipalStatus::ALL
        .iter()
        .map(|s| crate::routes::identity::status_str(*s))
        .collect();
    let statuses: Vec<&str> = statuses.iter().map(String::as_str).collect();
    let plus_enums: Vec<(&str, &str, Vec<&str>)> = plus_enums
        .into_iter()
        .chain([
            ("User", "status", statuses.clone()),
            ("ServiceAccount", "status", statuses),
        ])
        .collect();
    for (schema, property, values) in plus_enums {
        if let Some(p) = property_mut(components, schema, property) {
            let mut values: Vec<serde_json::Value> = values.into_iter().map(Into::into).collect();
            if matches!(&p.schema_type, SchemaType::Array(types) if types.contains(&Type::Null)) {
                values.push(serde_json::Value::Null);
            }
            p.enum_values = Some(values);
        }
    }
    for property in ["repoUrl", "serviceUrl"] {
        if let Some(p) = property_mut(components, "ApplicationWrite", property) {
            p.format = Some(SchemaFormat::Custom("uri".into()));
        }
    }
    // The items of the AppSec+ lists, each checked one by one (422 naming the item).
    use rampart_domain::{WebhookEvent, WebhookStatus};
    let item_enums: Vec<(&str, &str, Vec<&str>)> = vec![
        (
            "PolicyConditions",
            "statuses",
            PlusStatus::ALL.iter().map(|s| s.as_str()).collect(),
        ),
        (
            "PolicyConditions",
            "scanTypes",
            PlusScanType::ALL.iter().map(|t| t.as_str()).collect(),
        ),
        (
            "WebhookWrite",
            "events",
            WebhookEvent::ALL.iter().map(|e| e.as_str()).collect(),
        ),
        (
            "AttackModule",
            "parameter_locations",
            rampart_domain::ParameterLocation::ALL
                .iter()
                .map(|l| l.as_str())
                .collect(),
        ),
    ];
    for (schema, property, values) in item_enums {
        if let Some(i) = items_mut(components, schema, property) {
            i.pattern = None;
            i.enum_values = Some(values.into_iter().map(Into::into).collect());
        }
    }
    for (schema, property) in [
        ("ApplicationWrite", "tags"),
        ("PolicyConditions", "tags"),
        ("IdentityGroup", "applicationTags"),
    ] {
        if let Some(i) = items_mut(components, schema, property) {
            i.min_length = Some(1);
            i.max_length = Some(100);
            i.pattern = Some(ONE_LINE.into());
        }
    }
    if let Some(i) = items_mut(components, "PolicyConditions", "cwe") {
        i.pattern = Some(CWE.into());
    }
    if let Some(RefOr::T(Schema::Array(a))) =
        components
            .schemas
            .get_mut("WebhookWrite")
            .and_then(|s| match s {
                RefOr::T(Schema::Object(o)) => o.properties.get_mut("events"),
                _ => None,
            })
    {
        a.min_items = Some(1);
    }
    if let Some(p) = property_mut(components, "WebhookWrite", "status") {
        p.pattern = None;
        p.enum_values = Some(
            WebhookStatus::ALL
                .iter()
                .map(|s| s.as_str().into())
                .chain([serde_json::Value::Null])
                .collect(),
        );
    }
    if let Some(p) = property_mut(components, "WebhookWrite", "url") {
        p.format = Some(SchemaFormat::Custom("uri".into()));
        p.pattern = Some(RECEIVER.into());
        p.max_length = Some(2000);
    }
    if let Some(p) = property_mut(components, "PolicyTriage", "until") {
        p.format = Some(SchemaFormat::KnownFormat(KnownFormat::DateTime));
    }
    if let Some(p) = property_mut(components, "PolicyConditions", "maxCount") {
        p.maximum = Some(rampart_domain::MAX_COUNT.into());
    }
    if let Some(p) = property_mut(components, "PolicyConditions", "minAgeDays") {
        p.maximum = Some(rampart_domain::MAX_AGE_DAYS.into());
    }
    policy_kinds(components);
    connector_kinds(components);
    write::required(components);
    // What the server sets: the resource's own `id` and `links`, and the members whose
    // description says "Read-only". A generator leaves them out of requests.
    for (name, schema) in components.schemas.iter_mut() {
        // The job protocol's bodies (`Engine…` but the two resources) are wire types whose
        // ids the engine sends.
        let protocol = name.starts_with("Engine") && name != "Engine" && name != "EngineGroup";
        if REFERENCES.contains(&name.as_str()) || protocol {
            continue;
        }
        let RefOr::T(Schema::Object(o)) = schema else {
            continue;
        };
        for (property, p) in o.properties.iter_mut() {
            let RefOr::T(Schema::Object(p)) = p else {
                continue;
            };
            let described = p
                .description
                .as_deref()
                .is_some_and(|d| d.starts_with("Read-only"));
            if property == "id" || property == "links" || described {
                p.read_only = Some(true);
            }
        }
    }
    one_threshold(components);
    components.schemas.values_mut().for_each(no_nul);
    components.schemas.insert(JSON_VALUE.into(), json_value());
}

/// `PolicyConditions`' `minSeverity` and `vulnerabilitySeverity` are one threshold
/// (`routes::plus::policies::input`): either may be left out or `null`, and when both are
/// given they name the same severity (422 otherwise). Said as `allOf` the conditions and an
/// `anyOf` of those cases, one per word.
fn one_threshold(components: &mut utoipa::openapi::Components) {
    use rampart_domain::plus::PLUS_SEVERITIES;
    use utoipa::openapi::schema::{AllOfBuilder, AnyOfBuilder, ObjectBuilder, Type};
    const NAMES: [&str; 2] = ["minSeverity", "vulnerabilitySeverity"];
    let Some(conditions) = components.schemas.remove("PolicyConditions") else {
        return;
    };
    let mut cases = AnyOfBuilder::new();
    for absent in NAMES {
        cases = cases.item(
            ObjectBuilder::new().property(absent, ObjectBuilder::new().schema_type(Type::Null)),
        );
    }
    for word in PLUS_SEVERITIES {
        let mut both = ObjectBuilder::new().required(NAMES[0]).required(NAMES[1]);
        for name in NAMES {
            both = both.property(
                name,
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some([word])),
            );
        }
        cases = cases.item(both);
    }
    let description = match &conditions {
        RefOr::T(Schema::Object(o)) => o.description.clone(),
        _ => None,
    };
    components.schemas.insert(
        "PolicyConditions".into(),
        RefOr::T(Schema::AllOf(
            AllOfBuilder::new()
                .item(conditions)
                .item(cases)
                .description(description)
                .build(),
        )),
    );
}

/// A member that takes `values` (and `null`, read as absent, when `nullable`) and nothing else.
fn words_schema(values: &[&str], nullable: bool) -> RefOr<Schema> {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    let mut enum_values: Vec<serde_json::Value> = values.iter().map(|v| (*v).into()).collect();
    let schema_type = if nullable {
        enum_values.push(serde_json::Value::Null);
        SchemaType::from_iter([Type::String, Type::Null])
    } else {
        SchemaType::Type(Type::String)
    };
    let mut o = ObjectBuilder::new().schema_type(schema_type).build();
    o.enum_values = Some(enum_values);
    RefOr::T(Schema::Object(o))
}

/// `PolicyWrite` as one schema per way the server reads a policy
/// (`routes::plus::policies::input`), discriminated by `type` (`rampart_domain::POLICY_KINDS`):
/// a gate takes neither `sla` nor `triage` (`type` `gate` or left out), an SLA policy may
/// take `sla` (absent days take the defaults), a triage policy needs `triage` (`type`
/// `triage`, or left out). `type` left out with `sla` given makes an SLA policy too: its own
/// schema (`SlaDaysPolicyWrite`), so that every body the server takes matches exactly one.
/// `null` reads as absent.
fn policy_kinds(components: &mut utoipa::openapi::Components) {
    use utoipa::openapi::schema::{Discriminator, ObjectBuilder, OneOfBuilder, Type};
    #[derive(PartialEq)]
    enum Member {
        /// Absent or `null`.
        None,
        /// Optional (the base schema's, nullable).
        Optional,
        Required,
    }
    let Some(RefOr::T(Schema::Object(base))) = components.schemas.get("PolicyWrite").cloned()
    else {
        return;
    };
    let [gate, sla, triage] = rampart_domain::POLICY_KINDS;
    // (schema, its `type`, whether `type` may be left out, `sla`, `triage`, description)
    let branches = [
        ("GatePolicyWrite", Some(gate), true, Member::None, Member::None,
            "A gate policy: its conditions judge findings and scans (`action`)."),
        ("SlaPolicyWrite", Some(sla), false, Member::Optional, Member::None,
            "An SLA policy: the findings it covers get a due date (`sla`: days to fix; absent members take the defaults)."),
        ("SlaDaysPolicyWrite", None, true, Member::Required, Member::None,
            "An SLA policy named by its `sla` member alone (`type` left out)."),
        ("TriagePolicyWrite", Some(triage), true, Member::None, Member::Required,
            "A triage policy: it sets the status of the findings it matches (`triage`)."),
    ];
    let null = || -> RefOr<Schema> {
        RefOr::T(Schema::Object(
            ObjectBuilder::new().schema_type(Type::Null).build(),
        ))
    };
    let mut one_of = OneOfBuilder::new().description(base.description.clone());
    let mut discriminator = Discriminator::new("type");
    for (name, kind, optional, sla, triage, description) in branches {
        let mut o = base.clone();
        o.description = Some(description.into());
        let kind_schema = match kind {
            Some(kind) => words_schema(&[kind], optional),
            None => null(),
        };
        o.properties.insert("type".into(), kind_schema);
        if !optional {
            o.required.push("type".into());
        }
        for (member, how, schema) in [
            ("sla", sla, "PolicySla"),
            ("triage", triage, "PolicyTriage"),
        ] {
            match how {
                Member::None => {
                    o.properties.insert(member.into(), null());
                }
                Member::Optional => {}
                Member::Required => {
                    o.properties
                        .insert(member.into(), Ref::from_schema_name(schema).into());
                    o.required.push(member.into());
                }
            }
        }
        components
            .schemas
            .insert(name.into(), RefOr::T(Schema::Object(o)));
        if let Some(kind) = kind {
            discriminator
                .mapping
                .insert(kind.into(), format!("#/components/schemas/{name}"));
        }
        one_of = one_of.item(Ref::from_schema_name(name));
    }
    let one_of = one_of.discriminator(Some(discriminator)).build();
    components
        .schemas
        .insert("PolicyWrite".into(), RefOr::T(Schema::OneOf(one_of)));
}

/// `ConnectorWrite` as one schema per connector the server accepts: per kind
/// (`rampart_domain::ConnectorKind`, the one list of them), an integration per type of
/// `CONNECTOR_TYPES` with its own `config` and `secrets` members (a type's contract, as
/// `GET /connector-types` lists it), and an agent, which takes neither. `status` is what an
/// owner sets (`error` is set by a failed test). The `kind` parameter of `GET /connectors`
/// lists the same kinds.
fn connector_kinds(components: &mut utoipa::openapi::Components) {
    use rampart_domain::{ConnectorKind, ConnectorStatus, CONNECTOR_TYPES};
    use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, OneOfBuilder, Type};
    let Some(RefOr::T(Schema::Object(base))) = components.schemas.get("ConnectorWrite").cloned()
    else {
        return;
    };
    let mut one_of = OneOfBuilder::new().description(base.description.clone());
    for kind in ConnectorKind::ALL {
        match kind {
            ConnectorKind::Integration => {
                for t in CONNECTOR_TYPES {
                    let mut o = base.clone();
                    o.description = Some(format!("A `{}` integration: {}.", t.name, t.description));
                    o.properties
                        .retain(|p, _| !["group", "autoUpgrade"].contains(&p.as_str()));
                    o.properties.insert(
                        "kind".into(),
                        words_schema(&[ConnectorKind::Integration.as_str()], true),
                    );
                    o.properties
                        .insert("type".into(), words_schema(&[t.name], false));
                    o.required.push("type".into());
                    o.properties.insert(
                        "status".into(),
                        words_schema(
                            &[
                                ConnectorStatus::Active.as_str(),
                                ConnectorStatus::Inactive.as_str(),
                            ],
                            true,
                        ),
                    );
                    for secret in [false, true] {
                        let mut members = ObjectBuilder::new().schema_type(Type::Object);
                        for f in t.fields.iter().filter(|f| f.secret == secret) {
                            let mut m = ObjectBuilder::new()
                                .schema_type(if secret {
                                    utoipa::openapi::schema::SchemaType::from_iter([
                                        Type::String,
                                        Type::Null,
                                    ])
                                } else {
                                    Type::String.into()
                                })
                                .description(Some(f.description));
                            m = if f.url {
                                m.format(Some(utoipa::openapi::schema::SchemaFormat::Custom(
                                    "uri".into(),
                                )))
                                .pattern(Some(RECEIVER))
                                .max_length(Some(2000))
                            } else {
                                m.pattern(Some(ONE_LINE))
                                    .min_length(Some(1))
                                    .max_length(Some(if secret { 2000 } else { 500 }))
                            };
                            members = members.property(f.name, m);
                            // A secret set before is kept when left out of an update.
                            if f.required && !secret {
                                members = members.required(f.name);
                            }
                        }
                        let mut members = members.build();
                        members.additional_properties =
                            Some(Box::new(AdditionalProperties::FreeForm(false)));
                        let (name, what) = if secret {
                            ("secrets", "Write-only: stored sealed, never returned; `null` removes one. A required one must be set when the connector is created and is kept when left out of an update.")
                        } else {
                            ("config", "The type's non-secret members.")
                        };
                        members.description = Some(what.into());
                        o.properties
                            .insert(name.into(), RefOr::T(Schema::Object(members)));
                        if !secret && t.fields.iter().any(|f| f.required && !f.secret) {
                            o.required.push(name.into());
                        }
                    }
                    let name = format!("{}ConnectorWrite", title(t.name));
                    components
                        .schemas
                        .insert(name.clone(), RefOr::T(Schema::Object(o)));
                    one_of = one_of.item(Ref::from_schema_name(name));
                }
            }
            ConnectorKind::Agent => {
                let mut o = base.clone();
                o.description = Some("An agent: a remote engine (the answer carries its `registrationToken` once); its state comes from its heartbeats.".into());
                o.properties
                    .retain(|p, _| ["name", "group", "autoUpgrade"].contains(&p.as_str()));
                o.properties.insert(
                    "kind".into(),
                    words_schema(&[ConnectorKind::Agent.as_str()], false),
                );
                o.required.push("kind".into());
                components
                    .schemas
                    .insert("AgentConnectorWrite".into(), RefOr::T(Schema::Object(o)));
                one_of = one_of.item(Ref::from_schema_name("AgentConnectorWrite"));
            }
        }
    }
    components.schemas.insert(
        "ConnectorWrite".into(),
        RefOr::T(Schema::OneOf(one_of.build())),
    );
}

/// `servicenow` → `Servicenow`.
fn title(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn roles() -> Vec<&'static str> {
    rampart_domain::Role::ALL
        .iter()
        .map(|r| r.as_str())
        .collect()
}

/// Schemas whose `id` names another resource (an input), not their own.
const REFERENCES: &[&str] = &[
    "IdRef",
    "AppUser",
    "MemberRef",
    "KeyOwner",
    "AttackRef",
    "Member",
];

fn property_mut<'a>(
    components: &'a mut utoipa::openapi::Components,
    schema: &str,
    property: &str,
) -> Option<&'a mut utoipa::openapi::schema::Object> {
    let Some(RefOr::T(Schema::Object(o))) = components.schemas.get_mut(schema) else {
        return None;
    };
    match o.properties.get_mut(property) {
        Some(RefOr::T(Schema::Object(p))) => Some(p),
        _ => None,
    }
}

/// The items of an array member (`None` when the member is not an array of inline schemas).
fn items_mut<'a>(
    components: &'a mut utoipa::openapi::Components,
    schema: &str,
    property: &str,
) -> Option<&'a mut utoipa::openapi::schema::Object> {
    use utoipa::openapi::schema::ArrayItems;
    let Some(RefOr::T(Schema::Object(o))) = components.schemas.get_mut(schema) else {
        return None;
    };
    let Some(RefOr::T(Schema::Array(a))) = o.properties.get_mut(property) else {
        return None;
    };
    match &mut a.items {
        ArrayItems::RefOrSchema(items) => match items.as_mut() {
            RefOr::T(Schema::Object(i)) => Some(i),
            _ => None,
        },
        _ => None,
    }
}

/// A receiver URL a generator can fill in: `https`, a host name (an address literal may be
/// refused as private, see `rampart_service::literal_class`), an optional port and path.
const RECEIVER: &str =
    "^https://[a-z][a-z0-9]*(\\.[a-z][a-z0-9]*)*(:[1-9][0-9]{0,3})?(/[A-Za-z0-9._~/-]*)?$";

/// A CWE id as policies take it (`CWE-89`, any case).
const CWE: &str = "^[Cc][Ww][Ee]-[0-9]+$";

/// A UUID in its hyphenated form.
const UUID: &str = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

/// The component of a value the schema leaves open (a member it does not list, a free-form
/// object, an untyped member): any JSON value without a NUL character in a string or a member
/// name, as the server reads every body (`extract::parse`).
pub(crate) const JSON_VALUE: &str = "JsonValue";

/// One schema whose keywords each apply to their own type (JSON Schema 2020-12): `pattern`
/// to a string, `items` to an array, `propertyNames` and `additionalProperties` to an
/// object. (Not an `anyOf` per type: openapi-python-client cannot read a union that refers
/// to itself, and drops every schema that names it.) utoipa's `Object` has no `items`: it
/// is written through the extensions, which serialize flattened.
fn json_value() -> RefOr<Schema> {
    use utoipa::openapi::schema::ObjectBuilder;
    let mut o = ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::AnyValue)
        .description(Some(
            "Any JSON value without a NUL character (\\u0000) in a string or a member name.",
        ))
        .pattern(Some(NO_NUL))
        .property_names(Some(member_name()))
        .additional_properties(Some(Ref::from_schema_name(JSON_VALUE)))
        .build();
    let items = serde_json::json!({ "$ref": format!("#/components/schemas/{JSON_VALUE}") });
    o.extensions
        .get_or_insert_with(Default::default)
        .insert("items".into(), items);
    RefOr::T(Schema::Object(o))
}

/// A member name is text too: a NUL in one is refused like in a value.
fn member_name() -> Schema {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(NO_NUL))
        .build()
        .into()
}

/// Says, everywhere in `schema`, that the server refuses a NUL character in a body or a URL
/// (422 or 400): every string without a pattern or an enum refuses it (a UUID takes the UUID
/// pattern), every object's member names refuse it, and the members an object does not list
/// are [`JSON_VALUE`]s. (An untyped member stays untyped: the answers' `details` echo what was
/// sent, NUL included.)
fn no_nul(schema: &mut RefOr<Schema>) {
    use utoipa::openapi::schema::{AdditionalProperties, ArrayItems, KnownFormat, SchemaFormat};
    use utoipa::openapi::schema::{SchemaType, Type};
    let RefOr::T(inner) = schema else { return };
    match inner {
        Schema::Object(o) => {
            let has = |t: Type| match &o.schema_type {
                SchemaType::Type(x) => *x == t,
                SchemaType::Array(ts) => ts.contains(&t),
                SchemaType::AnyValue => false,
            };
            if has(Type::String) && o.pattern.is_none() && o.enum_values.is_none() {
                o.pattern = Some(
                    match o.format {
                        Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)) => UUID,
                        _ => NO_NUL,
                    }
                    .to_string(),
                );
            }
            if has(Type::Object) {
                o.property_names = Some(Box::new(member_name()));
                match o.additional_properties.as_deref_mut() {
                    None | Some(AdditionalProperties::FreeForm(true)) => {
                        o.additional_properties = Some(Box::new(AdditionalProperties::RefOr(
                            Ref::from_schema_name(JSON_VALUE).into(),
                        )));
                    }
                    Some(AdditionalProperties::RefOr(s)) => no_nul(s),
                    Some(AdditionalProperties::FreeForm(false)) => {}
                }
            }
            o.properties.values_mut().for_each(no_nul);
        }
        Schema::Array(a) => {
            if let ArrayItems::RefOrSchema(items) = &mut a.items {
                no_nul(items);
            }
        }
        Schema::OneOf(c) => c.items.iter_mut().for_each(no_nul),
        Schema::AllOf(c) => c.items.iter_mut().for_each(no_nul),
        Schema::AnyOf(c) => c.items.iter_mut().for_each(no_nul),
        _ => {}
    }
}

/// The error shape of a path's routes (as `gate::family` tells them apart, plus the job
/// protocol); `None` for the open and OAuth endpoints, whose annotations say it all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    /// `/ias/v1`: the reference's body (`ErrorBody`, application/json).
    Ias,
    /// `/engine/v1`: the same body, behind the engine credential.
    Engine,
    /// AppSec+: RFC 9457 problem+json (`ProblemBody`).
    Plus,
}

impl Family {
    fn of(path: &str) -> Option<Family> {
        const UNGATED: &[&str] = &[
            "/validate",
            "/oauth/token",
            "/oauth/introspect",
            "/oauth/revoke",
            "/ias/v1/openapi.json",
        ];
        if OPEN.contains(&path) || UNGATED.contains(&path) || path.starts_with("/.well-known/") {
            None
        } else if path.starts_with("/ias/v1/") {
            Some(Family::Ias)
        } else if path.starts_with("/engine/v1/") {
            Some(Family::Engine)
        } else {
            Some(Family::Plus)
        }
    }

    fn error(self) -> Response {
        let (media, schema) = match self {
            Family::Ias | Family::Engine => ("application/json", "ErrorBody"),
            Family::Plus => ("application/problem+json", "ProblemBody"),
        };
        ResponseBuilder::new()
            .content(media, Content::new(Some(Ref::from_schema_name(schema))))
            .build()
    }
}

/// The answers every route of a family can give besides its own, added where the route's
/// annotation does not list them (an annotated answer is kept as it is):
/// - 401 (no, an unknown or a revoked credential) and 429 (a rate limit) from the gate, and
///   403 (the role or the token's scope) on the gated families;
/// - 400 when the URL carries a NUL character or a malformed query parameter, and a JSON
///   body is malformed; 422 when a query parameter or a body member is invalid;
/// - 404 on routes with path parameters (an unknown id, or one that is not a UUID);
/// - 413 (a body over the limit) and 415 (a body that is not JSON) on routes with a body;
/// - 503 (+ `Retry-After`) while the database is unavailable: every credential is checked
///   against it.
fn errors(op: &mut Op, family: Family, path_params: bool) {
    use utoipa::openapi::path::ParameterIn;
    let query = op
        .parameters
        .iter()
        .flatten()
        .any(|p| p.parameter_in == ParameterIn::Query);
    let body = op.request_body.is_some();
    let mut codes: Vec<&str> = vec!["401", "503"];
    if family != Family::Engine {
        codes.extend(["403", "429"]);
    }
    if query || body || path_params {
        codes.push("400");
    }
    if query || body {
        codes.push("422");
    }
    if path_params {
        codes.push("404");
    }
    if body {
        // 409: a name already taken, or a state the change does not apply to.
        codes.extend(["409", "413", "415"]);
    }
    for code in codes {
        op.responses
            .responses
            .entry(code.to_string())
            .or_insert_with(|| family.error().into());
    }
}

/// A `GET` that answers 200 with the resource's metadata (JSON, `schema`) or its content in
/// one of `media`, as `Accept` asks (`/ias/v1/reports/{id}`, `/ias/v1/apps/{id}/files/{file_id}`):
/// one 200 with every media type (the annotation can list only one per status).
fn metadata_or_content(op: &mut Op, schema: &str, description: &str, media: &[&str]) {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaFormat, Type};
    let Some(RefOr::T(ok)) = op.responses.responses.get_mut("200") else {
        return;
    };
    let binary = || {
        Content::new(Some(RefOr::T(Schema::Object(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::Custom("binary".into())))
                .build(),
        ))))
    };
    ok.description = description.into();
    ok.content.insert(
        "application/json".into(),
        Content::new(Some(Ref::from_schema_name(schema))),
    );
    for m in media {
        ok.content.insert((*m).into(), binary());
    }
}

/// The AppSec+ scan trigger's query words, closed lists: `scanType` and the import `format`.
fn import_words(op: &mut Op) {
    use rampart_domain::PlusScanType;
    use rampart_ingest::Format;
    for param in op.parameters.iter_mut().flatten() {
        let words: Vec<&str> = match param.name.as_str() {
            "scanType" => PlusScanType::ALL.iter().map(|t| t.as_str()).collect(),
            "format" => [Format::Sarif, Format::CycloneDx, Format::Spdx]
                .iter()
                .map(|f| f.as_str())
                .collect(),
            _ => continue,
        };
        if let Some(RefOr::T(Schema::Object(o))) = param.schema.as_mut() {
            o.pattern = None;
            o.enum_values = Some(words.into_iter().map(Into::into).collect());
        }
    }
}

/// Every answer described: an empty description becomes the status's reason phrase.
fn describe(op: &mut Op) {
    for (code, r) in op.responses.responses.iter_mut() {
        if let RefOr::T(r) = r {
            if r.description.is_empty() {
                r.description = code
                    .parse::<u16>()
                    .ok()
                    .and_then(|c| axum::http::StatusCode::from_u16(c).ok())
                    .and_then(|c| c.canonical_reason())
                    .unwrap_or("Answer")
                    .to_string();
            }
        }
    }
}

fn operations(item: &utoipa::openapi::path::PathItem) -> impl Iterator<Item = &Op> {
    [
        &item.get,
        &item.put,
        &item.post,
        &item.delete,
        &item.patch,
        &item.head,
        &item.options,
        &item.trace,
    ]
    .into_iter()
    .flatten()
}

fn operations_mut(
    item: &mut utoipa::openapi::path::PathItem,
) -> impl Iterator<Item = (&'static str, &mut Op)> {
    [
        ("get", &mut item.get),
        ("put", &mut item.put),
        ("post", &mut item.post),
        ("delete", &mut item.delete),
        ("patch", &mut item.patch),
        ("head", &mut item.head),
        ("options", &mut item.options),
        ("trace", &mut item.trace),
    ]
    .into_iter()
    .filter_map(|(m, op)| op.as_mut().map(|o| (m, o)))
}

/// `list_all` → `listAll`.
fn camel(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut up = false;
    for c in s.chars() {
        if c == '_' || c == '-' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The resource words of a path, without the API prefix and the parameters:
/// `/ias/v1/apps/{app-id}/users` → `AppsUsers`.
fn resource(path: &str) -> String {
    let rest = path
        .strip_prefix("/ias/v1")
        .or_else(|| path.strip_prefix("/engine/v1"))
        .unwrap_or(path);
    rest.split('/')
        .filter(|seg| !seg.is_empty() && !seg.starts_with('{'))
        .map(|seg| {
            let c = camel(&seg.replace('.', "-"));
            let mut chars = c.chars();
            match chars.next() {
                Some(f) => f.to_uppercase().chain(chars).collect(),
                None => String::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The document takes the threshold's two names as the policy route does
    /// (`fuzzed::policies` holds the route's side): either alone or `null`, or both the same.
    #[test]
    fn policy_conditions_take_one_threshold() {
        use serde_json::json;
        let doc = serde_json::to_value(openapi()).expect("json");
        let schema = json!({
            "$ref": "#/components/schemas/PolicyConditions",
            "components": doc["components"],
        });
        let v = jsonschema::draft202012::new(&schema).expect("a valid schema");
        for ok in [
            json!({}),
            json!({"minSeverity": "high"}),
            json!({"vulnerabilitySeverity": "low", "minSeverity": null}),
            json!({"minSeverity": "critical", "vulnerabilitySeverity": "critical"}),
        ] {
            assert!(v.is_valid(&ok), "{ok}");
        }
        for bad in [
            json!({"minSeverity": "high", "vulnerabilitySeverity": "low"}),
            json!({"minSeverity": "high", "vulnerabilitySeverity": "AAA"}),
        ] {
            assert!(!v.is_valid(&bad), "{bad}");
        }
    }

    #[test]
    fn every_operation_id_is_unique() {
        let api = openapi();
        let mut seen = std::collections::HashSet::new();
        for (path, item) in &api.paths.paths {
            for op in operations(item) {
                let id = op.operation_id.clone().unwrap_or_default();
                assert!(!id.is_empty(), "{path}: no operationId");
                assert!(seen.insert(id.clone()), "{path}: {id} repeats");
            }
        }
        assert!(seen.contains("listApps"), "{seen:?}");
    }

    #[test]
    fn every_gated_operation_documents_the_answers_it_shares() {
        let api = openapi();
        for (path, item) in &api.paths.paths {
            let Some(family) = Family::of(path) else {
                continue;
            };
            for op in operations(item) {
                let codes = &op.responses.responses;
                let mut want = vec!["401", "503"];
                if family != Family::Engine {
                    want.extend(["403", "429"]);
                }
                if path.contains('{') {
                    want.extend(["400", "404"]);
                }
                if op.request_body.is_some() {
                    want.extend(["400", "409", "413", "415", "422"]);
                }
                for code in want {
                    assert!(codes.contains_key(code), "{path}: no {code}");
                }
                for (code, r) in codes {
                    if let RefOr::T(r) = r {
                        assert!(!r.description.is_empty(), "{path} {code}: no description");
                    }
                }
            }
        }
    }

    #[test]
    fn the_document_says_what_the_service_checks() {
        let doc = serde_json::to_value(openapi()).expect("json");
        let schemas = &doc["components"]["schemas"];
        let name = &schemas["App"]["properties"]["name"];
        assert_eq!(name["minLength"], 1, "{name}");
        assert_eq!(name["maxLength"], 200, "{name}");
        assert_eq!(name["pattern"], ONE_LINE, "{name}");
        assert_eq!(schemas["Tag"]["properties"]["name"]["maxLength"], 100);
        assert_eq!(
            schemas["App"]["properties"]["description"]["pattern"],
            LINES
        );
        assert_eq!(schemas["App"]["properties"]["id"]["readOnly"], true);
        assert_eq!(schemas["App"]["properties"]["id"]["pattern"], UUID);
        assert!(schemas["IdRef"]["properties"]["id"]["readOnly"].is_null());
        assert_eq!(
            schemas["User"]["properties"]["role"]["enum"],
            serde_json::json!(["product-admin", "read-write", "read-only"])
        );
        assert!(schemas["ScanActionBody"]["required"]
            .as_array()
            .is_some_and(|r| r.contains(&serde_json::json!("action"))));
        // Every other string refuses NUL, as the server does.
        assert_eq!(schemas["Target"]["properties"]["domain"]["pattern"], NO_NUL);
        // Both answers of a file's GET: its metadata and, as `Accept` asks, its content.
        let file = &doc["paths"]["/ias/v1/apps/{id}/files/{file_id}"]["get"]["responses"]["200"];
        assert_eq!(
            file["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/File"
        );
        assert!(
            file["content"]["application/octet-stream"].is_object(),
            "{file}"
        );
        let claim = &doc["paths"]["/engine/v1/jobs/claim"]["post"];
        assert_eq!(claim["security"], serde_json::json!([{"engine": []}]));
    }

    #[test]
    fn open_paths_need_no_credential() {
        let api = openapi();
        for p in ["/healthz", "/readyz"] {
            let item = &api.paths.paths[p];
            let get = item.get.as_ref().expect("GET");
            assert_eq!(get.security.as_ref().map(Vec::len), Some(0), "{p}");
        }
    }
}
