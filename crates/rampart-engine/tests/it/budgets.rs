//! Whole-application budgets (issue 19): pages selected by a parameter's value are crawled
//! and attacked as pages of their own, and every budget that leaves something out says so
//! in `limits_reached`, `limit_details` and a scan event.

use rampart_engine::events::LimitKind;
use rampart_engine::plan::Modules;
use rampart_engine::{Event, ScanPlan};
use std::time::Duration;
use url::Url;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_selected_by_a_value_are_crawled_and_every_limit_is_reported() {
    let site = rampart_testbed::generated::spawn_site(300).await.unwrap();
    let mut plan = ScanPlan::for_url(Url::parse(&site.base_url).unwrap());
    plan.modules = Modules::template("Cross-Site Scripting").unwrap();
    // Smaller than the 20 topics behind `index.php?page=NAME` and the 45 products.
    plan.limits.max_per_pattern = 5;
    plan.limits.max_duration = Duration::from_secs(120);
    plan.modules
        .enabled
        .get_mut("xss_reflected")
        .unwrap()
        .max_findings = 2;
    let (s, events) = crate::run(plan).await;

    let topics: std::collections::BTreeSet<String> = s
        .crawled
        .iter()
        .filter_map(|u| Url::parse(u.strip_prefix("GET ")?).ok())
        .filter(|u| u.path() == "/index.php")
        .filter_map(|u| {
            u.query_pairs()
                .find(|(k, _)| k == "page")
                .map(|(_, v)| v.into_owned())
        })
        .collect();
    let topics = topics.len();
    assert_eq!(
        topics, 20,
        "every page behind ?page=NAME is crawled: {topics}"
    );
    let products = s
        .crawled
        .iter()
        .filter(|u| u.contains("/product.php?id="))
        .count();
    assert!(products <= 5, "one template, one budget: {products}");

    // 3 vulnerable articles and the feedback topic; the template caps the module at 2.
    let xss: Vec<&str> = s
        .findings
        .iter()
        .filter(|f| f.module_key == "xss_reflected")
        .map(|f| f.root_cause_url.as_str())
        .collect();
    assert_eq!(xss.len(), 2, "{xss:?}");
    assert!(s.limits_reached.contains(&LimitKind::MaxPerPattern));
    assert!(s.limits_reached.contains(&LimitKind::MaxFindings));
    let details = s.limit_details.join("\n");
    assert!(
        details.contains("/product.php") && details.contains("not crawled"),
        "{details}"
    );
    assert!(
        details
            .contains("xss_reflected: max_findings 2 reached; 2 further finding(s) not reported"),
        "{details}"
    );
    for kind in [LimitKind::MaxPerPattern, LimitKind::MaxFindings] {
        assert!(
            events
                .iter()
                .any(|e| matches!(e, Event::LimitReached { limit, .. } if *limit == kind)),
            "a {kind:?} event"
        );
    }
    site.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_root_cause_keeps_the_page_a_parameter_selects() {
    let site = rampart_testbed::generated::spawn_site(100).await.unwrap();
    let mut plan = ScanPlan::for_url(Url::parse(&site.base_url).unwrap());
    plan.modules = Modules::template("Cross-Site Scripting").unwrap();
    plan.limits.max_duration = Duration::from_secs(120);
    let (s, _) = crate::run(plan).await;
    let f = s
        .findings
        .iter()
        .find(|f| f.module_key == "xss_reflected" && f.root_cause_parameter == "comment")
        .unwrap_or_else(|| panic!("feedback XSS found: {:?}", s.findings));
    assert!(
        f.root_cause_url
            .ends_with("/index.php?comment=&page=feedback"),
        "{}",
        f.root_cause_url
    );
    assert!(s.limits_reached.is_empty(), "{:?}", s.limit_details);
    site.shutdown().await;
}
