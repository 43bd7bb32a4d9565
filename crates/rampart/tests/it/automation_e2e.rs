//! `rampart onboard | run | report | search` end to end: a real `rampart server` process
//! (SQLite, embedded engine) scanning the in-process testbed. The scans are kept small
//! (one testbed page, the "SQL Injection" template) so the whole test stays well under a
//! minute in a debug build.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// A `rampart server` child process; SIGTERM and wait on drop.
struct Server {
    child: Child,
    base: String,
    key: String,
    dir: std::path::PathBuf,
}

impl Server {
    fn spawn(dir: &std::path::Path) -> Server {
        let url = format!("sqlite://{}", dir.join("r.db").display());
        let mut child = Command::new(env!("CARGO_BIN_EXE_rampart"))
            .args([
                "server",
                "--database",
                &url,
                "--listen",
                "127.0.0.1:0",
                "--engines",
                "1",
            ])
            .env_remove("RUST_LOG")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start rampart server");
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let stderr = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            // Keep draining so the server never blocks on a full pipe.
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(i) = line.find("addr=") {
                    let addr: String = line[i + 5..]
                        .chars()
                        .take_while(|c| !c.is_whitespace())
                        .collect();
                    let _ = addr_tx.send(addr);
                }
            }
        });
        let (key_tx, key_rx) = std::sync::mpsc::channel();
        let stdout = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.trim_start().starts_with("rmp_") {
                    let _ = key_tx.send(line.trim().to_string());
                }
            }
        });
        let key = key_rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the first start prints the key");
        let addr = addr_rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the server logs its address");
        Server {
            child,
            base: format!("http://{addr}"),
            key,
            dir: dir.to_path_buf(),
        }
    }

    fn client(&self) -> rampart_client::Client {
        rampart_client::Client::new(&self.base, &self.key).unwrap()
    }

    /// Runs the binary off the async runtime (the testbed keeps serving meanwhile).
    async fn rampart(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rampart"));
        cmd.args(args)
            .current_dir(&self.dir)
            .env("RAMPART_URL", &self.base)
            .env("RAMPART_API_KEY", &self.key)
            .env_remove("RUST_LOG");
        tokio::task::spawn_blocking(move || cmd.output().expect("run rampart"))
            .await
            .unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Ports and uuids replaced, for snapshots.
fn redact(s: &str) -> String {
    let uuid =
        regex::Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").unwrap();
    let port = regex::Regex::new(r"127\.0\.0\.1:\d+").unwrap();
    port.replace_all(&uuid.replace_all(s, "[uuid]"), "127.0.0.1:[port]")
        .into_owned()
}

/// The id printed by `rampart run` ("… scan ID STATUS, …").
fn scan_id_of(stdout: &str) -> Uuid {
    let re = regex::Regex::new(r"scan ([0-9a-f-]{36}) ").unwrap();
    let c = re
        .captures(stdout)
        .unwrap_or_else(|| panic!("no scan id in {stdout:?}"));
    Uuid::parse_str(&c[1]).unwrap()
}

fn sarif_schema() -> jsonschema::Validator {
    let text = include_str!("../../../rampart-report/tests/it/fixtures/sarif-schema-2.1.0.json");
    jsonschema::validator_for(&serde_json::from_str::<Value>(text).unwrap()).unwrap()
}

fn onboard_yaml(base: &str) -> String {
    format!(
        r#"
defaults:
  attack_template: SQL Injection
apps:
  - name: Testbed
    description: the deliberately vulnerable testbed
    scan_configs:
      - name: products
        seed_urls: ["{base}/products.php?id=1"]
        include: ["{base}/products.php*"]
      - name: outside
        seed_urls: ["{base}/products.php?id=2"]
        include: ["{base}/products.php*"]
      - name: whole
        seed_urls: ["{base}/"]
        attack_template: All Modules
"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn onboard_run_report_search_against_a_real_server_and_the_testbed() {
    let dir = std::env::temp_dir().join(format!("rampart-e2e-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let tb = rampart_testbed::spawn(rampart_testbed::TestbedConfig {
        https_listen: None,
        ..Default::default()
    })
    .await
    .unwrap();
    let base = tb.base_url().trim_end_matches('/').to_string();
    let server = Server::spawn(&dir);
    let c = server.client();

    // Onboard: creates, then a second run changes nothing.
    let file = dir.join("apps.yaml");
    std::fs::write(&file, onboard_yaml(&base)).unwrap();
    let f = file.to_str().unwrap();
    let o = server.rampart(&["onboard", "-f", f]).await;
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
    let first = out(&o);
    assert!(first.contains("Testbed"), "{first}");
    let apps: Vec<Value> = c.list("ias/v1/apps").all().await.unwrap();
    assert_eq!(apps.len(), 1);
    let cfgs: Vec<Value> = c.list("ias/v1/scan-configs").all().await.unwrap();
    assert_eq!(cfgs.len(), 3);
    let o = server.rampart(&["onboard", "-f", f]).await;
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(out(&o).contains("nothing to do"), "{}", out(&o));
    assert_eq!(
        c.list::<Value>("ias/v1/scan-configs")
            .all()
            .await
            .unwrap()
            .len(),
        3
    );

    // run --fail-on HIGH: waits for COMPLETE, fails the gate (the page is injectable).
    let metrics = dir.join("metrics.json");
    let findings = dir.join("findings.json");
    let started = Instant::now();
    let o = server
        .rampart(&[
            "run",
            "--app",
            "Testbed",
            "--config",
            "products",
            "--fail-on",
            "HIGH",
            "--poll-interval",
            "200ms",
            "--timeout",
            "5m",
            "--metrics",
            metrics.to_str().unwrap(),
            "--findings",
            findings.to_str().unwrap(),
        ])
        .await;
    let stdout = out(&o);
    assert_eq!(o.status.code(), Some(1), "{stdout}{}", err(&o));
    assert!(stdout.contains("COMPLETE"), "{stdout}");
    assert!(stdout.contains("gate failed"), "{stdout}");
    eprintln!("e2e: products scan took {:?}", started.elapsed());
    let scan = scan_id_of(&stdout);
    let m: Value = serde_json::from_slice(&std::fs::read(&metrics).unwrap()).unwrap();
    assert_eq!(m["schema"], "rampart.run-metrics/1");
    let s = &m["scans"][0];
    assert_eq!(s["status"], "COMPLETE");
    assert_eq!(s["result"], "gate_failed");
    assert_eq!(s["scan_id"], json!(scan.to_string()));
    let n = s["findings"].as_u64().unwrap();
    assert!(n > 0, "{m}");
    assert!(s["by_severity"]["HIGH"].as_u64().unwrap() > 0, "{m}");
    assert!(
        s["execution_details"]["requests"].as_u64().unwrap() > 0,
        "{m}"
    );
    let fs: Value = serde_json::from_slice(&std::fs::read(&findings).unwrap()).unwrap();
    let fs = fs.as_array().unwrap();
    assert_eq!(fs.len() as u64, n);
    assert!(fs.iter().all(|v| v["root_cause"]["url"]
        .as_str()
        .unwrap()
        .contains("/products.php")));

    // --gate: a query matching the high findings fails, one matching nothing passes.
    let gate = |q: &'static str| {
        let server = &server;
        async move {
            server
                .rampart(&[
                    "run",
                    "--app",
                    "Testbed",
                    "--config",
                    "products",
                    "--poll-interval",
                    "200ms",
                    "--gate",
                    q,
                ])
                .await
        }
    };
    let o = gate("vulnerability.severity='HIGH'").await;
    assert_eq!(o.status.code(), Some(1), "{}{}", out(&o), err(&o));
    assert!(out(&o).contains("match --gate"), "{}", out(&o));
    let o = gate("vulnerability.severity='SAFE'").await;
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
    assert!(out(&o).contains("passed"), "{}", out(&o));

    // report: every format from the real scan.
    let scan_s = scan.to_string();
    for (format, ext) in [
        ("json", "json"),
        ("sarif", "sarif"),
        ("html", "html"),
        ("csv", "csv"),
        ("junit", "xml"),
        ("markdown", "md"),
    ] {
        let path = dir.join(format!("report.{ext}"));
        let o = server
            .rampart(&[
                "report",
                "--scan",
                &scan_s,
                "--format",
                format,
                "--output",
                path.to_str().unwrap(),
            ])
            .await;
        assert_eq!(o.status.code(), Some(0), "{format}: {}", err(&o));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.trim().is_empty(), "{format} is empty");
        match format {
            "json" => {
                let doc: Value = serde_json::from_str(&text).unwrap();
                let found = doc["findings"].as_array().unwrap().len();
                assert!(found > 0, "json report has findings");
                assert_eq!(found as u64, n, "one report finding per vulnerability");
                // Each finding keeps the confidence the engine reported (on the wire as
                // LOW/HIGH/CONFIRMED), not a made-up one.
                let engine_scale = |c: &str| match c {
                    "LOW" => "TENTATIVE",
                    "HIGH" => "FIRM",
                    "CONFIRMED" => "CONFIRMED",
                    other => panic!("unexpected wire confidence {other}"),
                };
                let rank = |c: &str| {
                    ["TENTATIVE", "FIRM", "CONFIRMED"]
                        .iter()
                        .position(|x| *x == c)
                };
                let mut wire: Vec<&str> = fs
                    .iter()
                    .map(|v| {
                        v["variances"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|x| {
                                engine_scale(x["confidence"].as_str().expect("confidence sent"))
                            })
                            .max_by_key(|c| rank(c))
                            .unwrap()
                    })
                    .collect();
                let mut reported: Vec<&str> = doc["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f["confidence"].as_str().unwrap())
                    .collect();
                wire.sort();
                reported.sort();
                assert_eq!(reported, wire);
            }
            "sarif" => {
                let doc: Value = serde_json::from_str(&text).unwrap();
                let errors: Vec<String> = sarif_schema()
                    .iter_errors(&doc)
                    .map(|e| format!("{e} at {}", e.instance_path))
                    .collect();
                assert!(errors.is_empty(), "sarif invalid: {errors:#?}");
                assert!(!doc["runs"][0]["results"].as_array().unwrap().is_empty());
            }
            "csv" => assert!(text.lines().count() as u64 > n, "a header and a row each"),
            "junit" => assert!(text.contains("<testsuite"), "{text}"),
            "html" => assert!(text.contains("<html"), "html"),
            _ => assert!(text.contains("products.php"), "{text}"),
        }
    }

    // search VULNERABILITY: table and json.
    let q = format!("vulnerability.scans.id='{scan}'");
    let o = server
        .rampart(&[
            "search",
            "--type",
            "VULNERABILITY",
            "--query",
            &q,
            "--format",
            "json",
        ])
        .await;
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let rows: Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(rows.as_array().unwrap().len() as u64, n);
    let o = server
        .rampart(&["search", "--type", "VULNERABILITY", "--query", &q])
        .await;
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let table = out(&o);
    assert!(table.lines().next().unwrap().starts_with("ID "), "{table}");
    assert_eq!(table.lines().count() as u64, n + 1, "header + one row each");
    assert!(table.contains("HIGH"), "{table}");

    // The client's scan and vulnerability reads against the real routes.
    let vid = Uuid::parse_str(fs[0]["id"].as_str().unwrap()).unwrap();
    let v = c.get_vulnerability(vid).await.unwrap();
    assert_eq!(v.id, Some(vid));
    assert!(!v.variances.is_empty(), "{v:?}");
    let found: Vec<_> = c.vulnerability_discoveries(vid).all().await.unwrap();
    assert!(!found.is_empty());
    c.vulnerability_history(vid).await.unwrap();
    assert!(!c.platform_events(scan).await.unwrap().is_empty());
    c.engine_events(scan).await.unwrap();
    assert!(c.execution_details(scan).await.unwrap().requests > 0);
    assert!(
        c.pending_scan_action(scan).await.unwrap().is_none(),
        "204: nothing pending"
    );

    // A scan FAILED at submission: the seed is not under an enabled target.
    let outside = cfgs.iter().find(|x| x["name"] == "outside").unwrap();
    let outside_id = Uuid::parse_str(outside["id"].as_str().unwrap()).unwrap();
    c.patch_scan_config_options(
        outside_id,
        &serde_json::from_value(json!({"crawl_config": {
            "seed_url_list": [{"value": "http://not-a-target.test/"}],
            "scope_constraint_list": [{"url": "http://not-a-target.test/*", "exclusion": "INCLUDE"}],
        }}))
        .unwrap(),
    )
    .await
    .unwrap();
    let o = server
        .rampart(&[
            "run",
            "--app",
            "Testbed",
            "--config",
            "outside",
            "--poll-interval",
            "200ms",
        ])
        .await;
    assert_eq!(o.status.code(), Some(2), "{}{}", out(&o), err(&o));
    insta::assert_snapshot!(
        "e2e_run_targets_invalid",
        format!("exit {:?}\n{}", o.status.code(), redact(&out(&o)))
    );
    let failed = c.get_scan(scan_id_of(&out(&o))).await.unwrap();
    assert_eq!(failed.status.as_deref(), Some("FAILED"));
    assert_eq!(failed.failure_reason.as_deref(), Some("TARGETS_INVALID"));

    // --timeout on a scan that takes longer: CANCEL, exit 2, the scan ends FAILED/CANCELED.
    let o = server
        .rampart(&[
            "run",
            "--app",
            "Testbed",
            "--config",
            "whole",
            "--timeout",
            "1s",
            "--poll-interval",
            "200ms",
        ])
        .await;
    assert_eq!(o.status.code(), Some(2), "{}{}", out(&o), err(&o));
    let last = err(&o).lines().last().unwrap_or_default().to_string();
    insta::assert_snapshot!(
        "e2e_run_timeout",
        format!("exit {:?}\n{}", o.status.code(), redact(&last))
    );
    let id = scan_id_of(&out(&o));
    let deadline = Instant::now() + Duration::from_secs(60);
    let ended = loop {
        let s = c.get_scan(id).await.unwrap();
        if s.status.as_deref() == Some("FAILED") || Instant::now() > deadline {
            break s;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(ended.status.as_deref(), Some("FAILED"), "{ended:?}");
    assert_eq!(ended.failure_reason.as_deref(), Some("CANCELED"));
    // Nothing is left pending for the engine.
    assert!(c.pending_scan_action(id).await.unwrap().is_none());

    drop(server);
    tb.shutdown().await;
    std::fs::remove_dir_all(&dir).ok();
}

/// The client's action methods against the real routes: `PUT /scans/{id}/action` (200),
/// `GET /scans/{id}/action` answering 200 `{"action": …}` while an engine has not picked
/// the action up and 204 before, an illegal action a 409 the client reports with its status.
#[tokio::test]
async fn scan_actions_through_the_client_match_the_real_routes() {
    let app = rampart_testkit::TestApp::spawn().await;
    app.fx_target("shop.test").await;
    let a = app.fx_app("Shop").await;
    let cfg = app.fx_scan_config(a, "nightly").await;
    let c = rampart_client::Client::new(&app.base, &app.keys.admin.token).unwrap();
    c.patch_scan_config_options(
        cfg.0,
        &serde_json::from_value(json!({"crawl_config": {
            "seed_url_list": [{"value": "http://shop.test/"}],
            "scope_constraint_list": [{"url": "http://shop.test/*", "exclusion": "INCLUDE"}],
        }}))
        .unwrap(),
    )
    .await
    .unwrap();
    let id = c.submit_scan(cfg.0).await.unwrap();
    assert_eq!(
        c.get_scan(id).await.unwrap().status.as_deref(),
        Some("PENDING")
    );
    assert!(c.pending_scan_action(id).await.unwrap().is_none(), "204");
    let e = c.scan_action(id, "PAUSE").await.unwrap_err();
    assert_eq!(e.status(), Some(409), "{e}");
    assert!(e.to_string().contains("PENDING"), "names the status: {e}");

    // An engine claims the job: the scan runs, a PAUSE waits for its next heartbeat.
    let spec = app.service.claim_job("test-engine").await.unwrap();
    assert!(spec.is_some(), "the job is claimed");
    c.scan_action(id, "pause").await.unwrap();
    let pending = c.pending_scan_action(id).await.unwrap();
    assert_eq!(pending.map(|p| p.action).as_deref(), Some("PAUSE"));
    let e = c.scan_action(id, "FLY").await.unwrap_err();
    assert_eq!(e.status(), Some(422), "{e}");
}

#[tokio::test]
async fn engine_routes_through_the_client() {
    use rampart_api_types::ias::{Engine, EngineGroup, IdRef};
    let app = rampart_testkit::TestApp::spawn().await;
    let c = rampart_client::Client::new(&app.base, &app.keys.admin.token).unwrap();
    let group = c
        .create_engine_group(&EngineGroup {
            name: "lab".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(c.get_engine_group(group).await.unwrap().name, "lab");
    let engine = c
        .create_engine(&Engine {
            name: "lab-1".into(),
            engine_group: Some(IdRef { id: group }),
            auto_upgrade: Some(false),
            ..Default::default()
        })
        .await
        .unwrap();
    let listed = c.engine_group_engines(group).all().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, Some(engine));
    assert_eq!(c.engines().all().await.unwrap().len(), 1);
    let first = c.engine_credential(engine).await.unwrap().api_key;
    assert!(first.starts_with("rmpe_"), "{first}");
    let second = c
        .regenerate_engine_credential(engine)
        .await
        .unwrap()
        .api_key;
    assert_ne!(first, second, "a regenerated key is a new key");
    assert_eq!(c.engine_credential(engine).await.unwrap().api_key, second);
    c.revoke_engine_credential(engine).await.unwrap();
    let gone = c.engine_credential(engine).await.unwrap_err();
    assert_eq!(gone.status(), Some(404), "{gone}");
    // A group with engines cannot be deleted; without them it can.
    let busy = c.delete_engine_group(group).await.unwrap_err();
    assert_eq!(busy.status(), Some(409), "{busy}");
    c.delete_engine(engine).await.unwrap();
    c.delete_engine_group(group).await.unwrap();
    assert_eq!(c.engine_groups().all().await.unwrap().len(), 0);
}
