//! Benchmark (not a test): time and peak memory to render one format for a scan with N
//! findings. One format per process, so the peak RSS (`VmHWM`) is that format's.
//!
//! `cargo run --release -p rampart-report --example render_bench -- FORMAT [N]`, FORMAT one of
//! the scan formats (`json`, `sarif`, `html`, `csv`, `junit`, `markdown`), `none` (the model
//! only), or a server report document: `doc-html` (the zipped HTML report) or `doc-pdf`.
//! (`bench/report.sh` runs every format and prints a Markdown table.)

use chrono::{TimeZone, Utc};
use rampart_domain::{ParameterLocation, Severity};
use rampart_engine::events::{Outcome, Progress};
use rampart_engine::finding::{Confidence, Exchange, Finding, Variance};
use rampart_engine::Summary;
use rampart_report::{
    local, render, render_document, AppSection, DocFormat, DocumentInput, Format, ReportModel,
    ReportType, RunInfo, ScanSummary, Tool, Trend, VulnStatus,
};
use std::time::Instant;

const MODULES: &[&str] = &[
    "sqli",
    "xss_reflected",
    "x_frame_options",
    "path_traversal",
    "cmdi",
];

fn model(n: usize) -> ReportModel {
    let sevs = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Informational,
    ];
    let findings = (0..n)
        .map(|i| {
            let key = MODULES[i % MODULES.len()];
            let meta = rampart_engine::module(key)
                .or_else(|| rampart_engine::module("sqli"))
                .expect("module");
            let url = format!("http://shop.test/page{i}?id=");
            Finding {
                id: uuid::Uuid::from_u128(i as u128 + 1),
                module_key: meta.key.into(),
                module_id: meta.id.0,
                name: meta.name.into(),
                severity: sevs[i % sevs.len()],
                confidence: Confidence::Confirmed,
                root_cause_url: url.clone(),
                root_cause_parameter: "id".into(),
                root_cause_method: "GET".into(),
                location: Some(ParameterLocation::Query),
                cwe: meta.cwe,
                cvss_vector: meta.cvss_vector.into(),
                variances: vec![Variance {
                    url: url.clone(),
                    attack_id: "A_01".into(),
                    attack_value: "1' OR '1'='1".into(),
                    proof: "You have an error in your SQL syntax near '1''".into(),
                    proof_description: "the response shows a database error".into(),
                    confidence: Confidence::Confirmed,
                    original: None,
                    attack: Some(Exchange {
                        request: format!("GET {url}1%27 HTTP/1.1\r\nHost: shop.test\r\nUser-Agent: rampart\r\nAccept: */*\r\n\r\n"),
                        response: format!("HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/html\r\n\r\n<html><body>{}</body></html>", "error <b>near</b> &amp; ".repeat(40)),
                    }),
                }],
            }
        })
        .collect();
    let run = RunInfo {
        tool: Tool {
            name: "rampart".into(),
            version: "bench".into(),
        },
        target: "http://shop.test/".into(),
        template: "All Modules".into(),
        started_at: Utc.with_ymd_and_hms(2026, 1, 2, 3, 0, 0).unwrap(),
        finished_at: Utc.with_ymd_and_hms(2026, 1, 2, 4, 0, 0).unwrap(),
    };
    let summary = Summary {
        outcome: Outcome::Complete,
        progress: Progress::default(),
        duration_ms: 3_600_000,
        limits_reached: vec![],
        limit_details: vec![],
        findings,
        crawled: vec![],
        skipped: Default::default(),
        skipped_sample: vec![],
        dropped: Default::default(),
        abandoned: Default::default(),
        browser_crawl: "n/a",
        error: None,
    };
    // The model is built as `rampart scan` builds it: through the local adapter.
    local::from_scan(run, summary, vec![])
}

fn vm_hwm_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let format = args.next().unwrap_or_else(|| "json".into());
    let n: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let t = Instant::now();
    let m = model(n);
    let build_ms = t.elapsed().as_secs_f64() * 1000.0;
    let model_kib = vm_hwm_kib();
    if format == "none" {
        println!("{{\"format\":\"none\",\"findings\":{n},\"build_ms\":{build_ms:.1},\"peak_rss_kib\":{model_kib}}}");
        return;
    }
    let t = Instant::now();
    let out = match format.strip_prefix("doc-") {
        Some(doc) => {
            let f = DocFormat::parse(&doc.to_ascii_uppercase()).expect("doc-html|doc-pdf");
            render_document(&document(m), f).expect("render")
        }
        None => {
            let f = Format::parse(&format).expect("json|sarif|html|csv|junit|markdown|none");
            render(&m, f).expect("render").into_bytes()
        }
    };
    let render_ms = t.elapsed().as_secs_f64() * 1000.0;
    println!(
        "{{\"format\":\"{format}\",\"findings\":{n},\"render_ms\":{render_ms:.1},\"bytes\":{},\"peak_rss_kib\":{},\"model_peak_rss_kib\":{model_kib}}}",
        out.len(),
        vm_hwm_kib()
    );
}

/// A VULN_SUMMARY document of one app whose findings carry every triage status.
fn document(mut m: ReportModel) -> DocumentInput {
    let statuses = [
        VulnStatus::Unreviewed,
        VulnStatus::Verified,
        VulnStatus::FalsePositive,
    ];
    for (i, f) in m.findings.iter_mut().enumerate() {
        f.status = Some(statuses[i % statuses.len()]);
    }
    DocumentInput {
        title: "Benchmark".into(),
        report_type: ReportType::VulnSummary,
        generated_at: Utc.with_ymd_and_hms(2026, 1, 3, 0, 0, 0).unwrap(),
        filter_text: None,
        period: None,
        sections: vec![AppSection {
            app_id: uuid::Uuid::from_u128(1),
            app_name: "shop".into(),
            scan: Some(ScanSummary {
                id: uuid::Uuid::from_u128(2),
                config_name: "full".into(),
                status: "COMPLETE".into(),
                submitted: Some(m.started_at),
                completed: Some(m.finished_at),
            }),
            model: m,
            trend: Some(Trend::default()),
        }],
    }
}
