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
