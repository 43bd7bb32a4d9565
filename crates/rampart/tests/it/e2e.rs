//! End to end in process: the real router (`rampart_testkit::TestApp`) with embedded
//! engine slots (the real `Worker` over `LocalSource`) scanning the project's testbed,
//! everything set up and driven through the HTTP API: scan lifecycle, counters and events,
//! and the scan actions with a real engine behind them.

use rampart_testkit::TestApp;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// A plain-HTTP testbed on 127.0.0.1:0.
pub async fn testbed() -> rampart_testbed::TestbedHandle {
    rampart_testbed::spawn(rampart_testbed::TestbedConfig {
        https_listen: None,
        ..Default::default()
    })
    .await
    .expect("start the testbed")
}

/// App, target, attack template with `modules` (engine keys), scan config and options
/// (seed `base/`, scope `base/*`), all created over HTTP. Returns the scan config id.
pub async fn scan_config(app: &TestApp, base: &str, modules: &[&str]) -> String {
    let base = base.trim_end_matches('/');
    let a = app
        .rw()
        .create("/ias/v1/apps", json!({"name": app.unique("Acme")}))
        .await;
    let host = url::Url::parse(base)
        .unwrap()
        .host_str()
        .unwrap()
        .to_string();
    let targets = app
        .admin()
        .get("/ias/v1/targets?size=100")
        .send()
        .await
        .status(200)
        .json();
    if !targets["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["domain"] == json!(host))
    {
        app.admin()
            .create("/ias/v1/targets", json!({"domain": host, "enabled": true}))
            .await;
    }
    let tpl = app
        .admin()
        .post("/ias/v1/attack-templates")
        .json(&json!({"name": app.unique("e2e template")}))
        .send()
        .await;
    assert!(matches!(tpl.status, 200 | 201), "{}", tpl.text());
    let tpl = tpl.location_id();
    for key in modules {
        let m = rampart_engine::module(key).unwrap_or_else(|| panic!("no module {key}"));
        let r = app
            .admin()
            .post(&format!("/ias/v1/attack-templates/{tpl}/modules"))
            .json(
                &json!({"module_config_id": m.id.to_string(), "enabled": true,
                "severity": m.severity.as_str(), "max_findings": 50}),
            )
            .send()
            .await;
        assert!(matches!(r.status, 200 | 201), "{}", r.text());
    }
    let cfg = app
        .rw()
        .create(
            "/ias/v1/scan-configs",
            json!({"name": app.unique("e2e config"), "app": {"id": a.to_string()},
                   "attack_template": {"id": tpl.to_string()}}),
        )
        .await;
    app.rw()
        .put(&format!("/ias/v1/scan-configs/{cfg}/options"))
        .json(&json!({"crawl_config": {
            "seed_url_list": [{"value": format!("{base}/")}],
            "scope_constraint_list": [{"url": format!("{base}/*"), "exclusion": "INCLUDE"}]}}))
        .send()
        .await
        .status(200);
    cfg.to_string()
}

/// `POST /scans` of `cfg` (with `extra` fields merged in); the new scan's id.
pub async fn submit(app: &TestApp, cfg: &str, extra: Value) -> String {
    let mut body = json!({"scan_config": {"id": cfg}});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    app.rw()
        .post("/ias/v1/scans")
        .json(&body)
        .send()
        .await
        .status(201)
        .location_id()
        .to_string()
}

pub async fn scan(app: &TestApp, id: &str) -> Value {
    app.rw()
        .get(&format!("/ias/v1/scans/{id}"))
        .send()
        .await
        .status(200)
        .json()
}

pub async fn details(app: &TestApp, id: &str) -> Value {
    app.rw()
        .get(&format!("/ias/v1/scans/{id}/execution-details"))
        .send()
        .await
        .status(200)
        .json()
}

/// Polls `GET /scans/{id}` until `done` holds for it; panics with the last state after
/// `within`.
pub async fn wait_scan(
    app: &TestApp,
    id: &str,
    what: &str,
    within: Duration,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + within;
    loop {
        let s = scan(app, id).await;
        if done(&s) {
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "scan {id}: not {what} within {within:?}; last: {s}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub async fn wait_status(app: &TestApp, id: &str, status: &str, within: Duration) -> Value {
    wait_scan(app, id, status, within, |s| s["status"] == json!(status)).await
}

async fn action(app: &TestApp, id: &str, action: &str) -> rampart_testkit::Resp {
    app.rw()
        .put(&format!("/ias/v1/scans/{id}/action"))
        .json(&json!({"action": action}))
        .send()
        .await
}

/// Modules of the small scans: quick, and several cases each on the testbed.
const QUICK: &[&str] = &["xss_reflected", "open_redirect"];
/// Modules of the scans the action tests steer: enough work to act on while it runs.
const SLOW: &[&str] = &[
    "sqli",
    "xss_reflected",
    "cmdi",
    "path_traversal",
    "open_redirect",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_scan_submitted_over_http_runs_on_the_embedded_engine_to_complete() {
    let tb = testbed().await;
    let app = TestApp::with_engines(1).await;
    let cfg = scan_config(&app, &tb.base_url(), QUICK).await;
    let id = submit(&app, &cfg, json!({})).await;
    let started = Instant::now();
    let done = wait_scan(&app, &id, "finished", Duration::from_secs(180), |s| {
        matches!(s["status"].as_str(), Some("COMPLETE" | "FAILED"))
    })
    .await;
    eprintln!("scan took {:?}", started.elapsed());
    assert_eq!(done["status"], "COMPLETE", "{done}");
    assert!(done["completion_time"].is_string(), "{done}");
    let d = details(&app, &id).await;
    assert!(d["links_crawled"].as_i64().unwrap() > 0, "{d}");
    assert!(d["requests"].as_i64().unwrap() > 0, "{d}");
    assert!(d["vulnerable"].as_i64().unwrap() > 0, "{d}");
    for kind in ["engine-events", "platform-events"] {
        let ev = app
            .rw()
            .get(&format!("/ias/v1/scans/{id}/{kind}"))
            .send()
            .await
            .status(200)
            .json();
        assert!(ev.as_array().is_some_and(|a| !a.is_empty()), "{kind}: {ev}");
    }
    // Nothing else happens on a finished scan.
    for a in ["PAUSE", "RESUME", "STOP", "CANCEL"] {
        action(&app, &id, a).await.status(409);
    }
    tb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pause_resume_and_stop_steer_the_real_engine() {
    let tb = testbed().await;
    let app = TestApp::with_engines(1).await;
    let cfg = scan_config(&app, &tb.base_url(), SLOW).await;
    let id = submit(&app, &cfg, json!({})).await;
    wait_status(&app, &id, "RUNNING", Duration::from_secs(60)).await;
    action(&app, &id, "RESUME").await.status(409);
    action(&app, &id, "PAUSE").await.status(200);
    wait_status(&app, &id, "PAUSED", Duration::from_secs(60)).await;
    // Paused: the engine sends no more requests.
    let before = tb.request_count();
    action(&app, &id, "PAUSE").await.status(409);
    let quiet = Instant::now() + Duration::from_millis(1500);
    while Instant::now() < quiet {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        tb.request_count() <= before + 2,
        "a paused scan keeps attacking: {} → {}",
        before,
        tb.request_count()
    );
    action(&app, &id, "RESUME").await.status(200);
    wait_status(&app, &id, "RUNNING", Duration::from_secs(60)).await;
    // STOP once something was found: the scan completes with partial results.
    let deadline = Instant::now() + Duration::from_secs(180);
    while details(&app, &id).await["vulnerable"].as_i64().unwrap_or(0) == 0 {
        assert!(Instant::now() < deadline, "no finding within 180 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    action(&app, &id, "STOP").await.status(200);
    let done = wait_scan(&app, &id, "finished", Duration::from_secs(120), |s| {
        matches!(s["status"].as_str(), Some("COMPLETE" | "FAILED"))
    })
    .await;
    assert_eq!(done["status"], "COMPLETE", "{done}");
    assert!(details(&app, &id).await["vulnerable"].as_i64().unwrap() > 0);
    assert!(
        !scan_vulns(&app, &id).await.is_empty(),
        "a stopped scan keeps its partial results"
    );
    action(&app, &id, "RESUME").await.status(409);
    tb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cancel_fails_a_running_scan_as_canceled() {
    let tb = testbed().await;
    let app = TestApp::with_engines(1).await;
    let cfg = scan_config(&app, &tb.base_url(), SLOW).await;
    let id = submit(&app, &cfg, json!({})).await;
    wait_status(&app, &id, "RUNNING", Duration::from_secs(60)).await;
    action(&app, &id, "CANCEL").await.status(200);
    let done = wait_status(&app, &id, "FAILED", Duration::from_secs(60)).await;
    assert_eq!(done["failure_reason"], "CANCELED", "{done}");
    action(&app, &id, "STOP").await.status(409);
    tb.shutdown().await;
}

/// The engine key of a vulnerability (from its first variance's module).
fn module_key(v: &Value) -> &'static str {
    let id = v["variances"][0]["module"]["id"]
        .as_str()
        .unwrap_or_default();
    rampart_engine::catalogue()
        .iter()
        .find(|m| m.id.to_string() == id)
        .map(|m| m.key)
        .unwrap_or("?")
}

/// `POST /search` VULNERABILITY `vulnerability.scans.id='scan'`, following the `next`
/// links two at a time; every vulnerability once.
pub async fn scan_vulns(app: &TestApp, scan: &str) -> Vec<Value> {
    let body =
        json!({"type": "VULNERABILITY", "query": format!("vulnerability.scans.id='{scan}'")});
    let mut url = app.url("/ias/v1/search?size=2");
    let mut out: Vec<Value> = Vec::new();
    let mut total = None;
    for _ in 0..1000 {
        let page = app
            .rw()
            .post(&url)
            .json(&body)
            .send()
            .await
            .status(200)
            .json();
        total.get_or_insert(page["metadata"]["total_data"].as_u64().unwrap());
        out.extend(page["data"].as_array().unwrap().iter().cloned());
        let next = page["links"]
            .as_array()
            .and_then(|l| l.iter().find(|l| l["rel"] == "next"))
            .and_then(|l| l["href"].as_str());
        match next {
            Some(n) => url = n.to_string(),
            None => break,
        }
    }
    assert_eq!(Some(out.len() as u64), total, "pages add up to total_data");
    let mut ids: Vec<&str> = out.iter().map(|v| v["id"].as_str().unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), out.len(), "no vulnerability twice across pages");
    out
}

/// Compares what a scan reported with the testbed manifest for `modules`: no safe twin
/// reported, every vulnerability is some vulnerable case, and at least 90 % of the
/// (anonymous, plain-HTTP) vulnerable cases found.
fn compare_with_manifest(vulns: &[Value], modules: &[&str]) {
    let rc = |v: &Value| {
        (
            module_key(v),
            v["root_cause"]["url"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            v["root_cause"]["parameter"].as_str().map(str::to_string),
        )
    };
    let cases: Vec<_> = rampart_testbed::manifest()
        .into_iter()
        .filter(|c| {
            modules.contains(&c.module_key.as_str())
                && !c.tls
                && !c.requires_login
                && !c.needs_definition
                && !c.needs_browser
        })
        .collect();
    let hit = |c: &rampart_testbed::Case| {
        vulns.iter().any(|v| {
            let (k, u, p) = rc(v);
            c.matches(k, &u, p.as_deref())
        })
    };
    let false_pos: Vec<_> = cases
        .iter()
        .filter(|c| !c.vulnerable && hit(c))
        .map(|c| &c.id)
        .collect();
    assert!(false_pos.is_empty(), "safe twins reported: {false_pos:?}");
    let vulnerable: Vec<_> = cases.iter().filter(|c| c.vulnerable).collect();
    let missed: Vec<_> = vulnerable
        .iter()
        .filter(|c| !hit(c))
        .map(|c| &c.id)
        .collect();
    assert!(
        (vulnerable.len() - missed.len()) * 100 >= vulnerable.len() * 90,
        "missed {missed:?} of {}",
        vulnerable.len()
    );
    // Findings outside the manifest's cases are listed, not failed: the engine and worker
    // suites compare the same way (safe twins and recall), and a page can have more than
    // one weakness (e.g. /goto.php's `next` lands in a meta refresh unescaped).
    let all: Vec<_> = rampart_testbed::manifest()
        .into_iter()
        .filter(|c| c.vulnerable)
        .collect();
    for v in vulns {
        let (k, u, p) = rc(v);
        if !all.iter().any(|c| c.matches(k, &u, p.as_deref())) {
            eprintln!("outside the manifest: {k} {u} {p:?}");
        }
    }
}

async fn vuln(app: &TestApp, id: &str) -> Value {
    app.rw()
        .get(&format!("/ias/v1/vulnerabilities/{id}"))
        .send()
        .await
        .status(200)
        .json()
}

async fn run_to_complete(app: &TestApp, id: &str) {
    let done = wait_scan(app, id, "finished", Duration::from_secs(180), |s| {
        matches!(s["status"].as_str(), Some("COMPLETE" | "FAILED"))
    })
    .await;
    assert_eq!(done["status"], "COMPLETE", "{done}");
}

/// Scan, re-scan, verification after a fix, regression after the fix is undone — the
/// vulnerability lifecycle as the API shows it, checked against the testbed manifest.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn vulnerabilities_follow_rescans_verification_and_regression() {
    let tb = testbed().await;
    let app = TestApp::with_engines(1).await;
    let cfg = scan_config(&app, &tb.base_url(), QUICK).await;

    let first = submit(&app, &cfg, json!({})).await;
    run_to_complete(&app, &first).await;
    let v1 = scan_vulns(&app, &first).await;
    compare_with_manifest(&v1, QUICK);
    assert!(
        v1.iter().all(|v| v["newly_discovered"] == json!(true)),
        "{v1:?}"
    );
    let mut ids1: Vec<String> = v1
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    ids1.sort();

    // A second scan: the same vulnerabilities, discovered again, none new.
    let second = submit(&app, &cfg, json!({})).await;
    run_to_complete(&app, &second).await;
    let v2 = scan_vulns(&app, &second).await;
    let mut ids2: Vec<String> = v2
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    ids2.sort();
    assert_eq!(
        ids1, ids2,
        "a re-scan adds discoveries, not vulnerabilities"
    );
    for v in &v2 {
        assert_eq!(v["newly_discovered"], json!(false), "{v}");
        let id = v["id"].as_str().unwrap();
        let d = app
            .rw()
            .get(&format!("/ias/v1/vulnerabilities/{id}/discoveries"))
            .send()
            .await
            .status(200)
            .json();
        let scans: Vec<&str> = d["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["scan"]["id"].as_str().unwrap())
            .collect();
        assert_eq!(scans.len(), 2, "{d}");
        assert!(scans.contains(&first.as_str()) && scans.contains(&second.as_str()));
    }
    let app_id = scan(&app, &first).await["app"]["id"].clone();
    let all = app
        .rw()
        .post("/ias/v1/search")
        .json(&json!({"type": "VULNERABILITY",
            "query": format!("vulnerability.app.id='{}'", app_id.as_str().unwrap())}))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(all["metadata"]["total_data"], json!(ids1.len()), "{all}");

    // Fix one case; a verification scan of the second scan marks it REMEDIATED only.
    let case = rampart_testbed::manifest()
        .into_iter()
        .find(|c| c.id == "xss-text")
        .expect("the testbed has xss-text");
    let fixed = v2
        .iter()
        .find(|v| {
            case.matches(
                module_key(v),
                v["root_cause"]["url"].as_str().unwrap(),
                v["root_cause"]["parameter"].as_str(),
            )
        })
        .expect("xss-text was found")["id"]
        .as_str()
        .unwrap()
        .to_string();
    tb.set_enabled(&case.id, false).unwrap();
    let verify = submit(
        &app,
        &cfg,
        json!({"scan_type": "VERIFICATION", "validation": {"parent_scan_id": second}}),
    )
    .await;
    run_to_complete(&app, &verify).await;
    assert_eq!(vuln(&app, &fixed).await["status"], "REMEDIATED");
    for id in ids1.iter().filter(|id| **id != fixed) {
        let v = vuln(&app, id).await;
        assert_ne!(v["status"], "REMEDIATED", "{v}");
    }

    // The fix is undone: a regular scan reopens it; the history has both changes.
    tb.set_enabled(&case.id, true).unwrap();
    let third = submit(&app, &cfg, json!({})).await;
    run_to_complete(&app, &third).await;
    let reopened = vuln(&app, &fixed).await;
    assert_ne!(reopened["status"], "REMEDIATED", "{reopened}");
    let history = app
        .rw()
        .get(&format!("/ias/v1/vulnerabilities/{fixed}/history"))
        .send()
        .await
        .status(200)
        .json();
    let changes: Vec<(String, String)> = history
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|h| h["changes"].as_array().cloned().unwrap_or_default())
        .filter(|c| c["field"] == "STATUS")
        .map(|c| {
            (
                c["previous_value"].as_str().unwrap_or_default().to_string(),
                c["new_value"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert!(
        changes.iter().any(|(_, new)| new == "REMEDIATED")
            && changes.iter().any(|(old, _)| old == "REMEDIATED"),
        "history: {history}"
    );
    let mut ids3: Vec<String> = scan_vulns(&app, &third)
        .await
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    ids3.sort();
    assert_eq!(ids3, ids1, "the regression reopens, it does not duplicate");
    tb.shutdown().await;
}
