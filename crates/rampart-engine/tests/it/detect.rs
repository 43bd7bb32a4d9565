//! The checks that need accounts (default credentials, access control between two users) and
//! the header-sourced stored XSS, each scanned alone against the testbed: found on the
//! vulnerable case, silent on its safe twin, within its budget and lockout rules.

use rampart_engine::plan::{FormLogin, Modules};
use rampart_engine::{Event, ScanPlan, Summary};
use rampart_testbed::TestbedConfig;
use url::Url;

fn found(s: &Summary, module: &str, path: &str) -> Vec<String> {
    s.findings
        .iter()
        .filter(|f| f.module_key == module && Url::parse(&f.root_cause_url).unwrap().path() == path)
        .map(|f| f.root_cause_parameter.clone())
        .collect()
}

fn login(base: &Url, user: &str, password: &str) -> FormLogin {
    let li = rampart_testbed::login_info();
    FormLogin {
        url: base.join(&li.login_path).unwrap(),
        username: user.into(),
        password: password.into(),
        username_field: Some(li.username_field.clone()),
        password_field: Some(li.password_field.clone()),
        logged_in_regex: Some(li.logged_in_regex.clone()),
        session_loss_regex: Some(li.session_loss_regex.clone()),
    }
}

async fn testbed() -> (rampart_testbed::TestbedHandle, Url) {
    let tb = rampart_testbed::spawn(TestbedConfig::default())
        .await
        .unwrap();
    let base = Url::parse(&format!("{}/", tb.base_url().trim_end_matches('/'))).unwrap();
    (tb, base)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_credentials_on_login_forms() {
    let (tb, base) = testbed().await;
    let li = rampart_testbed::login_info();
    let mut plan = ScanPlan::for_url(base.clone());
    plan.modules = Modules::from_keys(["weak_credentials"]);
    plan.session.login = Some(login(&base, &li.username, &li.password));
    let (s, events) = crate::run(plan).await;

    assert_eq!(
        found(&s, "weak_credentials", "/staff/login.php"),
        vec!["username".to_string()]
    );
    assert!(found(&s, "weak_credentials", "/partners/login.php").is_empty());
    assert_eq!(
        s.findings.len(),
        1,
        "only the staff form: {:?}",
        s.findings
            .iter()
            .map(|f| &f.root_cause_url)
            .collect::<Vec<_>>()
    );
    // The username shows, the password never does.
    let f = &s.findings[0];
    let evidence = serde_json::to_string(f).unwrap();
    assert!(evidence.contains("admin:[redacted]"), "{evidence}");
    assert!(!evidence.contains("password=admin"), "{evidence}");
    // Lockout: the partner form answers 429 after five failures; the check stops at the first
    // 429 (the crawler's own submission of the form may count as one failure too).
    let partner_posts = tb
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/partners/login.php")
        .count() as u64;
    assert!(
        partner_posts <= rampart_testbed::PARTNER_LOCKOUT + 2,
        "{partner_posts} sign-ins after a lockout"
    );
    let logs: Vec<String> = events
        .iter()
        .filter_map(|e| match e {
            Event::Log { message, .. } => Some(message.clone()),
            _ => None,
        })
        .collect();
    assert!(
        logs.iter()
            .any(|m| m.contains("/partners/login.php stopped") && m.contains("429")),
        "{logs:?}"
    );
    // The configured login form is the scan's own: never guessed on.
    let own_posts = tb
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == li.login_path)
        .count();
    // The scan's login, and at most the crawler's submission of the form: no guesses.
    assert!(
        own_posts <= 3,
        "{own_posts} POSTs to the scan's own login form"
    );
    tb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_control_between_two_accounts() {
    let (tb, base) = testbed().await;
    let li = rampart_testbed::login_info();
    let mut plan = ScanPlan::for_url(base.clone());
    plan.modules = Modules::from_keys(["access_control"]);
    plan.session.login = Some(login(&base, &li.username, &li.password));
    plan.session.other_login = Some(login(&base, &li.second_username, &li.second_password));
    let (s, _) = crate::run(plan.clone()).await;
    assert_eq!(
        found(&s, "access_control", "/account/notes/view.php"),
        vec!["id".to_string()]
    );
    assert_eq!(
        s.findings.len(),
        1,
        "{:?}",
        s.findings
            .iter()
            .map(|f| &f.root_cause_url)
            .collect::<Vec<_>>()
    );
    assert_eq!(s.findings[0].cwe, 639);

    // Fixed, the same scan is silent; without a second account the check does not run.
    tb.set_enabled("idor-notes", false).unwrap();
    let (s, _) = crate::run(plan.clone()).await;
    assert!(s.findings.is_empty());
    tb.set_enabled("idor-notes", true).unwrap();
    plan.session.other_login = None;
    let (s, _) = crate::run(plan).await;
    assert!(s.findings.is_empty());
    tb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_xss_from_a_request_header() {
    let (tb, base) = testbed().await;
    let mut plan = ScanPlan::for_url(base.clone());
    plan.modules = Modules::from_keys(["xss_stored"]);
    let (s, _) = crate::run(plan).await;
    let promo = found(&s, "xss_stored", "/promo.php");
    assert!(promo.iter().any(|p| p == "User-Agent"), "{promo:?}");
    assert!(found(&s, "xss_stored", "/event.php").is_empty());
    tb.shutdown().await;
}
