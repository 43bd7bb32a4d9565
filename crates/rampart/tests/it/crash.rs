//! Crash safety: the real `rampart server` binary with its embedded engine, SIGKILLed in
//! the middle of a scan and restarted on the same database. The scan must end COMPLETE:
//! the restarted server recognises its own instance (the `instance-N.id` file next to the
//! SQLite database; `--instance-id` on PostgreSQL) and queues the job its slot held again
//! at once — the lease is 10 minutes, so waiting for it to expire would fail the test —
//! and every vulnerability stored before the kill must still be there, exactly once.

use reqwest::Method;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running server process, its address and what it printed on stdout.
struct Server {
    child: Child,
    base: String,
    key: Option<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(database: &str, instance: Option<&str>) -> Server {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rampart"));
    if let Some(id) = instance {
        cmd.env("RAMPART_INSTANCE_ID", id);
    }
    let mut child = cmd
        .args([
            "server",
            "--database",
            database,
            "--listen",
            "127.0.0.1:0",
            "--engines",
            "1",
            "--lease-seconds",
            "600",
        ])
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start rampart server");
    let stderr = child.stderr.take().expect("stderr");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(i) = line.find("addr=") {
                let addr: String = line[i + 5..]
                    .chars()
                    .take_while(|c| !c.is_whitespace() && *c != '\u{1b}')
                    .collect();
                let _ = tx.send(addr);
            }
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the server logs its address");
    // The key is printed before the address is logged (first start only).
    let (ktx, krx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let key = BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .find(|l| l.trim_start().starts_with("rmp_"))
            .map(|l| l.trim().to_string());
        let _ = ktx.send(key);
    });
    let key = krx.recv_timeout(Duration::from_millis(500)).ok().flatten();
    Server {
        child,
        base: format!("http://{addr}"),
        key,
    }
}

struct Api {
    http: reqwest::Client,
    base: String,
    key: String,
}

impl Api {
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value, String) {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        };
        let mut r = self
            .http
            .request(method, url)
            .header("X-Api-Key", &self.key);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let resp = r.send().await.expect("request");
        let status = resp.status().as_u16();
        let loc = resp
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let text = resp.text().await.unwrap_or_default();
        let json = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, json, loc)
    }

    async fn get(&self, path: &str) -> Value {
        let (s, v, _) = self.call(Method::GET, path, None).await;
        assert_eq!(s, 200, "GET {path}: {v}");
        v
    }

    /// POST that creates: the new id from `Location`.
    async fn create(&self, path: &str, body: Value) -> String {
        let (s, v, loc) = self.call(Method::POST, path, Some(body)).await;
        assert!(matches!(s, 200 | 201), "POST {path}: {s} {v}");
        loc.rsplit('/').next().unwrap().to_string()
    }

    /// Every vulnerability of `scan`, through the paged search.
    async fn scan_vulns(&self, scan: &str) -> Vec<Value> {
        let body =
            json!({"type": "VULNERABILITY", "query": format!("vulnerability.scans.id='{scan}'")});
        let mut url = format!("{}/ias/v1/search?size=50", self.base);
        let mut out = Vec::new();
        loop {
            let (s, page, _) = self.call(Method::POST, &url, Some(body.clone())).await;
            assert_eq!(s, 200, "{page}");
            out.extend(page["data"].as_array().unwrap().iter().cloned());
            match page["links"]
                .as_array()
                .and_then(|l| l.iter().find(|l| l["rel"] == "next"))
                .and_then(|l| l["href"].as_str())
            {
                Some(n) => url = n.to_string(),
                None => return out,
            }
        }
    }
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
    let Ok(url) = std::env::var("RAMPART_TEST_PG_URL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "RAMPART_TEST_PG_URL must be set in CI"
        );
        eprintln!("notice: RAMPART_TEST_PG_URL is not set: skipping a PostgreSQL test");
        return;
    };
    let schema = format!("rampart_test_crash_{}", uuid::Uuid::new_v4().simple());
    let admin = sqlx::PgPool::connect(&url).await.expect("connect");
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
