//! A fixed, handmade scan report (deterministic ids and times), built from an engine
//! summary through the local adapter as `rampart scan` does.

use chrono::{TimeZone, Utc};
use rampart_domain::{ParameterLocation, Severity};
use rampart_engine::events::{Level, Outcome, Progress};
use rampart_engine::finding::{Confidence, Exchange, Finding, Variance};
use rampart_engine::Summary;
use rampart_report::{local, LogLine, ReportModel, RunInfo, Tool};
use uuid::Uuid;

fn finding(n: u128, key: &str, sev: Severity, url: &str, param: &str, v: Variance) -> Finding {
    let meta = rampart_engine::module(key).expect("known module");
    Finding {
        id: Uuid::from_u128(n),
        module_key: key.into(),
        module_id: meta.id.0,
        name: meta.name.into(),
        severity: sev,
        confidence: v.confidence,
        root_cause_url: url.into(),
        root_cause_parameter: param.into(),
        root_cause_method: "GET".into(),
        location: (!param.is_empty()).then_some(ParameterLocation::Query),
        cwe: meta.cwe,
        cvss_vector: meta.cvss_vector.into(),
        variances: vec![v],
    }
}

fn variance(url: &str, attack_id: &str, value: &str, proof: &str, exchange: bool) -> Variance {
    Variance {
        url: url.into(),
        attack_id: attack_id.into(),
        attack_value: value.into(),
        proof: proof.into(),
        proof_description: "the response shows the injected payload had an effect".into(),
        confidence: Confidence::Confirmed,
        original: None,
        attack: exchange.then(|| Exchange {
            request: format!("GET {url} HTTP/1.1\r\nHost: shop.test\r\nUser-Agent: rampart\r\n\r\n"),
            response: "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/html\r\n\r\n<b>You have an error in your SQL syntax</b> & more".into(),
        }),
    }
}

/// Three findings of three severities, with text that needs escaping in every format.
pub fn report() -> ReportModel {
    let findings = vec![
        finding(
            1,
            "x_frame_options",
            Severity::Low,
            "http://shop.test/",
            "",
            variance(
                "http://shop.test/",
                "XFO_01",
                "",
                "no X-Frame-Options header",
                false,
            ),
        ),
        finding(
            2,
            "sqli",
            Severity::High,
            "http://shop.test/item?id=",
            "id",
            variance(
                "http://shop.test/item?id=1%27",
                "SQLI_01",
                "1'",
                "You have an error in your SQL syntax",
                true,
            ),
        ),
        finding(
            3,
            "xss_reflected",
            Severity::High,
            "http://shop.test/search?q=",
            "q",
            variance(
                "http://shop.test/search?q=%3Cscript%3E",
                "XSS_01",
                "<script>alert(\"x\")</script>|=cmd",
                "<script>alert(\"x\")</script>",
                true,
            ),
        ),
    ];
    let run = RunInfo {
        tool: Tool {
            name: "rampart".into(),
            version: "0.0.0-test".into(),
        },
        target: "http://shop.test/".into(),
        template: "All Modules".into(),
        started_at: Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap(),
        finished_at: Utc.with_ymd_and_hms(2026, 1, 2, 3, 5, 6).unwrap(),
    };
    let summary = Summary {
        outcome: Outcome::Complete,
        progress: Progress {
            links_crawled: 12,
            requests: 345,
            failed_requests: 2,
            vulnerable: 3,
            ..Progress::default()
        },
        duration_ms: 61_000,
        limits_reached: vec![],
        limit_details: vec![],
        findings,
        crawled: vec![
            "GET http://shop.test/".into(),
            "GET http://shop.test/item?id=1".into(),
        ],
        skipped: Default::default(),
        skipped_sample: vec![],
        // Requests that got no answer: the pages and attack jobs they cost, per reason.
        dropped: [
            ("connection closed or broken".to_string(), 2),
            ("request timed out".to_string(), 1),
        ]
        .into_iter()
        .collect(),
        abandoned: [("request timed out".to_string(), 3)].into_iter().collect(),
        browser_crawl: "unavailable",
        error: None,
    };
    let log = vec![LogLine {
        level: Level::Info,
        message: "scan started".into(),
    }];
    local::from_scan(run, summary, log)
}

/// `n` distinct high-severity findings with long proofs (for size limits).
pub fn big_report(n: usize) -> ReportModel {
    let mut m = report();
    m.findings = (0..n)
        .map(|i| {
            let url = format!("http://shop.test/p{i}?id=");
            local::finding(finding(
                i as u128 + 100,
                "sqli",
                Severity::High,
                &url,
                "id",
                variance(&url, "SQLI_01", "1'", &"x".repeat(500), true),
            ))
        })
        .collect();
    m
}
