//! Client-side checks on the testbed's `/client/` area: vulnerable JavaScript libraries,
//! credentials in web storage, message listeners without an origin check, mixed content at
//! run time (over HTTPS) — every vulnerable case found, no safe twin reported — and the login
//! whose form only its script builds.

use crate::{logs, options, scan, testbed};
use rampart_browser::Chromium;
use rampart_engine::plan::{FormLogin, Modules};
use rampart_engine::{Event, ScanPlan};
use std::sync::Arc;
use url::Url;

const CLIENT: &[&str] = &[
    "vulnerable_js_library",
    "sensitive_web_storage",
    "postmessage_origin",
    "mixed_content",
];

fn compare(tb: &rampart_testbed::TestbedHandle, s: &rampart_engine::Summary, tls: bool) {
    let found: Vec<_> = s
        .findings
        .iter()
        .filter(|f| CLIENT.contains(&f.module_key.as_str()))
        .collect();
    for f in &found {
        eprintln!(
            "{} {} {} | {}",
            f.module_key, f.root_cause_url, f.root_cause_parameter, f.variances[0].proof
        );
    }
    let cases: Vec<_> = tb
        .manifest()
        .into_iter()
        .filter(|c| c.needs_browser && CLIENT.contains(&c.module_key.as_str()) && c.tls == tls)
        .collect();
    assert!(!cases.is_empty());
    for c in &cases {
        let hit = found.iter().any(|f| {
            c.matches(
                &f.module_key,
                &f.root_cause_url,
                Some(&f.root_cause_parameter),
            )
        });
        assert_eq!(hit, c.vulnerable, "{} ({})", c.id, c.path);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_side_checks_find_every_case_and_no_safe_twin() {
    if !rampart_browser::chromium_for_test("client-side checks") {
        return;
    }
    let tb = testbed(None).await;
    let browser = Arc::new(Chromium::new(options()));

    let seed = Url::parse(&format!("{}/client/", tb.base_url())).unwrap();
    let mut plan = ScanPlan::for_url(seed);
    plan.modules = Modules::from_keys(CLIENT.iter().copied());
    let (s, _) = scan(plan, Some(browser.clone())).await;
    compare(&tb, &s, false);
    // Evidence: the advisories by id, storage values redacted.
    let jq = s
        .findings
        .iter()
        .find(|f| f.module_key == "vulnerable_js_library" && f.root_cause_parameter == "jQuery")
        .expect("jQuery 1.8.3");
    assert_eq!(jq.cwe, 1104);
    assert!(jq.variances[0].attack_value.contains("CVE-2020-11022"));
    let st = s
        .findings
        .iter()
        .find(|f| f.module_key == "sensitive_web_storage")
        .expect("the token in localStorage");
    assert!(!st.variances[0].proof.contains("eyJzdWIi"), "redacted");

    // Mixed content needs an HTTPS page.
    let https = tb.https_url().expect("the testbed's HTTPS listener");
    let seed = Url::parse(&format!("{https}/client/gallery.html")).unwrap();
    let mut plan = ScanPlan::for_url(seed);
    plan.seeds
        .push(Url::parse(&format!("{https}/client/gallery-safe.html")).unwrap());
    plan.modules = Modules::from_keys(["mixed_content"]);
    let (s, _) = scan(plan, Some(browser)).await;
    compare(&tb, &s, true);
    tb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_form_built_by_script_is_filled_in_the_browser_and_its_session_crawled() {
    if !rampart_browser::chromium_for_test("browser login") {
        return;
    }
    let tb = testbed(None).await;
    let login_url = Url::parse(&format!("{}/client/login", tb.base_url())).unwrap();
    let mut plan = ScanPlan::for_url(login_url.clone());
    plan.modules = Modules::template("crawl only").unwrap();
    plan.session.login = Some(FormLogin {
        url: login_url,
        username: "alice".into(),
        password: "wonderland".into(),
        username_field: None,
        password_field: None,
        logged_in_regex: Some("Signed in as alice".into()),
        session_loss_regex: None,
    });

    // Over HTTP alone there is no form to fill: the login fails.
    let (s, events) = scan(plan.clone(), None).await;
    assert!(!events.iter().any(|e| matches!(e, Event::LoggedIn)));
    assert!(!s.crawled.iter().any(|u| u.ends_with("/client/orders")));

    // With the browser: logged in, the cookie handed over, the signed-in area crawled.
    let browser = Arc::new(Chromium::new(options()));
    let (s, events) = scan(plan, Some(browser)).await;
    let logs = logs(&events);
    assert!(
        events.iter().any(|e| matches!(e, Event::LoggedIn)),
        "{logs:#?}"
    );
    assert!(
        logs.iter()
            .any(|l| l.contains("browser login: 1 cookie(s)")),
        "{logs:#?}"
    );
    assert!(
        s.crawled.iter().any(|u| u.ends_with("/client/orders")),
        "{:?}",
        s.crawled
    );
    tb.shutdown().await;
}
