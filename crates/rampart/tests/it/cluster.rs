//! A PostgreSQL cluster for end-to-end tests of remote engines: an in-process test app on a
//! fresh schema (setup: org, keys, apps, configs, engine group, engines), the in-process
//! testbed, and real `rampart server --engines 0` and `rampart engine` processes. Shared by
//! `tests/it/engines.rs`, `tests/it/faults/partition.rs` and `examples/fault_bench.rs`
//! (included there with `#[path]`).

#![allow(dead_code)] // each includer uses part of it

use rampart_domain::*;
use rampart_service::ScanConfigInput;
use rampart_store::{ListRequest, Visibility};
use rampart_testkit::{Backend, TestApp};
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The `rampart` binary: cargo's for the tests, `RAMPART_BIN` (default
/// `target/debug/rampart`) for the examples.
pub fn bin() -> String {
    match option_env!("CARGO_BIN_EXE_rampart") {
        Some(b) => b.to_string(),
        None => std::env::var("RAMPART_BIN").unwrap_or_else(|_| "target/debug/rampart".into()),
    }
}

/// A child process killed when dropped.
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn temp_dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("rampart-engines-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub struct Cluster {
    pub app: TestApp,
    pub tb: rampart_testbed::TestbedHandle,
    pub http: reqwest::Client,
    pub group: EngineGroupId,
    pub dir: std::path::PathBuf,
    pub db: String,
}

pub async fn poll<T, F, Fut>(what: &str, within: Duration, mut f: F) -> T
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
    pub async fn new() -> Option<Cluster> {
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
    pub async fn server(&self, lease_seconds: u32) -> (Proc, String) {
        let port = free_port();
        let child = Command::new(bin())
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
    pub async fn engine(&self, name: &str) -> (EngineId, String) {
        let id = self.app.fx_engine(name, Some(self.group)).await;
        let key = self
            .app
            .service
            .engine_credential(&self.app.keys.admin.principal, id)
            .await
            .unwrap();
        (id, key)
    }

    pub fn run_engine(&self, server: &str, key: &str, slots: u32) -> Proc {
        Proc(
            Command::new(bin())
                .args(["engine", "--server", server, "--slots", &slots.to_string()])
                .env("RAMPART_ENGINE_KEY", key)
                .env("RUST_LOG", "warn")
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("start rampart engine"),
        )
    }

    pub async fn api(&self, server: &str, method: &str, path: &str, body: Option<Value>) -> Value {
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
    pub async fn online(&self, server: &str, id: EngineId) {
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
    pub async fn config(&self, name: &str, pages: u32) -> ScanConfigId {
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

    pub async fn submit(&self, server: &str, cfg: ScanConfigId) -> ScanId {
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

    pub async fn status(&self, server: &str, scan: ScanId) -> String {
        self.api(server, "GET", &format!("/scans/{scan}"), None)
            .await["status"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn settled(&self, server: &str, scan: ScanId, within: Duration) -> String {
        poll("the scan to end", within, || async {
            let s = self.status(server, scan).await;
            matches!(s.as_str(), "COMPLETE" | "FAILED").then_some(s)
        })
        .await
    }

    /// The scan's vulnerabilities as (module, path and query, parameter, method), from the
    /// store.
    pub async fn vulns(&self, scan: ScanId) -> Vec<(ModuleId, String, Option<String>, String)> {
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
    pub async fn owner(&self, scan: ScanId) -> String {
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

    pub async fn events(&self, scan: ScanId) -> String {
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
