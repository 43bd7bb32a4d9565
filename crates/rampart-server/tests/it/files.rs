//! `/apps/{id}/files` (reference §3.9): every type round-trips on both databases, content
//! is checked against its type, 415/413/403 as documented, and scan configs use files.

use rampart_testkit::TestApp;
use serde_json::{json, Value};

const OPENAPI_YAML: &str = "openapi: \"3.0.3\"\ninfo: {title: shop, version: \"1\"}\npaths:\n  /users:\n    get:\n      responses:\n        \"200\": {description: ok}\n";

/// One valid file of every type: (type, name, content).
fn samples() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    vec![
        ("MACRO", "login.rec", b"<?xml version=\"1.0\"?><Macro><Step url=\"http://shop.example.test/\"/></Macro>".to_vec()),
        ("RECORDED_TRAFFIC", "traffic.har", br#"{"log": {"version": "1.2", "entries": [{"request": {"method": "GET", "url": "http://shop.example.test/"}}]}}"#.to_vec()),
        ("SELENIUM", "login.side", br#"{"id": "1", "name": "login", "tests": [{"id": "t", "name": "login", "commands": [{"command": "open", "target": "/login", "value": ""}]}]}"#.to_vec()),
        ("WSDL", "service.wsdl", b"<definitions xmlns=\"http://schemas.xmlsoap.org/wsdl/\" name=\"S\"/>".to_vec()),
        ("SWAGGER", "api.yaml", OPENAPI_YAML.as_bytes().to_vec()),
        ("CERTIFICATE", "client.p12", include_bytes!("files/client.p12").to_vec()),
        ("GRAPHQL", "schema.graphql", b"type Query { user(id: ID!): String }".to_vec()),
    ]
}

/// Creates a file's metadata as the Read Write user; its path.
async fn create(app: &TestApp, app_id: uuid::Uuid, kind: &str, name: &str) -> String {
    let r = app
        .rw()
        .post(&format!("/ias/v1/apps/{app_id}/files"))
        .json(&json!({"name": name, "type": kind, "description": "d", "locked": false}))
        .send()
        .await
        .status(201);
    let loc = r.location().expect("Location");
    loc[loc.find("/ias/v1").expect("an /ias/v1 URL")..].to_string()
}

async fn meta(app: &TestApp, path: &str) -> Value {
    app.ro()
        .get(path)
        .header("Accept", "application/json")
        .send()
        .await
        .status(200)
        .json()
}

async fn every_type_round_trips(app: TestApp) {
    let a = app.fx_app("files").await.0;
    for (kind, name, content) in samples() {
        let path = create(&app, a, kind, name).await;
        let m = meta(&app, &path).await;
        assert_eq!(
            (m["type"].as_str(), m["content_available"].as_bool()),
            (Some(kind), Some(false))
        );
        assert_eq!(m["owner"]["id"], app.keys.read_write.id().to_string());
        // No content yet: a clear conflict, not an empty body.
        let r = app
            .ro()
            .get(&path)
            .header("Accept", "application/octet-stream")
            .send()
            .await
            .status(409);
        assert!(r.text().contains("no content"), "{}", r.text());

        app.rw()
            .post(&path)
            .octets(content.clone())
            .send()
            .await
            .status(201);
        let m = meta(&app, &path).await;
        assert_eq!(m["content_available"], true, "{kind}");
        assert_eq!(m["size"], content.len(), "{kind}");
        for accept in [
            "application/octet-stream",
            "application/octet-stream, application/json",
        ] {
            let r = app
                .ro()
                .get(&path)
                .header("Accept", accept)
                .send()
                .await
                .status(200);
            assert_eq!(
                r.header("content-type").as_deref(),
                Some("application/octet-stream")
            );
            assert_eq!(r.body, content, "{kind} downloads the bytes it uploaded");
        }
    }
    // The list: default sort file.name.
    let page = app
        .ro()
        .get(&format!("/ias/v1/apps/{a}/files"))
        .send()
        .await
        .status(200)
        .json();
    let names: Vec<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert_eq!(page["metadata"]["total_data"], 7);
}

#[tokio::test]
async fn every_file_type_round_trips_on_sqlite() {
    every_type_round_trips(TestApp::spawn().await).await;
}

#[tokio::test]
async fn every_file_type_round_trips_on_postgres() {
    if let Some(app) = TestApp::spawn_postgres().await {
        every_type_round_trips(app).await;
    }
}

#[tokio::test]
async fn content_that_does_not_match_its_type_is_422_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let a = app.fx_app("files").await.0;
    let samples = samples();
    for (kind, name, _) in &samples {
        let path = create(&app, a, kind, name).await;
        // Every other type's sample is refused, except the one shared form: a WSDL
        // document is well-formed XML, which is all a MACRO recording is checked for.
        for (other, _, content) in &samples {
            if other == kind || (*kind, *other) == ("MACRO", "WSDL") {
                continue;
            }
            let r = app.rw().post(&path).octets(content.clone()).send().await;
            assert_eq!(
                r.status,
                422,
                "{other} content as a {kind} file: {}",
                r.text()
            );
            let e = r.error_body();
            assert_eq!(e["errors"][0]["context"], "content", "{e}");
        }
        assert_eq!(
            meta(&app, &path).await["content_available"],
            false,
            "{kind}"
        );
    }
    // A good upload, then a bad one: the good content stays.
    let path = create(&app, a, "SWAGGER", "keep.json").await;
    let good = br#"{"swagger": "2.0", "paths": {}}"#;
    app.rw()
        .post(&path)
        .octets(good.to_vec())
        .send()
        .await
        .status(201);
    let r = app
        .rw()
        .post(&path)
        .octets(br#"{"openapi": "3.0.0"}"#.to_vec())
        .send()
        .await
        .status(422);
    assert!(r.text().contains("paths"), "{}", r.text());
    let r = app
        .ro()
        .get(&path)
        .header("Accept", "application/octet-stream")
        .send()
        .await
        .status(200);
    assert_eq!(r.body, good);
    // Changing the type of a file with content re-checks it.
    app.rw()
        .put(&path)
        .json(&json!({"name": "keep.json", "type": "GRAPHQL"}))
        .send()
        .await
        .status(422);
}

#[tokio::test]
async fn metadata_is_validated() {
    let app = TestApp::spawn().await;
    let a = app.fx_app("files").await.0;
    let post = |body: Value| {
        app.rw()
            .post(&format!("/ias/v1/apps/{a}/files"))
            .json(&body)
    };
    let e = post(json!({"name": "api.txt", "type": "SWAGGER"}))
        .send()
        .await
        .status(422)
        .error_body();
    assert_eq!(e["errors"][0]["context"], "name");
    assert!(e["errors"][0]["explanation"]
        .as_str()
        .unwrap()
        .contains(".yaml"));
    let e = post(json!({"name": "a.json", "type": "PDF"}))
        .send()
        .await
        .status(422)
        .error_body();
    assert_eq!(e["errors"][0]["context"], "type");
    post(json!({"name": "a.json"})).send().await.status(422);
    post(json!({"name": "a.json", "type": "SWAGGER"}))
        .send()
        .await
        .status(201);
    post(json!({"name": "a.json", "type": "SWAGGER"}))
        .send()
        .await
        .status(409);
    // Another app of the organization, or an unknown one.
    app.rw()
        .get(&format!("/ias/v1/apps/{}/files", uuid::Uuid::new_v4()))
        .send()
        .await
        .status(404);
}

#[tokio::test]
async fn upload_needs_octet_stream_else_415() {
    let app = TestApp::spawn().await;
    let a = app.fx_app("files").await.0;
    let path = create(&app, a, "SWAGGER", "api.yaml").await;
    let r = app
        .rw()
        .post(&path)
        .header("Content-Type", "application/json")
        .body(r#"{"swagger": "2.0", "paths": {}}"#)
        .send()
        .await
        .status(415);
    let e = r.error_body();
    assert_eq!(e["status"], "415 UNSUPPORTED_MEDIA_TYPE");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("application/octet-stream"),
        "{e}"
    );
    app.rw()
        .post(&path)
        .body(OPENAPI_YAML)
        .send()
        .await
        .status(415);
    assert_eq!(meta(&app, &path).await["content_available"], false);
}

#[tokio::test]
async fn uploads_over_the_limit_are_413() {
    let app = TestApp::builder()
        .max_file_bytes(4096)
        .spawn()
        .await
        .expect("SQLite starts");
    let a = app.fx_app("files").await.0;
    let path = create(&app, a, "RECORDED_TRAFFIC", "big.har").await;
    let entries = "{\"request\": {\"method\": \"GET\", \"url\": \"http://x.test/\"}},".repeat(100);
    let big = format!(
        "{{\"log\": {{\"entries\": [{}]}}}}",
        entries.trim_end_matches(',')
    );
    assert!(big.len() > 4096);
    let r = app.rw().post(&path).octets(big).send().await.status(413);
    let e = r.error_body();
    assert_eq!(e["status"], "413 PAYLOAD_TOO_LARGE");
    assert!(e["message"].as_str().unwrap().contains("4096"), "{e}");
    app.rw()
        .post(&path)
        .octets(br#"{"log": {"entries": []}}"#.to_vec())
        .send()
        .await
        .status(201);
}

#[tokio::test]
async fn a_locked_file_is_changed_only_by_its_owner() {
    let app = TestApp::spawn().await;
    let a = app.fx_app("files").await.0;
    let r = app
        .rw()
        .post(&format!("/ias/v1/apps/{a}/files"))
        .json(&json!({"name": "api.yaml", "type": "SWAGGER", "locked": "true"}))
        .send()
        .await
        .status(201);
    let loc = r.location().unwrap();
    let path = &loc[loc.find("/ias/v1").unwrap()..];
    assert_eq!(meta(&app, path).await["locked"], true);
    let body = json!({"name": "api.yaml", "type": "SWAGGER", "locked": false});
    for other in [app.admin(), app.org()] {
        let e = other
            .put(path)
            .json(&body)
            .send()
            .await
            .status(403)
            .error_body();
        assert!(e["message"].as_str().unwrap().contains("locked"), "{e}");
        other
            .post(path)
            .octets(OPENAPI_YAML)
            .send()
            .await
            .status(403);
        other.delete(path).send().await.status(403);
    }
    app.rw()
        .post(path)
        .octets(OPENAPI_YAML)
        .send()
        .await
        .status(201);
    app.rw().put(path).json(&body).send().await.status(200);
    // Unlocked now: anyone who manages files may change it.
    app.admin()
        .post(path)
        .octets(OPENAPI_YAML)
        .send()
        .await
        .status(201);
    let m = meta(&app, path).await;
    assert_eq!(
        m["last_updated_by_user"]["id"],
        app.keys.admin.id().to_string()
    );
    app.admin().delete(path).send().await.status(204);
    app.ro().get(path).send().await.status(404);
}

/// A config of a new app whose options seed `shop.example.test` and name `extra`.
async fn config_with(app: &TestApp, a: rampart_domain::AppId, name: &str, extra: Value) -> String {
    let cfg = app.fx_scan_config(a, name).await;
    let base = json!({"crawl_config": {
        "seed_url_list": [{"value": "https://shop.example.test/"}],
        "scope_constraint_list": [{"url": "https://shop.example.test/*"}]}});
    let doc = rampart_domain::options::overlay(&base, &extra);
    app.rw()
        .put(&format!("/ias/v1/scan-configs/{cfg}/options"))
        .json(&doc)
        .send()
        .await
        .status(200);
    cfg.to_string()
}

async fn config_errors(app: &TestApp, cfg: &str) -> Vec<String> {
    let c = app
        .ro()
        .get(&format!("/ias/v1/scan-configs/{cfg}"))
        .send()
        .await
        .status(200)
        .json();
    c["errors"]
        .as_array()
        .map(|e| e.iter().map(|x| x.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

async fn submit(app: &TestApp, cfg: &str) -> uuid::Uuid {
    app.rw()
        .post("/ias/v1/scans")
        .json(&json!({"scan_config": {"id": cfg}}))
        .send()
        .await
        .status(201)
        .location_id()
}

#[tokio::test]
async fn a_config_naming_an_openapi_file_compiles_it_into_the_recipe() {
    let app = TestApp::spawn().await;
    app.fx_target("shop.example.test").await;
    let a = app.fx_app("shop").await;
    let path = create(&app, a.0, "SWAGGER", "api.yaml").await;
    let cfg = config_with(
        &app,
        a,
        "api",
        json!({"web_service_config": {"swagger_file_list": [
            {"value": "api.yaml", "host_name": "https://shop.example.test/api/"}]}}),
    )
    .await;
    // No content yet: the config says so, and a scan fails naming the file.
    let errors = config_errors(&app, &cfg).await;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("'api.yaml'") && errors[0].contains("no content"));
    let failed = submit(&app, &cfg).await;
    let scan = app
        .ro()
        .get(&format!("/ias/v1/scans/{failed}"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(
        (scan["status"].as_str(), scan["failure_reason"].as_str()),
        (Some("FAILED"), Some("CONFIGURATION_INVALID"))
    );
    let events = app
        .ro()
        .get(&format!("/ias/v1/scans/{failed}/platform-events"))
        .send()
        .await
        .status(200)
        .text();
    assert!(events.contains("api.yaml"), "{events}");

    // With content: no error, and the stored job's recipe carries the definition.
    app.rw()
        .post(&path)
        .octets(OPENAPI_YAML)
        .send()
        .await
        .status(201);
    assert_eq!(config_errors(&app, &cfg).await, Vec::<String>::new());
    let scan = submit(&app, &cfg).await;
    let job = app
        .service
        .store()
        .get_job(app.keys.org.org(), rampart_domain::ScanId(scan))
        .await
        .expect("a queued job");
    let recipe = job.recipe.expect("a recipe");
    assert_eq!(recipe.definitions.len(), 1);
    let d = &recipe.definitions[0];
    assert_eq!(d.file.name, "api.yaml");
    assert_eq!(d.file.kind, rampart_domain::file::FileType::Swagger);
    assert_eq!(d.file.content, OPENAPI_YAML.as_bytes());
    assert_eq!(
        d.endpoint.as_ref().map(|u| u.as_str()),
        Some("https://shop.example.test/api/")
    );

    // Deleting the file leaves the options alone; the config reports it again.
    app.rw().delete(&path).send().await.status(204);
    let errors = config_errors(&app, &cfg).await;
    assert!(
        errors.len() == 1 && errors[0].contains("does not exist"),
        "{errors:?}"
    );
    let options = app
        .ro()
        .get(&format!("/ias/v1/scan-configs/{cfg}/options"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(
        options["web_service_config"]["swagger_file_list"][0]["value"],
        "api.yaml"
    );
}

#[tokio::test]
async fn certificate_and_login_files_reach_the_recipe() {
    let app = TestApp::spawn().await;
    app.fx_target("shop.example.test").await;
    let a = app.fx_app("shop").await;
    for (kind, name, content) in samples() {
        if matches!(
            kind,
            "CERTIFICATE" | "SELENIUM" | "GRAPHQL" | "RECORDED_TRAFFIC"
        ) {
            let path = create(&app, a.0, kind, name).await;
            app.rw()
                .post(&path)
                .octets(content)
                .send()
                .await
                .status(201);
        }
    }
    let cfg = config_with(
        &app,
        a,
        "all",
        json!({
            "ssl_cert_config": {"type": "CERTIFICATE", "file": "client.p12", "password": "changeit"},
            "auth_config": {"type": "SELENIUM", "selenium_file": {"selenium_file_name": "login.side"}},
            "web_service_config": {"graph_ql_config_object_list": [{"enabled": true,
                "introspection_schema_file_path": "schema.graphql",
                "graph_ql_endpoint_url": "https://shop.example.test/graphql", "verb": "POST"}]},
            "manual_crawling_config": {"traffic_file_list": [{"traffic_file_name": "traffic.har"}]}
        }),
    )
    .await;
    assert_eq!(config_errors(&app, &cfg).await, Vec::<String>::new());
    let scan = submit(&app, &cfg).await;
    let recipe = app
        .service
        .store()
        .get_job(app.keys.org.org(), rampart_domain::ScanId(scan))
        .await
        .expect("a queued job")
        .recipe
        .expect("a recipe");
    let kinds: Vec<&str> = recipe
        .definitions
        .iter()
        .map(|d| d.file.kind.as_str())
        .collect();
    assert_eq!(kinds, ["GRAPHQL", "RECORDED_TRAFFIC"]);
    assert_eq!(recipe.definitions[0].verb.as_deref(), Some("POST"));
    let cert = recipe.client_certificate.expect("a certificate");
    // Sealed at rest; the engine that claims the job gets it in clear.
    assert!(cert.password.starts_with("sealed:v1:"), "{}", cert.password);
    let spec = app
        .service
        .claim_job("test-engine")
        .await
        .expect("claim")
        .expect("the job");
    assert_eq!(
        spec.recipe
            .client_certificate
            .expect("a certificate")
            .password,
        "changeit"
    );
    assert_eq!(cert.file.content, include_bytes!("files/client.p12"));
    assert_eq!(recipe.login_script.expect("a login").name, "login.side");
}
