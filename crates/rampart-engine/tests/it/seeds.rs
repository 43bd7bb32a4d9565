//! Files that feed a scan, end to end against the testbed: OpenAPI, GraphQL and HAR files
//! seed the API area no link leads to; a PKCS#12 client certificate opens the listener that
//! requires one; a Selenium IDE recording logs in.

use crate::pki::pki;
use rampart_engine::http::ReqwestTransport;
use rampart_engine::plan::{
    ClientCertificate, Definition, DefinitionKind, LoginScript, LoginScriptKind, Modules,
};
use rampart_engine::scope::{MatchKind, RuleKind, ScopeRule};
use rampart_engine::{EngineError, Event, ScanPlan, Summary};
use rampart_testbed::{definitions, Case, TestbedConfig, TestbedHandle};
use std::sync::Arc;
use std::time::Duration;
use url::Url;

async fn testbed() -> TestbedHandle {
    rampart_testbed::spawn(TestbedConfig {
        https_listen: None,
        ..TestbedConfig::default()
    })
    .await
    .unwrap()
}

fn include(pattern: String) -> ScopeRule {
    ScopeRule {
        kind: RuleKind::Include,
        matcher: MatchKind::Wildcard,
        pattern,
        method: None,
    }
}

/// A scan of the API area only (`/api/v2/*` and `/graphql`), seeded from `/api/v2/`, with
/// the SQL injection and reflected XSS checks.
pub fn api_plan(base: &str, definitions: Vec<Definition>) -> ScanPlan {
    let mut plan = ScanPlan::for_url(Url::parse(&format!("{base}/api/v2/")).unwrap());
    plan.scope = vec![
        include(format!("{base}/api/v2/*")),
        include(format!("{base}/graphql*")),
    ];
    plan.modules = Modules::from_keys(["sqli", "xss_reflected"]);
    plan.limits.max_time_probe = Duration::from_secs(1);
    plan.limits.max_duration = Duration::from_secs(120);
    plan.definitions = definitions;
    plan
}

pub fn definition(
    name: &str,
    kind: DefinitionKind,
    content: &str,
    endpoint: Option<Url>,
) -> Definition {
    Definition {
        name: name.into(),
        kind,
        content: content.as_bytes().to_vec(),
        endpoint,
        verb: None,
    }
}

fn found(case: &Case, s: &Summary) -> bool {
    s.findings.iter().any(|f| {
        let p = (!f.root_cause_parameter.is_empty()).then_some(f.root_cause_parameter.as_str());
        case.matches(&f.module_key, &f.root_cause_url, p)
    })
}

fn case(tb: &TestbedHandle, id: &str) -> Case {
    tb.manifest().into_iter().find(|c| c.id == id).unwrap()
}

fn logs(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Log { message, .. } => Some(message.clone()),
            Event::SessionLost { message } => Some(message.clone()),
            _ => None,
        })
        .collect()
}

/// Scans the API area with and without `defs`; asserts that the vulnerable cases are found
/// only with them and the safe twins never; returns the events of the seeded scan.
async fn found_only_thanks_to(
    defs: Vec<Definition>,
    vulnerable: &[&str],
    safe: &[&str],
) -> Vec<String> {
    let tb = testbed().await;
    let base = tb.base_url();
    let (without, _) = crate::run(api_plan(&base, Vec::new())).await;
    let (with, events) = crate::run(api_plan(&base, defs)).await;
    let listing: Vec<String> = with
        .findings
        .iter()
        .map(|f| {
            format!(
                "{} {} {}",
                f.module_key, f.root_cause_url, f.root_cause_parameter
            )
        })
        .collect();
    eprintln!(
        "with the files: {} requests in {} ms, findings {listing:?}; without: {} requests",
        with.progress.requests, with.duration_ms, without.progress.requests
    );
    for id in vulnerable {
        let c = case(&tb, id);
        assert!(found(&c, &with), "{id} found with the file: {listing:?}");
        assert!(!found(&c, &without), "{id} not found without the file");
    }
    for id in safe {
        assert!(
            !found(&case(&tb, id), &with),
            "safe twin {id} reported: {listing:?}"
        );
    }
    tb.shutdown().await;
    logs(&events)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_openapi_file_seeds_the_api_area() {
    let elsewhere = r#"{"openapi": "3.0.0", "servers": [{"url": "http://127.0.0.1:9/x"}],
        "paths": {"/a": {"get": {}}}}"#;
    let logs = found_only_thanks_to(
        vec![
            definition(
                "api.yaml",
                DefinitionKind::OpenApi,
                definitions::OPENAPI_YAML,
                None,
            ),
            definition("elsewhere.json", DefinitionKind::OpenApi, elsewhere, None),
            definition(
                "broken.yaml",
                DefinitionKind::OpenApi,
                "title: not an api",
                None,
            ),
        ],
        &["sqli-api2-json", "xss-api2-query"],
        &["sqli-api2-safe", "xss-api2-safe"],
    )
    .await;
    for want in [
        "OpenAPI file api.yaml: 4 operations seeded, 0 out of scope skipped",
        "OpenAPI file elsewhere.json: 0 operations seeded, 1 out of scope skipped",
        "OpenAPI file broken.yaml: not an OpenAPI 3 or Swagger 2 document",
    ] {
        assert!(logs.iter().any(|l| l.starts_with(want)), "{want}: {logs:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_graphql_schema_seeds_the_graphql_endpoint() {
    let logs = graphql_scan().await;
    assert!(
        logs.iter().any(|l| l.starts_with(
            "GraphQL file schema.graphql: 3 operations seeded, 0 out of scope skipped"
        )),
        "{logs:?}"
    );
    assert!(
        logs.iter()
            .any(|l| l.starts_with("GraphQL file no-endpoint.graphql: names no endpoint")),
        "{logs:?}"
    );
}

async fn graphql_scan() -> Vec<String> {
    let tb = testbed().await;
    let base = tb.base_url();
    let ep = Url::parse(&format!("{base}/graphql")).unwrap();
    let defs = vec![
        definition(
            "schema.graphql",
            DefinitionKind::GraphQl,
            definitions::GRAPHQL_SDL,
            Some(ep),
        ),
        definition(
            "no-endpoint.graphql",
            DefinitionKind::GraphQl,
            definitions::GRAPHQL_SDL,
            None,
        ),
    ];
    let (without, _) = crate::run(api_plan(&base, Vec::new())).await;
    let (with, events) = crate::run(api_plan(&base, defs)).await;
    let vuln = case(&tb, "sqli-graphql");
    let listing: Vec<String> = with
        .findings
        .iter()
        .map(|f| {
            format!(
                "{} {} {}",
                f.module_key, f.root_cause_url, f.root_cause_parameter
            )
        })
        .collect();
    assert!(found(&vuln, &with), "GraphQL injection found: {listing:?}");
    assert!(!found(&vuln, &without), "not without the schema");
    assert!(
        !found(&case(&tb, "sqli-graphql-safe"), &with),
        "safe resolver: {listing:?}"
    );
    tb.shutdown().await;
    logs(&events)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_har_file_replays_the_recorded_api_requests() {
    let tb = testbed().await;
    let base = tb.base_url();
    let har = definitions::har(&base);
    let (without, _) = crate::run(api_plan(&base, Vec::new())).await;
    let (with, events) = crate::run(api_plan(
        &base,
        vec![definition("session.har", DefinitionKind::Har, &har, None)],
    ))
    .await;
    for id in ["sqli-api2-json", "xss-api2-query"] {
        assert!(found(&case(&tb, id), &with), "{id} found with the HAR");
        assert!(
            !found(&case(&tb, id), &without),
            "{id} not found without it"
        );
    }
    for id in ["sqli-api2-safe", "xss-api2-safe"] {
        assert!(!found(&case(&tb, id), &with), "safe twin {id}");
    }
    let logs = logs(&events);
    assert!(
        logs.iter()
            .any(|l| l
                .starts_with("HAR file session.har: 4 requests seeded, 0 out of scope skipped")),
        "{logs:?}"
    );
    // Replayed as recorded (the finding on `customer` shows the JSON body was; the headers
    // and the dropped Cookie are checked by `seed::har`'s unit test).
    let replay = tb
        .requests()
        .into_iter()
        .find(|r| r.path == "/api/v2/orders/search")
        .expect("replayed");
    assert_eq!(replay.method, "POST");
    tb.shutdown().await;
}

async fn certificate_scan(
    tb: &TestbedHandle,
    cert: Option<ClientCertificate>,
) -> Result<Summary, EngineError> {
    let seed = Url::parse(&format!("{}/secure/", tb.client_auth_url().unwrap())).unwrap();
    let mut plan = ScanPlan::for_url(seed);
    plan.modules = Modules::template("Crawl Only").unwrap();
    plan.limits.max_crawl_results = 3;
    plan.client_certificate = cert;
    let transport = Arc::new(ReqwestTransport::new(true).unwrap());
    let (handle, mut rx) = rampart_engine::start(plan, transport, None)?;
    while let Some(e) = rx.recv().await {
        if matches!(e, Event::Finished(_)) {
            break;
        }
    }
    Ok(handle.wait().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_certificate_is_presented_to_a_listener_that_requires_one() {
    let pki = pki();
    let tb = rampart_testbed::spawn_with_client_auth(
        TestbedConfig {
            https_listen: None,
            ..TestbedConfig::default()
        },
        pki.server.clone(),
    )
    .await
    .unwrap();
    let cert = |password: &str| ClientCertificate {
        name: "client.p12".into(),
        pkcs12: pki.client_p12.clone(),
        password: password.into(),
    };

    // Without it the TLS handshake fails: nothing reaches the site.
    let s = certificate_scan(&tb, None).await.unwrap();
    assert!(s.crawled.is_empty(), "{:?}", s.crawled);
    assert!(s.progress.failed_requests > 0);
    assert!(tb.requests().is_empty());

    // With it the site answers.
    let s = certificate_scan(&tb, Some(cert(pki.password)))
        .await
        .unwrap();
    assert!(!s.crawled.is_empty(), "crawled with the certificate");
    assert!(tb.requests().iter().any(|r| r.path == "/secure/"));

    // A wrong password fails the scan before any request, saying which file and why.
    let Err(EngineError::Plan(msg)) = certificate_scan(&tb, Some(cert("wrong"))).await else {
        panic!("a wrong password must fail the scan");
    };
    assert!(msg.contains("client certificate file client.p12"), "{msg}");
    assert!(msg.contains("password"), "{msg}");
    let Err(EngineError::Plan(msg)) = certificate_scan(
        &tb,
        Some(ClientCertificate {
            pkcs12: b"not a pkcs12 file".to_vec(),
            ..cert(pki.password)
        }),
    )
    .await
    else {
        panic!("an unreadable file must fail the scan");
    };
    assert!(msg.contains("cannot be opened"), "{msg}");
    tb.shutdown().await;
}

fn side(commands: serde_json::Value) -> Vec<u8> {
    serde_json::json!({"id": "p1", "version": "2.0", "name": "acme", "url": "http://unused.example",
        "tests": [{"id": "t1", "name": "login", "commands": commands}], "suites": []})
    .to_string()
    .into_bytes()
}

async fn login_scan(
    tb: &TestbedHandle,
    kind: LoginScriptKind,
    content: Vec<u8>,
) -> (Summary, Vec<Event>) {
    let base = tb.base_url();
    let li = tb.login_info();
    let mut plan = ScanPlan::for_url(Url::parse(&format!("{base}/account/")).unwrap());
    plan.modules = Modules::template("Crawl Only").unwrap();
    plan.limits.max_crawl_results = 5;
    plan.scope.push(include(format!("{base}/login*")));
    plan.login_script = Some(LoginScript {
        name: "login.side".into(),
        kind,
        content,
        logged_in_regex: Some(li.logged_in_regex.clone()),
        session_loss_regex: Some(li.session_loss_regex.clone()),
    });
    crate::run(plan).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_selenium_recording_logs_in_through_the_testbed_login_form() {
    let tb = testbed().await;
    let base = tb.base_url();
    let li = tb.login_info();
    let script = side(serde_json::json!([
        {"id": "1", "command": "open", "target": format!("{base}{}", li.login_path), "value": ""},
        {"id": "2", "command": "setWindowSize", "target": "1280x800", "value": ""},
        {"id": "3", "command": "click", "target": "name=username", "value": ""},
        {"id": "4", "command": "type", "target": "name=username", "value": li.username},
        {"id": "5", "command": "type", "target": "xpath=//input[@name='password']", "value": li.password},
        {"id": "6", "command": "click", "target": "css=input[type=submit]", "value": ""}
    ]));
    let (_, events) = login_scan(&tb, LoginScriptKind::Selenium, script).await;
    assert!(
        events.iter().any(|e| matches!(e, Event::LoggedIn)),
        "logged in: {:?}",
        logs(&events)
    );
    let posted = tb
        .requests()
        .into_iter()
        .any(|r| r.method == "POST" && r.path == li.login_path);
    assert!(posted, "the form was submitted");

    // Wrong credentials: the replay runs, the login does not take, the scan says so.
    let script = side(serde_json::json!([
        {"command": "open", "target": format!("{base}{}", li.login_path), "value": ""},
        {"command": "type", "target": "name=username", "value": li.username},
        {"command": "type", "target": "name=password", "value": "wrong"},
        {"command": "submit", "target": "name=username", "value": ""}
    ]));
    let (_, events) = login_scan(&tb, LoginScriptKind::Selenium, script).await;
    assert!(!events.iter().any(|e| matches!(e, Event::LoggedIn)));
    let l = logs(&events);
    assert!(
        l.iter()
            .any(|m| m.starts_with("the login recorded in Selenium file login.side failed")),
        "{l:?}"
    );
    tb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsupported_recordings_are_named_in_a_scan_event() {
    let tb = testbed().await;
    let base = tb.base_url();
    let script = side(serde_json::json!([
        {"command": "open", "target": format!("{base}/login"), "value": ""},
        {"command": "executeScript", "target": "return document.title", "value": "t"},
        {"command": "click", "target": "css=input[type=submit]", "value": ""}
    ]));
    let (_, events) = login_scan(&tb, LoginScriptKind::Selenium, script).await;
    let l = logs(&events);
    assert!(
        l.iter().any(|m| m.starts_with(
            "Selenium file login.side: command `executeScript` on `return document.title` is not supported without a browser"
        ) && m.ends_with("the scan continues unauthenticated")),
        "{l:?}"
    );
    assert!(!events.iter().any(|e| matches!(e, Event::LoggedIn)));

    // A supported command whose element is not on the page: the failed login names it.
    let script = side(serde_json::json!([
        {"command": "open", "target": format!("{base}/login"), "value": ""},
        {"command": "type", "target": "id=missing", "value": "x"}
    ]));
    let (_, events) = login_scan(&tb, LoginScriptKind::Selenium, script).await;
    let l = logs(&events);
    assert!(
        l.iter()
            .any(|m| m.contains("`css=[id=\"missing\"]`: no such element on")),
        "{l:?}"
    );

    let (_, events) = login_scan(&tb, LoginScriptKind::Macro, b"<macro/>".to_vec()).await;
    let l = logs(&events);
    assert!(
        l.iter()
            .any(|m| m
                .starts_with("MACRO file login.side: macro recordings are replayed by a browser")),
        "{l:?}"
    );
    tb.shutdown().await;
}
