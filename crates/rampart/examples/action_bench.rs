//! Action latency: the time from a client's `PUT /ias/v1/scans/{id}/action` (PAUSE) to
//! the moment the engine holding the scan has the action in hand — its action long-poll
//! (`JobSource::wait_action`, the call the worker's action task makes) answers.
//!
//! Modes: `local` (the server's embedded source, `LocalSource`, woken by the service's
//! signal), `http` (a remote engine's `HttpSource`, `/engine/v1/jobs/{id}/action?wait=`),
//! `replica` (the action is set through a second `Service` over the same database, which
//! does not signal this one: only the short poll finds it). The PUT's own time is
//! included for `local` and `http`.
//!
//! ```sh
//! cargo build -p rampart --example action_bench
//! ./target/debug/examples/action_bench sqlite local      # or http, replica
//! RAMPART_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/test \
//!   ./target/debug/examples/action_bench postgres http
//! ```
//! Environment (defaults): ROUNDS=40. Not a test: never runs under `cargo test`.

use rampart_domain::job::JobOutcome;
use rampart_service::{LocalSource, Service};
use rampart_testkit::{Backend, TestApp};
use rampart_worker::http::HttpSource;
use rampart_worker::JobSource;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let backend = match args.next().as_deref() {
        Some("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    };
    let mode = args.next().unwrap_or_else(|| "local".into());
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let dir = std::env::temp_dir().join(format!("rampart-action-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("r.db").display());
    let app = TestApp::builder()
        .backend(backend)
        .sqlite_url(&url)
        .spawn()
        .await
        .expect("RAMPART_TEST_PG_URL for postgres");
    let a = app.fx_app("Bench").await;
    let cfg = app.fx_scan_config(a, "Bench config").await;
    app.fx_target("shop.example.test").await;
    app.service
        .write_scan_config_options(
            &app.keys.admin.principal,
            cfg,
            json!({"crawl_config": {"seed_url_list": [{"value": "https://shop.example.test/"}],
                "scope_constraint_list": [{"url": "https://shop.example.test/*"}]}}),
            rampart_service::OptionsWrite::Replace,
        )
        .await
        .unwrap();
    let source: Arc<dyn JobSource> = if mode == "http" {
        let group = app.fx_engine_group("bench").await;
        let mut c = app
            .admin()
            .get(&format!("/ias/v1/scan-configs/{cfg}"))
            .send()
            .await
            .status(200)
            .json();
        c["assignment"] =
            json!({"type": "ENGINE_GROUP", "id": group.to_string(), "environment": "ON_PREMISE"});
        app.admin()
            .put(&format!("/ias/v1/scan-configs/{cfg}"))
            .json(&c)
            .send()
            .await
            .status(200);
        let e = app.fx_engine("e", Some(group)).await;
        let key = app
            .service
            .engine_credential(&app.keys.admin.principal, e)
            .await
            .unwrap();
        let http = HttpSource::new(&app.base, &key).unwrap();
        http.claim("w0", Duration::ZERO).await.unwrap();
        Arc::new(http)
    } else {
        Arc::new(LocalSource::new(
            app.service.clone(),
            Duration::from_secs(2),
        ))
    };
    // Another replica: same database, its own process-local signals.
    let replica = Service::new(
        app.store().clone(),
        app.clock.clone(),
        rampart_testkit::sample_catalogue(),
    );
    let mut took = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let id = app
            .rw()
            .post("/ias/v1/scans")
            .json(&json!({"scan_config": {"id": cfg.to_string()}}))
            .send()
            .await
            .status(201)
            .location_id();
        let spec = source
            .claim("w1", Duration::from_secs(10))
            .await
            .unwrap()
            .expect("the submitted scan");
        let scan = spec.scan;
        assert_eq!(scan.0, id);
        let src = source.clone();
        let waiter = tokio::spawn(async move {
            loop {
                if let Some(a) = src
                    .wait_action(scan, "w1", Duration::from_secs(25))
                    .await
                    .unwrap()
                {
                    return (a, Instant::now());
                }
            }
        });
        // Let the engine's long-poll start waiting (a benchmark may sleep), at a random
        // phase of its short poll (which matters for `replica`).
        let phase = (uuid::Uuid::new_v4().as_u128() % 500) as u64;
        tokio::time::sleep(Duration::from_millis(30 + phase)).await;
        let asked = Instant::now();
        if mode == "replica" {
            replica
                .send_scan_action(&app.keys.read_write.principal, scan, "PAUSE")
                .await
                .unwrap();
        } else {
            app.rw()
                .put(&format!("/ias/v1/scans/{scan}/action"))
                .json(&json!({"action": "PAUSE"}))
                .send()
                .await
                .status(200);
        }
        let (_, got) = waiter.await.unwrap();
        took.push(got - asked);
        source
            .finish(scan, "w1", &JobOutcome::Canceled)
            .await
            .unwrap();
    }
    took.sort();
    let pct = |p: f64| {
        let i = ((took.len() as f64 * p).ceil() as usize).clamp(1, took.len()) - 1;
        took[i].as_secs_f64() * 1000.0
    };
    println!(
        "action latency ({backend:?}, {mode}, {rounds} rounds): p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        pct(0.50),
        pct(0.95),
        pct(1.0)
    );
    std::fs::remove_dir_all(dir).ok();
}
