//! Crash safety: the real `rampart server` binary with its embedded engine, SIGKILLed in
//! the middle of a scan and restarted on the same database. The scan must end COMPLETE:
//! the restarted server recognises its own instance (the `instance-N.id` file next to the
//! SQLite database; `--instance-id` on PostgreSQL) and queues the job its slot held again
//! at once — the lease is 10 minutes, so waiting for it to expire would fail the test —
//! and every vulnerability stored before the kill must still be there, exactly once.

use crate::server_proc::{Api, Server};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn start(database: &str, instance: Option<&str>) -> Server {
    // A 10-minute lease: only the restart's immediate re-queue can finish the scan in time.
    crate::server_proc::start(env!("CARGO_BIN_EXE_rampart"), database, instance, 600)
}

/// Root cause and module: what makes a vulnerability the same one.
fn identity(v: &Value) -> String {
    format!(
        "{} {} {} {}",
        v["variances"][0]["module"]["id"],
        v["root_cause"]["method"],
        v["root_cause"]["url"],
        v["root_cause"]["parameter"]
    )
}

async fn killed_mid_scan_and_restarted(database: &str, instance: Option<&str>) {
    let tb = rampart_testbed::spawn(rampart_testbed::TestbedConfig {
        https_listen: None,
        ..Default::default()
    })
    .await
    .expect("testbed");
    let base = tb.base_url().trim_end_matches('/').to_string();
    let first = start(database, instance);
    let api = Api {
        http: reqwest::Client::builder().no_proxy().build().unwrap(),
        base: first.base.clone(),
        key: first.key.clone().expect("the first start prints a key"),
    };
    let app = api.create("/ias/v1/apps", json!({"name": "Crash"})).await;
    api.create(
        "/ias/v1/targets",
        json!({"domain": "127.0.0.1", "enabled": true}),
    )
    .await;
    let tpl = api
        .create("/ias/v1/attack-templates", json!({"name": "crash"}))
        .await;
    for key in [
        "sqli",
        "xss_reflected",
        "cmdi",
        "path_traversal",
        "open_redirect",
    ] {
        let m = rampart_engine::module(key).unwrap();
        api.create(
            &format!("/ias/v1/attack-templates/{tpl}/modules"),
            json!({"module_config_id": m.id.to_string(), "enabled": true,
                   "severity": m.severity.as_str(), "max_findings": 50}),
        )
        .await;
    }
    let cfg = api
        .create(
            "/ias/v1/scan-configs",
            json!({"name": "crash", "app": {"id": app}, "attack_template": {"id": tpl}}),
        )
        .await;
    let (s, v, _) = api
        .call(
            Method::PUT,
            &format!("/ias/v1/scan-configs/{cfg}/options"),
            Some(json!({"crawl_config": {
                "seed_url_list": [{"value": format!("{base}/")}],
                "scope_constraint_list": [{"url": format!("{base}/*"), "exclusion": "INCLUDE"}]}})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let scan = api
        .create("/ias/v1/scans", json!({"scan_config": {"id": cfg}}))
        .await;

    // Wait for the first stored vulnerabilities while the scan still runs.
    let deadline = Instant::now() + Duration::from_secs(120);
    let before = loop {
        let vulns = api.scan_vulns(&scan).await;
        let status = api.get(&format!("/ias/v1/scans/{scan}")).await["status"].clone();
        assert!(
            status == "PENDING" || status == "RUNNING",
            "killed mid-scan: the scan must still run, it is {status}"
        );
        if !vulns.is_empty() {
            assert_eq!(status, "RUNNING");
            break vulns;
        }
        assert!(Instant::now() < deadline, "no vulnerability within 120 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let mut first = first;
    first.child.kill().expect("SIGKILL the server");
    first.child.wait().expect("reap the server");

    let second = start(database, instance);
    assert!(second.key.is_none(), "no new key on restart");
    let api = Api {
        base: second.base.clone(),
        ..api
    };
    let deadline = Instant::now() + Duration::from_secs(240);
    let done = loop {
        let s = api.get(&format!("/ias/v1/scans/{scan}")).await;
        if matches!(s["status"].as_str(), Some("COMPLETE" | "FAILED")) {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "the scan did not finish after the restart: {s}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(
        done["status"], "COMPLETE",
        "the re-run must complete, not fail: {done}"
    );
    let after = api.scan_vulns(&scan).await;
    let all = {
        let (s, v, _) = api
            .call(
                Method::POST,
                "/ias/v1/search?size=500",
                Some(json!({"type": "VULNERABILITY", "query": format!("vulnerability.app.id='{app}'")})),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        v["data"].as_array().unwrap().clone()
    };
    let mut identities: Vec<String> = all.iter().map(identity).collect();
    identities.sort();
    let n = identities.len();
    identities.dedup();
    assert_eq!(n, identities.len(), "no vulnerability twice: {all:?}");
    for v in &before {
        let id = v["id"].as_str().unwrap();
        assert_eq!(
            after.iter().filter(|a| a["id"] == v["id"]).count(),
            1,
            "{id} kept exactly once"
        );
        let d = api
            .get(&format!("/ias/v1/vulnerabilities/{id}/discoveries"))
            .await;
        let of_scan = d["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["scan"]["id"] == json!(scan))
            .count();
        assert_eq!(of_scan, 1, "one discovery per scan: {d}");
    }
    eprintln!(
        "crash: {} vulnerabilities before the kill, {} after; scan {}",
        before.len(),
        after.len(),
        done["status"]
    );
    drop(second);
    tb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_finishes_its_scan_after_a_restart_on_sqlite() {
    let dir = std::env::temp_dir().join(format!("rampart-crash-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("r.db").display());
    killed_mid_scan_and_restarted(&url, None).await;
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_finishes_its_scan_after_a_restart_on_postgres() {
    let url = rampart_store_postgres::test_url();
    let schema = format!("rampart_test_crash_{}", uuid::Uuid::new_v4().simple());
    let admin = sqlx::PgPool::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("{}", rampart_store_postgres::unreachable(&url, e)));
    let _drop_schema = rampart_store_postgres::SchemaGuard {
        url: url.clone(),
        schema: schema.clone(),
    };
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&admin)
        .await
        .expect("create schema");
    admin.close().await;
    let sep = if url.contains('?') { '&' } else { '?' };
    // Several servers share ./rampart-data on PostgreSQL tests: an explicit id.
    let instance = format!("crash-{}", uuid::Uuid::new_v4().simple());
    killed_mid_scan_and_restarted(
        &format!("{url}{sep}options=-c%20search_path%3D{schema}"),
        Some(&instance),
    )
    .await;
}
