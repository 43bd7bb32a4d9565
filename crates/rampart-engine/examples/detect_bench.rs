//! Detection and budget figures (issue 19), release build:
//!
//! ```sh
//! cargo run --release -p rampart-engine --example detect_bench -- testbed
//! cargo run --release -p rampart-engine --example detect_bench -- site 5000
//! ```
//!
//! `testbed`: the end-to-end scan of the testbed (logged in, HTTPS in scope, as the engine's
//! `scans_the_testbed_against_its_manifest` test does): recall, false positives, requests per
//! finding and wall time. `site N`: a generated N-page site scanned with the "Cross-Site
//! Scripting" template: wall time, requests, pages crawled, limits reached, skipped URLs per
//! reason, vulnerable pages found, peak RSS (engine and site in one process).

use rampart_engine::http::ReqwestTransport;
use rampart_engine::plan::{FormLogin, Modules};
use rampart_engine::scope::{MatchKind, RuleKind, ScopeRule};
use rampart_engine::{Event, ScanPlan, Summary};
use rampart_testbed::{Case, TestbedConfig};
use std::sync::Arc;
use std::time::{Duration, Instant};
use url::Url;

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

async fn run(plan: ScanPlan) -> (Summary, Vec<String>) {
    let transport =
        Arc::new(ReqwestTransport::new(true).unwrap_or_else(|e| panic!("transport: {e}")));
    let (handle, mut rx) =
        rampart_engine::start(plan, transport, None).unwrap_or_else(|e| panic!("start: {e}"));
    let mut limits = Vec::new();
    while let Some(e) = rx.recv().await {
        match e {
            Event::LimitReached { detail, .. } => limits.push(detail),
            Event::Finished(_) => break,
            _ => {}
        }
    }
    (
        handle.wait().await.unwrap_or_else(|e| panic!("wait: {e}")),
        limits,
    )
}

fn report(s: &Summary, limit_events: &[String], secs: f64) {
    println!(
        "wall {secs:.1} s; {} requests ({} failed); {} pages crawled; {} findings; {:.0} requests per finding; outcome {:?}",
        s.progress.requests,
        s.progress.failed_requests,
        s.progress.links_crawled,
        s.findings.len(),
        s.progress.requests as f64 / s.findings.len().max(1) as f64,
        s.outcome
    );
    println!(
        "limits_reached {:?}; limit events {limit_events:?}",
        s.limits_reached
    );
    println!("skipped per reason {:?}", s.skipped);
    println!("peak RSS {} KiB", peak_rss_kib());
}

async fn testbed() {
    let tb = rampart_testbed::spawn(TestbedConfig::default())
        .await
        .unwrap_or_else(|e| panic!("testbed: {e}"));
    let base = Url::parse(&format!("{}/", tb.base_url().trim_end_matches('/')))
        .unwrap_or_else(|e| panic!("url: {e}"));
    let mut plan = ScanPlan::for_url(base.clone());
    if let Some(h) = tb.https_url() {
        let https = Url::parse(&format!("{}/", h.trim_end_matches('/')))
            .unwrap_or_else(|e| panic!("url: {e}"));
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
        url: base
            .join(&li.login_path)
            .unwrap_or_else(|e| panic!("url: {e}")),
        username: li.username.clone(),
        password: li.password.clone(),
        username_field: Some(li.username_field.clone()),
        password_field: Some(li.password_field.clone()),
        logged_in_regex: Some(li.logged_in_regex.clone()),
        session_loss_regex: Some(li.session_loss_regex.clone()),
    });
    plan.session.other_login = plan.session.login.clone().map(|l| FormLogin {
        username: li.second_username.clone(),
        password: li.second_password.clone(),
        ..l
    });
    plan.limits.max_time_probe = Duration::from_secs(2);
    plan.limits.max_duration = Duration::from_secs(600);
    let start = Instant::now();
    let (s, limits) = run(plan).await;
    let secs = start.elapsed().as_secs_f64();
    let hit = |c: &Case| {
        s.findings.iter().any(|f| {
            let p = (!f.root_cause_parameter.is_empty()).then_some(f.root_cause_parameter.as_str());
            c.matches(&f.module_key, &f.root_cause_url, p)
        })
    };
    let cases: Vec<Case> = tb
        .manifest()
        .into_iter()
        .filter(|c| !c.needs_definition)
        .collect();
    let vulnerable: Vec<&Case> = cases.iter().filter(|c| c.vulnerable).collect();
    let missed: Vec<&str> = vulnerable
        .iter()
        .filter(|c| !hit(c))
        .map(|c| c.id.as_str())
        .collect();
    let false_pos: Vec<&str> = cases
        .iter()
        .filter(|c| !c.vulnerable && hit(c))
        .map(|c| c.id.as_str())
        .collect();
    println!(
        "testbed: recall {}/{} vulnerable cases; missed {missed:?}; false positives {}/{} safe twins {false_pos:?}",
        vulnerable.len() - missed.len(),
        vulnerable.len(),
        false_pos.len(),
        cases.len() - vulnerable.len()
    );
    report(&s, &limits, secs);
    tb.shutdown().await;
}

async fn site(pages: usize) {
    let h = rampart_testbed::generated::spawn_site(pages)
        .await
        .unwrap_or_else(|e| panic!("site: {e}"));
    let base = Url::parse(&h.base_url).unwrap_or_else(|e| panic!("url: {e}"));
    let mut plan = ScanPlan::for_url(base);
    plan.modules = Modules::template("Cross-Site Scripting").unwrap_or_else(|| panic!("template"));
    plan.limits.max_duration = Duration::from_secs(1800);
    plan.limits.concurrency = 16;
    plan.limits.per_host_concurrency = 16;
    let start = Instant::now();
    let (s, limits) = run(plan).await;
    let secs = start.elapsed().as_secs_f64();
    let want = h.site.vulnerable_pages();
    let found = want
        .iter()
        .filter(|p| {
            let path = p.split('?').next().unwrap_or(p);
            s.findings
                .iter()
                .any(|f| f.module_key == "xss_reflected" && f.root_cause_url.contains(path))
        })
        .count();
    println!(
        "site: {pages} pages ({} articles, {} products); reflected XSS on {found}/{} vulnerable pages",
        h.site.articles,
        h.site.products,
        want.len()
    );
    report(&s, &limits, secs);
    h.shutdown().await;
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("runtime: {e}"));
    rt.block_on(async {
        match args.first().map(String::as_str) {
            Some("testbed") | None => testbed().await,
            Some("site") => {
                let n = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(5000);
                site(n).await
            }
            Some(other) => panic!("unknown mode {other}: testbed | site N"),
        }
    });
}
