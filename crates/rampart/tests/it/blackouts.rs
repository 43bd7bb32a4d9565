//! Blackouts end to end (reference §1.7, §3.8): real embedded engine slots scanning the
//! testbed while the manual clock moves through a blackout window, on SQLite and
//! PostgreSQL. A scan submitted inside a window waits `BLACKED_OUT` (the engine passes it
//! over) and runs when the window ends; a running scan that enters a window is paused and
//! resumed after it, by a freshly started service (nothing kept in memory); every
//! transition is a platform event.

use crate::e2e::{scan_config, submit, testbed, wait_scan, wait_status};
use rampart_domain::time::Clock;
use rampart_domain::ScanId;
use rampart_service::Service;
use rampart_testkit::{Backend, TestApp};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

const QUICK: &[&str] = &["xss_reflected", "open_redirect"];
const SLOW: &[&str] = &[
    "sqli",
    "xss_reflected",
    "cmdi",
    "path_traversal",
    "open_redirect",
];

async fn app_of(t: &TestApp, cfg: &str) -> String {
    t.rw()
        .get(&format!("/ias/v1/scan-configs/{cfg}"))
        .send()
        .await
        .status(200)
        .json()["app"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A ONCE blackout of `app` from `start` to `end` (the test clock starts 2026-01-02T03:04:05Z).
async fn blackout(t: &TestApp, app: &str, start: &str, end: &str) -> uuid::Uuid {
    t.rw()
        .create(
            "/ias/v1/blackouts",
            json!({"name": t.unique("window"), "enabled": "true", "app": {"id": app},
                "first_start": start, "first_end": end, "frequency": {"type": "ONCE", "interval": 0}}),
        )
        .await
}

async fn platform_events(t: &TestApp, id: &str) -> Vec<String> {
    t.rw()
        .get(&format!("/ias/v1/scans/{id}/platform-events"))
        .send()
        .await
        .status(200)
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_string())
        .collect()
}

fn has(events: &[String], text: &str) -> bool {
    events.iter().any(|e| e.contains(text))
}

fn finished(s: &Value) -> bool {
    matches!(s["status"].as_str(), Some("COMPLETE" | "FAILED"))
}

fn scan_id(id: &str) -> ScanId {
    id.parse().unwrap()
}

async fn a_scan_due_in_a_window_waits_blacked_out(backend: Backend) {
    let Some(t) = TestApp::builder().backend(backend).engines(1).spawn().await else {
        return;
    };
    let tb = testbed().await;
    let cfg = scan_config(&t, &tb.base_url(), QUICK).await;
    let app = app_of(&t, &cfg).await;
    blackout(&t, &app, "2026-01-02T03:00:00Z", "2026-01-02T04:00:00Z").await;
    let id = submit(&t, &cfg, json!({})).await;
    let s = wait_status(&t, &id, "BLACKED_OUT", Duration::from_secs(5)).await;
    assert!(s["completion_time"].is_null(), "{s}");
    // The one engine slot claims the oldest queued job: a scan of another app submitted
    // after it runs to the end while the blacked-out one is passed over.
    let other_cfg = scan_config(&t, &tb.base_url(), QUICK).await;
    let other = submit(&t, &other_cfg, json!({})).await;
    let done = wait_scan(&t, &other, "finished", Duration::from_secs(180), finished).await;
    assert_eq!(done["status"], "COMPLETE", "{done}");
    let now = t.clock.now();
    let r = t.service.enforce_blackouts(now).await.unwrap();
    assert!(r.is_empty(), "inside the window nothing moves: {r:?}");
    assert_eq!(
        crate::e2e::scan(&t, &id).await["status"],
        "BLACKED_OUT",
        "still waiting"
    );
    // The window ends at 04:00:00 (exclusive).
    t.clock
        .advance(chrono::Duration::minutes(56) - chrono::Duration::seconds(5));
    let r = t.service.enforce_blackouts(t.clock.now()).await.unwrap();
    assert_eq!(r.released, [scan_id(&id)]);
    let done = wait_scan(&t, &id, "finished", Duration::from_secs(180), finished).await;
    assert_eq!(done["status"], "COMPLETE", "{done}");
    let events = platform_events(&t, &id).await;
    assert!(
        has(&events, "Scan is blacked out: blackout '"),
        "{events:?}"
    );
    assert!(
        has(&events, "active until 2026-01-02T04:00:00Z"),
        "{events:?}"
    );
    assert!(
        has(&events, "Blackout window ended; the scan is queued"),
        "{events:?}"
    );
    tb.shutdown().await;
}

async fn a_running_scan_is_paused_and_resumed(backend: Backend) {
    let Some(t) = TestApp::builder().backend(backend).engines(1).spawn().await else {
        return;
    };
    let tb = testbed().await;
    let cfg = scan_config(&t, &tb.base_url(), SLOW).await;
    let app = app_of(&t, &cfg).await;
    blackout(&t, &app, "2026-01-02T04:00:00Z", "2026-01-02T05:00:00Z").await;
    let id = submit(&t, &cfg, json!({})).await;
    wait_status(&t, &id, "RUNNING", Duration::from_secs(60)).await;
    let r = t.service.enforce_blackouts(t.clock.now()).await.unwrap();
    assert!(r.is_empty(), "before the window: {r:?}");
    // 04:00:05: the window is on.
    t.clock.advance(chrono::Duration::minutes(56));
    let r = t.service.enforce_blackouts(t.clock.now()).await.unwrap();
    assert_eq!(r.paused, [scan_id(&id)]);
    wait_status(&t, &id, "PAUSED", Duration::from_secs(60)).await;
    let r = t.service.enforce_blackouts(t.clock.now()).await.unwrap();
    assert!(r.is_empty(), "paused once: {r:?}");
    // Paused: the engine sends (almost) nothing more.
    let before = tb.request_count();
    let quiet = Instant::now() + Duration::from_millis(1500);
    while Instant::now() < quiet {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        tb.request_count() <= before + 2,
        "a blacked-out scan keeps attacking: {before} → {}",
        tb.request_count()
    );
    // 05:00:05, and a restarted platform: a new service over the same store, nothing in
    // memory, resumes the scan from what the store says.
    t.clock.advance(chrono::Duration::hours(1));
    let restarted = Service::new(
        t.store().clone(),
        t.clock.clone() as Arc<dyn Clock>,
        rampart_engine::catalogue(),
    );
    let r = restarted.enforce_blackouts(t.clock.now()).await.unwrap();
    assert_eq!(r.resumed, [scan_id(&id)]);
    wait_status(&t, &id, "RUNNING", Duration::from_secs(60)).await;
    let r = restarted.enforce_blackouts(t.clock.now()).await.unwrap();
    assert!(r.is_empty(), "resumed once: {r:?}");
    t.rw()
        .put(&format!("/ias/v1/scans/{id}/action"))
        .json(&json!({"action": "STOP"}))
        .send()
        .await
        .status(200);
    let done = wait_scan(&t, &id, "finished", Duration::from_secs(120), finished).await;
    assert_eq!(done["status"], "COMPLETE", "{done}");
    let events = platform_events(&t, &id).await;
    for text in [
        "Pausing the scan: blackout '",
        "Sending scan state action PAUSE",
        "Blackout window ended; resuming the scan",
        "Sending scan state action RESUME",
    ] {
        assert!(has(&events, text), "{text}: {events:?}");
    }
    tb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn blackout_wait_end_to_end_sqlite() {
    a_scan_due_in_a_window_waits_blacked_out(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn blackout_wait_end_to_end_postgres() {
    a_scan_due_in_a_window_waits_blacked_out(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn blackout_pause_resume_end_to_end_sqlite() {
    a_running_scan_is_paused_and_resumed(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn blackout_pause_resume_end_to_end_postgres() {
    a_running_scan_is_paused_and_resumed(Backend::Postgres).await;
}
