//! An example of every JSON request body, so that Postman, client generators and schemathesis
//! (its `examples` phase) start from a body the server takes rather than from placeholders.
//!
//! Each example is keyed by the Rust type the route reads (its schema name is the type's
//! own), and set as the `example` of the request body's media type before the request-body
//! twins ([`super::lenient`]) are made, so that it stays whatever schema the body names in
//! the end. The tests below check that every JSON request body of the document has one, that
//! each is valid against the schema its body names, and that the route's own type reads it.
//!
//! The ids in the examples name nothing on a given server: a client replaces them with ids
//! it created (an unknown one is answered 404 or 422).

use rampart_api_types::{audit, connectors, ias, identity, oauth, plus, webhooks};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use utoipa::openapi::{OpenApi, RefOr, Schema};
use utoipa::ToSchema;

const APP: &str = "3f8a1c52-6b0e-4d7a-9a51-2c0e5f1d7b10";
const SCAN_CONFIG: &str = "7c2d9e41-0b3a-4f86-8e15-9d4c6a2b3e70";
const ATTACK_TEMPLATE: &str = "11111111-1111-1111-1111-111111111111";
const ENGINE_GROUP: &str = "5a7e3b90-2c14-4e6f-b8d3-0f9a1c2e4d60";
const SCAN: &str = "9b4f2e17-8c3d-4a05-b6e2-7d1c0a9f5e30";
const VULN: &str = "2e6c8a14-5f3b-4d97-a0c2-8b1e7d4f6a90";
const USER: &str = "6d1a9f30-4e7c-4b28-9f05-3a8c2e1b7d40";
const TAG: &str = "8f3e5c21-9a6d-4b10-8c47-1e2f0d9b6a50";
const MODULE: &str = "4c9b7e62-1d8f-4a3e-b5c0-6e2a9f1d8b20";

/// An example body: the schema it is written for (the name of the type the route reads),
/// the body, and the reader the test runs on it.
pub(super) struct Example {
    pub(super) schema: String,
    pub(super) body: Value,
    #[cfg_attr(not(test), allow(dead_code))]
    reads: fn(&Value) -> Result<(), String>,
}

/// An example of `T`, which the route reads as `T` (its schema is `T`'s).
fn of<T: ToSchema + DeserializeOwned>(body: Value) -> Example {
    read_as::<T, T>(body)
}

/// An example of the schema `S` (a declaration only), which the route reads as `W`: the
/// `/engine/v1` bodies (see `crate::engine_schema`).
fn read_as<S: ToSchema, W: DeserializeOwned>(body: Value) -> Example {
    Example {
        schema: S::name().into_owned(),
        body,
        reads: |v| {
            serde_json::from_value::<W>(v.clone())
                .map(drop)
                .map_err(|e| e.to_string())
        },
    }
}

pub(super) fn all() -> Vec<Example> {
    use crate::engine_schema as engine;
    use rampart_domain::job as wire;
    let frequency = |t: &str, n: i64| json!({ "type": t, "interval": n });
    let details = json!({
        "logged_in": false, "links_in_queue": 12, "links_crawled": 48, "attacks_in_queue": 130,
        "attacked": 310, "vulnerable": 2, "requests": 1875, "failed_requests": 3,
        "network_speed": 420, "drip_delay": 0,
    });
    vec![
        // /ias/v1
        of::<ias::App>(json!({ "name": "Shop", "description": "The public web shop" })),
        of::<ias::Tag>(json!({ "name": "pci" })),
        of::<ias::IdRef>(json!({ "id": TAG })),
        of::<ias::AppUser>(json!({ "email": "dana@example.com" })),
        of::<ias::Target>(json!({ "domain": "shop.example.com", "enabled": true })),
        of::<ias::File>(json!({
            "name": "openapi.json", "type": "SWAGGER", "description": "The shop's API",
        })),
        of::<ias::EngineGroup>(json!({ "name": "EU engines", "description": "Frankfurt" })),
        of::<ias::Engine>(json!({ "name": "engine-eu-1", "engine_group": { "id": ENGINE_GROUP } })),
        of::<ias::AttackTemplate>(json!({
            "name": "Injection only", "description": "SQL injection and XSS modules",
            "attack_prioritization": "SMART",
        })),
        of::<ias::AttackModule>(json!({
            "enabled": true, "max_findings": 25, "severity": "HIGH",
            "module_config_id": MODULE, "parameter_locations": ["QUERY", "POST"],
        })),
        of::<ias::ScanConfig>(json!({
            "name": "Shop nightly", "description": "Full scan of the shop",
            "app": { "id": APP }, "attack_template": { "id": ATTACK_TEMPLATE },
            "assignment": { "type": "ENGINE_GROUP", "id": ENGINE_GROUP, "environment": "ON_PREMISE" },
        })),
        of::<ias::ScanConfigOptions>(json!({
            "crawl_config": {
                "scope_constraint_list": [
                    { "url": "https://shop.example.com/*", "exclusion": "INCLUDE" },
                ],
                "seed_url_list": [{ "value": "https://shop.example.com/" }],
            },
        })),
        of::<ias::Scan>(json!({ "scan_config": { "id": SCAN_CONFIG } })),
        of::<ias::ScanActionBody>(json!({ "action": "STOP" })),
        of::<ias::Schedule>(json!({
            "name": "Nightly", "scan_config": { "id": SCAN_CONFIG }, "enabled": true,
            "first_start": "2027-01-04T02:00:00Z", "frequency": frequency("DAILY", 1),
        })),
        of::<ias::Blackout>(json!({
            "name": "Release freeze", "enabled": true, "app": { "id": APP },
            "first_start": "2027-01-04T21:00:00Z", "first_end": "2027-01-04T23:00:00Z",
            "frequency": frequency("WEEKLY", 1),
        })),
        of::<ias::SearchRequest>(json!({
            "type": "VULNERABILITY",
            "query": format!("vulnerability.scans.id='{SCAN}' && vulnerability.severity!='SAFE'"),
        })),
        of::<ias::Vulnerability>(json!({ "severity": "HIGH", "status": "VERIFIED" })),
        of::<ias::VulnerabilityComment>(
            json!({ "content": "Fixed in release 4.2; please re-test." }),
        ),
        of::<ias::VarianceFilterRequest>(json!({ "vuln_ids": [VULN] })),
        of::<ias::ReportGeneration>(json!({
            "name": "Shop nightly summary", "type": "VULN_SUMMARY", "format": "PDF",
            "scan": { "id": SCAN },
        })),
        // Identity and OAuth clients
        of::<identity::OrganizationInput>(json!({ "name": "Acme" })),
        of::<identity::User>(json!({
            "email": "dana@example.com", "displayName": "Dana Scully", "role": "read-write",
            "status": "active",
        })),
        of::<identity::ServiceAccount>(
            json!({ "name": "ci-pipeline", "role": "read-write", "status": "active" }),
        ),
        of::<identity::NewApiKey>(json!({ "name": "CI pipeline", "role": "read-write" })),
        of::<identity::IdentityGroup>(json!({
            "name": "Shop team", "description": "Developers of the shop", "source": "local",
            "members": [USER], "applicationIds": [APP],
        })),
        of::<identity::MemberRef>(json!({ "id": USER })),
        of::<identity::Grant>(json!({ "applicationId": APP })),
        of::<oauth::OAuthClientCreate>(
            json!({ "name": "CI pipeline", "role": "read-only", "scopes": "read" }),
        ),
        of::<audit::AuditExportRequest>(json!({
            "format": "csv", "from": "2026-11-01T00:00:00Z", "to": "2026-12-01T00:00:00Z",
        })),
        // AppSec+
        of::<plus::ApplicationWrite>(json!({
            "name": "Shop", "description": "The public web shop", "criticality": "high",
            "owner": "dana@example.com", "businessUnit": "Retail", "language": "Rust",
            "repoUrl": "https://git.example.com/shop", "serviceUrl": "https://shop.example.com/",
            "tags": ["pci", "public"],
        })),
        of::<plus::ScanTrigger>(json!({
            "scanType": "dast", "applicationId": APP, "scanConfigId": SCAN_CONFIG,
            "triggeredBy": "ci",
        })),
        of::<plus::VulnerabilityPatch>(json!({ "status": "in_progress" })),
        of::<plus::PolicyWrite>(json!({
            "name": "No high findings", "type": "gate", "action": "block",
            "conditions": { "minSeverity": "high", "statuses": ["open", "in_progress"] },
        })),
        of::<plus::PolicyEvaluateRequest>(json!({ "applicationId": APP })),
        of::<webhooks::WebhookWrite>(json!({
            "name": "Chat notifications", "url": "https://hooks.example.com/rampart",
            "events": ["vulnerability.created", "scan.completed"],
            "secret": "a-long-shared-secret-0123456789",
        })),
        of::<connectors::ConnectorWrite>(json!({
            "type": "webhook", "name": "Ticket bridge",
            "config": { "url": "https://hooks.example.com/tickets" },
            "secrets": { "secret": "another-long-shared-secret-42" },
        })),
        // /engine/v1 (what `rampart engine` sends)
        read_as::<engine::Heartbeat, wire::Heartbeat>(json!({
            "status": "RUNNING", "details": details, "checkpoint": null,
        })),
        read_as::<engine::JobEvent, wire::JobEvent>(json!({
            "time": "2026-12-05T08:00:00Z", "event": "Crawl started",
        })),
        read_as::<engine::FindingBatch, wire::FindingBatch>(json!({
            "batch_id": "1a2b3c4d-0001",
            "findings": [{
                "module": MODULE,
                "root_cause": { "url": "https://shop.example.com/search", "parameter": "q", "method": "GET" },
                "severity": "HIGH", "vulnerability_score": 8.1,
                "discovered": "2026-12-05T08:03:12Z", "vector_string": null, "variances": [],
            }],
        })),
        read_as::<engine::JobOutcome, wire::JobOutcome>(
            json!({ "outcome": "COMPLETED", "partial": false }),
        ),
    ]
}

/// Sets the examples on the request bodies (JSON) whose schema they are written for: a body
/// naming the schema, an array of it (one item) or the schema or `null`.
pub(super) fn apply(api: &mut OpenApi) {
    let examples = all();
    let find = |name: &str| examples.iter().find(|e| e.schema == name).map(|e| &e.body);
    for item in api.paths.paths.values_mut() {
        for (_, op) in super::operations_mut(item) {
            let Some(body) = op.request_body.as_mut() else {
                continue;
            };
            let Some(content) = body.content.get_mut("application/json") else {
                continue;
            };
            let example = match content.schema.as_ref() {
                Some(RefOr::Ref(r)) => ref_name(&r.ref_location).and_then(find).cloned(),
                Some(RefOr::T(Schema::Array(a))) => match &a.items {
                    utoipa::openapi::schema::ArrayItems::RefOrSchema(i) => match i.as_ref() {
                        RefOr::Ref(r) => ref_name(&r.ref_location)
                            .and_then(find)
                            .map(|e| Value::Array(vec![e.clone()])),
                        _ => None,
                    },
                    _ => None,
                },
                Some(RefOr::T(Schema::OneOf(o))) => o.items.iter().find_map(|i| match i {
                    RefOr::Ref(r) => ref_name(&r.ref_location).and_then(find).cloned(),
                    _ => None,
                }),
                _ => None,
            };
            if example.is_some() {
                content.example = example;
            }
        }
    }
}

fn ref_name(location: &str) -> Option<&str> {
    location.strip_prefix("#/components/schemas/")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every JSON request body of the document has an example; each is valid against the
    /// schema its body names (after every change to the document, the `…Write` twins
    /// included) and is read by the route's own type; no example is written for a schema
    /// that no body names.
    #[test]
    fn every_json_request_body_has_an_example_its_schema_and_its_reader_take() {
        let doc = serde_json::to_value(super::super::openapi()).expect("json");
        let mut bodies = 0;
        let mut used = std::collections::BTreeSet::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("operations") {
                let Some(content) = op["requestBody"]["content"]["application/json"].as_object()
                else {
                    continue;
                };
                bodies += 1;
                let example = content
                    .get("example")
                    .unwrap_or_else(|| panic!("{method} {path}: no example"));
                // The body's schema beside the document's components, so that `$ref`s resolve.
                let mut root = content["schema"].clone();
                root["components"] = doc["components"].clone();
                let validator = jsonschema::options()
                    .with_draft(jsonschema::Draft::Draft202012)
                    .should_validate_formats(true)
                    .build(&root)
                    .unwrap_or_else(|e| panic!("{method} {path}: schema: {e}"));
                let errors: Vec<String> = validator
                    .iter_errors(example)
                    .map(|e| format!("{} at {}", e, e.instance_path))
                    .collect();
                assert!(errors.is_empty(), "{method} {path}: {example}: {errors:?}");
                let schema = &content["schema"];
                let named = schema["$ref"]
                    .as_str()
                    .or_else(|| schema["items"]["$ref"].as_str())
                    .or_else(|| {
                        schema["oneOf"]
                            .as_array()
                            .and_then(|o| o.iter().find_map(|i| i["$ref"].as_str()))
                    })
                    .and_then(ref_name)
                    .unwrap_or_default();
                used.insert(named.to_string());
            }
        }
        assert!(bodies >= 75, "{bodies} JSON request bodies");
        for e in all() {
            (e.reads)(&e.body)
                .unwrap_or_else(|err| panic!("{}: {} is not read: {err}", e.schema, e.body));
            let named = used
                .iter()
                .any(|u| *u == e.schema || *u == super::super::lenient::write_name(&e.schema))
                // (or a body of its own, `openapi::BODIES`)
                || super::super::BODIES
                    .iter()
                    .any(|b| b.2 == e.schema && used.contains(b.3));
            assert!(named, "the example of {} is for no request body", e.schema);
        }
    }
}
