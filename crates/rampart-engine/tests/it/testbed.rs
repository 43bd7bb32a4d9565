//! End to end: scan the project's testbed and compare with its manifest.

use rampart_engine::http::ReqwestTransport;
use rampart_engine::plan::FormLogin;
use rampart_engine::scope::{MatchKind, RuleKind, ScopeRule};
use rampart_engine::{Event, ScanPlan, Summary};
use rampart_testbed::{Case, TestbedConfig};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use url::Url;

/// The shared manifest comparison ([`Case::matches`]) over the engine's findings.
fn matches(case: &Case, s: &Summary) -> bool {
    s.findings.iter().any(|f| {
        let p = (!f.root_cause_parameter.is_empty()).then_some(f.root_cause_parameter.as_str());
        case.matches(&f.module_key, &f.root_cause_url, p)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn scans_the_testbed_against_its_manifest() {
    // An "outside" site the testbed links to: it must never be contacted.
    let outside_hits = Arc::new(Mutex::new(0u32));
    let hits = outside_hits.clone();
    let outside = axum::Router::new().fallback(move || {
        let hits = hits.clone();
        async move {
            *hits.lock().unwrap() += 1;
            "outside"
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let outside_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, outside).await.unwrap() });

    let tb = rampart_testbed::spawn(TestbedConfig {
        outside_url: Some(outside_url),
        ..TestbedConfig::default()
    })
    .await
    .unwrap();
    let base = Url::parse(&format!("{}/", tb.base_url().trim_end_matches('/'))).unwrap();
    let mut plan = ScanPlan::for_url(base.clone());
    if let Some(h) = tb.https_url() {
        let https = Url::parse(&format!("{}/", h.trim_end_matches('/'))).unwrap();
        plan.scope.push(ScopeRule {
            kind: RuleKind::Include,
            matcher: MatchKind::Wildcard,
            pattern: format!("{https}*"),
            method: None,
        });
        plan.seeds.push(https);
    }
    let li = tb.login_info();
    plan.session.login = Some(FormLogin {
        url: base.join(&li.login_path).unwrap(),
        username: li.username.clone(),
        password: li.password.clone(),
        username_field: Some(li.username_field.clone()),
        password_field: Some(li.password_field.clone()),
        logged_in_regex: Some(li.logged_in_regex.clone()),
        session_loss_regex: Some(li.session_loss_regex.clone()),
    });
    // The second account, for the access-control check between two users.
    plan.session.other_login = Some(FormLogin {
        url: base.join(&li.login_path).unwrap(),
        username: li.second_username.clone(),
        password: li.second_password.clone(),
        username_field: Some(li.username_field.clone()),
        password_field: Some(li.password_field.clone()),
        logged_in_regex: Some(li.logged_in_regex.clone()),
        session_loss_regex: Some(li.session_loss_regex.clone()),
    });
    plan.limits.max_time_probe = Duration::from_secs(2);
    plan.limits.max_duration = Duration::from_secs(300);
    let transport = Arc::new(ReqwestTransport::new(true).unwrap());
    let (handle, mut rx) = rampart_engine::start(plan, transport, None).unwrap();
    // Budget notes and limits, printed with the figures.
    let mut notes = Vec::new();
    while let Some(e) = rx.recv().await {
        match &e {
            Event::Finished(_) => break,
            Event::LimitReached { detail, .. } => notes.push(detail.clone()),
            Event::Log { message, .. }
                if message.starts_with("cookies of the session")
                    || message.starts_with("attack jobs abandoned") =>
            {
                notes.push(message.clone())
            }
            _ => {}
        }
    }
    let s = handle.wait().await.unwrap();

    // The API area needs its definition files: `seeds.rs` scans it with them.
    let cases: Vec<Case> = tb
        .manifest()
        .into_iter()
        .filter(|c| !c.needs_definition && !c.needs_browser)
        .collect();
    let mut missed = Vec::new();
    let mut false_pos = Vec::new();
    let (mut vuln, mut found) = (0, 0);
    for c in &cases {
        let hit = matches(c, &s);
        if c.vulnerable {
            vuln += 1;
            if hit {
                found += 1;
            } else {
                missed.push(c.id.clone());
            }
        } else if hit {
            false_pos.push(c.id.clone());
        }
    }
    let listing: Vec<String> = s
        .findings
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {}",
                f.module_key, f.root_cause_method, f.root_cause_url, f.root_cause_parameter
            )
        })
        .collect();
    eprintln!(
        "testbed: found {found}/{vuln} vulnerable cases; missed {missed:?}; false positives {false_pos:?}\n{} requests in {} ms, outcome {:?}\nnotes:\n{}\nfindings:\n{}",
        s.progress.requests,
        s.duration_ms,
        s.outcome,
        notes.join("\n"),
        listing.join("\n")
    );
    let requests = tb.requests();
    assert_eq!(
        *outside_hits.lock().unwrap(),
        0,
        "an out-of-scope site was contacted"
    );
    assert!(
        !requests.iter().any(|r| r.path == li.logout_path),
        "the logout link was followed"
    );
    assert!(false_pos.is_empty(), "false positives: {false_pos:?}");
    assert!(
        found * 100 >= vuln * 93,
        "recall too low: {found}/{vuln}, missed {missed:?}"
    );
    tb.shutdown().await;
}
