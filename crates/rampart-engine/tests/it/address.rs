//! The scanner's own safety: a scan whose scope rules admit every URL still never contacts
//! a loopback host it does not name, the rampart server it runs in, or a metadata address —
//! whether a link or a redirect leads there. A host it does name (another port of the seed's
//! host) is crawled, so the refusals are the address policy's, not the crawler's.

use axum::response::{Html, IntoResponse, Redirect};
use axum::routing::get;
use rampart_engine::scope::{MatchKind, RuleKind, ScopeRule};
use rampart_engine::ScanPlan;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use url::Url;

/// A server on `bind` that answers every path and counts the requests it gets.
async fn counting(bind: &str) -> (SocketAddr, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let router = axum::Router::new().fallback(move || {
        let h = h.clone();
        async move {
            h.fetch_add(1, Ordering::SeqCst);
            Html("<html><body>reached</body></html>")
        }
    });
    let listener = tokio::net::TcpListener::bind(bind).await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (addr, hits)
}

#[tokio::test]
async fn unnamed_loopback_hosts_the_server_itself_and_metadata_are_never_contacted() {
    // 127.0.0.2 is loopback like the seed's host, but the scan does not name it.
    let (other_host, other_hits) = counting("127.0.0.2:0").await;
    // Stands for the rampart server running the scan.
    let (own, own_hits) = counting("127.0.0.1:0").await;
    // Another port of the seed's host: named, so crawled.
    let (sibling, sibling_hits) = counting("127.0.0.1:0").await;

    let page = format!(
        "<html><body>\
         <a href=\"http://{other_host}/leak\">a</a>\
         <a href=\"http://{own}/ias/v1/apps\">b</a>\
         <a href=\"http://169.254.169.254/latest/meta-data/\">c</a>\
         <a href=\"http://{sibling}/fine\">d</a>\
         <a href=\"/go\">e</a>\
         </body></html>"
    );
    let to_other = format!("http://{other_host}/redirected");
    let router = axum::Router::new()
        .route("/", get(move || async move { Html(page) }))
        .route(
            "/go",
            get(move || async move { Redirect::temporary(&to_other).into_response() }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let site = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    let mut plan = ScanPlan::for_url(Url::parse(&format!("http://{site}/")).unwrap());
    // Scope rules that admit everything: only the address policy stands in the way.
    plan.scope = vec![ScopeRule {
        kind: RuleKind::Include,
        matcher: MatchKind::Regex,
        pattern: ".*".into(),
        method: None,
    }];
    plan.own_sockets = vec![own];
    plan.modules = rampart_engine::plan::Modules::template("Passive Only").unwrap();
    let (summary, _events) = crate::run(plan).await;

    assert!(
        sibling_hits.load(Ordering::SeqCst) > 0,
        "the named host's other port was crawled"
    );
    assert_eq!(
        other_hits.load(Ordering::SeqCst),
        0,
        "unnamed loopback host"
    );
    assert_eq!(
        own_hits.load(Ordering::SeqCst),
        0,
        "the rampart server itself"
    );
    assert!(summary.progress.requests > 0);
}

#[tokio::test]
async fn a_seed_that_is_the_server_itself_is_refused() {
    let (own, own_hits) = counting("127.0.0.1:0").await;
    let mut plan = ScanPlan::for_url(Url::parse(&format!("http://{own}/")).unwrap());
    plan.own_sockets = vec![own];
    plan.modules = rampart_engine::plan::Modules::template("Passive Only").unwrap();
    let (_summary, _events) = crate::run(plan).await;
    assert_eq!(own_hits.load(Ordering::SeqCst), 0);
}
