//! The console's scan pages in headless Chromium against a real scan: sign in, launch a
//! scan of the testbed on the embedded engine, watch the page follow it to COMPLETE over
//! server-sent events without a reload, launch a second scan, compare the two, request a
//! report and download it. Every page passes the axe-core audit; the SQLite run writes
//! screenshots of the scans list, a scan and a comparison to `docs/console/`.
//!
//! Without Chromium this fails with one line saying what to install
//! ([`rampart_browser::chromium_for_test`]).

use crate::console_browser::{audit, dark, docs_dir, eval, shot, wait_at, ConsoleBrowser};
use chromiumoxide::cdp::js_protocol::runtime::EvaluateParams;
use chromiumoxide::Page;
use rampart_testkit::{Backend, TestApp};
use serde_json::Value;
use std::time::{Duration, Instant};

/// `expr`'s value, or `None` while the page navigates (its context is gone).
pub(crate) async fn try_eval(page: &Page, expr: &str) -> Option<Value> {
    let p = EvaluateParams::builder()
        .expression(expr)
        .await_promise(true)
        .return_by_value(true)
        .build()
        .ok()?;
    let r = page.execute(p).await.ok()?;
    if r.result.exception_details.is_some() {
        return None;
    }
    r.result.result.value.clone()
}

/// Polls `expr` in the page until it is true (across the page's own reloads).
pub(crate) async fn wait_for(page: &Page, expr: &str, what: &str, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        if try_eval(page, expr).await == Some(Value::Bool(true)) {
            return;
        }
        assert!(Instant::now() < deadline, "not {what} within {within:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn text(v: Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// Launches a scan of the only config from the scans page; lands on the scan's page and
/// returns its id.
async fn launch(page: &Page, t: &TestApp) -> String {
    page.goto(t.url("/console/scans"))
        .await
        .expect("goto scans");
    wait_at(page, &t.url("/console/scans")).await;
    eval(
        page,
        "document.querySelector('form[action=\"/console/scans\"][method=\"post\"]').requestSubmit(); true",
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let here = page.url().await.expect("url").unwrap_or_default();
        if let Some(id) = here.strip_prefix(&t.url("/console/scans/")) {
            if id.len() == 36 && eval(page, "document.readyState").await == "complete" {
                return id.to_string();
            }
        }
        assert!(Instant::now() < deadline, "no scan page after launching");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// On a scan's page: waits until the live stream says the scan is finished, and checks
/// that the page changed in place (no reload) from its state at load.
async fn watch_to_the_end(page: &Page) -> String {
    eval(page, "window.__notReloaded = true; true").await;
    let at_load = text(eval(page, "document.getElementById('scan-status').textContent").await);
    assert!(
        !at_load.starts_with("COMPLETE"),
        "finished before it was watched"
    );
    wait_for(
        page,
        "document.querySelector('[data-live]').getAttribute('data-state') === 'done'",
        "finished live",
        Duration::from_secs(300),
    )
    .await;
    assert_eq!(
        eval(page, "window.__notReloaded === true").await,
        Value::Bool(true),
        "the page was reloaded instead of updated in place"
    );
    let status = text(eval(page, "document.getElementById('scan-status').textContent").await);
    assert_eq!(status, "COMPLETE", "status at load was {at_load}");
    let requests = text(
        eval(
            page,
            "document.querySelector('[data-counter=\"requests\"]').textContent",
        )
        .await,
    );
    assert!(
        requests.parse::<u64>().unwrap_or(0) > 0,
        "requests {requests}"
    );
    let events = eval(page, "document.querySelectorAll('#events li').length").await;
    assert!(
        events.as_u64().unwrap_or(0) > 1,
        "events streamed: {events}"
    );
    let actions = eval(
        page,
        "Array.from(document.querySelectorAll('form[data-action]')).filter(f => !f.hidden).length",
    )
    .await;
    assert_eq!(actions, 0, "no action is offered on a finished scan");
    at_load
}

async fn scans_in_chromium(backend: Backend) {
    if !rampart_browser::chromium_for_test("console_scans_in_chromium") {
        return;
    }
    let screenshots = backend == Backend::Sqlite;
    let tb = crate::e2e::testbed().await;
    let Some(t) = TestApp::builder().backend(backend).engines(1).spawn().await else {
        return;
    };
    crate::e2e::scan_config(&t, &tb.base_url(), &["xss_reflected"]).await;
    std::fs::create_dir_all(docs_dir()).expect("docs/console");

    let browser = ConsoleBrowser::launch().await;
    let page = browser
        .new_page(t.url("/console/sign-in"))
        .await
        .expect("page");
    wait_at(&page, &t.url("/console/sign-in")).await;
    eval(
        &page,
        &format!(
            "document.getElementById('key').value = {}; \
             document.querySelector('form[action=\"/console/sign-in/key\"]').requestSubmit(); true",
            serde_json::to_string(&t.keys.read_write.token).expect("json")
        ),
    )
    .await;
    wait_at(&page, &t.url("/console")).await;

    // The first scan, followed live to the end.
    let first = launch(&page, &t).await;
    let at_load = watch_to_the_end(&page).await;
    eprintln!("first scan {first}: {at_load} at load, COMPLETE live");
    audit(&page, "scan").await;
    if screenshots {
        shot(&page, "scan").await;
    }
    // A second scan of the same config, then the comparison from its page.
    let second = launch(&page, &t).await;
    watch_to_the_end(&page).await;
    page.goto(t.url(&format!("/console/scans/{second}")))
        .await
        .expect("reload the scan");
    wait_at(&page, &t.url(&format!("/console/scans/{second}"))).await;
    eval(
        &page,
        &format!(
            "document.getElementById('compare-b').value = '{first}'; \
             document.getElementById('compare-b').form.requestSubmit(); true"
        ),
    )
    .await;
    wait_at(
        &page,
        &t.url(&format!("/console/compare?a={second}&b={first}")),
    )
    .await;
    let counts = eval(
        &page,
        "['new', 'fixed', 'unchanged'].map(k => document.querySelector('[data-count=\"' + k + '\"]').textContent).join(' ')",
    )
    .await;
    eprintln!("compare: {counts}");
    // The testbed is the same both times: what the first found, the second found again.
    let unchanged = text(
        eval(
            &page,
            "document.querySelector('[data-count=\"unchanged\"]').textContent",
        )
        .await,
    );
    assert_ne!(unchanged, "(0)", "{counts}");
    audit(&page, "compare").await;
    if screenshots {
        shot(&page, "compare").await;
        dark(&page, true).await;
        audit(&page, "compare (dark)").await;
        shot(&page, "compare-dark").await;
        dark(&page, false).await;
    }

    // A report of the scan: requested on its page, generated, downloaded.
    page.goto(t.url(&format!("/console/scans/{second}")))
        .await
        .expect("the scan");
    wait_at(&page, &t.url(&format!("/console/scans/{second}"))).await;
    eval(
        &page,
        "document.getElementById('report-kind').value = 'VULN_SUMMARY:HTML'; \
         document.getElementById('report-kind').form.requestSubmit(); true",
    )
    .await;
    // The report's page reloads itself until the file is there.
    wait_for(
        &page,
        "location.pathname.startsWith('/console/reports/') && document.readyState === 'complete' \
         && !!document.querySelector('a[download]')",
        "generated",
        Duration::from_secs(120),
    )
    .await;
    audit(&page, "report").await;
    let got = eval(
        &page,
        "fetch(document.querySelector('a[download]').href).then(r => r.arrayBuffer().then(b => \
           JSON.stringify({status: r.status, type: r.headers.get('content-type'), \
                           disposition: r.headers.get('content-disposition'), bytes: b.byteLength, \
                           zip: new Uint8Array(b.slice(0, 2)).join(',')})))",
    )
    .await;
    let got: Value = serde_json::from_str(got.as_str().expect("json")).expect("json");
    assert_eq!(got["status"], 200, "{got}");
    assert_eq!(got["type"], "application/zip", "{got}");
    assert!(got["disposition"]
        .as_str()
        .unwrap_or("")
        .starts_with("attachment"));
    assert_eq!(got["zip"], "80,75", "a ZIP file: {got}");
    assert!(got["bytes"].as_u64().unwrap_or(0) > 1000, "{got}");

    // The scans list and the dashboard's trend, after both scans.
    page.goto(t.url("/console/scans")).await.expect("scans");
    wait_at(&page, &t.url("/console/scans")).await;
    let rows = eval(
        &page,
        "document.querySelectorAll('table.scans tbody tr').length",
    )
    .await;
    assert_eq!(rows, 2);
    audit(&page, "scans").await;
    if screenshots {
        shot(&page, "scans").await;
    }
    page.goto(t.url("/console")).await.expect("dashboard");
    wait_at(&page, &t.url("/console")).await;
    let trend = eval(
        &page,
        "document.querySelectorAll('table.trend tbody tr').length",
    )
    .await;
    assert_eq!(trend, 2);
    audit(&page, "dashboard with trend").await;

    browser.close().await;
    tb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn console_scans_in_chromium_live_compare_and_report_sqlite() {
    scans_in_chromium(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn console_scans_in_chromium_live_compare_and_report_postgres() {
    scans_in_chromium(Backend::Postgres).await;
}
