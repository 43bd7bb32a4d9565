//! Full scans of the vulnerable fixture: every case found, every safe twin silent, no
//! out-of-scope request.

use crate::fixture::{serve, App};
use rampart_engine::events::Outcome;
use rampart_engine::scope::{MatchKind, RuleKind, ScopeRule};
use rampart_engine::{Event, ScanPlan};
use std::time::Duration;
use url::Url;

fn found(s: &rampart_engine::Summary, module: &str, path: &str, param: &str) -> bool {
    s.findings.iter().any(|f| {
        f.module_key == module
            && Url::parse(&f.root_cause_url).unwrap().path() == path
            && f.root_cause_parameter == param
    })
}

fn on_path(s: &rampart_engine::Summary, module: &str, path: &str) -> bool {
    s.findings
        .iter()
        .any(|f| f.module_key == module && Url::parse(&f.root_cause_url).unwrap().path() == path)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finds_every_vulnerable_case_and_no_safe_twin() {
    let app = App::default();
    let addr = serve(app.clone()).await;
    let seed = Url::parse(&format!("http://{addr}/")).unwrap();
    let mut plan = ScanPlan::for_url(seed);
    plan.scope.push(ScopeRule {
        kind: RuleKind::Exclude,
        matcher: MatchKind::Wildcard,
        pattern: "*/admin/*".into(),
        method: None,
    });
    plan.limits.max_time_probe = Duration::from_secs(2);
    plan.limits.max_duration = Duration::from_secs(240);
    let (s, events) = crate::run(plan).await;
    let listing: Vec<String> = s
        .findings
        .iter()
        .map(|f| {
            format!(
                "{} {} {} [{}]",
                f.module_key, f.root_cause_url, f.root_cause_parameter, f.variances[0].attack_id
            )
        })
        .collect();
    let all = listing.join("\n");
    eprintln!("{all}\n{:?}\n{:?}", s.progress, s.skipped);
    let expect = [
        ("sqli", "/sqli/error", "id"),
        ("sqli", "/sqli/bool", "id"),
        ("sqli", "/sqli/time", "id"),
        ("xss_reflected", "/xss/text", "q"),
        ("xss_reflected", "/xss/attr", "q"),
        ("xss_reflected", "/xss/script", "q"),
        ("xss_stored", "/guestbook", "comment"),
        ("cmdi", "/ping", "host"),
        ("path_traversal", "/file", "name"),
        ("ssti", "/hello", "name"),
        ("code_injection", "/calc", "expr"),
        ("open_redirect", "/go", "next"),
        ("crlf_injection", "/lang", "l"),
        ("ssrf", "/fetch", "url"),
    ];
    for (m, p, prm) in expect {
        assert!(found(&s, m, p, prm), "missing {m} {p} {prm}; found:\n{all}");
    }
    for (m, p) in [
        ("cors", "/api/cors"),
        ("xxe", "/xml"),
        ("file_upload", "/upload"),
        ("csrf", "/profile"),
        ("directory_listing", "/files/"),
        ("sensitive_files", "/.git/HEAD"),
        ("http_methods", "/"),
        ("x_frame_options", "/"),
        ("csp", "/"),
    ] {
        assert!(on_path(&s, m, p), "missing {m} {p}; found:\n{all}");
    }
    for (m, p) in [
        ("sqli", "/sqli/error_safe"),
        ("sqli", "/sqli/bool_safe"),
        ("xss_reflected", "/xss/text_safe"),
        ("xss_reflected", "/xss/attr_safe"),
        ("xss_reflected", "/xss/script_safe"),
        ("xss_stored", "/notes"),
        ("cmdi", "/ping_safe"),
        ("path_traversal", "/file_safe"),
        ("ssti", "/hello_safe"),
        ("code_injection", "/calc_safe"),
        ("open_redirect", "/go_safe"),
        ("crlf_injection", "/lang_safe"),
        ("cors", "/api/cors_safe"),
        ("ssrf", "/fetch_safe"),
        ("xxe", "/xml_safe"),
        ("file_upload", "/upload_safe"),
        ("csrf", "/settings"),
        ("directory_listing", "/docs/"),
    ] {
        assert!(!on_path(&s, m, p), "false positive {m} {p}; found:\n{all}");
    }
    // Passive findings are aggregated: one per (check, host).
    assert_eq!(
        s.findings
            .iter()
            .filter(|f| f.module_key == "x_frame_options")
            .count(),
        1
    );
    // Nothing out of scope, nothing excluded, no logout.
    let seen = app.seen.lock().unwrap().clone();
    assert!(
        !seen
            .iter()
            .any(|r| r.contains("/admin/") || r.contains("/logout")),
        "{seen:?}"
    );
    assert!(s
        .skipped
        .contains_key(&rampart_engine::events::SkipReason::OutOfScope));
    assert!(s
        .skipped
        .contains_key(&rampart_engine::events::SkipReason::Logout));
    assert_eq!(s.outcome, Outcome::Complete, "{:?}", s.limits_reached);
    assert_eq!(s.progress.vulnerable as usize, s.findings.len());
    // Findings were streamed as events before the summary.
    let streamed = events
        .iter()
        .filter(|e| matches!(e, Event::Finding(_)))
        .count();
    assert_eq!(streamed, s.findings.len());
    // Evidence is raw HTTP.
    let f = s.findings.iter().find(|f| f.module_key == "sqli").unwrap();
    let ex = f.variances[0].attack.as_ref().unwrap();
    assert!(ex.request.starts_with("GET /sqli/") && ex.request.contains("\r\nHost: "));
    assert!(ex.response.starts_with("HTTP/1.1 "));
}
