//! Server memory with open live-scan streams: STREAMS scans run (driven through the job
//! protocol in process: a heartbeat per scan every HEARTBEAT_MS with new counters, an
//! engine event per scan every second), one console `EventSource`-like client per scan
//! reads `/console/scans/{id}/live` over real HTTP (127.0.0.1:0), and the process RSS is
//! read from `/proc/self/status` before the streams open, while they are open, and after
//! they close. Server and clients share the process, so the figure is an upper bound of
//! the server's own cost.
//!
//! ```sh
//! cargo run -p rampart-testkit --example live_rss -- sqlite
//! RAMPART_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/test \
//!   cargo run -p rampart-testkit --example live_rss -- postgres
//! ```
//! Environment (defaults): STREAMS=50 SECONDS=20 HEARTBEAT_MS=1000. Not a test.

use rampart_domain::job::{ExecutionDetails, Heartbeat, JobEvent};
use rampart_domain::*;
use rampart_service::{OptionsWrite, ScanInput};
use rampart_testkit::{Backend, TestApp};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The process's resident set, in KiB.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

async fn settle() {
    // Let freed memory and finished tasks settle before a reading.
    tokio::time::sleep(Duration::from_secs(2)).await;
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let backend = match std::env::args().nth(1).as_deref() {
        Some("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    };
    let streams = env("STREAMS", 50) as usize;
    let seconds = env("SECONDS", 20);
    let beat = Duration::from_millis(env("HEARTBEAT_MS", 1000));
    let t = TestApp::builder()
        .backend(backend)
        .spawn()
        .await
        .expect("server");
    let admin = t.keys.admin.principal.clone();
    let app = t.fx_app("Shop").await;
    let cfg = t.fx_scan_config(app, "Shop config").await;
    t.fx_target("shop.example.test").await;
    t.service
        .write_scan_config_options(
            &admin,
            cfg,
            serde_json::json!({"crawl_config": {
                "seed_url_list": [{"value": "https://shop.example.test/"}],
                "scope_constraint_list": [{"url": "https://shop.example.test/*"}]}}),
            OptionsWrite::Replace,
        )
        .await
        .expect("options");
    let mut scans = Vec::new();
    for i in 0..streams {
        let id = t
            .service
            .submit_scan(
                &admin,
                ScanInput {
                    scan_config: Some(cfg),
                    ..Default::default()
                },
            )
            .await
            .expect("submit");
        let worker = format!("w{i}");
        let spec = t
            .service
            .claim_job(&worker)
            .await
            .expect("claim")
            .expect("queued");
        assert_eq!(spec.scan, id);
        scans.push((spec.scan, worker));
    }
    let session = t
        .service
        .console_sign_in_key(&t.keys.read_write.token)
        .await
        .expect("console session");
    let cookie = format!("rampart_session={}", session.token);
    let http = reqwest::Client::new();
    // One page first, so the reading before is of a warm server.
    http.get(t.url(&format!("/console/scans/{}", scans[0].0)))
        .header("Cookie", &cookie)
        .send()
        .await
        .expect("page");

    // The engine side: heartbeats and events for every scan until told to stop.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let driver = {
        let (service, scans, stop) = (t.service.clone(), scans.clone(), stop.clone());
        tokio::spawn(async move {
            let mut n = 0i64;
            let mut last_event = Instant::now();
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let events = last_event.elapsed() >= Duration::from_secs(1);
                if events {
                    last_event = Instant::now();
                }
                for (scan, worker) in &scans {
                    let hb = Heartbeat {
                        status: ScanStatus::Running,
                        details: ExecutionDetails {
                            links_crawled: n,
                            requests: n * 10,
                            ..Default::default()
                        },
                        checkpoint: None,
                        coverage: None,
                    };
                    let _ = service.job_heartbeat(*scan, worker, &hb).await;
                    if events {
                        let e = JobEvent {
                            time: chrono::Utc::now(),
                            event: format!("Crawled page {n}"),
                        };
                        let _ = service.job_events(*scan, worker, &[e]).await;
                    }
                }
                tokio::time::sleep(beat).await;
            }
        })
    };

    settle().await;
    let before = rss_kib();
    let received = Arc::new(AtomicU64::new(0));
    let mut readers = Vec::new();
    for (scan, _) in &scans {
        let resp = http
            .get(t.url(&format!("/console/scans/{scan}/live")))
            .header("Cookie", &cookie)
            .send()
            .await
            .expect("open a stream");
        assert_eq!(resp.status(), 200);
        let received = received.clone();
        readers.push(tokio::spawn(async move {
            let mut resp = resp;
            while let Ok(Some(chunk)) = resp.chunk().await {
                let text = String::from_utf8_lossy(&chunk);
                received.fetch_add(text.matches("event:").count() as u64, Ordering::Relaxed);
            }
        }));
    }
    let opened = Instant::now();
    let mut peak = 0;
    while opened.elapsed() < Duration::from_secs(seconds) {
        tokio::time::sleep(Duration::from_millis(500)).await;
        peak = peak.max(rss_kib());
    }
    let during = rss_kib();
    let events = received.load(Ordering::Relaxed);
    for r in &readers {
        r.abort();
    }
    stop.store(true, Ordering::Relaxed);
    let _ = driver.await;
    settle().await;
    let after = rss_kib();
    let kind = match backend {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    };
    println!("| {kind}: {streams} live streams, {seconds} s, heartbeat every {beat:?} | KiB |");
    println!("|---|---:|");
    println!("| RSS before the streams | {before} |");
    println!("| RSS with the streams open (end) | {during} |");
    println!("| RSS peak while open | {peak} |");
    println!("| RSS after they closed | {after} |");
    println!(
        "| per stream (end − before) / {streams} | {} |",
        during.saturating_sub(before) / streams.max(1) as u64
    );
    println!("\nevents received by the clients: {events}");
}
