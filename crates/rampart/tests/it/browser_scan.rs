//! Server-side scans with the browser crawl: a scan config whose options say
//! `java_script_engine: CHROMIUM`, created and run through `/ias/v1` on the embedded engine
//! slots with the binary's Chromium factory, finds what only the browser reaches on the
//! testbed's single-page area (its JSON API, the DOM-based XSS cases); the same config with
//! the option off does not; and without Chromium the scan completes and says so.
//!
//! Without Chromium the browser scans fail with one line saying what to install
//! ([`rampart_browser::chromium_for_test`]).

use crate::e2e::{scan_vulns, submit, testbed, wait_status};
use rampart_browser::{BrowserOptions, ChromiumFactory};
use rampart_testkit::TestApp;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

async fn app(executable: Option<&str>) -> TestApp {
    let factory = ChromiumFactory {
        base: BrowserOptions {
            executable: executable.map(Into::into),
            pages: 2,
            page_budget: Duration::from_secs(30),
            ..BrowserOptions::default()
        },
    };
    TestApp::builder()
        .engines(1)
        .browser(Arc::new(factory))
        .spawn()
        .await
        .expect("SQLite always starts")
}

/// App, target, a template with `xss_dom` only, and a config seeded at `/spa/` and `/dom/`
/// (scope: those two areas) with `java_script_engine` = `engine`. Returns the config id.
async fn browser_config(app: &TestApp, base: &str, engine: &str) -> String {
    let base = base.trim_end_matches('/');
    let cfg = crate::e2e::scan_config(app, base, &["xss_dom"]).await;
    app.rw()
        .put(&format!("/ias/v1/scan-configs/{cfg}/options"))
        .json(&json!({
            "java_script_engine": engine,
            "crawl_config": {
                "seed_url_list": [{"value": format!("{base}/spa/")}, {"value": format!("{base}/dom/")}],
                "scope_constraint_list": [
                    {"url": format!("{base}/spa/*"), "exclusion": "INCLUDE"},
                    {"url": format!("{base}/dom/*"), "exclusion": "INCLUDE"}],
                "page_timeout_milliseconds": 30000,
                "crawler_initialization_config": {"browser_pool_size": 2}}}))
        .send()
        .await
        .status(200);
    cfg
}

async fn engine_events(app: &TestApp, id: &str) -> Vec<String> {
    let ev = app
        .rw()
        .get(&format!("/ias/v1/scans/{id}/engine-events"))
        .send()
        .await
        .status(200)
        .json();
    ev.as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["event"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn dom_xss_root_causes(vulns: &[Value]) -> Vec<(String, String)> {
    let id = rampart_engine::module("xss_dom").unwrap().id.to_string();
    vulns
        .iter()
        .filter(|v| v["variances"][0]["module"]["id"].as_str() == Some(id.as_str()))
        .map(|v| {
            (
                v["root_cause"]["url"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                v["root_cause"]["parameter"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect()
}

const LIMIT: Duration = Duration::from_secs(600);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_scan_config_with_java_script_engine_chromium_crawls_the_spa_and_finds_dom_xss() {
    if !rampart_browser::chromium_for_test("server-side browser scan") {
        return;
    }
    let tb = testbed().await;
    let app = app(None).await;

    // Option off: the HTML crawler alone never reaches the SPA's API, no DOM XSS.
    let cfg = browser_config(&app, &tb.base_url(), "DEFAULT").await;
    let id = submit(&app, &cfg, json!({})).await;
    wait_status(&app, &id, "COMPLETE", LIMIT).await;
    let off = dom_xss_root_causes(&scan_vulns(&app, &id).await);
    assert!(off.is_empty(), "no browser, no DOM XSS: {off:?}");
    let api_hits = |tb: &rampart_testbed::TestbedHandle| {
        tb.requests()
            .iter()
            .filter(|r| r.path.starts_with("/spa/api/"))
            .count()
    };
    assert_eq!(api_hits(&tb), 0, "the HTML crawler cannot reach /spa/api/");
    tb.clear_requests();

    // Option on: the same config with CHROMIUM.
    let cfg = browser_config(&app, &tb.base_url(), "CHROMIUM").await;
    let id = submit(&app, &cfg, json!({})).await;
    wait_status(&app, &id, "COMPLETE", LIMIT).await;
    let events = engine_events(&app, &id).await;
    assert!(
        events.iter().any(|e| e.contains("browser crawl:")),
        "{events:#?}"
    );
    for path in ["/spa/api/products", "/spa/api/search", "/spa/api/contact"] {
        assert!(
            tb.requests().iter().any(|r| r.path == path),
            "{path} reached through the browser"
        );
    }
    let found = dom_xss_root_causes(&scan_vulns(&app, &id).await);
    eprintln!("{found:#?}");
    let cases: Vec<_> = rampart_testbed::manifest()
        .into_iter()
        .filter(|c| c.module_key == "xss_dom")
        .collect();
    assert!(!cases.is_empty());
    for c in &cases {
        let hit = found
            .iter()
            .any(|(u, p)| c.matches("xss_dom", u, Some(p.as_str())));
        assert_eq!(hit, c.vulnerable, "{} ({})", c.id, c.path);
    }
    tb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn without_chromium_a_browser_scan_completes_with_the_html_crawler_and_says_so() {
    let tb = testbed().await;
    let app = app(Some("/nonexistent/rampart/chromium")).await;
    let cfg = browser_config(&app, &tb.base_url(), "CHROMIUM").await;
    let id = submit(&app, &cfg, json!({})).await;
    wait_status(&app, &id, "COMPLETE", LIMIT).await;
    let events = engine_events(&app, &id).await;
    assert!(
        events
            .iter()
            .any(|e| e.contains("browser crawl unavailable")
                && e.contains("continues with the HTML crawler")),
        "{events:#?}"
    );
    assert!(dom_xss_root_causes(&scan_vulns(&app, &id).await).is_empty());
    tb.shutdown().await;
}
