//! Snapshot tests of every format and format-specific properties.

use crate::fixture::{big_report, report};
use rampart_report::{render, Format, MARKDOWN_LIMIT};

#[test]
fn every_format_matches_its_snapshot() {
    let m = report();
    for f in Format::ALL.iter().filter(|f| f.is_text()) {
        let out = render(&m, *f).unwrap();
        insta::assert_snapshot!(format!("report_{}", f.name()), out);
    }
}

#[test]
fn rendering_is_deterministic() {
    let m = report();
    for f in Format::ALL {
        assert_eq!(
            rampart_report::render_bytes(&m, *f).unwrap(),
            rampart_report::render_bytes(&m, *f).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn format_names_round_trip() {
    for (f, n) in Format::ALL.iter().zip(Format::NAMES) {
        assert_eq!(Format::parse(n), Some(*f));
        assert_eq!(f.name(), *n);
    }
    assert_eq!(Format::parse("xml"), None);
}

#[test]
fn json_keeps_the_documented_layout() {
    let v: serde_json::Value =
        serde_json::from_str(&render(&report(), Format::Json).unwrap()).unwrap();
    assert_eq!(v["schema"], "rampart.scan-report/1");
    assert_eq!(v["started_at"], "2026-01-02T03:04:05+00:00");
    assert_eq!(v["findings"].as_array().unwrap().len(), 3);
    for k in [
        "outcome",
        "progress",
        "crawled",
        "skipped",
        "log",
        "tool",
        "duration_ms",
    ] {
        assert!(v.get(k).is_some(), "missing {k}");
    }
}

#[test]
fn html_escapes_target_text_and_is_self_contained() {
    let html = render(&report(), Format::Html).unwrap();
    assert!(!html.contains("<script>alert"));
    assert!(html.contains("&lt;script&gt;alert"));
    assert!(html.contains("<svg"));
    // One inline filter script, nothing loaded from elsewhere.
    assert_eq!(html.matches("<script").count(), 1);
    assert!(!html.contains("<script src"));
    assert!(!html.contains("<link"));
    assert!(!html.contains("http-equiv=\"refresh\""));
}

#[test]
fn csv_has_one_row_per_finding_and_defuses_formulas() {
    let out = render(&report(), Format::Csv).unwrap();
    let mut r = csv::Reader::from_reader(out.as_bytes());
    let rows: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r.len() == 15));
}

#[test]
fn junit_has_one_failing_case_per_finding() {
    let out = render(&report(), Format::Junit).unwrap();
    assert_eq!(out.matches("<testcase").count(), 3);
    assert_eq!(out.matches("<failure").count(), 3);
    assert!(out.contains("&lt;script&gt;"));
    let mut empty = report();
    empty.findings.clear();
    let out = render(&empty, Format::Junit).unwrap();
    assert_eq!(out.matches("<testcase").count(), 1);
    assert_eq!(out.matches("<failure").count(), 0);
}

#[test]
fn markdown_stays_under_the_github_limit_with_a_note() {
    let out = render(&big_report(2_000), Format::Markdown).unwrap();
    assert!(out.chars().count() <= MARKDOWN_LIMIT);
    assert!(out.contains("**Truncated:**"));
    let small = render(&report(), Format::Markdown).unwrap();
    assert!(!small.contains("Truncated"));
    assert!(small.contains("\\<script\\>"));
}

/// Pages the crawl dropped and attack jobs abandoned because requests got no answer are
/// shown with their reasons in every format that shows the scan's figures (JSON, SARIF,
/// HTML, Markdown, PDF); CSV and JUnit list findings only.
#[test]
fn lost_pages_and_abandoned_attacks_are_shown_with_their_reasons() {
    let m = report();
    let json: serde_json::Value = serde_json::from_str(&render(&m, Format::Json).unwrap()).unwrap();
    assert_eq!(json["dropped"]["connection closed or broken"], 2);
    assert_eq!(json["dropped"]["request timed out"], 1);
    assert_eq!(json["abandoned"]["request timed out"], 3);
    let sarif: serde_json::Value =
        serde_json::from_str(&render(&m, Format::Sarif).unwrap()).unwrap();
    let inv = &sarif["runs"][0]["invocations"][0];
    assert_eq!(inv["properties"]["abandoned"]["request timed out"], 3);
    let notes: Vec<&str> = inv["toolExecutionNotifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["message"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        notes,
        [
            "Pages not crawled (no answer): 2 (connection closed or broken), 1 (request timed out)",
            "Attack jobs abandoned (no answer; remaining payloads not sent): 3 (request timed out)"
        ]
    );
    let pdf = rampart_report::render_bytes(&m, Format::Pdf).unwrap();
    let pdf = crate::documents::pdf_text(&pdf);
    for text in [
        render(&m, Format::Html).unwrap(),
        render(&m, Format::Markdown).unwrap(),
        pdf.replace('\n', " "),
    ] {
        for want in [
            "Pages not crawled (no answer)",
            "2 (connection closed or broken), 1 (request timed out)",
            "Attack jobs abandoned",
            "3 (request timed out)",
        ] {
            assert!(text.contains(want), "{want:?} missing from:\n{text}");
        }
    }
    // Nothing lost, nothing said.
    let mut clean = report();
    clean.summary.dropped.clear();
    clean.summary.abandoned.clear();
    for f in [Format::Html, Format::Markdown, Format::Sarif] {
        let out = render(&clean, f).unwrap();
        assert!(!out.contains("not crawled (no answer)"), "{f}");
        assert!(!out.contains("toolExecutionNotifications"), "{f}");
    }
}
