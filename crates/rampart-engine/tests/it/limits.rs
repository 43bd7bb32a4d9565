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
