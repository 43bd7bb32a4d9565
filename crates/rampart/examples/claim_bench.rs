//! Claim latency of `/engine/v1`: ENGINES remote engines (one `HttpSource` each)
//! long-poll `POST /engine/v1/jobs/claim?wait=30` on the real HTTP server (rampart-testkit,
//! 127.0.0.1:0); ROUNDS times a scan is submitted over `/ias/v1` and the time from
//! sending the submit to the first engine's claim answer (the submit's own time included) is measured (the winner then
//! finishes the job so the queue is empty again).
//!
//! ```sh
//! cargo run --release -p rampart --example claim_bench -- sqlite
//! RAMPART_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/test \
//!   cargo run --release -p rampart --example claim_bench -- postgres
//! ```
//! Environment (defaults): ENGINES=1 ROUNDS=30. Not a test: never runs under `cargo test`.

use rampart_domain::job::JobOutcome;
use rampart_testkit::{Backend, TestApp};
use rampart_worker::http::HttpSource;
use rampart_worker::JobSource;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let backend = match std::env::args().nth(1).as_deref() {
        Some("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    };
    let engines = env("ENGINES", 1);
    let rounds = env("ROUNDS", 30);
    let app = TestApp::builder()
        .backend(backend)
        .spawn()
        .await
        .expect("RAMPART_TEST_PG_URL for postgres");
    let group = app.fx_engine_group("bench").await;
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
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Instant>();
    for i in 0..engines {
        let id = app.fx_engine(&format!("e{i}"), Some(group)).await;
        let key = app
            .service
            .engine_credential(&app.keys.admin.principal, id)
            .await
            .unwrap();
        let src = Arc::new(HttpSource::new(&app.base, &key).unwrap());
        let tx = tx.clone();
        tokio::spawn(async move {
            let worker = format!("bench:{i}");
            loop {
                match src.claim(&worker, Duration::from_secs(30)).await {
                    Ok(Some(spec)) => {
                        let _ = tx.send(Instant::now());
                        src.finish(spec.scan, &worker, &JobOutcome::Stopped)
                            .await
                            .unwrap();
                    }
                    Ok(None) => {}
                    Err(e) => panic!("claim: {e}"),
                }
            }
        });
    }
    // Let every engine call in (a claim records its heartbeat) and start waiting.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut lat = Vec::new();
    for _ in 0..rounds {
        let submitted = Instant::now();
        app.rw()
            .post("/ias/v1/scans")
            .json(&json!({"scan_config": {"id": cfg.to_string()}}))
            .send()
            .await
            .status(201);
        let claimed = tokio::time::timeout(Duration::from_secs(35), rx.recv())
            .await
            .expect("a claim")
            .unwrap();
        lat.push(claimed.saturating_duration_since(submitted));
        // The winner finishes; let the engines start waiting again.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    lat.sort();
    let pct = |p: f64| lat[((lat.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "backend={backend:?} engines={engines} rounds={rounds} submit-to-claim: p50={:?} p90={:?} max={:?}",
        pct(0.5),
        pct(0.9),
        lat[lat.len() - 1]
    );
}
