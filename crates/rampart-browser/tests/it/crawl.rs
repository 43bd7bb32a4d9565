//! The single-page area: routes, JSON requests, clicks, forms, other origins, endless states.

use crate::{logs, options, outside, scan, testbed, url};
use rampart_browser::{BrowserOptions, Chromium};
use rampart_engine::plan::Modules;
use rampart_engine::ScanPlan;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_spa_is_crawled_through_its_script_and_other_origins_are_blocked() {
    if !rampart_browser::chromium_for_test("spa crawl") {
        return;
    }
    let out = outside().await;
    let tb = testbed(Some(&out)).await;
    let seed = url(&tb, "/spa/");
    let mut plan = ScanPlan::for_url(seed.clone());
    plan.modules = Modules::template("crawl only").unwrap();

    // The HTML crawler alone sees the shell and its script, nothing the script builds.
    let (html_only, _) = scan(plan.clone(), None).await;
    assert!(
        !html_only.crawled.iter().any(|u| u.contains("/spa/api/")),
        "{:?}",
        html_only.crawled
    );
    tb.clear_requests();

    let browser = Arc::new(Chromium::new(options()));
    let (s, events) = scan(plan, Some(browser.clone())).await;
    let r = browser.last_report().expect("the browser crawl ran");
    let logs = logs(&events);
    eprintln!(
        "states {:#?}\nblocked {:#?}\nlogs {logs:#?}",
        r.states, r.blocked
    );
    // pushState routes and a hash route, found by clicking the rendered links.
    for route in [
        "/spa/products",
        "/spa/contact",
        "/spa/search",
        "/spa/products/1",
        "/spa/#/settings",
    ] {
        assert!(
            r.states.iter().any(|u| u.ends_with(route)),
            "route {route} rendered: {:?}",
            r.states
        );
    }
    // Requests the page's script made, with their real methods, bodies and headers.
    let find = |m: &str, p: &str| {
        r.resources
            .iter()
            .find(|x| x.method == m && x.url.path() == p)
    };
    assert!(find("GET", "/spa/api/products").is_some());
    assert!(
        find("GET", "/spa/api/search").is_some_and(|x| x.url.query() == Some("q=tent")),
        "XHR after a click"
    );
    let contact = find("POST", "/spa/api/contact").expect("the fetch-driven form was submitted");
    match &contact.body {
        rampart_engine::target::Body::Json(v) => {
            assert_eq!(
                v["email"], "rampart@example.com",
                "type-appropriate values: {v}"
            );
            assert_eq!(v["name"], "rampart");
        }
        b => panic!("JSON body expected, got {b:?}"),
    }
    assert!(contact
        .headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("x-requested-with") && v == "XMLHttpRequest"));
    assert!(
        find("PUT", "/spa/api/settings").is_some(),
        "the hash route's button"
    );
    assert!(
        find("POST", "/spa/api/favourites").is_some(),
        "a button with a handler"
    );
    // The engine then crawls what the browser recorded, with its own client.
    assert!(
        s.crawled.iter().any(|u| u.contains("/spa/api/contact")),
        "{:?}",
        s.crawled
    );
    assert!(tb
        .requests()
        .iter()
        .any(|q| q.method == "PUT" && q.path == "/spa/api/settings"));
    // The page's own calls to another origin were blocked, not sent.
    assert!(
        r.blocked
            .iter()
            .any(|b| b.contains(&out.url) && b.contains("out of scope")),
        "{:?}",
        r.blocked
    );
    // fetch, XHR, an image and a WebSocket to the other origin: none left (the WebSocket
    // handshake, which the Fetch domain never pauses, is refused by the browser's proxy).
    assert!(
        r.blocked
            .iter()
            .any(|b| b.contains("/spa-socket") && b.contains("WebSocket")),
        "{:?}",
        r.blocked
    );
    assert!(
        out.hits.lock().unwrap().is_empty(),
        "requests reached another origin: {:?}",
        out.hits.lock().unwrap()
    );
    // The app's own WebSocket is in scope: admitted and sent.
    assert!(
        r.websockets.iter().any(|w| w.ends_with("/spa/api/live")),
        "{:?}",
        r.websockets
    );
    assert!(tb.requests().iter().any(|q| q.path == "/spa/api/live"));
    // The endless area is bounded by the per-pattern cap.
    let explore = r
        .states
        .iter()
        .filter(|u| u.contains("/spa/explore"))
        .count();
    assert!((1..=9).contains(&explore), "{explore} explore states");
    tb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endless_states_end_within_the_page_budget_and_the_memory_cap_holds() {
    if !rampart_browser::chromium_for_test("budgets") {
        return;
    }
    let tb = testbed(None).await;
    let mut plan = ScanPlan::for_url(url(&tb, "/spa/explore"));
    plan.scope = vec![rampart_domain::plan::seed_directory_rule(&url(
        &tb, "/spa/",
    ))];
    plan.modules = Modules::template("crawl only").unwrap();

    // A page that never settles (a clock ticks every 100 ms) and makes a new route and a new
    // button on every click: a short page budget cuts each page, and the crawl ends.
    let browser = Arc::new(Chromium::new(BrowserOptions {
        pages: 1,
        page_budget: Duration::from_secs(4),
        events_per_page: 50,
        ..BrowserOptions::default()
    }));
    let t = Instant::now();
    let (_s, _) = scan(plan.clone(), Some(browser.clone())).await;
    let r = browser.last_report().unwrap();
    assert!(
        t.elapsed() < Duration::from_secs(90),
        "took {:?}",
        t.elapsed()
    );
    assert!(
        r.cut.iter().any(|c| c.contains("page budget")),
        "{:?}",
        r.cut
    );
    assert!(r.states.len() <= 9, "{:?}", r.states);

    // A memory cap below what Chromium needs: no page is opened, the scan says so.
    let browser = Arc::new(Chromium::new(BrowserOptions {
        memory_cap_mib: 1,
        ..options()
    }));
    let (_s, events) = scan(plan, Some(browser.clone())).await;
    let r = browser.last_report().unwrap();
    assert!(r.states.is_empty(), "{:?}", r.states);
    assert!(
        r.cut.iter().any(|c| c.contains("memory cap")),
        "{:?}",
        r.cut
    );
    assert!(r.peak_chromium_rss_kib > 1024);
    assert!(logs(&events)
        .iter()
        .any(|l| l.contains("browser memory cap 1 MiB reached")));
    tb.shutdown().await;
}
