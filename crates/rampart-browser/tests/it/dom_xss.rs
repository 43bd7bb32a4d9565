//! DOM-based XSS: every vulnerable case of the testbed found, no safe twin reported.

use crate::{options, scan, testbed, url};
use rampart_browser::Chromium;
use rampart_engine::plan::Modules;
use rampart_engine::ScanPlan;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_dom_xss_case_is_confirmed_and_no_safe_twin_is_reported() {
    if !rampart_browser::chromium_for_test("dom xss") {
        return;
    }
    let tb = testbed(None).await;
    let mut plan = ScanPlan::for_url(url(&tb, "/dom/"));
    plan.modules = Modules::from_keys(["xss_dom"]);
    let browser = Arc::new(Chromium::new(options()));
    let (s, _) = scan(plan, Some(browser)).await;
    let found: Vec<_> = s
        .findings
        .iter()
        .filter(|f| f.module_key == "xss_dom")
        .collect();
    for f in &found {
        eprintln!(
            "{} {} | {}",
            f.root_cause_url, f.root_cause_parameter, f.variances[0].proof
        );
    }
    let cases: Vec<_> = tb
        .manifest()
        .into_iter()
        .filter(|c| c.module_key == "xss_dom")
        .collect();
    assert!(cases.len() >= 14);
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
    for f in &found {
        assert_eq!(f.cwe, 79);
        let v = &f.variances[0];
        assert!(
            v.proof.contains("reached sink") && v.proof.contains("stack"),
            "{}",
            v.proof
        );
        assert!(
            v.attack_value.contains("__rampart_rmq"),
            "{}",
            v.attack_value
        );
    }
    tb.shutdown().await;
}
