//! No Chromium: the scan says so in an event and the HTML crawler does the work.

use crate::{logs, scan, testbed, url};
use rampart_browser::{BrowserOptions, Chromium};
use rampart_engine::crawl::BrowserCrawler;
use rampart_engine::{Outcome, ScanPlan};
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_chromium_the_scan_says_so_and_goes_on_with_the_html_crawler() {
    let tb = testbed(None).await;
    let mut plan = ScanPlan::for_url(url(&tb, "/dom/"));
    plan.modules = rampart_engine::plan::Modules::from_keys(["xss_dom"]);
    let browser = Arc::new(Chromium::new(BrowserOptions {
        executable: Some("/nonexistent/chromium".into()),
        ..BrowserOptions::default()
    }));
    assert!(browser.availability().starts_with("unavailable"));
    let (s, events) = scan(plan, Some(browser)).await;
    assert_eq!(s.outcome, Outcome::Complete);
    let logs = logs(&events);
    assert!(
        logs.iter().any(|l| l
            .contains("browser crawl unavailable: no Chromium at /nonexistent/chromium")
            && l.contains("continues with the HTML crawler")),
        "{logs:#?}"
    );
    assert!(
        s.crawled.iter().any(|u| u.ends_with("/dom/welcome.html")),
        "the HTML crawler still crawled: {:?}",
        s.crawled
    );
    assert!(s.findings.iter().all(|f| f.module_key != "xss_dom"));
    tb.shutdown().await;
}
