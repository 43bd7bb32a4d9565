//! The console's administration pages in headless Chromium: onboard an app through the
//! forms (app, target, scan config), watch the config's errors change live while typing
//! (no save, no reload), save it, run "test login" against the testbed's login form, then
//! create an API key (its secret shown once) and revoke it, and open the engines page.
//! Every page passes the axe-core audit; the run writes screenshots to `docs/console/`.
//!
//! Without Chromium this fails with one line saying what to install
//! ([`rampart_browser::chromium_for_test`]).

use crate::console_browser::{audit, dark, docs_dir, eval, shot, wait_at, ConsoleBrowser};
use crate::console_scans_browser::wait_for;
use chromiumoxide::Page;
use rampart_testkit::TestApp;
use std::time::{Duration, Instant};

fn js(s: &str) -> String {
    serde_json::to_string(s).expect("json")
}

/// Sets the fields (`id` → value) of the page, firing `input` as typing does.
async fn fill(page: &Page, fields: &[(&str, &str)]) {
    let mut script = String::new();
    for (id, v) in fields {
        script.push_str(&format!(
            "(function () {{ var e = document.getElementById({}); e.value = {}; \
             e.dispatchEvent(new Event('input', {{bubbles: true}})); \
             e.dispatchEvent(new Event('change', {{bubbles: true}})); }})();",
            js(id),
            js(v)
        ));
    }
    script.push_str("true");
    eval(page, &script).await;
}

/// Submits the form of `selector` and waits for the next page whose URL starts with `prefix`;
/// returns that URL.
async fn submit(page: &Page, selector: &str, prefix: &str) -> String {
    eval(page, "window.__left = false; true").await;
    eval(
        page,
        &format!(
            "document.querySelector({}).requestSubmit(); true",
            js(selector)
        ),
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let here = page.url().await.expect("url").unwrap_or_default();
        let fresh = crate::console_scans_browser::try_eval(
            page,
            "window.__left === undefined && document.readyState === 'complete'",
        )
        .await;
        if here.starts_with(prefix) && fresh == Some(serde_json::Value::Bool(true)) {
            return here;
        }
        assert!(
            Instant::now() < deadline,
            "still at {here}, waiting for {prefix}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn text(v: serde_json::Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn console_admin_pages_in_chromium_onboard_an_app_and_test_its_login() {
    if !rampart_browser::chromium_for_test("console_admin_pages_in_chromium") {
        return;
    }
    let tb = crate::e2e::testbed().await;
    let login = rampart_testbed::login_info();
    let base = tb.base_url();
    let t = TestApp::spawn().await;
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
            js(&t.keys.admin.token)
        ),
    )
    .await;
    wait_at(&page, &t.url("/console")).await;

    // The app.
    page.goto(t.url("/console/apps")).await.expect("goto apps");
    wait_at(&page, &t.url("/console/apps")).await;
    audit(&page, "apps").await;
    fill(
        &page,
        &[
            ("name", "Testbed"),
            ("description", "The vulnerable test site"),
        ],
    )
    .await;
    let app_url = submit(
        &page,
        "form[action=\"/console/apps\"]",
        &t.url("/console/apps/"),
    )
    .await;
    let app = app_url
        .trim_start_matches(&t.url("/console/apps/"))
        .split('?')
        .next()
        .expect("id")
        .to_string();
    audit(&page, "app").await;
    page.goto(t.url("/console/apps")).await.expect("goto apps");
    wait_at(&page, &t.url("/console/apps")).await;
    shot(&page, "apps").await;

    // The target its scans may reach: first a wrong one, refused on the field.
    page.goto(t.url("/console/targets"))
        .await
        .expect("goto targets");
    wait_at(&page, &t.url("/console/targets")).await;
    fill(&page, &[("domain", &format!("{base}/login"))]).await;
    submit(
        &page,
        "form[action=\"/console/targets\"]",
        &t.url("/console/targets"),
    )
    .await;
    let err = text(eval(&page, "document.getElementById('domain-error').textContent").await);
    assert!(err.contains("fully qualified domain name"), "{err}");
    audit(&page, "targets (refused)").await;
    shot(&page, "targets-refused").await;
    fill(&page, &[("domain", "127.0.0.1")]).await;
    submit(
        &page,
        "form[action=\"/console/targets\"]",
        &t.url("/console/targets/"),
    )
    .await;

    // The scan config: created for the app, then edited with its errors shown live.
    page.goto(t.url(&format!("/console/scan-configs?app={app}")))
        .await
        .expect("goto scan configs");
    wait_at(&page, &t.url(&format!("/console/scan-configs?app={app}"))).await;
    audit(&page, "scan configs").await;
    fill(&page, &[("name", "Testbed weekly")]).await;
    let editor = submit(
        &page,
        "form[action=\"/console/scan-configs\"]",
        &t.url("/console/scan-configs/"),
    )
    .await;
    let editor = editor.split('?').next().expect("url").to_string();
    let errors = "document.getElementById('config-errors').innerText";
    assert!(text(eval(&page, errors).await).contains("Seed URL list must not be empty"));
    eval(&page, "window.__notReloaded = true; true").await;
    fill(
        &page,
        &[
            ("seeds", "not a url"),
            ("scope_include", &format!("{base}/*")),
        ],
    )
    .await;
    wait_for(
        &page,
        "document.getElementById('config-errors').innerText.includes(\"Seed URL 'not a url' is not a valid http(s) URL\")",
        "the seed's error shown live",
        Duration::from_secs(10),
    )
    .await;
    let login_url = format!("{base}{}", login.login_path);
    fill(
        &page,
        &[
            ("seeds", &format!("{base}/")),
            ("scope_exclude", &format!("{base}{}*", login.logout_path)),
            ("auth", "FORM"),
            ("login_url", &login_url),
            ("username", &login.username),
            ("password", &login.password),
            ("logged_in_regex", &login.logged_in_regex),
        ],
    )
    .await;
    wait_for(
        &page,
        "!!document.getElementById('config-errors-none')",
        "no error left, live",
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(
        eval(&page, "window.__notReloaded === true").await,
        serde_json::Value::Bool(true),
        "the errors changed without a reload"
    );
    let cfg = editor
        .trim_start_matches(&t.url("/console/scan-configs/"))
        .to_string();
    let stored = t
        .service
        .get_scan_config(&t.keys.admin.principal, cfg.parse().expect("id"))
        .await
        .expect("config");
    assert!(!stored.errors.is_empty(), "nothing was saved while typing");
    audit(&page, "scan config editor").await;
    submit(&page, "form.config", &format!("{editor}?saved=1")).await;
    assert!(text(eval(&page, errors).await).contains("No configuration error"));

    // Test login: the engine logs in to the testbed.
    submit(
        &page,
        &format!("form[action=\"/console/scan-configs/{cfg}/test-login\"]"),
        &t.url(&format!("/console/scan-configs/{cfg}/test-login")),
    )
    .await;
    let result = text(eval(&page, "document.getElementById('login-result').innerText").await);
    assert!(result.contains("Logged in."), "{result}");
    audit(&page, "test login").await;
    shot(&page, "scan-config").await;
    dark(&page, true).await;
    audit(&page, "scan config (dark)").await;
    shot(&page, "scan-config-dark").await;
    dark(&page, false).await;

    // An API key: the secret once, then revoked.
    page.goto(t.url("/console/api-keys"))
        .await
        .expect("goto keys");
    wait_at(&page, &t.url("/console/api-keys")).await;
    fill(&page, &[("name", "ci pipeline"), ("role", "read-write")]).await;
    submit(
        &page,
        "form[action=\"/console/api-keys\"]",
        &t.url("/console/api-keys"),
    )
    .await;
    let secret = text(eval(&page, "document.getElementById('new-secret').value").await);
    assert!(secret.starts_with("rmp_"), "{secret}");
    t.service
        .authenticate(&secret)
        .await
        .expect("the key works");
    audit(&page, "keys (new secret)").await;
    let key = t
        .service
        .list_keys(&t.keys.admin.principal, None)
        .await
        .expect("keys")
        .into_iter()
        .find(|k| k.key.name == "ci pipeline")
        .expect("listed")
        .key
        .id;
    submit(
        &page,
        &format!("form[action=\"/console/api-keys/{key}/revoke\"]"),
        &t.url("/console/api-keys?revoked=1"),
    )
    .await;
    assert!(t.service.authenticate(&secret).await.is_err(), "revoked");
    let rows = text(
        eval(
            &page,
            "document.querySelector('table.keys tbody').innerText",
        )
        .await,
    );
    assert!(!rows.contains("ci pipeline"), "{rows}");
    audit(&page, "keys").await;
    shot(&page, "keys").await;

    page.goto(t.url("/console/engines"))
        .await
        .expect("goto engines");
    wait_at(&page, &t.url("/console/engines")).await;
    audit(&page, "engines").await;
    shot(&page, "engines").await;

    // The search box completes the field name being typed, from the catalogue.
    page.goto(t.url("/console/vulnerabilities"))
        .await
        .expect("goto vulnerabilities");
    wait_at(&page, &t.url("/console/vulnerabilities")).await;
    eval(
        &page,
        "var q = document.getElementById('q'); q.focus();          q.value = \"vulnerability.severity = 'HIGH' && vulnerability.sta\";          q.setSelectionRange(q.value.length, q.value.length);          q.dispatchEvent(new Event('input', {bubbles: true})); true",
    )
    .await;
    let offered = text(eval(&page, "document.getElementById('q-suggest').innerText").await);
    assert!(offered.contains("vulnerability.status"), "{offered}");
    assert_eq!(
        eval(
            &page,
            "document.getElementById('q').getAttribute('aria-expanded')"
        )
        .await,
        "true"
    );
    audit(&page, "vulnerabilities (completion open)").await;
    shot(&page, "search-completion").await;
    eval(
        &page,
        "var q = document.getElementById('q');          q.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowDown', bubbles: true}));          q.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true})); true",
    )
    .await;
    let q = text(eval(&page, "document.getElementById('q').value").await);
    assert!(
        q.starts_with("vulnerability.severity = 'HIGH' && vulnerability.sta") && q.ends_with(' '),
        "{q}"
    );

    browser.close().await;
}
