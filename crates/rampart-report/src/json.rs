//! JSON: the documented `rampart.scan-report/1` layout (docs/scan-report.md).

use crate::model::{
    Finding, LimitKind, LogLine, Outcome, Progress, ReportModel, SkipReason, Tool, REPORT_SCHEMA,
};
use crate::ReportError;
use serde::Serialize;
use std::collections::BTreeMap;

/// The fields in their documented order (the run summary with the findings inside it).
#[derive(Serialize)]
struct Doc<'a> {
    schema: &'static str,
    tool: &'a Tool,
    target: &'a str,
    template: &'a str,
    started_at: String,
    finished_at: String,
    outcome: Outcome,
    progress: &'a Progress,
    duration_ms: u64,
    limits_reached: &'a [LimitKind],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    limit_details: &'a [String],
    findings: &'a [Finding],
    crawled: &'a [String],
    skipped: &'a BTreeMap<SkipReason, u64>,
    skipped_sample: &'a [(String, SkipReason)],
    dropped: &'a BTreeMap<String, u64>,
    abandoned: &'a BTreeMap<String, u64>,
    browser_crawl: &'a str,
    error: &'a Option<String>,
    log: &'a [LogLine],
}

pub(crate) fn render(m: &ReportModel) -> Result<String, ReportError> {
    let s = &m.summary;
    let doc = Doc {
        schema: REPORT_SCHEMA,
        tool: &m.tool,
        target: &m.target,
        template: &m.template,
        started_at: ReportModel::rfc3339(&m.started_at),
        finished_at: ReportModel::rfc3339(&m.finished_at),
        outcome: s.outcome,
        progress: &s.progress,
        duration_ms: s.duration_ms,
        limits_reached: &s.limits_reached,
        limit_details: &s.limit_details,
        findings: &m.findings,
        crawled: &s.crawled,
        skipped: &s.skipped,
        skipped_sample: &s.skipped_sample,
        dropped: &s.dropped,
        abandoned: &s.abandoned,
        browser_crawl: &s.browser_crawl,
        error: &s.error,
        log: &m.log,
    };
    Ok(serde_json::to_string_pretty(&doc)?)
}
