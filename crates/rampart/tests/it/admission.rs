//! Scan admission: the options compilation at submit (`rampart_domain::plan::compile`) and
//! the engine's scope gate give the same verdict for any targets and seed, and a target with a port scans end to end.

use crate::e2e;
use proptest::prelude::*;
use rampart_engine::scope::{MatchKind, OutOfScope, RuleKind, ScopeGate, ScopeRule};
use rampart_testkit::TestApp;
use serde_json::json;
use std::time::Duration;

fn host() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(
            prop::sample::select(vec!["a", "shop", "test", "localhost", "evilshop", "x-1"]),
            1..4
        )
        .prop_map(|l| l.join(".")),
        prop::sample::select(vec!["127.0.0.1", "10.0.0.1", "[::1]", "[fe80::1]"])
            .prop_map(String::from),
    ]
}

fn port() -> impl Strategy<Value = Option<u16>> {
    prop::option::of(prop::sample::select(vec![80u16, 443, 8080, 9090]))
}

fn with_port(h: String, p: Option<u16>) -> String {
    match p {
        Some(p) => format!("{h}:{p}"),
        None => h,
    }
}

fn target() -> impl Strategy<Value = String> {
    (host(), port()).prop_map(|(h, p)| with_port(h, p))
}

fn seed() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["http", "https", "ftp"]),
        prop::option::of(prop::sample::select(vec!["api", "www.api"])),
        host(),
        port(),
        prop::sample::select(vec!["/", "/app/x?q=1", ""]),
    )
        .prop_map(|(scheme, sub, h, p, path)| {
            let h = match sub {
                Some(s) if !h.starts_with('[') && !h.starts_with(|c: char| c.is_ascii_digit()) => {
                    format!("{s}.{h}")
                }
                _ => h,
            };
            format!("{scheme}://{}{path}", with_port(h, p))
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Whatever the targets and the seed, `TARGETS_INVALID` at submit and the engine
    /// refusing the seed's domain are the same verdict.
    #[test]
    fn submit_and_engine_gate_agree(targets in prop::collection::vec(target(), 1..4), seed in seed()) {
        let Ok(url) = url::Url::parse(&seed) else { return Ok(()) };
        // Only what the service stores as a target is ever handed to the engine.
        let stored: Vec<String> = targets
            .iter()
            .filter_map(|t| rampart_service::normalize_domain(t))
            .collect();
        prop_assume!(!stored.is_empty());
        // Submit: the one compilation of the options (a seed, every URL in scope).
        let options = rampart_domain::options::overlay(
            &rampart_domain::options::defaults(),
            &json!({"crawl_config": {
                "seed_url_list": [{"value": seed}],
                "scope_constraint_list": [{"url": ".*", "match_criteria": "REGEX"}]
            }}),
        );
        let compiled = rampart_domain::plan::compile(rampart_domain::plan::PlanInput {
            options: &options,
            allowed_domains: &stored,
            scan_type: rampart_domain::scan::ScanType::Regular,
            verify: &[],
            files: &[],
        });
        let submit_ok = compiled.is_ok();
        // Engine: the gate every request passes, over the same rule and targets.
        let gate = ScopeGate::new(
            &[ScopeRule {
                kind: RuleKind::Include,
                matcher: MatchKind::Regex,
                pattern: ".*".into(),
                method: None,
            }],
            &stored,
        )
        .expect("the gate builds");
        let engine_ok = !matches!(
            gate.check("GET", &url),
            Err(OutOfScope::Domain | OutOfScope::Scheme)
        );
        if let Ok(recipe) = &compiled {
            // And the gate the worker builds from the recipe admits every seed it carries.
            let worker_gate = ScopeGate::new(&recipe.scope, &recipe.allowed_domains)
                .expect("the recipe's gate builds");
            for s in &recipe.seeds {
                prop_assert!(worker_gate.check("GET", s).is_ok(), "seed {} refused", s);
            }
        }
        prop_assert_eq!(submit_ok, engine_ok, "targets {:?} seed {}", stored, seed);
    }
}

/// The reported bug: a target `localhost:PORT` was accepted, the seed passed the submit
/// check, and the engine refused it at claim (`TARGETS_INVALID`).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_target_with_a_port_scans_to_complete() {
    let tb = e2e::testbed().await;
    let port = url::Url::parse(&tb.base_url())
        .expect("testbed url")
        .port()
        .expect("testbed port");
    let base = format!("http://localhost:{port}");
    let app = TestApp::with_engines(1).await;
    let cfg = e2e::scan_config(&app, &base, &["open_redirect"]).await;
    // The helper allowed the bare host; narrow that target to host:port.
    let targets = app
        .admin()
        .get("/ias/v1/targets?size=100")
        .send()
        .await
        .status(200)
        .json();
    let t = targets["data"]
        .as_array()
        .expect("a page")
        .iter()
        .find(|t| t["domain"] == "localhost")
        .expect("the localhost target")
        .clone();
    app.admin()
        .put(&format!(
            "/ias/v1/targets/{}",
            t["id"].as_str().expect("id")
        ))
        .json(&json!({"domain": format!("localhost:{port}"), "enabled": true}))
        .send()
        .await
        .status(200);
    let id = e2e::submit(&app, &cfg, json!({})).await;
    let done = e2e::wait_scan(&app, &id, "finished", Duration::from_secs(180), |s| {
        matches!(s["status"].as_str(), Some("COMPLETE" | "FAILED"))
    })
    .await;
    assert_eq!(done["status"], "COMPLETE", "{done}");
    let d = e2e::details(&app, &id).await;
    assert!(d["requests"].as_i64().unwrap_or(0) > 0, "{d}");
}
