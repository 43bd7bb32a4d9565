//! Webhook delivery lag: EVENTS imports (default 300) of a one-result SARIF log through
//! `POST /applications/{id}/scans`, each raising a `scan.completed` event for one
//! subscription whose receiver listens on 127.0.0.1:0. The lag of one event is the time from
//! the import's 201 (the outbox row is committed before the answer) to the signed delivery's
//! arrival at the receiver; prints p50, p99 and max, and the same from the request's start.
//! Imports run one after another (the receiver always answers 204).
//!
//! ```sh
//! cargo run -p rampart-server --example webhook_lag -- sqlite
//! RAMPART_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/test \
//!   cargo run -p rampart-server --example webhook_lag -- postgres
//! ```
//! Not a test: it never runs under `cargo test`.

use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use rampart_testkit::{Backend, TestApp};
use serde_json::json;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let backend = match std::env::args().nth(1).as_deref() {
        Some("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    };
    let events: usize = std::env::var("EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let t = TestApp::builder()
        .backend(backend)
        .spawn()
        .await
        .expect("the server starts");

    let (tx, mut rx) = mpsc::unbounded_channel::<(String, Instant)>();
    let receiver = axum::Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, _body: String| {
            let tx = tx.clone();
            async move {
                let at = Instant::now();
                let event = headers
                    .get("x-rampart-event")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                let _ = tx.send((event, at));
                StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the receiver");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, receiver).await });

    t.admin()
        .post("/webhooks")
        .json(&json!({"name": "lag", "url": url, "events": ["scan.completed"]}))
        .send()
        .await
        .status(201);
    let app = t
        .admin()
        .post("/applications")
        .json(&json!({"name": "lag"}))
        .send()
        .await
        .status(201)
        .json();
    let app = app["id"].as_str().expect("an id").to_string();

    let mut from_answer = Vec::with_capacity(events);
    let mut from_request = Vec::with_capacity(events);
    for i in 0..events {
        let doc = json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "lag"}},
            "results": [{"ruleId": format!("rule-{i}"), "message": {"text": "m"}}]}]});
        let start = Instant::now();
        t.admin()
            .post(&format!("/applications/{app}/scans?scanType=sast"))
            .header("Content-Type", "application/sarif+json")
            .body(doc.to_string())
            .send()
            .await
            .status(201);
        let answered = Instant::now();
        let arrived = loop {
            let (event, at) = tokio::time::timeout(Duration::from_secs(30), rx.recv())
                .await
                .expect("a delivery within 30 s")
                .expect("the receiver runs");
            if event == "scan.completed" {
                break at;
            }
        };
        from_answer.push(arrived.saturating_duration_since(answered));
        from_request.push(arrived - start);
    }
    from_answer.sort();
    from_request.sort();
    println!(
        "backend={backend:?} events={events} build={}",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    for (name, v) in [
        ("201 → delivery", &from_answer),
        ("request → delivery", &from_request),
    ] {
        println!(
            "{name:>20}: p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
            ms(percentile(v, 0.50)),
            ms(percentile(v, 0.99)),
            ms(*v.last().expect("events > 0"))
        );
    }
}
