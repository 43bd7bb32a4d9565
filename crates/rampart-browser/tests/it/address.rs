//! The browser's connections go only where the scan's address policy looked: a page that
//! points the browser at a name resolving to a loopback address the scan does not name — by
//! every path a page has (a TLS preconnect, `wss://` and `ws://` sockets, `fetch`, a
//! cross-origin request with a preflight, an image, a link) — gets no connection to it, even
//! with scope rules that admit every URL. The proxy connects to the vetted addresses
//! (`BrowserScope::addresses`), never resolving a name again.

use crate::{options, scan};
use rampart_browser::Chromium;
use rampart_engine::plan::Modules;
use rampart_engine::scope::{MatchKind, RuleKind, ScopeRule};
use rampart_engine::ScanPlan;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use url::Url;

/// A loopback listener that counts the connections it accepts (a TLS hello or a plain
/// request alike) and answers nothing.
async fn counting_listener() -> (u16, Arc<AtomicUsize>) {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    let n = Arc::new(AtomicUsize::new(0));
    let c = n.clone();
    tokio::spawn(async move {
        while let Ok((s, _)) = l.accept().await {
            c.fetch_add(1, Ordering::SeqCst);
            drop(s);
        }
    });
    (port, n)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_resolving_to_an_unnamed_loopback_address_is_never_reached_by_the_browser() {
    if !rampart_browser::chromium_for_test("browser address policy") {
        return;
    }
    // `localhost` resolves to a loopback address; the scan names 127.0.0.1, not `localhost`.
    let resolved: Vec<_> = tokio::net::lookup_host(("localhost", 80))
        .await
        .unwrap()
        .collect();
    assert!(
        resolved.iter().all(|a| a.ip().is_loopback()),
        "{resolved:?}"
    );
    let (port, hits) = counting_listener().await;
    let other = format!("localhost:{port}");
    let page = format!(
        "<html><head><title>start</title>\
         <link rel=\"preconnect\" href=\"https://{other}\"><link rel=\"preconnect\" href=\"http://{other}\"></head>\
         <body><h1>start</h1><img src=\"http://{other}/pixel.png\"><a href=\"http://{other}/page\">page</a>\
         <script>\
         try {{ new WebSocket('wss://{other}/tls-socket'); }} catch (e) {{}}\
         try {{ new WebSocket('ws://{other}/socket'); }} catch (e) {{}}\
         fetch('https://{other}/api', {{ mode: 'no-cors' }}).catch(function () {{}});\
         fetch('http://{other}/api', {{ method: 'PUT', headers: {{ 'Content-Type': 'application/json', 'X-Rampart': '1' }}, body: '{{}}' }}).catch(function () {{}});\
         </script></body></html>"
    );
    let site = axum::Router::new().route(
        "/",
        axum::routing::get(move || async move { axum::response::Html(page) }),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let seed = Url::parse(&format!("http://{}/", l.local_addr().unwrap())).unwrap();
    tokio::spawn(async move { axum::serve(l, site).await.unwrap() });

    let mut plan = ScanPlan::for_url(seed.clone());
    // Scope rules that admit everything: only the address policy stands in the way.
    plan.scope = vec![ScopeRule {
        kind: RuleKind::Include,
        matcher: MatchKind::Regex,
        pattern: ".*".into(),
        method: None,
    }];
    plan.modules = Modules::template("crawl only").unwrap();
    let browser = Arc::new(Chromium::new(options()));
    let (_s, _events) = scan(plan, Some(browser.clone())).await;
    let r = browser.last_report().expect("the browser crawl ran");
    eprintln!("states {:#?}\nblocked {:#?}", r.states, r.blocked);
    assert!(
        r.states.iter().any(|u| u.starts_with(seed.as_str())),
        "the page was rendered: {:?}",
        r.states
    );
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "connections reached {other}; blocked: {:#?}",
        r.blocked
    );
    assert!(
        r.blocked
            .iter()
            .any(|b| b.contains(&other) && b.contains("loopback")),
        "the refusal names the address policy: {:#?}",
        r.blocked
    );
}
