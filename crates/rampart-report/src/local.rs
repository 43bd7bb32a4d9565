//! Adapter: a local engine scan (`rampart scan`) as a report model. Findings move, not copy.

use crate::model::{Exchange, Finding, LogLine, ReportModel, RunInfo, RunSummary, Variance};
use rampart_engine::finding as ef;
use rampart_engine::Summary;

fn exchange(x: ef::Exchange) -> Exchange {
    Exchange {
        request: x.request,
        response: x.response,
    }
}

fn variance(v: ef::Variance) -> Variance {
    Variance {
        url: v.url,
        attack_id: v.attack_id,
        attack_value: v.attack_value,
        proof: v.proof,
        proof_description: v.proof_description,
        confidence: v.confidence,
        original: v.original.map(exchange),
        attack: v.attack.map(exchange),
    }
}

/// An engine finding as a report finding, with its catalogue entry looked up by module key.
pub fn finding(f: ef::Finding) -> Finding {
    let module = rampart_engine::module(&f.module_key);
    Finding {
        id: f.id,
        module_key: f.module_key,
        module_id: f.module_id,
        name: f.name,
        severity: f.severity,
        confidence: f.confidence,
        root_cause_url: f.root_cause_url,
        root_cause_parameter: f.root_cause_parameter,
        root_cause_method: f.root_cause_method,
        location: f.location,
        cwe: f.cwe,
        cvss_vector: f.cvss_vector,
        variances: f.variances.into_iter().map(variance).collect(),
        status: None,
        module,
    }
}

/// The report of a finished local scan.
pub fn from_scan(run: RunInfo, summary: Summary, log: Vec<LogLine>) -> ReportModel {
    let findings = summary.findings.into_iter().map(finding).collect();
    let run_summary = RunSummary {
        outcome: summary.outcome,
        progress: summary.progress,
        duration_ms: summary.duration_ms,
        limits_reached: summary.limits_reached,
        limit_details: summary.limit_details,
        crawled: summary.crawled,
        skipped: summary.skipped,
        skipped_sample: summary.skipped_sample,
        dropped: summary.dropped,
        abandoned: summary.abandoned,
        browser_crawl: summary.browser_crawl.to_string(),
        error: summary.error,
    };
    ReportModel::new(run, run_summary, findings, log)
}
