//! The web console in headless Chromium: sign in with a key through the form, the
//! dashboard, the vulnerability list, a vulnerability (proof viewer) in light and dark
//! themes, an `insight_ui_url` opening its page, triage through the form, sign-out. Every
//! page passes the axe-core audit (vendored in `fixtures/axe-core`, see its README) with no
//! serious or critical violation, and the run writes screenshots to `docs/console/`.
//!
//! Without Chromium this fails with one line saying what to install
//! ([`rampart_browser::chromium_for_test`]).

use chromiumoxide::browser::{Browser, BrowserConfig};
use chromiumoxide::cdp::browser_protocol::emulation::MediaFeature;
use chromiumoxide::cdp::js_protocol::runtime::EvaluateParams;
use chromiumoxide::page::ScreenshotParams;
use chromiumoxide::Page;
use futures::StreamExt;
use rampart_domain::{Severity, VulnStatus};
use rampart_testkit::{fx_finding, TestApp};
use std::path::PathBuf;
use std::time::{Duration, Instant};

const AXE: &str = include_str!("fixtures/axe-core/axe.min.js");

/// Headless Chromium for the console tests: a fresh profile, a 1280×900 window, and the task
/// that drives its DevTools connection; [`ConsoleBrowser::close`] ends all three.
pub(crate) struct ConsoleBrowser {
    browser: Browser,
    driver: tokio::task::JoinHandle<()>,
    profile: PathBuf,
}

impl ConsoleBrowser {
    pub(crate) async fn launch() -> Self {
        let profile =
            std::env::temp_dir().join(format!("rampart-console-{}", uuid::Uuid::new_v4()));
        let config = BrowserConfig::builder()
            .chrome_executable(rampart_browser::find_chromium().expect("chromium"))
            .no_sandbox()
            .user_data_dir(&profile)
            .window_size(1280, 900)
            .arg("disable-gpu")
            .arg("disable-component-update")
            .build()
            .expect("browser config");
        let (browser, mut handler) = Browser::launch(config).await.expect("launch Chromium");
        let driver = tokio::spawn(async move { while handler.next().await.is_some() {} });
        Self {
            browser,
            driver,
            profile,
        }
    }

    pub(crate) async fn new_page(&self, url: String) -> chromiumoxide::Result<Page> {
        self.browser.new_page(url).await
    }

    pub(crate) async fn close(mut self) {
        let _ = self.browser.close().await;
        let _ = self.browser.wait().await;
        self.driver.abort();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

pub(crate) fn docs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/console")
}

pub(crate) async fn eval(page: &Page, expr: &str) -> serde_json::Value {
    let p = EvaluateParams::builder()
        .expression(expr)
        .await_promise(true)
        .return_by_value(true)
        .build()
        .expect("evaluate params");
    let r = page.execute(p).await.expect("evaluate");
    assert!(
        r.result.exception_details.is_none(),
        "{expr:.80}: {:?}",
        r.result.exception_details
    );
    r.result.result.value.clone().unwrap_or_default()
}

/// Polls until the page's URL is `url` and its document has loaded.
pub(crate) async fn wait_at(page: &Page, url: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let here = page.url().await.expect("url").unwrap_or_default();
        if here == url {
            let ready = eval(page, "document.readyState").await;
            if ready == "complete" {
                return;
            }
        }
        assert!(
            Instant::now() < deadline,
            "still at {here}, waiting for {url}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the loaded page has an element for `query` (a JavaScript expression).
pub(crate) async fn wait_for(page: &Page, query: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let ready = format!("document.readyState === 'complete' && !!({query})");
    while eval(page, &ready).await != true {
        assert!(Instant::now() < deadline, "never found {query}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Runs axe-core on the page; fails on any serious or critical violation.
pub(crate) async fn audit(page: &Page, name: &str) {
    if eval(page, "typeof axe").await != "object" {
        eval(page, AXE).await;
    }
    let found = eval(
        page,
        "axe.run(document, {resultTypes: ['violations']}).then(r => JSON.stringify(\
           r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')\
            .map(v => ({id: v.id, impact: v.impact, help: v.help,\
                        nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))))",
    )
    .await;
    assert_eq!(found, "[]", "{name}: accessibility violations");
}

pub(crate) async fn shot(page: &Page, name: &str) {
    let path = docs_dir().join(format!("{name}.png"));
    page.save_screenshot(ScreenshotParams::builder().full_page(true).build(), &path)
        .await
        .expect("screenshot");
}

pub(crate) async fn dark(page: &Page, on: bool) {
    page.emulate_media_features(vec![MediaFeature {
        name: "prefers-color-scheme".into(),
        value: if on { "dark" } else { "light" }.into(),
    }])
    .await
    .expect("emulate color scheme");
}

#[tokio::test]
async fn console_pages_in_chromium_pass_the_audit_and_triage_works() {
    if !rampart_browser::chromium_for_test("console_pages_in_chromium") {
        return;
    }
    let t = TestApp::spawn().await;
    let app = t.fx_app("Shop").await;
    t.fx_scan_with_findings(
        app,
        &[
            fx_finding("http://shop.test/search", Some("q"), Severity::High, 1),
            fx_finding(
                "http://shop.test/login",
                Some("user"),
                Severity::Critical,
                1,
            ),
            fx_finding("http://shop.test/item", Some("id"), Severity::Medium, 1),
            fx_finding("http://shop.test/about", None, Severity::Low, 1),
        ],
    )
    .await;
    let (_, vuln) = t.fx_vulnerability(app).await;
    std::fs::create_dir_all(docs_dir()).expect("docs/console");

    let browser = ConsoleBrowser::launch().await;

    let page = browser
        .new_page(t.url("/console/sign-in"))
        .await
        .expect("page");
    wait_at(&page, &t.url("/console/sign-in")).await;
    audit(&page, "sign-in").await;
    shot(&page, "sign-in").await;

    // Sign in with a key, through the form.
    eval(
        &page,
        &format!(
            "document.getElementById('key').value = {}; \
             document.querySelector('form[action=\"/console/sign-in/key\"]').requestSubmit(); true",
            serde_json::to_string(&t.keys.admin.token).expect("json")
        ),
    )
    .await;
    wait_at(&page, &t.url("/console")).await;
    let text = eval(&page, "document.body.innerText").await;
    assert!(text
        .as_str()
        .unwrap_or("")
        .contains("Open vulnerabilities by severity"));
    audit(&page, "dashboard").await;
    shot(&page, "dashboard").await;
    dark(&page, true).await;
    audit(&page, "dashboard (dark)").await;
    shot(&page, "dashboard-dark").await;
    dark(&page, false).await;

    page.goto(t.url("/console/vulnerabilities"))
        .await
        .expect("goto");
    wait_at(&page, &t.url("/console/vulnerabilities")).await;
    let rows = eval(
        &page,
        "document.querySelectorAll('table.vulns tbody tr').length",
    )
    .await;
    assert_eq!(rows, 5);
    audit(&page, "vulnerabilities").await;
    shot(&page, "vulnerabilities").await;

    // The API's deep link opens the vulnerability's page.
    let api = t
        .admin()
        .get(&format!("/ias/v1/vulnerabilities/{}", vuln.id))
        .send()
        .await
        .status(200)
        .json();
    let deep = api["insight_ui_url"].as_str().expect("insight_ui_url");
    page.goto(deep).await.expect("goto deep link");
    let vuln_page = t.url(&format!("/console/vulnerabilities/{}", vuln.id));
    wait_at(&page, &vuln_page).await;
    audit(&page, "vulnerability").await;
    shot(&page, "vulnerability").await;
    dark(&page, true).await;
    audit(&page, "vulnerability (dark)").await;
    dark(&page, false).await;

    // Triage through the form.
    eval(
        &page,
        "document.getElementById('status').value = 'VERIFIED'; \
         document.getElementById('status').form.requestSubmit(); true",
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let now = t
            .service
            .get_vulnerability(&t.keys.admin.principal, vuln.id)
            .await
            .expect("get");
        if now.status == VulnStatus::Verified {
            break;
        }
        assert!(Instant::now() < deadline, "the status never changed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    wait_at(&page, &vuln_page).await;

    // A comment through the form: stored, and shown on the page it returns to.
    eval(
        &page,
        "document.getElementById('content').value = 'Reproduced by hand: the id parameter is injectable.'; \
         document.getElementById('content').form.requestSubmit(); true",
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = eval(
            &page,
            "(document.getElementById('comments-section') || {innerText: ''}).innerText",
        )
        .await;
        if text
            .as_str()
            .unwrap_or("")
            .contains("Reproduced by hand: the id parameter is injectable.")
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the comment never showed: {text}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let comments = t
        .admin()
        .get(&format!("/ias/v1/vulnerabilities/{}/comments", vuln.id))
        .send()
        .await
        .status(200)
        .json();
    assert!(
        comments
            .to_string()
            .contains("the id parameter is injectable"),
        "{comments}"
    );

    // A bulk change on the list: select two rows, set their status and severity.
    page.goto(t.url("/console/vulnerabilities"))
        .await
        .expect("goto");
    wait_at(&page, &t.url("/console/vulnerabilities")).await;
    let chosen = eval(
        &page,
        "(() => { const boxes = [...document.querySelectorAll('table.vulns tbody input[name=\"id\"]')].slice(0, 2); \
           boxes.forEach(b => { b.checked = true; }); \
           document.getElementById('bulk-status').value = 'IGNORED'; \
           document.getElementById('bulk-severity').value = 'LOW'; \
           document.getElementById('bulk').requestSubmit(); \
           return boxes.map(b => b.value); })()",
    )
    .await;
    let chosen: Vec<String> = chosen
        .as_array()
        .expect("the selected ids")
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(chosen.len(), 2, "{chosen:?}");
    let deadline = Instant::now() + Duration::from_secs(20);
    for id in &chosen {
        loop {
            let v = t
                .admin()
                .get(&format!("/ias/v1/vulnerabilities/{id}"))
                .send()
                .await
                .status(200)
                .json();
            if v["status"] == "IGNORED" && v["severity"] == "LOW" {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the bulk change never reached {id}: {v}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    // Sign out with the header's button, once the page the bulk change went back to is
    // loaded (the change reaches the API before the browser has its answer).
    let sign_out = "document.querySelector('form[action=\"/console/sign-out\"] button')";
    wait_for(&page, sign_out).await;
    eval(&page, &format!("{sign_out}.click(); true")).await;
    wait_at(&page, &t.url("/console/sign-in")).await;

    browser.close().await;
}
