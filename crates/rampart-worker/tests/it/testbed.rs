//! A whole job against the testbed: its findings match the manifest for the enabled modules.

use crate::fake::{keys, FakeSource};
use crate::{config, modules, options, spec, testbed};
use rampart_domain::job::JobOutcome;
use rampart_domain::scan::{Finding, ScanStatus};
use rampart_testbed::Case;
use rampart_worker::Worker;
use serde_json::json;
use std::time::Duration;

fn key_of(f: &Finding) -> &'static str {
    rampart_engine::catalogue()
        .iter()
        .find(|m| m.id == f.module)
        .map(|m| m.key)
        .unwrap_or("?")
}

/// The shared manifest comparison ([`Case::matches`]) over domain findings.
fn matches(case: &Case, findings: &[&Finding]) -> bool {
    findings.iter().any(|f| {
        case.matches(
            key_of(f),
            &f.root_cause.url,
            f.root_cause.parameter.as_deref(),
        )
    })
}

const MODULES: &[&str] = &[
    "sqli",
    "xss_reflected",
    "csrf",
    "open_redirect",
    "path_traversal",
    "ssrf",
    "x_frame_options",
    "cookie_flags",
    "version_disclosure",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_job_scans_the_testbed_and_reports_its_vulnerable_cases() {
    let tb = testbed().await;
    let base = tb.base_url().trim_end_matches('/').to_string();
    let li = tb.login_info();
    let opts = rampart_domain::options::overlay(
        &options(&base),
        &json!({"auth_config": {
            "type": "FORM",
            "username_form": li.username,
            "password_form": li.password,
            "seed_link": format!("{base}{}", li.login_path),
            "logged_in_regex": li.logged_in_regex,
            "session_loss_regex": li.session_loss_regex,
        }}),
    );
    let source = FakeSource::new();
    let job = spec(opts, modules(MODULES));
    source.push(job.clone());
    let worker = Worker::new(config()).spawn(source.clone()).unwrap();
    let id = worker.worker_ids()[0].clone();
    source
        .wait_for("the job's outcome", Duration::from_secs(400), |st| {
            st.outcome().is_some()
        })
        .await;
    worker.shutdown();
    worker.join().await;

    tb.shutdown().await;
    let st = source.state.lock().unwrap();
    assert_eq!(st.outcome(), Some(JobOutcome::Completed { partial: false }));
    let findings = st.findings();
    let enabled: Vec<Case> = rampart_testbed::manifest()
        .into_iter()
        .filter(|c| {
            MODULES.contains(&c.module_key.as_str())
                && !c.tls
                && !c.needs_definition
                && !c.needs_browser
        })
        .collect();
    let (mut vuln, mut found, mut missed, mut false_pos) = (0, 0, Vec::new(), Vec::new());
    for c in &enabled {
        let hit = matches(c, &findings);
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
    let listing: Vec<String> = findings
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {:?} score {:?}",
                key_of(f),
                f.root_cause.method,
                f.root_cause.url,
                f.root_cause.parameter,
                f.vulnerability_score
            )
        })
        .collect();
    eprintln!(
        "worker/testbed: found {found}/{vuln}; missed {missed:?}; false positives {false_pos:?}\n{}",
        listing.join("\n")
    );
    assert!(false_pos.is_empty(), "false positives: {false_pos:?}");
    assert!(
        found * 100 >= vuln * 90,
        "recall too low: {found}/{vuln}, missed {missed:?}"
    );

    for f in &findings {
        assert!(!f.variances.is_empty());
        assert!(f
            .vector_string
            .as_deref()
            .is_some_and(|v| v.starts_with("CVSS:3.1/")));
        assert!(f.vulnerability_score.is_some());
        let v = &f.variances[0];
        assert!(!v.attack_id.is_empty());
        assert!(v.confidence.is_some());
    }
    assert!(
        findings.iter().any(|f| f.variances[0]
            .attack_exchanges
            .first()
            .is_some_and(|e| e.request.starts_with("GET ") && e.response.starts_with("HTTP/"))),
        "attack exchanges carry raw request and response text"
    );
    // Heartbeats: RUNNING with live counters; the last one has the final counters.
    let hbs = st.heartbeats();
    assert!(hbs.iter().all(|h| h.status == ScanStatus::Running));
    let last = hbs.last().unwrap();
    assert!(
        last.details.logged_in,
        "the form login from auth_config worked"
    );
    assert!(last.details.requests > 0 && last.details.links_crawled > 0);
    assert_eq!(last.details.vulnerable as usize, keys(&st).len());
    let events = st.events();
    assert!(
        events.iter().any(|e| e.contains("scan finished")),
        "{events:?}"
    );
    assert!(events.iter().any(|e| e.contains("logged in")), "{events:?}");
    // Nothing for the job after `finish`.
    let fin = st
        .calls
        .iter()
        .position(|c| matches!(c.kind, crate::fake::Kind::Finish(_)))
        .unwrap();
    assert!(st.calls[fin + 1..].iter().all(|c| c.scan.is_none()));
    assert!(
        st.calls.iter().all(|c| c.worker == id),
        "every call names the slot"
    );
}
