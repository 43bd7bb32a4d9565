//! JobSpec → engine plan: the recipe compiled at submit, mapped onto engine settings.

use crate::{modules, options, recipe_of, spec_for};
use rampart_domain::scan::{FailureReason, RootCause, ScanType};
use rampart_domain::Severity;
use rampart_engine::scope::{MatchKind, RuleKind, ScopeGate};
use rampart_worker::{build_plan, PlanSettings};
use serde_json::json;
use std::time::Duration;
use url::Url;

fn with(partial: serde_json::Value) -> serde_json::Value {
    rampart_domain::options::overlay(&options("http://app.example:8080"), &partial)
}

/// A regular job on the `app.example` target.
fn spec(
    options: serde_json::Value,
    modules: Vec<rampart_domain::job::JobModule>,
) -> rampart_domain::job::JobSpec {
    spec_for(options, &["app.example"], ScanType::Regular, &[], modules)
}

#[test]
fn seeds_scope_and_allowed_domains() {
    let s = spec(
        with(json!({"crawl_config": {
            "seed_url_list": [{"value": "http://app.example:8080/"}, {"value": "http://api.app.example:8080/v1/"}],
            "scope_constraint_list": [
                {"url": "http://*app.example:8080/*", "exclusion": "INCLUDE"},
                {"url": "http://app.example:8080/logout", "match_criteria": "LITERAL", "exclusion": "EXCLUDE"},
                {"url": ".*\\.pdf$", "match_criteria": "REGEX", "exclusion": "EXCLUDE", "method": "GET"}
            ]},
            "attacker_config": {"scope_constraint_list": [
                {"url": "http://app.example:8080/admin/*", "exclusion": "EXCLUDE"},
                {"url": "http://*.app.example:8080/*", "exclusion": "INCLUDE"}
            ]}
        })),
        modules(&["sqli"]),
    );
    let b = build_plan(&s, &PlanSettings::default()).unwrap();
    let p = &b.plan;
    assert_eq!(
        p.seeds.iter().map(Url::as_str).collect::<Vec<_>>(),
        [
            "http://app.example:8080/",
            "http://api.app.example:8080/v1/"
        ]
    );
    assert_eq!(p.scope.len(), 4, "crawl rules + the attacker's exclusion");
    assert_eq!(p.scope[1].matcher, MatchKind::Literal);
    assert_eq!(p.scope[1].kind, RuleKind::Exclude);
    assert_eq!(p.scope[2].matcher, MatchKind::Regex);
    assert_eq!(p.scope[2].method.as_deref(), Some("GET"));
    assert_eq!(p.scope[0].matcher, MatchKind::Wildcard, "default criteria");
    assert_eq!(p.allowed_domains, ["app.example"]);
    let gate = ScopeGate::new(&p.scope, &p.allowed_domains).unwrap();
    let ok = |u: &str| gate.check("GET", &Url::parse(u).unwrap()).is_ok();
    assert!(ok("http://app.example:8080/shop?id=1"));
    assert!(!ok("http://app.example:8080/logout"));
    assert!(!ok("http://app.example:8080/doc.pdf"));
    assert!(!ok("http://app.example:8080/admin/users"));
    assert!(!ok("http://elsewhere.example/"));
}

#[test]
fn limits_session_modules_and_oob() {
    let mut s = spec(
        with(json!({
            "crawl_config": {"max_scan_time_in_minutes": 7, "max_crawl_results": 123},
            "performance_config": {"max_concurrent_requests": 3},
            "network_settings_config": {"drip_delay_milli_seconds": 250, "read_timeout": 4000, "max_response_size": 1000},
            "http_headers_config": {"custom_headers_list": [{"value": "X-Token: abc"}], "cookie": "a=b", "user_agent": "ua"},
            "auth_config": {"type": "FORM", "username_form": "alice", "password_form": "pw",
                            "seed_link": "http://app.example:8080/login", "logged_in_regex": "Welcome",
                            "logout_link_regex": "(?i)bye"},
            "attacker_config": {"out_of_band_host": "oob.example:9999"}
        })),
        modules(&["sqli", "xss_reflected"]),
    );
    s.modules[0].severity = Severity::Critical;
    s.modules[0].max_findings = 3;
    let b = build_plan(&s, &PlanSettings::default()).unwrap();
    let p = &b.plan;
    assert_eq!(p.limits.max_duration, Duration::from_secs(7 * 60));
    assert_eq!(p.limits.max_crawl_results, 123);
    assert_eq!(p.limits.concurrency, 3);
    assert_eq!(p.limits.min_request_gap, Duration::from_millis(250));
    assert_eq!(p.limits.request_timeout, Duration::from_secs(4));
    assert_eq!(p.limits.max_response_bytes, 1000);
    assert_eq!(
        p.session.headers,
        [("X-Token".to_string(), "abc".to_string())]
    );
    assert_eq!(p.session.cookie.as_deref(), Some("a=b"));
    assert_eq!(p.session.user_agent.as_deref(), Some("ua"));
    assert_eq!(p.session.logout_regex.as_deref(), Some("(?i)bye"));
    let login = p.session.login.as_ref().unwrap();
    assert_eq!(login.url.as_str(), "http://app.example:8080/login");
    assert_eq!(
        (login.username.as_str(), login.password.as_str()),
        ("alice", "pw")
    );
    assert_eq!(login.logged_in_regex.as_deref(), Some("Welcome"));
    assert!(p.modules.is_enabled("sqli") && p.modules.is_enabled("xss_reflected"));
    assert!(!p.modules.is_enabled("cmdi"));
    let sqli = p.modules.settings("sqli");
    assert_eq!(sqli.severity, Some(Severity::Critical));
    assert_eq!(sqli.max_findings, 3);
    assert_eq!(p.oob.public_address.as_deref(), Some("oob.example:9999"));
    assert_eq!(p.oob.bind.port(), 9999);
    assert!(b.notes.is_empty(), "{:?}", b.notes);

    // Defaults: the worker's time limit, no module → crawl only, unsupported auth noted.
    let s = spec(
        with(json!({"auth_config": {"type": "SESSION_TAKEOVER"}})),
        Vec::new(),
    );
    let settings = PlanSettings {
        default_max_scan_time: Duration::from_secs(42),
        ..PlanSettings::default()
    };
    let b = build_plan(&s, &settings).unwrap();
    assert_eq!(b.plan.limits.max_duration, Duration::from_secs(42));
    assert!(b.plan.modules.crawl_only);
    assert!(b.plan.session.login.is_none());
    assert!(
        b.notes.iter().any(|n| n.contains("SessionTakeover")),
        "{:?}",
        b.notes
    );
    assert_eq!(b.plan.oob.bind.ip().to_string(), "127.0.0.1");
}

#[test]
fn verification_seeds_the_root_causes() {
    let verify = vec![
        RootCause {
            url: "http://app.example:8080/products.php?id=".into(),
            parameter: Some("id".into()),
            method: "GET".into(),
        },
        RootCause {
            url: "http://other.example/x".into(),
            parameter: None,
            method: "GET".into(),
        },
    ];
    let s = spec_for(
        with(json!({})),
        &["app.example"],
        ScanType::Verification,
        &verify,
        modules(&["sqli"]),
    );
    let b = build_plan(&s, &PlanSettings::default()).unwrap();
    assert!(b
        .plan
        .seeds
        .iter()
        .any(|u| u.as_str() == "http://app.example:8080/products.php?id="));
    assert!(!b.plan.seeds.iter().any(|u| u.as_str().contains("other")));
    assert!(b.notes.iter().any(|n| n.contains("other.example")));
}

/// Why a document fails to compile at submit.
fn failure(partial: serde_json::Value) -> (FailureReason, String) {
    let e = recipe_of(&with(partial), &["app.example"], ScanType::Regular, &[]).unwrap_err();
    (e.reason, e.message)
}

#[test]
fn plans_that_cannot_be_built() {
    let (r, m) = failure(json!({"crawl_config": {"scope_constraint_list": [
        {"url": "http://app.example:8080/(", "match_criteria": "REGEX", "exclusion": "INCLUDE"}
    ]}}));
    assert_eq!(r, FailureReason::ConfigurationInvalid);
    assert!(m.contains("regex"), "{m}");

    let (r, _) = failure(json!({"crawl_config": {"seed_url_list": []}}));
    assert_eq!(r, FailureReason::ConfigurationInvalid);
    let (r, _) = failure(json!({"crawl_config": {"seed_url_list": [{"value": "ftp://x/"}]}}));
    assert_eq!(r, FailureReason::ConfigurationInvalid);
    let (r, _) = failure(json!({"crawl_config": "nope"}));
    assert_eq!(r, FailureReason::ConfigurationInvalid);
    let (r, _) =
        failure(json!({"http_headers_config": {"custom_headers_list": [{"value": "no colon"}]}}));
    assert_eq!(r, FailureReason::ConfigurationInvalid);
    let (r, _) = failure(json!({"auth_config": {"type": "FORM"}}));
    assert_eq!(r, FailureReason::ConfigurationInvalid);
    let (r, m) = failure(json!({"auth_config": {"type": "FORM", "username_form": "u",
        "password_form": "p", "logged_in_regex": "("}}));
    assert_eq!(r, FailureReason::ConfigurationInvalid);
    assert!(m.contains("Logged-in regex"), "{m}");
    let (r, m) = failure(
        json!({"crawl_config": {"seed_url_list": [{"value": "http://app.example:8080/out/"}],
        "scope_constraint_list": [{"url": "http://app.example:8080/in/*"}]}}),
    );
    assert_eq!(r, FailureReason::ConfigurationInvalid);
    assert!(m.contains("scope"), "{m}");

    // Targets: a seed outside the enabled target domains, or no target at all.
    let (r, _) = failure(
        json!({"crawl_config": {"seed_url_list": [{"value": "http://evil.example/"}],
        "scope_constraint_list": [{"url": "http://*"}]}}),
    );
    assert_eq!(r, FailureReason::TargetsInvalid);
    assert_eq!(
        recipe_of(&with(json!({})), &[], ScanType::Regular, &[])
            .unwrap_err()
            .reason,
        FailureReason::TargetsInvalid
    );

    // The worker refuses a recipe it cannot run (a job queued before recipes were stored
    // whose options no longer compile reaches it empty).
    let mut s = spec(with(json!({})), modules(&["sqli"]));
    s.recipe = Default::default();
    assert_eq!(
        build_plan(&s, &PlanSettings::default()).unwrap_err().reason,
        FailureReason::ConfigurationInvalid
    );
}
