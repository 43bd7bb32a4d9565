//! Measures the browser crawl on the testbed's single-page area and its DOM XSS cases:
//! states (pages) per minute and peak RSS with 1, 2 and 4 pages, what the browser finds that
//! the HTML crawler does not, and DOM XSS recall and cost. Figures go to docs/BENCHMARKS.md.
//!
//! `cargo run --example browser_bench` (`-- confirm`: only the cost of confirming uncertain
//! reflected and stored XSS in the browser, on the partner-links area)

use rampart_browser::{BrowserOptions, Chromium};
use rampart_engine::crawl::BrowserCrawler;
use rampart_engine::http::ReqwestTransport;
use rampart_engine::plan::Modules;
use rampart_engine::{Event, ScanPlan, Summary};
use rampart_testbed::{TestbedConfig, TestbedHandle};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Instant;
use url::Url;

async fn scan(plan: ScanPlan, browser: Option<Arc<Chromium>>) -> Summary {
    let transport = Arc::new(ReqwestTransport::new(false).expect("transport"));
    let b = browser.map(|b| b as Arc<dyn BrowserCrawler>);
    let (handle, mut rx) = rampart_engine::start(plan, transport, b).expect("start");
    while let Some(e) = rx.recv().await {
        if matches!(e, Event::Finished(_)) {
            break;
        }
    }
    handle.wait().await.expect("scan")
}

fn requests_seen(tb: &TestbedHandle) -> BTreeSet<String> {
    tb.requests()
        .iter()
        .filter(|r| r.path.starts_with("/spa"))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let tb = rampart_testbed::spawn(TestbedConfig::default())
        .await
        .expect("testbed");
    let base = tb.base_url().trim_end_matches('/').to_string();
    if std::env::args().nth(1).as_deref() == Some("confirm") {
        confirm(&tb, &base).await;
        tb.shutdown().await;
        return;
    }
    let spa = Url::parse(&format!("{base}/spa/")).expect("url");
    let mut plan = ScanPlan::for_url(spa.clone());
    plan.modules = Modules::template("crawl only").expect("template");
    println!("chromium: {:?}", rampart_browser::find_chromium());

    tb.clear_requests();
    let s = scan(plan.clone(), None).await;
    let html = requests_seen(&tb);
    println!(
        "HTML crawler on /spa/: {} URLs crawled, {} distinct (method, path) requests: {html:?}",
        s.crawled.len(),
        html.len()
    );

    for pages in [1usize, 2, 4] {
        tb.clear_requests();
        let browser = Arc::new(Chromium::new(BrowserOptions {
            pages,
            ..BrowserOptions::default()
        }));
        let t = Instant::now();
        let s = scan(plan.clone(), Some(browser.clone())).await;
        let secs = t.elapsed().as_secs_f64();
        let r = browser.last_report().expect("browser ran");
        let seen = requests_seen(&tb);
        let new: BTreeSet<_> = seen.difference(&html).cloned().collect();
        let minutes = secs / 60.0;
        println!(
            "browser pages={pages}: {} states in {secs:.1} s of scan = {:.0} states/min; peak Chromium RSS {} MiB, rampart peak RSS {} MiB; {} recorded requests; {} URLs crawled; {} distinct (method, path) requests, {} not seen by the HTML crawler: {new:?}; blocked {}",
            r.states.len(),
            r.states.len() as f64 / minutes,
            r.peak_chromium_rss_kib / 1024,
            rampart_browser::rss::own_peak_rss_kib() / 1024,
            r.resources.len(),
            s.crawled.len(),
            seen.len(),
            new.len(),
            r.blocked.len(),
        );
    }

    let dom = Url::parse(&format!("{base}/dom/")).expect("url");
    let mut plan = ScanPlan::for_url(dom);
    plan.modules = Modules::from_keys(["xss_dom"]);
    let browser = Arc::new(Chromium::new(BrowserOptions::default()));
    let t = Instant::now();
    let s = scan(plan, Some(browser.clone())).await;
    let secs = t.elapsed().as_secs_f64();
    let r = browser.last_report().expect("browser ran");
    let cases: Vec<_> = tb
        .manifest()
        .into_iter()
        .filter(|c| c.module_key == "xss_dom")
        .collect();
    let hit = |c: &rampart_testbed::Case| {
        s.findings.iter().any(|f| {
            c.matches(
                &f.module_key,
                &f.root_cause_url,
                Some(&f.root_cause_parameter),
            )
        })
    };
    let vuln = cases.iter().filter(|c| c.vulnerable).count();
    let found = cases.iter().filter(|c| c.vulnerable && hit(c)).count();
    let fp = cases.iter().filter(|c| !c.vulnerable && hit(c)).count();
    println!(
        "DOM XSS: {found}/{vuln} vulnerable cases found, {fp}/{} safe twins reported; {} pages rendered and probed in {secs:.1} s ({:.2} s per page, crawl included)",
        cases.len() - vuln,
        r.states.len(),
        secs / r.states.len().max(1) as f64
    );
    tb.shutdown().await;
}

/// Runs `plan` and returns the summary and the browser confirmation's event line.
async fn scan_logged(plan: ScanPlan, browser: Option<Arc<Chromium>>) -> (Summary, Option<String>) {
    let transport = Arc::new(ReqwestTransport::new(false).expect("transport"));
    let b = browser.map(|b| b as Arc<dyn BrowserCrawler>);
    let (handle, mut rx) = rampart_engine::start(plan, transport, b).expect("start");
    let mut line = None;
    while let Some(e) = rx.recv().await {
        match e {
            Event::Finished(_) => break,
            Event::Log { message, .. } if message.starts_with("browser confirmation") => {
                line = Some(message)
            }
            _ => {}
        }
    }
    (handle.wait().await.expect("scan"), line)
}

/// The cost of confirming uncertain reflected and stored XSS: the partner-links area scanned
/// for both with the HTML verdict only, then with the browser confirming.
async fn confirm(tb: &TestbedHandle, base: &str) {
    let links = Url::parse(&format!("{base}/links/")).expect("url");
    let mut plan = ScanPlan::for_url(links);
    let modules = ["xss_reflected", "xss_stored"];
    plan.modules = Modules::from_keys(modules);
    let t = Instant::now();
    let (html, _) = scan_logged(plan.clone(), None).await;
    let html_secs = t.elapsed().as_secs_f64();
    let browser = Arc::new(Chromium::new(BrowserOptions::default()));
    let t = Instant::now();
    let (with, line) = scan_logged(plan, Some(browser)).await;
    let secs = t.elapsed().as_secs_f64();
    let confirmed = with
        .findings
        .iter()
        .filter(|f| f.variances[0].proof.contains("ran in Chromium"))
        .count();
    let cases: Vec<_> = tb
        .manifest()
        .into_iter()
        .filter(|c| modules.contains(&c.module_key.as_str()) && c.path.starts_with("/links/"))
        .collect();
    let score = |s: &Summary| {
        let hit = |c: &rampart_testbed::Case| {
            s.findings.iter().any(|f| {
                c.matches(
                    &f.module_key,
                    &f.root_cause_url,
                    Some(&f.root_cause_parameter),
                )
            })
        };
        (
            cases.iter().filter(|c| c.vulnerable && hit(c)).count(),
            cases.iter().filter(|c| !c.vulnerable && hit(c)).count(),
        )
    };
    let vuln = cases.iter().filter(|c| c.vulnerable).count();
    let (hf, hfp) = score(&html);
    let (bf, bfp) = score(&with);
    let unconfirmed = html
        .findings
        .iter()
        .filter(|f| f.variances[0].proof.contains("not confirmed in a browser"))
        .count();
    println!(
        "XSS confirmation on /links/ (reflected and stored; {vuln} vulnerable cases, {} safe twins):\n  HTML verdict only: {hf} found, {hfp} safe twins reported ({unconfirmed} finding(s) reported as not confirmed, below Confirmed), {} requests, {html_secs:.1} s\n  with the browser: {bf} found, {bfp} safe twins reported, {} requests, {secs:.1} s, {confirmed} finding(s) confirmed in Chromium\n  {}",
        cases.len() - vuln,
        html.progress.requests,
        with.progress.requests,
        line.unwrap_or_else(|| "no confirmation event".into())
    );
}
