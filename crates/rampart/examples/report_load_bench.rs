//! API latency while server-side reports generate (see docs/BENCHMARKS.md): the same
//! request mix (`GET /ias/v1/apps/{id}`, `GET /ias/v1/vulnerabilities?size=50`, `POST
//! /ias/v1/search` over the scan's vulnerabilities) from 4 concurrent clients, first idle,
//! then while reports (PDF by default) of a 10,000-finding scan are generated one after another
//! on the same server. Prints p50/p99 of both runs and the p99 ratio. Not a test.
//!
//! ```sh
//! cargo run --release -p rampart --example report_load_bench -- sqlite
//! RAMPART_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/test \
//!   cargo run --release -p rampart --example report_load_bench -- postgres
//! ```
//! Environment (default): RAMPART_BENCH_FINDINGS=10000, RAMPART_BENCH_REQUESTS=2000,
//! RAMPART_BENCH_FORMAT=PDF (or HTML).

use rampart_domain::*;
use rampart_testkit::{fx_finding, fx_time, TestApp};
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

async fn seed(app: &TestApp, n: usize) -> (AppId, ScanId) {
    let a = app.fx_app("Shop").await;
    let org = app.keys.admin.org();
    let scan = Scan {
        id: ScanId::new(),
        org,
        app: a,
        scan_config: ScanConfigId::new(),
        submitter: Submitter {
            kind: SubmitterType::User,
            id: app.keys.admin.id().0,
        },
        submit_time: fx_time(0),
        completion_time: Some(fx_time(30)),
        status: ScanStatus::Complete,
        failure_reason: None,
        scan_type: ScanType::Regular,
        parent: None,
        vulnerability_ids: Vec::new(),
    };
    app.store().create_scan(&scan, None, &[]).await.unwrap();
    for chunk in (0..n).collect::<Vec<_>>().chunks(1000) {
        let findings: Vec<Finding> = chunk
            .iter()
            .map(|i| {
                fx_finding(
                    &format!("http://shop.test/item/{i}"),
                    Some("id"),
                    Severity::ALL[i % Severity::ALL.len()],
                    1,
                )
            })
            .collect();
        app.store()
            .ingest_findings(org, scan.id, &format!("b{}", chunk[0]), &findings)
            .await
            .unwrap();
    }
    (a, scan.id)
}

/// `requests` requests from 4 clients; every latency in microseconds, sorted.
async fn load(app: &TestApp, a: AppId, scan: ScanId, requests: usize) -> Vec<u64> {
    let per = requests / 4;
    let mut tasks = Vec::new();
    for c in 0..4 {
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        let key = app.keys.read_only.token.clone();
        let base = app.base.clone();
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::with_capacity(per);
            for i in 0..per {
                let t = Instant::now();
                let r = match (i + c) % 3 {
                    0 => http.get(format!("{base}/ias/v1/apps/{a}")),
                    1 => http.get(format!("{base}/ias/v1/vulnerabilities?size=50&index={}", i % 20)),
                    _ => http.post(format!("{base}/ias/v1/search?size=50")).json(&json!({
                        "type": "VULNERABILITY",
                        "query": format!("vulnerability.scans.id = '{scan}' && vulnerability.severity = 'HIGH'")})),
                }
                .header("X-Api-Key", &key)
                .send()
                .await
                .unwrap();
                assert!(r.status().is_success());
                let _ = r.bytes().await.unwrap();
                out.push(t.elapsed().as_micros() as u64);
            }
            out
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort_unstable();
    all
}

fn pct(v: &[u64], p: f64) -> f64 {
    v[((v.len() as f64 * p) as usize).min(v.len() - 1)] as f64 / 1000.0
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let db = std::env::args().nth(1).unwrap_or_else(|| "sqlite".into());
    let env = |k: &str, d: usize| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let findings = env("RAMPART_BENCH_FINDINGS", 10_000);
    let requests = env("RAMPART_BENCH_REQUESTS", 2_000);
    let dir = std::env::temp_dir().join(format!("rampart-rl-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let app = match db.as_str() {
        "postgres" => TestApp::spawn_postgres()
            .await
            .expect("RAMPART_TEST_PG_URL"),
        _ => TestApp::builder()
            .sqlite_url(&format!("sqlite://{}", dir.join("rl.db").display()))
            .spawn()
            .await
            .unwrap(),
    };
    let (a, scan) = seed(&app, findings).await;
    load(&app, a, scan, 200).await; // warm-up
    let idle = load(&app, a, scan, requests).await;

    // Reports one after another for as long as the loaded run lasts.
    let running = Arc::new(AtomicBool::new(true));
    let generated = {
        let (running, base) = (running.clone(), app.base.clone());
        let key = app.keys.admin.token.clone();
        let format = std::env::var("RAMPART_BENCH_FORMAT").unwrap_or_else(|_| "PDF".into());
        let accept = if format == "HTML" {
            "application/zip"
        } else {
            "application/pdf"
        };
        tokio::spawn(async move {
            let http = reqwest::Client::builder().no_proxy().build().unwrap();
            let mut done = Vec::new();
            while running.load(Ordering::Relaxed) {
                let t = Instant::now();
                let r = http
                    .post(format!("{base}/ias/v1/reports"))
                    .header("X-Api-Key", &key)
                    .json(
                        &json!({"name": "load", "type": "VULN_SUMMARY", "format": format,
                        "scan": {"id": scan.to_string()}}),
                    )
                    .send()
                    .await
                    .unwrap();
                let loc = r.headers()["location"].to_str().unwrap().to_string();
                loop {
                    let r = http
                        .get(&loc)
                        .header("X-Api-Key", &key)
                        .header("Accept", accept)
                        .send()
                        .await
                        .unwrap();
                    if r.status() == 200 {
                        done.push((t.elapsed(), r.bytes().await.unwrap().len()));
                        break;
                    }
                    assert_eq!(r.status(), 204, "{}", r.text().await.unwrap());
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
            done
        })
    };
    // Let the first generation start before measuring.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let busy = load(&app, a, scan, requests).await;
    running.store(false, Ordering::Relaxed);
    let done = generated.await.unwrap();
    println!("backend {db}, {findings} findings, {requests} requests from 4 clients");
    println!(
        "idle:       p50 {:.2} ms  p99 {:.2} ms",
        pct(&idle, 0.5),
        pct(&idle, 0.99)
    );
    println!(
        "generating: p50 {:.2} ms  p99 {:.2} ms",
        pct(&busy, 0.5),
        pct(&busy, 0.99)
    );
    println!(
        "p99 ratio generating/idle: {:.2}",
        pct(&busy, 0.99) / pct(&idle, 0.99)
    );
    for (t, bytes) in &done {
        println!("report: {:.1} s, {} bytes", t.as_secs_f64(), bytes);
    }
    std::fs::remove_dir_all(dir).ok();
}
