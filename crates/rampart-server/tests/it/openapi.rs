//! The OpenAPI document: 3.1, and every route of the authorization matrix in `paths`.

use crate::matrix::{cases, Case};
use crate::snap;
use rampart_testkit::TestApp;
use serde_json::{json, Value};

/// Whether a spec path (`/ias/v1/apps/{id}`) names the route template (`/ias/v1/apps/{app}`):
/// parameters match parameters, literals match literals.
fn same_route(spec: &str, route: &str) -> bool {
    let is_param = |s: &str| s.starts_with('{') && s.ends_with('}');
    let (a, b): (Vec<&str>, Vec<&str>) = (spec.split('/').collect(), route.split('/').collect());
    a.len() == b.len()
        && a.iter().zip(&b).all(|(x, y)| {
            if is_param(x) || is_param(y) {
                is_param(x) && is_param(y)
            } else {
                x == y
            }
        })
}

/// The one document is served, without a credential, at the root of each API: the
/// InsightAppSec guide's `/ias/v1/openapi.json` and the AppSec+ `/v1/openapi.json` (and its
/// unprefixed twin).
#[tokio::test]
async fn the_document_is_served_at_each_api_root() {
    let app = TestApp::spawn().await;
    let ias = app
        .anon()
        .get("/ias/v1/openapi.json")
        .send()
        .await
        .status(200)
        .json();
    for path in ["/v1/openapi.json", "/openapi.json"] {
        let doc = app.anon().get(path).send().await.status(200).json();
        assert_eq!(doc, ias, "{path}");
        assert!(doc["paths"]["/applications"].is_object(), "{path}");
    }
}

#[tokio::test]
async fn openapi_is_3_1_and_documents_every_route() {
    let app = TestApp::spawn().await;
    let doc = app
        .anon()
        .get("/ias/v1/openapi.json")
        .send()
        .await
        .status(200)
        .json();
    let version = doc["openapi"].as_str().unwrap_or_default();
    assert!(version.starts_with("3.1"), "OpenAPI version {version}");
    assert!(
        doc["components"]["securitySchemes"]["api_key"].is_object(),
        "the X-Api-Key scheme is declared"
    );
    let paths = doc["paths"].as_object().expect("paths");
    let mut missing = Vec::new();
    for Case(method, route, _, _) in cases() {
        // The document does not describe itself.
        if route.ends_with("/openapi.json") {
            continue;
        }
        let route = route
            .split('?')
            .next()
            .unwrap_or_default()
            .replace("SQLI_01", "{attack}");
        let found = paths.iter().any(|(p, ops)| {
            same_route(p, &route) && ops.get(method.to_ascii_lowercase()).is_some()
        });
        if !found {
            missing.push(format!("{method} {route}"));
        }
    }
    // And the other way round: a documented route without a matrix row fails here.
    let routes: Vec<(String, String)> = cases()
        .into_iter()
        .map(|Case(m, r, _, _)| {
            (
                m.to_string(),
                r.split('?')
                    .next()
                    .unwrap_or_default()
                    .replace("SQLI_01", "{attack}"),
            )
        })
        .collect();
    let mut unchecked = Vec::new();
    for (p, ops) in paths {
        // `/engine/v1` is authenticated by engine credentials, not API keys and roles:
        // `tests/it/engine_protocol.rs` checks its authentication instead of the matrix.
        if p.starts_with("/engine/v1/") {
            continue;
        }
        for m in ops.as_object().unwrap().keys() {
            let m = m.to_ascii_uppercase();
            if !routes.iter().any(|(rm, r)| *rm == m && same_route(p, r)) {
                unchecked.push(format!("{m} {p}"));
            }
        }
    }
    assert!(
        unchecked.is_empty(),
        "documented routes without a row in the authorization matrix (tests/it/matrix.rs):\n{}",
        unchecked.join("\n")
    );
    // The route inventory, one "METHOD path" line each: a removed route shows in review.
    let mut inventory: Vec<String> = paths
        .iter()
        .flat_map(|(p, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(move |m| format!("{} {p}", m.to_ascii_uppercase()))
        })
        .collect();
    inventory.sort();
    snap!("openapi_routes", inventory);
    assert!(
        missing.is_empty(),
        "routes missing from openapi.json paths:\n{}",
        missing.join("\n")
    );
}

/// The whole document, snapshotted: any change to a path, parameter, schema or status code shows
/// up in review as a diff of `it__openapi__openapi_document.snap`, not only added or removed routes.
#[tokio::test]
async fn openapi_document_is_snapshotted_whole() {
    let app = TestApp::spawn().await;
    let doc = app
        .anon()
        .get("/ias/v1/openapi.json")
        .send()
        .await
        .status(200)
        .json();
    assert!(
        doc["components"]["schemas"]
            .as_object()
            .is_some_and(|s| s.len() > 20),
        "the document carries its schemas"
    );
    insta::with_settings!({ sort_maps => true }, {
        insta::assert_json_snapshot!("openapi_document", doc);
    });
}

/// The schemas of a `oneOf` component, its `$ref`s resolved.
fn branches(doc: &Value, name: &str) -> Vec<(String, Value)> {
    let schemas = &doc["components"]["schemas"];
    schemas[name]["oneOf"]
        .as_array()
        .unwrap_or_else(|| panic!("{name} is a oneOf"))
        .iter()
        .map(|r| {
            let n = r["$ref"]
                .as_str()
                .expect("a $ref")
                .rsplit('/')
                .next()
                .unwrap();
            (n.to_string(), schemas[n].clone())
        })
        .collect()
}

/// The string values a schema's `enum` allows (`null` left out).
fn words(schema: &Value) -> Vec<String> {
    schema["enum"]
        .as_array()
        .map(|e| {
            e.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// Connector and policy write bodies are one schema per kind the server accepts, so that a
/// generated client has a type per kind: the connectors' kinds and types are exactly those
/// the server takes (`scanner` and `proxy` are refused, and listed nowhere), and a body
/// made from each policy schema's required members is accepted as that `type`.
#[tokio::test]
async fn write_bodies_are_one_schema_per_accepted_kind() {
    let app = TestApp::spawn().await;
    let doc: Value = app
        .anon()
        .get("/v1/openapi.json")
        .send()
        .await
        .status(200)
        .json();

    let connectors = branches(&doc, "ConnectorWrite");
    let mut kinds: Vec<String> = connectors
        .iter()
        .flat_map(|(_, b)| words(&b["properties"]["kind"]))
        .collect();
    kinds.sort();
    kinds.dedup();
    assert_eq!(kinds, ["agent", "integration"]);
    let listed = &doc["paths"]["/v1/connectors"]["get"]["parameters"];
    let param = listed
        .as_array()
        .and_then(|p| p.iter().find(|p| p["name"] == "kind"))
        .expect("GET /v1/connectors?kind");
    assert_eq!(words(&param["schema"]), ["integration", "agent"]);
    let text = doc.to_string();
    for refused in ["\"scanner\"", "\"proxy\""] {
        assert!(!text.contains(refused), "{refused} is in the document");
    }
    for kind in ["scanner", "proxy"] {
        app.admin()
            .post("/v1/connectors")
            .json(&json!({"name": kind, "kind": kind}))
            .send()
            .await
            .status(422);
    }
    let types: Vec<String> = connectors
        .iter()
        .flat_map(|(_, b)| words(&b["properties"]["type"]))
        .collect();
    let served: Vec<String> = app
        .ro()
        .get("/v1/connector-types")
        .send()
        .await
        .status(200)
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(types, served, "one integration schema per connector type");
    // An integration's config members are its type's, and no other.
    let (_, jira) = connectors
        .iter()
        .find(|(n, _)| n == "JiraConnectorWrite")
        .expect("JiraConnectorWrite");
    assert_eq!(jira["properties"]["config"]["additionalProperties"], false);
    assert!(jira["properties"]["secrets"]["properties"]["apiToken"].is_object());
    assert!(jira["properties"]["config"]["properties"]["apiToken"].is_null());

    let policies = branches(&doc, "PolicyWrite");
    let mapping = &doc["components"]["schemas"]["PolicyWrite"]["discriminator"];
    assert_eq!(mapping["propertyName"], "type");
    for (name, schema) in &policies {
        let mut body = json!({"name": format!("p-{name}"), "action": "monitor"});
        let typed = words(&schema["properties"]["type"]);
        if let [kind] = typed.as_slice() {
            assert_eq!(
                mapping["mapping"][kind],
                format!("#/components/schemas/{name}"),
                "{kind}"
            );
            body["type"] = json!(kind);
        }
        let required = schema["required"].as_array().unwrap();
        if required.iter().any(|r| r == "triage") {
            body["triage"] = json!({"status": "accepted", "justification": "j"});
        }
        if required.iter().any(|r| r == "sla") {
            body["sla"] = json!({"highDays": 10});
        }
        let made = app
            .admin()
            .post("/v1/policies")
            .json(&body)
            .send()
            .await
            .status(201)
            .json();
        let want = typed.first().map_or("sla", String::as_str);
        assert_eq!(made["type"], want, "{name}");
    }
    let mut kinds: Vec<&str> = policies.iter().map(|(n, _)| n.as_str()).collect();
    kinds.sort();
    assert_eq!(
        kinds,
        [
            "GatePolicyWrite",
            "SlaDaysPolicyWrite",
            "SlaPolicyWrite",
            "TriagePolicyWrite"
        ]
    );
}

#[test]
fn route_matching_is_strict() {
    assert!(same_route("/ias/v1/apps/{id}", "/ias/v1/apps/{app}"));
    assert!(!same_route(
        "/ias/v1/attack-templates/{id}",
        "/ias/v1/attack-templates/module-configs"
    ));
    assert!(!same_route("/ias/v1/apps", "/ias/v1/apps/{app}"));
}

/// Every `/engine/v1` body has a schema in the document, and each schema's properties are
/// exactly the fields the real protocol type writes (the schemas are declared next to the
/// routes, the types in the protocol crate: this keeps them in step).
#[tokio::test]
async fn engine_protocol_schemas_match_the_wire_types() {
    use rampart_domain::job::*;
    use rampart_domain::scan::{FailureReason, Finding, RootCause, ScanStatus, ScanType};
    use rampart_domain::*;
    let app = TestApp::spawn().await;
    let doc = app
        .anon()
        .get("/ias/v1/openapi.json")
        .send()
        .await
        .status(200)
        .json();
    let u = uuid::Uuid::nil();
    let rc = RootCause {
        url: "u".into(),
        parameter: None,
        method: "GET".into(),
    };
    let finding = Finding {
        module: ModuleId(u),
        root_cause: rc.clone(),
        severity: Severity::Low,
        vulnerability_score: None,
        discovered: chrono::Utc::now(),
        vector_string: None,
        variances: vec![],
    };
    let module = JobModule {
        module: ModuleId(u),
        severity: Severity::Low,
        max_findings: 1,
        parameter_locations: vec![],
    };
    let options = rampart_domain::options::overlay(
        &rampart_domain::options::defaults(),
        &serde_json::json!({
            "crawl_config": {"seed_url_list": [{"value": "https://a.test/"}],
                             "scope_constraint_list": [{"url": "https://a.test/*"}]},
            "auth_config": {"type": "FORM", "username_form": "u", "password_form": "p"}
        }),
    );
    let mut recipe = rampart_domain::plan::compile(rampart_domain::plan::PlanInput {
        options: &options,
        allowed_domains: &["a.test".to_string()],
        scan_type: ScanType::Regular,
        verify: &[],
        files: &[],
    })
    .expect("compiles");
    // The file fields are left out when empty: fill them so every property is compared.
    let file = |kind| rampart_domain::plan::RecipeFileContent {
        name: "f".into(),
        kind,
        content: vec![1],
    };
    recipe.definitions = vec![rampart_domain::plan::RecipeDefinition {
        file: file(rampart_domain::file::FileType::Graphql),
        endpoint: Some("https://a.test/graphql".parse().unwrap()),
        verb: Some("POST".into()),
    }];
    recipe.client_certificate = Some(rampart_domain::plan::RecipeCertificate {
        file: file(rampart_domain::file::FileType::Certificate),
        password: "p".into(),
    });
    recipe.login_script = Some(file(rampart_domain::file::FileType::Macro));
    let spec = JobSpec {
        scan: ScanId(u),
        org: OrgId(u),
        app: AppId(u),
        scan_config: ScanConfigId(u),
        scan_type: ScanType::Regular,
        attempt: 1,
        lease_seconds: 30,
        recipe: recipe.clone(),
        modules: vec![module.clone()],
        verify: vec![rc.clone()],
        checkpoint: None,
    };
    let hb = Heartbeat {
        status: ScanStatus::Running,
        details: ExecutionDetails::default(),
        checkpoint: None,
        coverage: Some(rampart_domain::job::Coverage {
            limits_reached: vec!["max_requests".into()],
            limit_details: vec!["max_requests: 100 requests; the rest not sent".into()],
            dropped: [("timeout".to_string(), 2)].into(),
            abandoned: [("connection closed".to_string(), 1)].into(),
        }),
    };
    let outcomes = [
        JobOutcome::Completed { partial: true },
        JobOutcome::Stopped,
        JobOutcome::Failed {
            reason: FailureReason::SystemError,
            message: "m".into(),
        },
    ];
    let keys = |v: serde_json::Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k.dedup();
        k
    };
    let mut outcome_keys: Vec<String> = outcomes
        .iter()
        .flat_map(|o| keys(serde_json::to_value(o).unwrap()))
        .collect();
    outcome_keys.sort();
    outcome_keys.dedup();
    let json = |v: &dyn erased::Ser| v.value();
    let cases: Vec<(&str, Vec<String>)> = vec![
        ("EngineJobSpec", keys(json(&spec))),
        ("EngineJobModule", keys(json(&module))),
        ("EngineRecipe", keys(json(&recipe))),
        ("EngineRecipeLimits", keys(json(&recipe.limits))),
        ("EngineScopeRule", keys(json(&recipe.scope[0]))),
        (
            "EngineRecipeLogin",
            keys(json(recipe.login.as_ref().expect("a login"))),
        ),
        ("EngineRecipeDefinition", keys(json(&recipe.definitions[0]))),
        (
            "EngineRecipeCertificate",
            keys(json(
                recipe.client_certificate.as_ref().expect("a certificate"),
            )),
        ),
        (
            "EngineRecipeFile",
            keys(json(recipe.login_script.as_ref().expect("a script"))),
        ),
        ("EngineRootCause", keys(json(&rc))),
        ("EngineHeartbeat", keys(json(&hb))),
        ("EngineExecutionDetails", keys(json(&hb.details))),
        ("EngineActionReply", keys(json(&HeartbeatReply::default()))),
        (
            "EngineJobEvent",
            keys(json(&JobEvent {
                time: chrono::Utc::now(),
                event: "e".into(),
            })),
        ),
        ("EngineFinding", keys(json(&finding))),
        (
            "EngineFindingBatch",
            keys(json(&FindingBatch {
                batch_id: "b".into(),
                findings: vec![],
            })),
        ),
        ("EngineJobOutcome", outcome_keys),
    ];
    for (name, want) in cases {
        let schema = &doc["components"]["schemas"][name];
        assert!(schema.is_object(), "{name} is registered: {schema}");
        let mut have: Vec<String> = schema["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{name} has properties"))
            .keys()
            .cloned()
            .collect();
        have.sort();
        assert_eq!(have, want, "{name}: schema properties = wire fields");
    }
}

mod erased {
    /// Serialises any protocol body to JSON (a trait object for the table above).
    pub trait Ser {
        fn value(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Ser for T {
        fn value(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap()
        }
    }
}

async fn document(app: &TestApp) -> Value {
    app.anon()
        .get("/ias/v1/openapi.json")
        .send()
        .await
        .status(200)
        .json()
}

/// Every word an AppSec+ list parameter lists in the document is taken by the route, and a
/// word outside the list is 422; a bounded number is taken at its bounds and 422 past them.
#[tokio::test]
async fn list_parameters_take_what_the_document_lists() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let made = app
        .admin()
        .post("/v1/applications")
        .json(&json!({"name": "words"}))
        .send()
        .await
        .status(201)
        .json();
    let app_id = made["id"].as_str().expect("id").to_string();
    let mut checked = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        if path.starts_with("/ias/") || path.starts_with("/engine/") {
            continue;
        }
        let url = path.replace("{id}", &app_id);
        if url.contains('{') || (url != *path && !path.contains("applications/{id}")) {
            continue;
        }
        let Some(params) = item["get"]["parameters"].as_array() else {
            continue;
        };
        for p in params.iter().filter(|p| p["in"] == "query") {
            let name = p["name"].as_str().expect("name");
            let schema = &p["schema"];
            let get = |value: String| {
                let app = &app;
                let url = url.clone();
                async move {
                    app.admin()
                        .get(&url)
                        .query(&[(name, value.as_str())])
                        .send()
                        .await
                }
            };
            let listed = words(schema);
            for w in &listed {
                get(w.clone()).await.status(200);
            }
            if !listed.is_empty() {
                get("not-a-word".into()).await.status(422);
                checked.push(format!("{path}?{name}"));
            }
            if let Some(max) = schema["maximum"].as_u64() {
                get(max.to_string()).await.status(200);
                get((max + 1).to_string()).await.status(422);
                checked.push(format!("{path}?{name}<={max}"));
            }
            if let Some(min) = schema["minimum"].as_u64().filter(|m| *m > 0) {
                get(min.to_string()).await.status(200);
                get((min - 1).to_string()).await.status(422);
            }
        }
    }
    for want in [
        "/applications?criticality",
        "/v1/vulnerabilities?sort",
        "/vulnerabilities?severity",
        "/vulnerabilities?minSeverity",
        "/vulnerabilities?status",
        "/vulnerabilities?scanType",
        "/applications/{id}/vulnerabilities?sort",
        "/audit-logs?limit<=1000",
        "/v1/vulnerabilities?limit<=1000",
    ] {
        assert!(
            checked.iter().any(|c| c == want),
            "{want} not checked: {checked:?}"
        );
    }
}

/// The string patterns of the document, compiled (`regex` reads the ECMA 262 subset used).
fn pattern(schema: &Value) -> regex::Regex {
    regex::Regex::new(schema["pattern"].as_str().expect("a pattern")).expect("a regex")
}

/// Every object of every schema says that member names and the members it does not list
/// refuse NUL (`JsonValue`), as the server reads every body: a NUL anywhere, even in a member
/// no route reads, is 422, and a member it does not read is taken otherwise.
#[tokio::test]
async fn unknown_members_are_json_values_without_nul() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    fn walk(s: &Value, at: &str, objects: &mut usize) {
        if s["type"] == "object"
            || s["type"]
                .as_array()
                .is_some_and(|t| t.contains(&json!("object")))
        {
            *objects += 1;
            assert_eq!(
                s["propertyNames"]["pattern"], "^[^\\u0000]*$",
                "{at}: propertyNames"
            );
            let extra = &s["additionalProperties"];
            assert!(
                *extra == json!(false)
                    || extra["$ref"] == "#/components/schemas/JsonValue"
                    || extra["type"].is_string(),
                "{at}: additionalProperties {extra}"
            );
        }
        for key in ["properties"] {
            if let Some(m) = s[key].as_object() {
                m.iter()
                    .for_each(|(n, v)| walk(v, &format!("{at}.{n}"), objects));
            }
        }
        for key in ["items", "additionalProperties"] {
            if s[key].is_object() {
                walk(&s[key], &format!("{at}[{key}]"), objects);
            }
        }
        for key in ["oneOf", "anyOf", "allOf"] {
            for (i, v) in s[key].as_array().into_iter().flatten().enumerate() {
                walk(v, &format!("{at}/{key}{i}"), objects);
            }
        }
    }
    let mut objects = 0;
    for (name, s) in doc["components"]["schemas"].as_object().expect("schemas") {
        walk(s, name, &mut objects);
    }
    assert!(objects > 100, "{objects} object schemas");
    let value = &doc["components"]["schemas"]["JsonValue"];
    assert_eq!(value["pattern"], "^[^\\u0000]*$", "{value}");
    assert_eq!(value["items"]["$ref"], "#/components/schemas/JsonValue");
    assert_eq!(
        value["additionalProperties"]["$ref"],
        "#/components/schemas/JsonValue"
    );
    assert!(value["type"].is_null(), "every type: {value}");

    let webhook = |extra: Value| {
        let mut body = json!({
            "name": "nul",
            "url": "https://hooks.example.com/in",
            "events": ["scan.completed"],
            "secret": "0123456789abcdef",
        });
        body.as_object_mut()
            .expect("object")
            .extend(extra.as_object().expect("object").clone());
        body
    };
    let post = |body: Value| {
        let app = &app;
        async move { app.admin().post("/webhooks").json(&body).send().await }
    };
    post(webhook(
        json!({"extra": {"a": [1, "x", null, {"b": true}]}}),
    ))
    .await
    .status(201);
    post(webhook(json!({"extra": {"a": [[ "x\u{0}" ]]}})))
        .await
        .status(422);
    post(webhook(json!({"extra": {"a\u{0}": 1}})))
        .await
        .status(422);
}

/// The bodies of the user and service account routes say what the routes read: a new
/// user's required members and email, the password's length, the status words, and that
/// an update keeps the email.
#[tokio::test]
async fn principal_bodies_say_what_the_routes_read() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let schemas = &doc["components"]["schemas"];
    let body_of = |method: &str, path: &str| {
        doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            .as_str()
            .and_then(|r| r.rsplit('/').next())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(body_of("post", "/users"), "NewUser");
    assert_eq!(body_of("put", "/users/{id}"), "UserUpdate");
    assert_eq!(body_of("post", "/service-accounts"), "NewServiceAccount");
    let new_user = &schemas["NewUser"];
    assert_eq!(new_user["required"], json!(["email", "role"]));
    let email = pattern(&new_user["properties"]["email"]);
    let min = new_user["properties"]["password"]["minLength"]
        .as_u64()
        .expect("minLength") as usize;
    for (i, e) in ["a@b", "X!#$%&'*+/=?^_`{|}~.-@[1.2]", "q\"\\@a"]
        .iter()
        .enumerate()
    {
        assert!(email.is_match(e), "{e}");
        let status = words(&new_user["properties"]["status"])[i % 2].clone();
        app.admin()
            .post("/users")
            .json(&json!({"email": e, "role": "read-only", "status": status,
                "password": "p".repeat(min)}))
            .send()
            .await
            .status(201);
    }
    for e in ["", "a", "@b", "a@", "a@b@c", "a b@c", "a@b\u{7}"] {
        assert!(!email.is_match(e), "{e}");
        app.admin()
            .post("/users")
            .json(&json!({"email": e, "role": "read-only"}))
            .send()
            .await
            .status(422);
    }
    for missing in ["email", "role"] {
        let mut body = json!({"email": "m@x.test", "role": "read-only"});
        body.as_object_mut().expect("object").remove(missing);
        app.admin()
            .post("/users")
            .json(&body)
            .send()
            .await
            .status(422);
    }
    let short = json!({"email": "s@x.test", "role": "read-only", "password": "p".repeat(min - 1)});
    app.admin()
        .post("/users")
        .json(&short)
        .send()
        .await
        .status(422);
    app.admin()
        .post("/users")
        .json(&json!({"email": "t@x.test", "role": "read-only", "status": "not-a-status"}))
        .send()
        .await
        .status(422);
    let made = app
        .admin()
        .post("/users")
        .json(&json!({"email": "u@x.test", "role": "read-only"}))
        .send()
        .await
        .status(201)
        .json();
    let id = made["id"].as_str().expect("id");
    let update = &schemas["UserUpdate"];
    assert_eq!(update["properties"]["email"]["readOnly"], true);
    assert!(update["required"].as_array().is_none_or(|r| r.is_empty()));
    let one = format!("/users/{id}");
    for s in words(&update["properties"]["status"]) {
        app.admin()
            .put(&one)
            .json(&json!({"status": s}))
            .send()
            .await
            .status(200);
    }
    app.admin()
        .put(&one)
        .json(&json!({"email": "other@x.test"}))
        .send()
        .await
        .status(422);

    let account = &schemas["NewServiceAccount"];
    assert_eq!(account["required"], json!(["name", "role"]));
    for missing in ["name", "role"] {
        let mut body = json!({"name": "sa", "role": "read-only"});
        body.as_object_mut().expect("object").remove(missing);
        app.admin()
            .post("/service-accounts")
            .json(&body)
            .send()
            .await
            .status(422);
    }
    for s in words(&account["properties"]["status"]) {
        app.admin()
            .post("/service-accounts")
            .json(&json!({"name": format!("sa-{s}"), "role": "read-only", "status": s}))
            .send()
            .await
            .status(201);
    }
}

/// A target's `domain` as the request body's schema states it
/// (`rampart_domain::target::input_pattern`): what it matches is taken, as typed.
#[tokio::test]
async fn target_domains_are_taken_as_the_document_says() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let domain = &doc["components"]["schemas"]["TargetWrite"]["properties"]["domain"];
    let re = pattern(domain);
    for (typed, stored) in [
        (" Shop.Test.. ", "shop.test"),
        ("a!b.c_d:0", "a!b.c_d:0"),
        ("10.0.0.1:8080", "10.0.0.1:8080"),
        ("[::1]", "[::1]"),
        (".lead.0x1g", ".lead.0x1g"),
    ] {
        assert!(re.is_match(typed), "{typed:?}");
        let id = app
            .admin()
            .create("/ias/v1/targets", json!({"domain": typed}))
            .await;
        let got = app
            .admin()
            .get(&format!("/ias/v1/targets/{id}"))
            .send()
            .await
            .status(200)
            .json();
        assert_eq!(got["domain"], stored, "{typed:?}");
    }
    for refused in [
        "https://shop.test",
        "shop.test/x",
        "a.1",
        "xn--",
        "shop test",
        "",
    ] {
        assert!(!re.is_match(refused), "{refused:?}");
        app.admin()
            .post("/ias/v1/targets")
            .json(&json!({"domain": refused}))
            .send()
            .await
            .status(422);
    }
    // A search names its type (422 `unknown search type ''` otherwise).
    let search = &doc["components"]["schemas"]["SearchRequest"];
    assert_eq!(search["required"], json!(["type"]));
    app.admin()
        .post("/ias/v1/search")
        .json(&json!({"query": ""}))
        .send()
        .await
        .status(422);
}
