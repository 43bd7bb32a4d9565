//! Remote engines end to end: `rampart server --engines 0` on PostgreSQL and
//! `rampart engine` processes scanning the in-process testbed over `/engine/v1`.
//! Setup (org, keys, apps, configs, engine group, engines) goes through an in-process
//! test app on the same fresh schema; everything else through the real binaries.

use rampart_domain::*;
use rampart_service::ScanConfigInput;
use rampart_store::{ListRequest, Visibility};
use rampart_testkit::{Backend, TestApp};
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A child process killed when dropped.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn temp_dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("rampart-engines-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

struct Cluster {
    app: TestApp,
    tb: rampart_testbed::TestbedHandle,
    http: reqwest::Client,
    group: EngineGroupId,
    dir: std::path::PathBuf,
    db: String,
}

async fn poll<T, F, Fut>(what: &str, within: Duration, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + within;
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

impl Cluster {
    /// On a fresh PostgreSQL schema (`rampart_store_postgres::test_url`).
    async fn new() -> Option<Cluster> {
        let app = TestApp::builder()
            .backend(Backend::Postgres)
            .engine_catalogue()
            .spawn()
            .await?;
        let db = app.database_url().await.expect("a PostgreSQL URL");
        let tb = rampart_testbed::spawn(rampart_testbed::TestbedConfig {
            https_listen: None,
            ..Default::default()
        })
        .await
        .unwrap();
        app.fx_target("127.0.0.1").await;
        let group = app.fx_engine_group("On premise").await;
        Some(Cluster {
            app,
            tb,
            http: reqwest::Client::builder().no_proxy().build().unwrap(),
            group,
            dir: temp_dir(),
            db,
        })
    }

    /// A `rampart server --engines 0` replica; returns it and its base URL once healthy.
    async fn server(&self, lease_seconds: u32) -> (Proc, String) {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_rampart"))
            .args([
                "server",
                "--database",
                &self.db,
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--engines",
                "0",
                "--lease-seconds",
                &lease_seconds.to_string(),
                "--secret-key-file",
                self.dir.join("secret.key").to_str().unwrap(),
            ])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start rampart server");
        let base = format!("http://127.0.0.1:{port}");
        let url = format!("{base}/healthz");
        poll("the server to answer", Duration::from_secs(30), || async {
            let r = self.http.get(&url).send().await.ok()?;
            r.status().is_success().then_some(())
        })
        .await;
        (Proc(child), base)
    }

    /// An engine in the group with its credential.
    async fn engine(&self, name: &str) -> (EngineId, String) {
        let id = self.app.fx_engine(name, Some(self.group)).await;
        let key = self
            .app
            .service
            .engine_credential(&self.app.keys.admin.principal, id)
            .await
            .unwrap();
        (id, key)
    }

    fn run_engine(&self, server: &str, key: &str, slots: u32) -> Proc {
        Proc(
            Command::new(env!("CARGO_BIN_EXE_rampart"))
                .args(["engine", "--server", server, "--slots", &slots.to_string()])
                .env("RAMPART_ENGINE_KEY", key)
                .env("RUST_LOG", "warn")
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("start rampart engine"),
        )
    }

    async fn api(&self, server: &str, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{server}/ias/v1{path}");
        let mut req = self
            .http
            .request(method.parse().unwrap(), &url)
            .header("X-Api-Key", &self.app.keys.admin.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        let status = r.status();
        let location = r
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string());
        let text = r.text().await.unwrap();
        assert!(status.is_success(), "{method} {path}: {status} {text}");
        match location {
            Some(l) => json!({ "location": l }),
            None if text.is_empty() => Value::Null,
            None => serde_json::from_str(&text).unwrap(),
        }
    }

    /// Waits until the engine has called in (its status is no longer OFFLINE).
    async fn online(&self, server: &str, id: EngineId) {
        poll("the engine to call in", Duration::from_secs(30), || async {
            let e = self
                .api(server, "GET", &format!("/engines/{id}"), None)
                .await;
            (e["status"] != "OFFLINE").then_some(())
        })
        .await;
    }

    /// An app with a config scanning the testbed, assigned `ON_PREMISE` to the group.
    /// `pages` bounds the crawl.
    async fn config(&self, name: &str, pages: u32) -> ScanConfigId {
        let a = self.app.fx_app(name).await;
        let tpl = self.app.fx_system_template("All Modules").await;
        let cfg = self
            .app
            .service
            .create_scan_config(
                &self.app.keys.admin.principal,
                ScanConfigInput {
                    name: format!("{name} config"),
                    description: None,
                    app: a,
                    attack_template: tpl,
                    incremental: None,
                    assignment: Some(Assignment {
                        kind: AssignmentType::EngineGroup,
                        engine_group: Some(self.group),
                        environment: Environment::OnPremise,
                    }),
                },
            )
            .await
            .unwrap();
        let base = self.tb.base_url().trim_end_matches('/').to_string();
        self.app
            .service
            .write_scan_config_options(
                &self.app.keys.admin.principal,
                cfg,
                json!({"crawl_config": {"seed_url_list": [{"value": format!("{base}/")}],
                    "scope_constraint_list": [{"url": format!("{base}/*"), "exclusion": "INCLUDE"}],
                    "max_crawl_results": pages}}),
                rampart_service::OptionsWrite::Replace,
            )
            .await
            .unwrap();
        cfg
    }

    async fn submit(&self, server: &str, cfg: ScanConfigId) -> ScanId {
        let r = self
            .api(
                server,
                "POST",
                "/scans",
                Some(json!({"scan_config": {"id": cfg.to_string()}})),
            )
            .await;
        let loc = r["location"].as_str().unwrap();
        ScanId(loc.rsplit('/').next().unwrap().parse().unwrap())
    }

    async fn status(&self, server: &str, scan: ScanId) -> String {
        self.api(server, "GET", &format!("/scans/{scan}"), None)
            .await["status"]
            .as_str()
            .unwrap()
            .to_string()
    }

    async fn settled(&self, server: &str, scan: ScanId, within: Duration) -> String {
        poll("the scan to end", within, || async {
            let s = self.status(server, scan).await;
            matches!(s.as_str(), "COMPLETE" | "FAILED").then_some(s)
        })
        .await
    }

    /// The scan's vulnerabilities as (module, path and query, parameter, method), from the
    /// store.
    async fn vulns(&self, scan: ScanId) -> Vec<(ModuleId, String, Option<String>, String)> {
        let q = rampart_query::parse_query(
            rampart_query::ResourceType::Vulnerability,
            &format!("vulnerability.scans.id = '{scan}'"),
        )
        .unwrap();
        let mut req = ListRequest::first(1000);
        req.filter = Some(q);
        let page = self
            .app
            .store()
            .list_vulnerabilities(self.app.keys.admin.org(), &Visibility::All, &req)
            .await
            .unwrap();
        let mut out: Vec<_> = page
            .items
            .into_iter()
            .map(|v| {
                let path = url::Url::parse(&v.root_cause.url)
                    .map(|u| format!("{}?{}", u.path(), u.query().unwrap_or_default()))
                    .unwrap_or(v.root_cause.url);
                (v.module, path, v.root_cause.parameter, v.root_cause.method)
            })
            .collect();
        out.sort();
        out
    }

    /// The lease owner once the scan's job is claimed and the scan is `RUNNING`.
    async fn owner(&self, scan: ScanId) -> String {
        poll(
            "the scan to be claimed",
            Duration::from_secs(60),
            || async {
                let owner = self.app.store().find_job(scan).await.ok()?.lease_owner?;
                let s = self
                    .app
                    .store()
                    .get_scan(self.app.keys.admin.org(), scan, &Visibility::All)
                    .await
                    .ok()?;
                (s.status == ScanStatus::Running).then_some(owner)
            },
        )
        .await
    }

    async fn events(&self, scan: ScanId) -> String {
        let ev = self
            .app
            .store()
            .list_scan_events(
                self.app.keys.admin.org(),
                scan,
                rampart_domain::job::EventKind::Platform,
            )
            .await
            .unwrap();
        ev.iter()
            .map(|e| e.event.clone())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// (a) One server without embedded engines, two remote engines: every scan of identical
/// apps completes with the same non-empty vulnerabilities.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_remote_engines_complete_every_scan_with_equal_findings() {
    let Some(c) = Cluster::new().await else {
        return;
    };
    let (_server, url) = c.server(30).await;
    let (e1, k1) = c.engine("dmz-1").await;
    let (e2, k2) = c.engine("dmz-2").await;
    let _p1 = c.run_engine(&url, &k1, 2);
    let _p2 = c.run_engine(&url, &k2, 2);
    c.online(&url, e1).await;
    c.online(&url, e2).await;
    let mut scans = Vec::new();
    for i in 0..4 {
        let cfg = c.config(&format!("Shop {i}"), 5000).await;
        scans.push(c.submit(&url, cfg).await);
    }
    let mut first: Option<Vec<_>> = None;
    for s in &scans {
        let st = c.settled(&url, *s, Duration::from_secs(240)).await;
        assert_eq!(st, "COMPLETE", "scan {s}: {}", c.events(*s).await);
        let events = c.events(*s).await;
        assert!(
            events.contains("Scan started by engine worker engine/"),
            "a remote engine ran it: {events}"
        );
        let v = c.vulns(*s).await;
        assert!(!v.is_empty(), "scan {s} found vulnerabilities");
        match &first {
            None => first = Some(v),
            Some(f) => assert_eq!(&v, f, "identical apps, identical findings"),
        }
    }
}

/// (c) A credential revoked mid-scan: the engine is refused at its next call (it exits),
/// and the scan is queued again at once (`PENDING`), never left `RUNNING`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_revoked_engine_is_refused_and_its_scan_requeued() {
    let Some(c) = Cluster::new().await else {
        return;
    };
    let (_server, url) = c.server(30).await;
    let (e1, k1) = c.engine("dmz-1").await;
    let mut p1 = c.run_engine(&url, &k1, 1);
    c.online(&url, e1).await;
    let cfg = c.config("Big shop", 5000).await;
    let scan = c.submit(&url, cfg).await;
    let owner = poll("the engine to claim", Duration::from_secs(60), || async {
        let j = c.app.store().find_job(scan).await.ok()?;
        // The lease is taken first, then the scan moves to RUNNING.
        let running = c.status(&url, scan).await == "RUNNING";
        j.lease_owner
            .filter(|o| running && o.starts_with(&format!("engine/{e1}/")))
    })
    .await;
    c.api(&url, "DELETE", &format!("/engines/{e1}/credential"), None)
        .await;
    // Queued again at once, not after the lease (30 s) expires.
    let job = c.app.store().find_job(scan).await.unwrap();
    assert_eq!(job.state, rampart_store::JobState::Queued, "{owner}");
    assert_eq!(c.status(&url, scan).await, "PENDING");
    assert!(c
        .events(scan)
        .await
        .contains("Engine credential revoked; the scan is queued again"));
    // The engine's next call is refused: it stops with exit code 2.
    let deadline = Instant::now() + Duration::from_secs(60);
    let code = loop {
        if let Some(s) = p1.0.try_wait().unwrap() {
            break s.code();
        }
        assert!(Instant::now() < deadline, "the engine did not exit");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(code, Some(2));
    // Its late results are not accepted: the job stays queued for another engine.
    let job = c.app.store().find_job(scan).await.unwrap();
    assert_eq!(job.state, rampart_store::JobState::Queued);
    // Another engine of the group picks it up.
    let (e2, k2) = c.engine("dmz-2").await;
    let _p2 = c.run_engine(&url, &k2, 1);
    poll(
        "the other engine to claim",
        Duration::from_secs(60),
        || async {
            let j = c.app.store().find_job(scan).await.ok()?;
            j.lease_owner
                .filter(|o| o.starts_with(&format!("engine/{e2}/")))
                .map(drop)
        },
    )
    .await;
    c.api(
        &url,
        "PUT",
        &format!("/scans/{scan}/action"),
        Some(json!({"action": "CANCEL"})),
    )
    .await;
    let st = c.settled(&url, scan, Duration::from_secs(60)).await;
    assert_eq!(st, "FAILED");
}

/// A drained engine (SIGTERM) hands its scan back explicitly
/// (`POST /engine/v1/jobs/{id}/release`): the scan is queued again at once — the lease is
/// 10 minutes, so waiting for it to expire would fail the test — and the engine exits 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_drained_engine_hands_its_scan_back_at_once() {
    let Some(c) = Cluster::new().await else {
        return;
    };
    let (_server, url) = c.server(600).await;
    let (e1, k1) = c.engine("dmz-1").await;
    let mut p1 = c.run_engine(&url, &k1, 1);
    c.online(&url, e1).await;
    let cfg = c.config("Big shop", 5000).await;
    let scan = c.submit(&url, cfg).await;
    poll("the engine to claim", Duration::from_secs(60), || async {
        let j = c.app.store().find_job(scan).await.ok()?;
        let running = c.status(&url, scan).await == "RUNNING";
        j.lease_owner
            .filter(|o| running && o.starts_with(&format!("engine/{e1}/")))
            .map(drop)
    })
    .await;
    let term = Command::new("kill")
        .args(["-TERM", &p1.0.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(term.success());
    let deadline = Instant::now() + Duration::from_secs(60);
    let code = loop {
        if let Some(s) = p1.0.try_wait().unwrap() {
            break s.code();
        }
        assert!(Instant::now() < deadline, "the engine did not drain");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(code, Some(0), "a drained engine exits 0");
    let job = c.app.store().find_job(scan).await.unwrap();
    assert_eq!(job.state, rampart_store::JobState::Queued);
    assert_eq!(c.status(&url, scan).await, "PENDING");
    assert!(c
        .events(scan)
        .await
        .contains("Engine shut down; the scan is queued again"));
}

/// (b) An engine SIGKILLed mid-scan after it reported findings: its lease expires, the
/// other engine finishes the scan; no vulnerability is duplicated and every finding
/// confirmed before the kill is still there.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_engine_s_scan_finishes_on_the_other_engine() {
    let Some(c) = Cluster::new().await else {
        return;
    };
    let (_server, url) = c.server(3).await;
    let (e1, k1) = c.engine("dmz-1").await;
    let mut p1 = c.run_engine(&url, &k1, 1);
    c.online(&url, e1).await;
    let cfg = c.config("Shop", 5000).await;
    let scan = c.submit(&url, cfg).await;
    poll("a confirmed finding", Duration::from_secs(120), || async {
        (!c.vulns(scan).await.is_empty()).then_some(())
    })
    .await;
    p1.0.kill().unwrap(); // SIGKILL
    p1.0.wait().unwrap();
    let before = c.vulns(scan).await;
    assert!(!before.is_empty());
    let (e2, k2) = c.engine("dmz-2").await;
    let _p2 = c.run_engine(&url, &k2, 1);
    let st = c.settled(&url, scan, Duration::from_secs(240)).await;
    let events = c.events(scan).await;
    assert!(
        // The expired lease is taken over by the next claim (or re-queued by the reaper).
        events.contains(&format!("Scan started by engine worker engine/{e2}/"))
            && events.contains("(attempt 2)"),
        "{events}"
    );
    assert_eq!(st, "COMPLETE", "{events}");
    let after = c.vulns(scan).await;
    for v in &before {
        assert!(after.contains(v), "{v:?} confirmed before the kill is kept");
    }
    let mut unique = after.clone();
    unique.dedup();
    assert_eq!(unique, after, "no vulnerability twice");
    // And none twice in the whole org either (root causes merge across attempts).
    let all = c
        .app
        .store()
        .list_vulnerabilities(
            c.app.keys.admin.org(),
            &Visibility::All,
            &ListRequest::first(1000),
        )
        .await
        .unwrap();
    let mut keys: Vec<_> = all
        .items
        .iter()
        .map(|v| {
            (
                v.module,
                v.root_cause.url.clone(),
                v.root_cause.parameter.clone(),
                v.root_cause.method.clone(),
            )
        })
        .collect();
    let n = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), n, "no root cause stored twice");
}

/// (d) Two replicas on one database, an engine on each: an action sent to either
/// replica reaches the engine running the scan.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn actions_reach_engines_through_either_replica() {
    let Some(c) = Cluster::new().await else {
        return;
    };
    let (_r1, url1) = c.server(30).await;
    let (_r2, url2) = c.server(30).await;
    let (e1, k1) = c.engine("dmz-1").await;
    let (e2, k2) = c.engine("dmz-2").await;
    let _p1 = c.run_engine(&url1, &k1, 1);
    let _p2 = c.run_engine(&url2, &k2, 1);
    c.online(&url1, e1).await;
    c.online(&url2, e2).await;
    let a = c.submit(&url1, c.config("Shop A", 5000).await).await;
    let b = c.submit(&url2, c.config("Shop B", 5000).await).await;
    let (oa, ob) = (c.owner(a).await, c.owner(b).await);
    // Each scan is paused through the replica its engine does NOT talk to: the engine
    // got the action when the scan reads PAUSED (reported by its heartbeat).
    for (scan, owner) in [(a, &oa), (b, &ob)] {
        let (via, other) = if owner.starts_with(&format!("engine/{e1}/")) {
            (&url2, &url1)
        } else {
            (&url1, &url2)
        };
        c.api(
            via,
            "PUT",
            &format!("/scans/{scan}/action"),
            Some(json!({"action": "PAUSE"})),
        )
        .await;
        poll("the engine to pause", Duration::from_secs(60), || async {
            let st = c.status(other, scan).await;
            assert!(
                matches!(st.as_str(), "PAUSING" | "PAUSED"),
                "{scan}: {st} (the scan ended before the engine saw the action?)"
            );
            (st == "PAUSED").then_some(())
        })
        .await;
        c.api(
            other,
            "PUT",
            &format!("/scans/{scan}/action"),
            Some(json!({"action": "STOP"})),
        )
        .await;
    }
    for scan in [a, b] {
        let st = c.settled(&url1, scan, Duration::from_secs(60)).await;
        assert_eq!(st, "COMPLETE", "{}", c.events(scan).await);
        let events = c.events(scan).await;
        assert!(events.contains("Engine stopped the scan"), "{events}");
    }
}
