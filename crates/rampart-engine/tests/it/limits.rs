//! Budgets, control and bounded memory.

use crate::fixture::{serve, App};
use rampart_engine::events::{LimitKind, Outcome};
use rampart_engine::http::ReqwestTransport;
use rampart_engine::{Event, ScanPlan};
use std::sync::Arc;
use std::time::Duration;
use url::Url;

#[tokio::test]
async fn request_budget_is_honoured_and_reported() {
    let addr = serve(App::default()).await;
    let mut plan = ScanPlan::for_url(Url::parse(&format!("http://{addr}/")).unwrap());
    plan.limits.max_requests = 25;
    let (s, events) = crate::run(plan).await;
    assert!(s.progress.requests <= 25, "{}", s.progress.requests);
    assert_eq!(s.outcome, Outcome::Incomplete);
    assert!(s.limits_reached.contains(&LimitKind::MaxRequests));
    assert!(events.iter().any(|e| matches!(
        e,
        Event::LimitReached {
            limit: LimitKind::MaxRequests,
            ..
        }
    )));
}

#[tokio::test]
async fn cancel_abandons_the_scan() {
    let addr = serve(App::default()).await;
    let plan = ScanPlan::for_url(Url::parse(&format!("http://{addr}/")).unwrap());
    let transport = Arc::new(ReqwestTransport::new(false).unwrap());
    let (handle, mut rx) = rampart_engine::start(plan, transport, None).unwrap();
    // Wait until the scan has really started (a first request went out), then cancel.
    while handle.progress().requests == 0 {
        rx.recv().await.unwrap();
    }
    handle.cancel();
    let summary = tokio::time::timeout(Duration::from_secs(20), handle.wait())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(summary.outcome, Outcome::Cancelled);
}

#[tokio::test]
async fn out_of_scope_seed_is_refused() {
    let mut plan = ScanPlan::for_url(Url::parse("http://127.0.0.1:9/app/").unwrap());
    plan.seeds = vec![Url::parse("http://127.0.0.1:9/other/").unwrap()];
    let transport = Arc::new(ReqwestTransport::new(false).unwrap());
    assert!(rampart_engine::start(plan, transport, None).is_err());
}

#[tokio::test]
async fn huge_responses_are_cut_at_the_cap() {
    use axum::routing::get;
    let router = axum::Router::new().route(
        "/",
        get(|| async {
            // 64 MiB streamed lazily; the engine must stop reading at its cap.
            let chunks =
                futures::stream::iter((0..1024).map(|_| {
                    Ok::<_, std::io::Error>(axum::body::Bytes::from(vec![b'a'; 64 * 1024]))
                }));
            axum::body::Body::from_stream(chunks)
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let mut plan = ScanPlan::for_url(Url::parse(&format!("http://{addr}/")).unwrap());
    plan.limits.max_response_bytes = 256 * 1024;
    plan.modules = rampart_engine::plan::Modules::template("Passive Only").unwrap();
    let (s, events) = crate::run(plan).await;
    assert!(s.limits_reached.contains(&LimitKind::ResponseSize));
    assert!(events.iter().any(|e| matches!(
        e,
        Event::LimitReached {
            limit: LimitKind::ResponseSize,
            ..
        }
    )));
    assert!(s.progress.network_speed > 0);
}

#[tokio::test]
async fn stop_finishes_in_flight_work_and_reports() {
    let addr = serve(App::default()).await;
    let plan = ScanPlan::for_url(Url::parse(&format!("http://{addr}/")).unwrap());
    let transport = Arc::new(ReqwestTransport::new(false).unwrap());
    let (handle, mut rx) = rampart_engine::start(plan, transport, None).unwrap();
    while handle.progress().requests == 0 {
        rx.recv().await.unwrap();
    }
    handle.pause();
    handle.resume();
    handle.stop();
    let mut finished = false;
    while let Some(e) = rx.recv().await {
        if matches!(e, Event::Finished(_)) {
            finished = true;
            break;
        }
    }
    let summary = tokio::time::timeout(Duration::from_secs(20), handle.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(finished, "a stopped scan still reports");
    assert_eq!(summary.outcome, Outcome::Stopped);
}

#[tokio::test]
async fn paused_scan_sends_nothing_until_resumed() {
    let addr = serve(App::default()).await;
    let plan = ScanPlan::for_url(Url::parse(&format!("http://{addr}/")).unwrap());
    let transport = Arc::new(ReqwestTransport::new(false).unwrap());
    let (handle, mut rx) = rampart_engine::start(plan, transport, None).unwrap();
    handle.pause();
    // Progress ticks keep coming while paused; the request counter must not move.
    let before = handle.progress().requests;
    let mut ticks = 0;
    while ticks < 3 {
        if let Some(Event::Progress(_)) = rx.recv().await {
            ticks += 1;
        }
    }
    // At most the requests already past the pause gate complete.
    let during = handle.progress().requests;
    assert!(during <= before + 8, "{before} -> {during}");
    handle.cancel();
    let summary = tokio::time::timeout(Duration::from_secs(20), handle.wait())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(summary.outcome, Outcome::Cancelled);
}

/// Serves `router` on 127.0.0.1:0 and returns its address.
async fn serve_router(router: axum::Router) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    addr
}

fn html(body: String) -> axum::response::Html<String> {
    axum::response::Html(format!(
        "<html><head><title>t</title></head><body>{body}</body></html>"
    ))
}

#[tokio::test]
async fn max_duration_stops_on_time_and_keeps_findings() {
    use axum::extract::Path;
    use axum::routing::get;
    // The first page discloses a stack trace; everything behind it is slow and endless.
    let router = axum::Router::new()
        .route(
            "/",
            get(|| async {
                html(
                    "<pre>Traceback (most recent call last):\n  File \"/srv/app/views.py\", line 42, in index\nZeroDivisionError: division by zero</pre><a href=\"/slow/1\">more</a>"
                        .into(),
                )
            }),
        )
        .route(
            "/slow/{n}",
            get(|Path(n): Path<u64>| async move {
                // Simulates a slow server (server side), not a test wait.
                tokio::time::sleep(Duration::from_millis(300)).await;
                let links: String = (0..10)
                    .map(|i| format!("<a href=\"/slow/{}\">x</a>", n * 10 + i))
                    .collect();
                html(links)
            }),
        );
    let addr = serve_router(router).await;
    let mut plan = ScanPlan::for_url(Url::parse(&format!("http://{addr}/")).unwrap());
    plan.limits.max_duration = Duration::from_secs(3);
    plan.limits.max_crawl_results = 100_000;
    plan.limits.max_per_pattern = 100_000;
    plan.limits.max_depth = 1_000;
    let started = std::time::Instant::now();
    let (s, _events) = tokio::time::timeout(Duration::from_secs(60), crate::run(plan))
        .await
        .expect("the scan ends by itself");
    let took = started.elapsed();
    eprintln!(
        "max_duration 3s: scan took {took:?}, {} requests, {} findings",
        s.progress.requests,
        s.findings.len()
    );
    assert!(took < Duration::from_secs(20), "took {took:?}");
    assert!(s.limits_reached.contains(&LimitKind::MaxDuration));
    assert_eq!(s.outcome, Outcome::Incomplete);
    assert!(
        s.findings
            .iter()
            .any(|f| f.module_key == "error_disclosure"),
        "findings so far are kept: {:?}",
        s.findings.iter().map(|f| &f.module_key).collect::<Vec<_>>()
    );
}

/// Resident set size of this process in kB, from /proc/self/status.
fn vm_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::test]
async fn endless_body_is_cut_and_memory_stays_bounded() {
    use axum::routing::get;
    let router = axum::Router::new().route(
        "/",
        get(|| async {
            // A body that never ends.
            let chunks = futures::stream::repeat_with(|| {
                Ok::<_, std::io::Error>(axum::body::Bytes::from(vec![b'a'; 64 * 1024]))
            });
            axum::body::Body::from_stream(chunks)
        }),
    );
    let addr = serve_router(router).await;
    // The transport itself cuts the endless body at the cap.
    use rampart_engine::http::{HttpRequest, Transport};
    let transport = ReqwestTransport::new(false).unwrap();
    let req = HttpRequest::get(Url::parse(&format!("http://{addr}/")).unwrap());
    let resp = tokio::time::timeout(
        Duration::from_secs(30),
        transport.send(&req, 1024 * 1024, Duration::from_secs(20)),
    )
    .await
    .expect("the read stops at the cap")
    .unwrap();
    assert!(resp.truncated);
    assert!(resp.body.len() <= 1024 * 1024, "{}", resp.body.len());
    assert!(resp.body.len() >= 512 * 1024, "{}", resp.body.len());
    let before = vm_rss_kb();
    let mut plan = ScanPlan::for_url(Url::parse(&format!("http://{addr}/")).unwrap());
    plan.limits.max_response_bytes = 1024 * 1024;
    plan.modules = rampart_engine::plan::Modules::template("Passive Only").unwrap();
    let (s, events) = tokio::time::timeout(Duration::from_secs(60), crate::run(plan))
        .await
        .expect("the scan finishes despite an endless body");
    assert!(s.limits_reached.contains(&LimitKind::ResponseSize));
    assert!(events.iter().any(|e| matches!(
        e,
        Event::LimitReached {
            limit: LimitKind::ResponseSize,
            ..
        }
    )));
    if let (Some(b), Some(a)) = (before, vm_rss_kb()) {
        eprintln!("endless body: VmRSS {b} kB -> {a} kB");
        assert!(a < b + 200 * 1024, "VmRSS grew from {b} kB to {a} kB");
    }
}

/// A site whose pages each link to 10 new unique ones, plus a calendar whose `?date=` pages
/// link to the next and previous day forever.
fn infinite_site() -> axum::Router {
    use axum::extract::{Path, Query};
    use axum::routing::get;
    use std::collections::HashMap;
    let router = axum::Router::new()
        .route(
            "/",
            get(|| async {
                html("<a href=\"/p/1\">p</a> <a href=\"/cal?date=2026-01-01\">cal</a>".into())
            }),
        )
        .route(
            "/p/{n}",
            get(|Path(n): Path<u64>| async move {
                let links: String = (0..10)
                    .map(|i| format!("<a href=\"/p/{}\">x</a>", n * 10 + i))
                    .collect();
                html(links)
            }),
        )
        .route(
            "/cal",
            get(|Query(q): Query<HashMap<String, String>>| async move {
                // Day number since an arbitrary epoch, rendered as a date; links to the next
                // and previous days forever.
                let d = q.get("date").cloned().unwrap_or_default();
                let mut parts = d.split('-').filter_map(|x| x.parse::<i64>().ok());
                let (y, m, day) = (
                    parts.next().unwrap_or(2026),
                    parts.next().unwrap_or(1),
                    parts.next().unwrap_or(1),
                );
                let n = y * 372 + (m - 1) * 31 + (day - 1);
                let fmt =
                    |n: i64| format!("{}-{:02}-{:02}", n / 372, (n % 372) / 31 + 1, n % 31 + 1);
                html(format!(
                    "<a href=\"/cal?date={}\">next</a><a href=\"/cal?date={}\">prev</a>",
                    fmt(n + 1),
                    fmt(n - 1)
                ))
            }),
        );
    router
}

#[tokio::test]
async fn infinite_link_generators_are_bounded() {
    let addr = serve_router(infinite_site()).await;
    let mut plan = ScanPlan::for_url(Url::parse(&format!("http://{addr}/")).unwrap());
    plan.limits.max_crawl_results = 40;
    plan.limits.max_duration = Duration::from_secs(60);
    plan.modules = rampart_engine::plan::Modules::template("Passive Only").unwrap();
    let started = std::time::Instant::now();
    let (s, _events) = tokio::time::timeout(Duration::from_secs(60), crate::run(plan))
        .await
        .expect("the scan finishes");
    eprintln!(
        "infinite links: {} pages crawled in {:?}, skipped {:?}",
        s.crawled.len(),
        started.elapsed(),
        s.skipped
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    assert!(s.crawled.len() <= 40, "{}", s.crawled.len());
    assert!(
        s.progress.links_crawled <= 40,
        "{}",
        s.progress.links_crawled
    );
    let cal = s.crawled.iter().filter(|u| u.contains("/cal")).count();
    assert!(cal <= 20, "calendar pages are deduped by pattern: {cal}");
    assert!(
        s.skipped.keys().any(|r| matches!(
            r,
            rampart_engine::events::SkipReason::PatternLimit
                | rampart_engine::events::SkipReason::DuplicatePattern
                | rampart_engine::events::SkipReason::CrawlLimit
        )),
        "{:?}",
        s.skipped
    );
}

#[tokio::test]
async fn infinite_links_stop_at_the_crawl_limit_without_pattern_dedupe() {
    let addr = serve_router(infinite_site()).await;
    let mut plan = ScanPlan::for_url(Url::parse(&format!("http://{addr}/")).unwrap());
    plan.limits.max_crawl_results = 60;
    plan.limits.max_per_pattern = 100_000;
    plan.limits.max_depth = 1_000;
    plan.limits.max_duration = Duration::from_secs(60);
    plan.modules = rampart_engine::plan::Modules::template("Passive Only").unwrap();
    let started = std::time::Instant::now();
    let (s, _events) = tokio::time::timeout(Duration::from_secs(60), crate::run(plan))
        .await
        .expect("the scan finishes");
    eprintln!(
        "infinite links, no pattern dedupe: {} pages crawled in {:?}",
        s.crawled.len(),
        started.elapsed()
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    assert!(s.crawled.len() <= 60, "{}", s.crawled.len());
    assert!(
        s.progress.links_crawled <= 60,
        "{}",
        s.progress.links_crawled
    );
    assert!(s.limits_reached.contains(&LimitKind::MaxCrawlResults));
    assert_eq!(s.outcome, Outcome::Incomplete);
}

#[tokio::test]
async fn max_duration_cuts_a_body_that_trickles_forever() {
    use axum::routing::get;
    let router = axum::Router::new().route(
        "/",
        get(|| async {
            // One byte every 50 ms, forever (server-side pacing, not a test wait).
            let chunks = futures::stream::unfold((), |()| async {
                tokio::time::sleep(Duration::from_millis(50)).await;
                Some((
                    Ok::<_, std::io::Error>(axum::body::Bytes::from_static(b"a")),
                    (),
                ))
            });
            axum::body::Body::from_stream(chunks)
        }),
    );
    let addr = serve_router(router).await;
    let mut plan = ScanPlan::for_url(Url::parse(&format!("http://{addr}/")).unwrap());
    plan.limits.max_duration = Duration::from_secs(2);
    plan.limits.request_timeout = Duration::from_secs(120);
    plan.modules = rampart_engine::plan::Modules::template("Passive Only").unwrap();
    let started = std::time::Instant::now();
    let (s, _events) = tokio::time::timeout(Duration::from_secs(60), crate::run(plan))
        .await
        .expect("the scan ends by itself");
    let took = started.elapsed();
    eprintln!("trickling body, max_duration 2s: scan took {took:?}");
    assert!(took < Duration::from_secs(15), "took {took:?}");
    assert_eq!(s.outcome, Outcome::Incomplete);
    assert!(s.limits_reached.contains(&LimitKind::MaxDuration));
}
