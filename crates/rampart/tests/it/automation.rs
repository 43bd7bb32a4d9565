//! `rampart onboard | run | report | search` as a user runs them: against the real server
//! (rampart-testkit) where its routes exist, and against a small scripted `/ias/v1` server
//! for the scan paths (COMPLETE with findings, FAILED, never finishing).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use rampart_testkit::TestApp;
use serde_json::{json, Value};
use std::process::Output;
use std::sync::{Arc, Mutex};

fn temp_dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("rampart-auto-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs the binary off the async runtime (the server keeps serving meanwhile).
async fn rampart(server: &str, key: &str, args: &[&str]) -> Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_rampart"));
    cmd.args(args)
        .env("RAMPART_URL", server)
        .env("RAMPART_API_KEY", key)
        .env_remove("RUST_LOG");
    tokio::task::spawn_blocking(move || cmd.output().expect("run rampart"))
        .await
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Ports, uuids and correlation ids replaced, for snapshots.
fn redact(s: &str) -> String {
    let uuid =
        regex::Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").unwrap();
    let port = regex::Regex::new(r"127\.0\.0\.1:\d+").unwrap();
    port.replace_all(&uuid.replace_all(s, "[uuid]"), "127.0.0.1:[port]")
        .into_owned()
}

const ONBOARD: &str = r#"
defaults:
  attack_template: All Modules
apps:
  - name: Shop
    description: the shop
    targets: [static.shop.test]
    scan_configs:
      - name: nightly
        seed_urls: ["http://shop.test:8080/app/index.php"]
        exclude: ["*/logout*"]
        schedules:
          - name: nightly at two
            first_start: "2026-01-05T01:00:00Z[Europe/Berlin]"
            frequency: DAILY
  - name: Blog
    scan_configs:
      - name: quick
        seed_urls: ["https://blog.example.test/"]
"#;

async fn inventory(server: &str, key: &str) -> Value {
    let c = rampart_client::Client::new(server, key).unwrap();
    let mut apps: Vec<Value> = c.list("ias/v1/apps").all().await.unwrap();
    let mut targets: Vec<Value> = c.list("ias/v1/targets").all().await.unwrap();
    let mut cfgs: Vec<Value> = c.list("ias/v1/scan-configs").all().await.unwrap();
    for cfg in &mut cfgs {
        let id = uuid::Uuid::parse_str(cfg["id"].as_str().unwrap()).unwrap();
        cfg["options"] = c.scan_config_options(id).await.unwrap().0;
    }
    for v in [&mut apps, &mut targets, &mut cfgs] {
        v.sort_by_key(|x| x["id"].as_str().unwrap_or("").to_string());
    }
    let mut schedules: Vec<Value> = c.list("ias/v1/schedules").all().await.unwrap();
    schedules.sort_by_key(|x| x["id"].as_str().unwrap_or("").to_string());
    json!({"apps": apps, "targets": targets, "configs": cfgs, "schedules": schedules})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn onboard_creates_what_is_missing_and_a_second_run_changes_nothing() {
    let app = TestApp::spawn().await;
    // Targets are managed by product admins.
    let key = app.keys.admin.token.clone();
    let dir = temp_dir();
    let file = dir.join("apps.yaml");
    std::fs::write(&file, ONBOARD).unwrap();
    let f = file.to_str().unwrap();

    // Dry run: the plan, and nothing changes.
    let before = inventory(&app.base, &key).await;
    let o = rampart(&app.base, &key, &["onboard", "-f", f, "--dry-run"]).await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    insta::assert_snapshot!("onboard_dry_run", stdout(&o));
    assert_eq!(inventory(&app.base, &key).await, before);

    let o = rampart(&app.base, &key, &["onboard", "-f", f]).await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    insta::assert_snapshot!("onboard_first_run", redact(&stdout(&o)));
    let after = inventory(&app.base, &key).await;
    let domains: Vec<&str> = after["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["domain"].as_str().unwrap())
        .collect();
    let mut sorted = domains.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        ["blog.example.test", "shop.test", "static.shop.test"]
    );
    let shop = after["configs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "nightly")
        .unwrap();
    assert_eq!(
        shop["options"]["crawl_config"]["seed_url_list"][0]["value"],
        "http://shop.test:8080/app/index.php"
    );
    let scope = &shop["options"]["crawl_config"]["scope_constraint_list"];
    assert_eq!(scope[0]["url"], "http://shop.test:8080/app/*");
    assert_eq!(scope[0]["exclusion"], "INCLUDE");
    assert_eq!(scope[1]["url"], "*/logout*");
    assert_eq!(scope[1]["exclusion"], "EXCLUDE");
    assert!(
        shop.get("errors").is_none() || shop["errors"] == json!([]),
        "a valid config: {shop}"
    );

    let schedules = after["schedules"].as_array().unwrap();
    assert_eq!(schedules.len(), 1);
    assert_eq!(schedules[0]["scan_config"]["id"], shop["id"]);
    assert_eq!(
        schedules[0]["first_start"],
        "2026-01-05T01:00:00.000Z[Europe/Berlin]"
    );

    // Second run: nothing created, nothing changed.
    let o = rampart(&app.base, &key, &["onboard", "-f", f]).await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    insta::assert_snapshot!("onboard_second_run", stdout(&o));
    assert_eq!(inventory(&app.base, &key).await, after);

    // An unknown engine group stops before anything is created.
    std::fs::write(
        &file,
        "apps:\n  - name: New\n    scan_configs:\n      - {name: c, seed_urls: ['http://new.test/'], attack_template: All Modules, engine_group: Nope}\n",
    )
    .unwrap();
    let o = rampart(&app.base, &key, &["onboard", "-f", f]).await;
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("rampart onboard: engine group 'Nope'"),
        "{}",
        stderr(&o)
    );
    assert_eq!(inventory(&app.base, &key).await, after);
    std::fs::remove_dir_all(dir).ok();
}

const ONBOARD_FILES: &str = r#"
defaults:
  attack_template: All Modules
apps:
  - name: Api
    files:
      - path: specs/api.yaml
        description: the API
    scan_configs:
      - name: api
        seed_urls: ["http://api.test/"]
        openapi_files: [api.yaml]
"#;

const SPEC_V1: &str = "openapi: \"3.0.0\"\ninfo: {title: a, version: \"1\"}\npaths:\n  /a: {get: {responses: {\"200\": {description: ok}}}}\n";

/// An onboarding file uploads an OpenAPI file next to it and names it in the config's
/// `swagger_file_list`; a re-run uploads changed content to the same file, never a second.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn onboard_uploads_an_openapi_file_and_attaches_it() {
    let app = TestApp::spawn().await;
    let key = app.keys.admin.token.clone();
    let dir = temp_dir();
    std::fs::create_dir_all(dir.join("specs")).unwrap();
    std::fs::write(dir.join("specs/api.yaml"), SPEC_V1).unwrap();
    let file = dir.join("apps.yaml");
    std::fs::write(&file, ONBOARD_FILES).unwrap();
    let f = file.to_str().unwrap();
    let c = rampart_client::Client::new(&app.base, &key).unwrap();
    let files_of = |c: rampart_client::Client| async move {
        let apps = c.apps().all().await.unwrap();
        let a = apps.iter().find(|a| a.name == "Api").unwrap().id.unwrap();
        let files = c.files(a).all().await.unwrap();
        let mut out = Vec::new();
        for x in files {
            let bytes = c.download_file(a, x.id.unwrap()).await.unwrap();
            out.push((x.name, x.kind.unwrap(), String::from_utf8(bytes).unwrap()));
        }
        out
    };

    let o = rampart(&app.base, &key, &["onboard", "-f", f]).await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("+ created file Api / api.yaml"),
        "{}",
        stdout(&o)
    );
    assert_eq!(
        files_of(c.clone()).await,
        [(
            "api.yaml".to_string(),
            "SWAGGER".to_string(),
            SPEC_V1.to_string()
        )]
    );
    let cfgs: Vec<Value> = c.list("ias/v1/scan-configs").all().await.unwrap();
    let cfg = cfgs.iter().find(|x| x["name"] == "api").unwrap();
    assert!(
        cfg.get("errors").is_none() || cfg["errors"] == json!([]),
        "{cfg}"
    );
    let id = uuid::Uuid::parse_str(cfg["id"].as_str().unwrap()).unwrap();
    let options = c.scan_config_options(id).await.unwrap().0;
    assert_eq!(
        options["web_service_config"]["swagger_file_list"],
        json!([{"value": "api.yaml"}])
    );

    // Same content: nothing happens.
    let o = rampart(&app.base, &key, &["onboard", "-f", f]).await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("= file Api / api.yaml"),
        "{}",
        stdout(&o)
    );

    // New content: uploaded to the same file.
    let v2 = SPEC_V1.replace("/a:", "/b:");
    std::fs::write(dir.join("specs/api.yaml"), &v2).unwrap();
    let o = rampart(&app.base, &key, &["onboard", "-f", f]).await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("~ uploaded new content of file Api / api.yaml"),
        "{}",
        stdout(&o)
    );
    assert_eq!(
        files_of(c.clone()).await,
        [("api.yaml".to_string(), "SWAGGER".to_string(), v2)]
    );

    // A file that is not OpenAPI stops with the server's reason.
    std::fs::write(dir.join("specs/api.yaml"), "just: text\n").unwrap();
    let o = rampart(&app.base, &key, &["onboard", "-f", f]).await;
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("SWAGGER"), "{}", stderr(&o));
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_prints_a_table_or_json() {
    let app = TestApp::spawn().await;
    let key = app.keys.read_write.token.clone();
    for n in ["alpha shop", "beta shop", "gamma"] {
        app.rw()
            .create("/ias/v1/apps", json!({"name": n, "description": "d"}))
            .await;
    }
    let q = "app.name CONTAINS 'shop'";
    let o = rampart(&app.base, &key, &["search", "--type", "app", "--query", q]).await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    insta::assert_snapshot!("search_table", redact(&stdout(&o)));
    let o = rampart(
        &app.base,
        &key,
        &["search", "--type", "APP", "--query", q, "--format", "json"],
    )
    .await;
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
    let o = rampart(
        &app.base,
        &key,
        &["search", "--type", "APP", "--query", "app.nam = 'x'"],
    )
    .await;
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("failed with 422"), "{}", stderr(&o));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedule_create_list_delete() {
    let app = TestApp::spawn().await;
    let key = app.keys.read_write.token.clone();
    let a = app.fx_app("Shop").await;
    app.fx_scan_config(a, "nightly").await;
    let mut out = String::new();
    for args in [
        vec![
            "schedule",
            "create",
            "--app",
            "Shop",
            "--config",
            "nightly",
            "--name",
            "berlin nine",
            "--first-start",
            "2026-03-27T08:00:00Z[Europe/Berlin]",
            "--frequency",
            "daily",
        ],
        vec![
            "schedule",
            "create",
            "--app",
            "Shop",
            "--config",
            "nightly",
            "--name",
            "last friday",
            "--first-start",
            "2026-01-05T18:00:00Z",
            "--rrule",
            "FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1",
        ],
        vec![
            "schedule",
            "create",
            "--app",
            "Shop",
            "--config",
            "nightly",
            "--name",
            "bad",
            "--first-start",
            "2026-01-05",
            "--rrule",
            "FREQ=MONTHLY;BYSETPOS=-1",
        ],
        vec!["schedule", "list"],
        vec!["schedule", "list", "--app", "Shop"],
        vec!["schedule", "delete", "last friday"],
        vec!["schedule", "delete", "last friday"],
        vec!["schedule", "list"],
    ] {
        let o = rampart(&app.base, &key, &args).await;
        out.push_str(&format!(
            "$ rampart {}\nexit {}\n{}{}\n",
            args.join(" "),
            o.status.code().unwrap_or(-1),
            stdout(&o),
            stderr(&o)
        ));
    }
    insta::assert_snapshot!("schedule_commands", redact(&out));
}

// ---- A scripted /ias/v1 server for the scan paths -------------------------------------

const APP_ID: &str = "00000000-0000-0000-0000-0000000000a1";
/// The engine's SQL injection module: the report takes names, CWE and help from its catalogue.
fn module() -> String {
    rampart_engine::module("sqli").unwrap().id.0.to_string()
}

#[derive(Default)]
struct Fake {
    /// scan id → (config name, polls so far, cancelled)
    scans: Vec<(String, u32, bool)>,
}

type S = Arc<Mutex<Fake>>;

fn cfg_id(name: &str) -> String {
    match name {
        "ok" => "00000000-0000-0000-0000-0000000000c1",
        "fails" => "00000000-0000-0000-0000-0000000000c2",
        _ => "00000000-0000-0000-0000-0000000000c3",
    }
    .to_string()
}

fn scan_uuid(i: usize) -> String {
    format!("00000000-0000-0000-0000-{:012x}", 0x5000 + i)
}

fn page(data: Vec<Value>) -> Json<Value> {
    let n = data.len();
    Json(
        json!({"data": data, "metadata": {"index": 0, "size": 500, "total_data": n,
        "total_pages": if n == 0 { 0 } else { 1 }}, "links": []}),
    )
}

fn vulns(gate_only: bool) -> Vec<Value> {
    let v = |id: u32, sev: &str, url: &str| {
        json!({"id": format!("00000000-0000-0000-0000-{id:012x}"), "app": {"id": APP_ID},
          "root_cause": {"url": url, "parameter": "id", "method": "GET"}, "severity": sev, "status": "UNREVIEWED",
          "variances": [{"id": format!("00000000-0000-0000-0000-{:012x}", id + 100), "module": {"id": module()},
            "attack": {"id": "SQLI_01"}, "attack_value": "1'", "proof": "SQL syntax error", "proof_description": "error message",
            "attack_exchanges": [{"request": format!("GET {url}?id=1' HTTP/1.1\r\nHost: shop.test\r\n\r\n"),
              "response": "HTTP/1.1 500 Internal Server Error\r\n\r\nSQL syntax"}]}]})
    };
    let all = vec![
        v(1, "HIGH", "http://shop.test/item"),
        v(2, "LOW", "http://shop.test/about"),
    ];
    if gate_only {
        all.into_iter().take(1).collect()
    } else {
        all
    }
}

async fn search(State(s): State<S>, Json(b): Json<Value>) -> Json<Value> {
    let q = b["query"].as_str().unwrap_or("");
    match b["type"].as_str().unwrap_or("") {
        "APP" if q.contains("'Shop'") => page(vec![json!({"id": APP_ID, "name": "Shop"})]),
        "APP" => page(vec![]),
        "SCAN_CONFIG" => {
            let name = q.split('\'').nth(1).unwrap_or("");
            if ["ok", "fails", "slow"].contains(&name) {
                page(vec![
                    json!({"id": cfg_id(name), "name": name, "app": {"id": APP_ID}}),
                ])
            } else {
                page(vec![])
            }
        }
        "VULNERABILITY" => page(vulns(q.contains("&& ("))),
        "SCAN" => {
            let f = s.lock().unwrap();
            let done: Vec<Value> = (0..f.scans.len())
                .filter(|i| f.scans[*i].0 == "ok")
                .map(|i| json!({"id": scan_uuid(i), "status": "COMPLETE", "completion_time": "2026-01-02T03:04:05.000000"}))
                .collect();
            page(done)
        }
        _ => page(vec![]),
    }
}

fn scan_json(i: usize, name: &str, polls: u32, cancelled: bool) -> Value {
    let status = match (name, cancelled) {
        (_, true) => "FAILED",
        ("ok", _) if polls >= 2 => "COMPLETE",
        ("fails", _) if polls >= 2 => "FAILED",
        _ => "RUNNING",
    };
    json!({"id": scan_uuid(i), "app": {"id": APP_ID}, "scan_config": {"id": cfg_id(name)},
      "status": status, "failure_reason": if status == "FAILED" { json!(if cancelled {"CANCELED"} else {"TARGETS_INVALID"}) } else { Value::Null },
      "submit_time": "2026-01-02T03:00:00.000000", "completion_time": "2026-01-02T03:04:05.000000"})
}

async fn fake_server() -> String {
    let state: S = Arc::default();
    let router = Router::new()
        .route("/ias/v1/search", post(search))
        .route(
            "/ias/v1/scans",
            post(|State(s): State<S>, Json(b): Json<Value>| async move {
                let cfg = b["scan_config"]["id"].as_str().unwrap_or("").to_string();
                let name = ["ok", "fails", "slow"]
                    .into_iter()
                    .find(|n| cfg_id(n) == cfg)
                    .unwrap_or("slow");
                let mut f = s.lock().unwrap();
                f.scans.push((name.to_string(), 0, false));
                let id = scan_uuid(f.scans.len() - 1);
                (
                    StatusCode::CREATED,
                    [("Location", format!("http://x/ias/v1/scans/{id}"))],
                )
            }),
        )
        .route(
            "/ias/v1/scans/{id}",
            get(|State(s): State<S>, Path(id): Path<String>| async move {
                let mut f = s.lock().unwrap();
                let Some(i) = (0..f.scans.len()).find(|i| scan_uuid(*i) == id) else {
                    return (StatusCode::NOT_FOUND, [("r7-correlation-id", "c-404")],
                        Json(json!({"status": "404 NOT_FOUND", "message": "Scan not found"}))).into_response();
                };
                f.scans[i].1 += 1;
                let (n, p, c) = f.scans[i].clone();
                Json(scan_json(i, &n, p, c)).into_response()
            }),
        )
        .route(
            "/ias/v1/scans/{id}/execution-details",
            get(|| async {
                Json(json!({"logged_in": false, "links_in_queue": 3, "links_crawled": 7, "attacks_in_queue": 2,
                  "attacked": 5, "vulnerable": 2, "requests": 90, "failed_requests": 1, "network_speed": 0, "drip_delay": 0}))
            }),
        )
        .route(
            "/ias/v1/scans/{id}/action",
            put(|State(s): State<S>, Path(id): Path<String>, Json(b): Json<Value>| async move {
                assert_eq!(b["action"], "CANCEL");
                let mut f = s.lock().unwrap();
                if let Some(i) = (0..f.scans.len()).find(|i| scan_uuid(*i) == id) {
                    f.scans[i].2 = true;
                }
                StatusCode::OK
            }),
        )
        .route(
            "/ias/v1/modules",
            get(|| async { Json(json!([{"id": module(), "name": "SQL Injection", "description": "", "links": []}])) }),
        )
        .route("/ias/v1/apps/{id}", get(|| async { Json(json!({"id": APP_ID, "name": "Shop"})) }))
        .route(
            "/ias/v1/scan-configs/{id}",
            get(|Path(id): Path<String>| async move { Json(json!({"id": id, "name": "ok", "app": {"id": APP_ID}})) }),
        )
        .route(
            "/ias/v1/scan-configs/{id}/options",
            get(|| async { Json(json!({"crawl_config": {"seed_url_list": [{"value": "http://shop.test/"}]}})) }),
        )
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

fn run_args<'a>(config: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![
        "run",
        "--app",
        "Shop",
        "--config",
        config,
        "--poll-interval",
        "50ms",
    ];
    v.extend_from_slice(extra);
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_gates_on_findings_and_writes_metrics_then_report_renders_every_format() {
    let server = fake_server().await;
    let dir = temp_dir();
    let metrics = dir.join("metrics.json");
    let findings = dir.join("findings.json");
    // No gate: passed.
    let o = rampart(&server, "k", &run_args("ok", &[])).await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // --fail-on HIGH: the HIGH finding fails the gate.
    let m = metrics.to_str().unwrap();
    let fnd = findings.to_str().unwrap();
    let o = rampart(
        &server,
        "k",
        &run_args(
            "ok",
            &["--fail-on", "high", "--metrics", m, "--findings", fnd],
        ),
    )
    .await;
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    insta::assert_snapshot!("run_gate_failed_stdout", redact(&stdout(&o)));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&metrics).unwrap()).unwrap();
    insta::assert_json_snapshot!("run_metrics", doc);
    let fv: Value = serde_json::from_str(&std::fs::read_to_string(&findings).unwrap()).unwrap();
    assert_eq!(fv.as_array().unwrap().len(), 2);
    // --fail-on CRITICAL: nothing that severe.
    let o = rampart(&server, "k", &run_args("ok", &["--fail-on", "CRITICAL"])).await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // --gate QUERY: scoped to the scan (the fake answers the scoped query with one hit).
    let o = rampart(
        &server,
        "k",
        &run_args("ok", &["--gate", "vulnerability.severity='HIGH'"]),
    )
    .await;
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("1 finding(s) match --gate"),
        "{}",
        stdout(&o)
    );
    // Two pairs at once: the worst exit code wins.
    let o = rampart(
        &server,
        "k",
        &[
            "run",
            "--app",
            "Shop",
            "--config",
            "ok",
            "--app",
            "Shop",
            "--config",
            "fails",
            "--poll-interval",
            "50ms",
        ],
    )
    .await;
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o).lines().count(), 2, "{}", stdout(&o));

    // report: from a scan id and from a pairs file, every format.
    let pairs = dir.join("pairs.yaml");
    std::fs::write(&pairs, "- {app: Shop, config: ok}\n").unwrap();
    for format in rampart_report::Format::NAMES {
        for source in [
            vec!["--scan", "00000000-0000-0000-0000-000000005000"],
            vec!["--pairs", pairs.to_str().unwrap()],
        ] {
            let out = dir.join(format!("report.{format}"));
            let mut args = vec![
                "report",
                "--format",
                format,
                "--output",
                out.to_str().unwrap(),
            ];
            args.extend(source);
            let o = rampart(&server, "k", &args).await;
            assert_eq!(o.status.code(), Some(0), "{format}: {}", stderr(&o));
            if *format == "pdf" {
                // Binary: its content is tested in rampart-report (text extracted, pages rendered).
                let bytes = std::fs::read(&out).unwrap();
                assert!(bytes.starts_with(b"%PDF-"), "{format}: not a PDF");
                continue;
            }
            let text = std::fs::read_to_string(&out)
                .unwrap()
                .replace("&#x2f;", "/");
            assert!(text.contains("shop.test/item"), "{format}: {text}");
        }
    }
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 2);
    assert_eq!(sarif["runs"][0]["tool"]["driver"]["rules"][0]["id"], "sqli");
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failure_paths_exit_2_with_a_clear_message() {
    let server = fake_server().await;
    let real = TestApp::spawn().await;
    let down = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let mut out = String::new();
    let cases: Vec<(&str, String, &str, Vec<&str>)> = vec![
        (
            "bad key",
            real.base.clone(),
            "rmp_not_a_key",
            vec!["search", "--type", "APP", "--query", "app.name='x'"],
        ),
        (
            "unknown app",
            server.clone(),
            "k",
            run_args("ok", &[])
                .into_iter()
                .map(|a| if a == "Shop" { "Nope" } else { a })
                .collect(),
        ),
        ("unknown config", server.clone(), "k", run_args("nope", &[])),
        ("server down", down.clone(), "k", run_args("ok", &[])),
        ("scan FAILED", server.clone(), "k", run_args("fails", &[])),
        (
            "timeout",
            server.clone(),
            "k",
            run_args("slow", &["--timeout", "1s"]),
        ),
        (
            "bad duration",
            server.clone(),
            "k",
            run_args("ok", &["--timeout", "soon"]),
        ),
        (
            "unpaired",
            server.clone(),
            "k",
            vec!["run", "--app", "Shop", "--app", "Shop", "--config", "ok"],
        ),
        (
            "report of an unknown scan",
            server.clone(),
            "k",
            vec!["report", "--scan", "00000000-0000-0000-0000-00000000ffff"],
        ),
    ];
    for (name, srv, key, args) in cases {
        let o = rampart(&srv, key, &args).await;
        let err = stderr(&o);
        let last = err
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect::<Vec<_>>();
        out.push_str(&format!(
            "## {name}\nexit {:?}\n{}\n\n",
            o.status.code(),
            redact(&last.join("\n"))
        ));
    }
    insta::assert_snapshot!("failure_paths", out);
}

/// `rampart blackout create|list|delete`: ids on stdout, a table or JSON, errors with exit 2.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blackout_create_list_delete() {
    let app = TestApp::spawn().await;
    let rw = app.keys.read_write.token.clone();
    let admin = app.keys.admin.token.clone();
    app.rw()
        .create("/ias/v1/apps", json!({"name": "Shop"}))
        .await;
    let o = rampart(
        &app.base,
        &rw,
        &[
            "blackout",
            "create",
            "--name",
            "release freeze",
            "--app",
            "Shop",
            "--start",
            "2026-01-02T03:00:00Z",
            "--end",
            "2026-01-02T05:00:00Z",
        ],
    )
    .await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let freeze = stdout(&o).trim().to_string();
    assert!(uuid::Uuid::parse_str(&freeze).is_ok(), "{freeze}");
    let o = rampart(
        &app.base,
        &admin,
        &[
            "blackout",
            "create",
            "--name",
            "weekends",
            "--start",
            "2026-01-03T00:00:00Z[Europe/Berlin]",
            "--end",
            "2026-01-05T00:00:00Z[Europe/Berlin]",
            "--frequency",
            "weekly",
            "--interval",
            "1",
            "--disabled",
        ],
    )
    .await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // A global blackout with a Read Write key: refused, exit 2, the server's message.
    let o = rampart(
        &app.base,
        &rw,
        &[
            "blackout",
            "create",
            "--name",
            "nope",
            "--start",
            "2026-01-03T00:00:00Z",
            "--end",
            "2026-01-04T00:00:00Z",
        ],
    )
    .await;
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.starts_with("rampart blackout create:"), "{err}");
    assert!(err.contains("global blackouts"), "{err}");
    let o = rampart(&app.base, &admin, &["blackout", "list"]).await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    insta::assert_snapshot!("blackout_list_table", redact(&stdout(&o)));
    let o = rampart(&app.base, &rw, &["blackout", "list", "--format", "json"]).await;
    let listed: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        listed.as_array().unwrap().len(),
        1,
        "no global one for Read Write"
    );
    let o = rampart(&app.base, &rw, &["blackout", "delete", &freeze]).await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = rampart(&app.base, &rw, &["blackout", "delete", &freeze]).await;
    assert_eq!(o.status.code(), Some(2));
    insta::assert_snapshot!("blackout_delete_missing", redact(&stderr(&o)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_server_side_generates_waits_and_saves() {
    use rampart_domain::Severity;
    use rampart_testkit::fx_finding;
    let app = TestApp::spawn().await;
    let key = app.keys.admin.token.clone();
    let shop = app.fx_app("Shop").await;
    let scan = app
        .fx_scan_with_findings(
            shop,
            &[
                fx_finding("http://shop.test/a", Some("id"), Severity::High, 1),
                fx_finding("http://shop.test/b", Some("q"), Severity::Medium, 2),
            ],
        )
        .await;
    let scan = scan.to_string();
    let dir = temp_dir();

    // PDF to a file: requested, waited for (progress on stderr), written.
    let out = dir.join("summary.pdf");
    let o = rampart(
        &app.base,
        &key,
        &[
            "report",
            "--server-side",
            "--type",
            "VULN_SUMMARY",
            "--format",
            "pdf",
            "--scan",
            &scan,
            "--name",
            "Weekly",
            "--output",
            out.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("written to"), "{}", stderr(&o));
    assert!(std::fs::read(&out).unwrap().starts_with(b"%PDF-"));

    // CSV to stdout, with a filter, lower-case type accepted.
    let o = rampart(
        &app.base,
        &key,
        &[
            "report",
            "--server-side",
            "--type",
            "vuln_summary",
            "--format",
            "csv",
            "--scan",
            &scan,
            "--filter",
            "vulnerability.severity = 'HIGH'",
        ],
    )
    .await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let csv = stdout(&o);
    assert!(csv.contains("shop.test/a"), "{csv}");
    assert!(!csv.contains("shop.test/b"), "the filter applies: {csv}");

    // An executive report by app name, as a zipped HTML.
    let out = dir.join("exec.zip");
    let o = rampart(
        &app.base,
        &key,
        &[
            "report",
            "--server-side",
            "--type",
            "EXEC_SINGLE_APP_ALL_VULNS",
            "--format",
            "html",
            "--app",
            "Shop",
            "--output",
            out.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(std::fs::read(&out).unwrap().starts_with(b"PK\x03\x04"));

    // Refusals: an unknown type, a format the type has not, a binary format without --output.
    for (args, says) in [
        (
            vec!["--type", "NOPE", "--format", "pdf", "--scan", &scan],
            "unknown report type",
        ),
        (
            vec![
                "--type",
                "VULN_SUMMARY",
                "--format",
                "sarif",
                "--scan",
                &scan,
            ],
            "pdf, html or csv",
        ),
        (
            vec!["--type", "VULN_SUMMARY", "--format", "pdf", "--scan", &scan],
            "--output",
        ),
    ] {
        let mut a = vec!["report", "--server-side"];
        a.extend(args);
        let o = rampart(&app.base, &key, &a).await;
        assert_eq!(o.status.code(), Some(2), "{a:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{a:?}: {}", stderr(&o));
    }
    // The server refuses a type × format it does not generate; the CLI says why.
    let out = dir.join("x.csv");
    let o = rampart(
        &app.base,
        &key,
        &[
            "report",
            "--server-side",
            "--type",
            "OWASP_2021_COMPLIANCE",
            "--format",
            "csv",
            "--scan",
            &scan,
            "--output",
            out.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("cannot request the report"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_dir_all(dir).ok();
}

/// `rampart gate --policy`: the server's verdict on imported findings decides the exit code
/// (1 fail, 0 pass), in text and JSON, with an API key and with OAuth client credentials; an
/// unknown policy or half the OAuth pair is exit 2 with a line saying what to do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gate_evaluates_a_policy_and_exits_by_its_verdict() {
    let app = TestApp::spawn().await;
    let key = app.keys.admin.token.clone();
    let name = app.unique("gated");
    let created = app
        .admin()
        .post("/v1/applications")
        .json(&json!({"name": name}))
        .send()
        .await
        .status(201)
        .json();
    let id = created["id"].as_str().unwrap().to_string();
    app.admin()
        .post(&format!("/v1/applications/{id}/scans?scanType=sast"))
        .header("Content-Type", "application/sarif+json")
        .body(include_str!(
            "../../../rampart-ingest/tests/fixtures/bandit.sarif"
        ))
        .send()
        .await
        .status(201);
    for body in [
        json!({"name": "no high", "action": "block", "conditions": {"minSeverity": "high"}}),
        json!({"name": "lenient", "action": "block", "conditions": {"minSeverity": "high", "maxCount": 100}}),
    ] {
        app.admin()
            .post("/v1/policies")
            .json(&body)
            .send()
            .await
            .status(201);
    }
    let o = rampart(
        &app.base,
        &key,
        &["gate", "--policy", "no high", "--app", &name],
    )
    .await;
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).contains("(gate): fail"), "{}", stdout(&o));
    assert!(stdout(&o).contains("vulnerable.py"), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("policy \"no high\" failed"),
        "{}",
        stderr(&o)
    );
    let o = rampart(
        &app.base,
        &key,
        &[
            "gate", "--policy", "LENIENT", "--app", &id, "--format", "json",
        ],
    )
    .await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["result"], "pass");
    assert!(v["matched"].as_u64().unwrap() > 0);
    let o = rampart(&app.base, &key, &["gate", "--policy", "nope"]).await;
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no policy named \"nope\""),
        "{}",
        stderr(&o)
    );
    // OAuth client credentials instead of the key (secret from the environment).
    let client = app
        .org()
        .post("/oauth/clients")
        .json(&json!({"name": "ci", "role": "product-admin", "scopes": "admin"}))
        .send()
        .await
        .status(201)
        .json();
    let cid = client["client_id"].as_str().unwrap().to_string();
    let secret = client["client_secret"].as_str().unwrap().to_string();
    let oauth = |args: Vec<String>, secret: Option<String>| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_rampart"));
        cmd.args(&args)
            .env("RAMPART_URL", &app.base)
            .env_remove("RAMPART_API_KEY")
            .env_remove("RUST_LOG");
        match secret {
            Some(s) => cmd.env("RAMPART_CLIENT_SECRET", s),
            None => cmd.env_remove("RAMPART_CLIENT_SECRET"),
        };
        tokio::task::spawn_blocking(move || cmd.output().expect("run rampart"))
    };
    let args: Vec<String> = ["gate", "--policy", "no high", "--client-id", &cid]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let o = oauth(args.clone(), Some(secret.clone())).await.unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).contains("(gate): fail"), "{}", stdout(&o));
    let o = oauth(args.clone(), None).await.unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--client-secret"), "{}", stderr(&o));
    let o = oauth(args, Some("wrong".into())).await.unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("client credentials were refused"),
        "{}",
        stderr(&o)
    );
}
