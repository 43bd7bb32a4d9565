//! Adapter: `/ias/v1` scans and vulnerabilities (what `rampart report` reads from a server)
//! as a report model, keeping the confidence the engine reported for each variance.

use crate::model::{
    Confidence, Exchange, Finding, Level, LimitKind, LogLine, Outcome, Progress, ReportModel,
    RunInfo, RunSummary, Tool, Variance, VulnStatus,
};
use chrono::{DateTime, NaiveDateTime, Utc};
use rampart_api_types::ias::{self, Scan, ScanExecutionDetails, Vulnerability};
use rampart_domain::Severity;
use std::collections::BTreeMap;
use uuid::Uuid;

/// One server scan and what the report needs about it.
#[derive(Debug, Clone)]
pub struct ScanData {
    pub scan: Scan,
    pub app: String,
    pub config: String,
    pub template: String,
    /// The first seed URL of the config.
    pub target: String,
    pub details: Option<ScanExecutionDetails>,
    /// What the scan could not cover, when its engine said (`execution-details`' `coverage`).
    pub coverage: Option<ias::ScanCoverage>,
    pub vulnerabilities: Vec<Vulnerability>,
}

/// A wire confidence as the report's: the platform's `LOW`/`MEDIUM`/`HIGH`/`CONFIRMED`
/// and the engine's own `TENTATIVE`/`FIRM`/`CONFIRMED` (`CERTAIN` read as confirmed); the
/// inverse of what the worker sends ([`Confidence::as_platform`]).
pub fn confidence(wire: &str) -> Option<Confidence> {
    Confidence::from_platform(wire)
}

fn ias_time(s: Option<&str>) -> Option<DateTime<Utc>> {
    let s = s?.trim().trim_end_matches('Z');
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|t| t.and_utc())
}

fn exchange(x: &ias::Exchange) -> Exchange {
    Exchange {
        request: x.request.clone(),
        response: x.response.clone(),
    }
}

/// A server vulnerability as a report finding. Module metadata (name, CWE, description)
/// comes from the engine catalogue by module id, else from the server's module names
/// (`modules`). A variance's confidence is the one on the wire; a server that does not
/// send it (before the field existed) reads as `FIRM`. The finding's is the highest.
pub fn finding(v: &Vulnerability, modules: &BTreeMap<Uuid, String>) -> Finding {
    let module_id = v.variances.first().map(|x| x.module.id).unwrap_or_default();
    let meta = rampart_engine::catalogue()
        .iter()
        .find(|m| m.id.0 == module_id);
    let name = meta
        .map(|m| m.name.to_string())
        .or_else(|| modules.get(&module_id).cloned())
        .unwrap_or_else(|| "Unknown module".into());
    let key = meta
        .map(|m| m.key.to_string())
        .unwrap_or_else(|| module_id.to_string());
    let rc = v.root_cause.clone().unwrap_or_default();
    let variances: Vec<Variance> = v
        .variances
        .iter()
        .map(|x| Variance {
            url: rc.url.clone(),
            attack_id: x.attack.id.clone(),
            attack_value: x.attack_value.clone().unwrap_or_default(),
            proof: x.proof.clone().unwrap_or_default(),
            proof_description: x
                .proof_description
                .clone()
                .or(x.message.clone())
                .unwrap_or_default(),
            confidence: x
                .confidence
                .as_deref()
                .and_then(confidence)
                .unwrap_or(Confidence::Firm),
            original: x.original_exchange.as_ref().map(exchange),
            attack: x.attack_exchanges.first().map(exchange),
        })
        .collect();
    Finding {
        id: v.id.unwrap_or_default(),
        module_key: key,
        module_id,
        name,
        severity: v
            .severity
            .as_deref()
            .and_then(Severity::parse)
            .unwrap_or(Severity::Informational),
        confidence: variances
            .iter()
            .map(|x| x.confidence)
            .max()
            .unwrap_or(Confidence::Firm),
        root_cause_url: rc.url.clone(),
        root_cause_parameter: rc.parameter.clone().unwrap_or_default(),
        root_cause_method: rc.method.clone(),
        location: None,
        cwe: meta.map(|m| m.cwe).unwrap_or(0),
        cvss_vector: v
            .vector_string
            .clone()
            .or(meta.map(|m| m.cvss_vector.to_string()))
            .unwrap_or_default(),
        variances,
        status: v.status.as_deref().and_then(VulnStatus::parse),
        module: meta,
    }
}

/// One report model for one or more server scans.
pub fn model(tool: Tool, scans: &[ScanData], modules: &BTreeMap<Uuid, String>) -> ReportModel {
    let join = |f: &dyn Fn(&ScanData) -> String| {
        let mut v: Vec<String> = scans.iter().map(f).collect();
        v.dedup();
        v.join(", ")
    };
    let started = scans
        .iter()
        .filter_map(|s| ias_time(s.scan.submit_time.as_deref()))
        .min()
        .unwrap_or_default();
    let finished = scans
        .iter()
        .filter_map(|s| ias_time(s.scan.completion_time.as_deref()))
        .max()
        .unwrap_or(started);
    let mut progress = Progress::default();
    for d in scans.iter().filter_map(|s| s.details.as_ref()) {
        let u = |n: i64| u64::try_from(n).unwrap_or(0);
        progress.links_in_queue += u(d.links_in_queue);
        progress.links_crawled += u(d.links_crawled);
        progress.attacks_in_queue += u(d.attacks_in_queue);
        progress.attacked += u(d.attacked);
        progress.vulnerable += u(d.vulnerable);
        progress.requests += u(d.requests);
        progress.failed_requests += u(d.failed_requests);
        progress.logged_in |= d.logged_in;
    }
    let all_complete = scans
        .iter()
        .all(|s| s.scan.status.as_deref() == Some("COMPLETE"));
    let failures: Vec<String> = scans
        .iter()
        .filter_map(|s| s.scan.failure_reason.clone())
        .collect();
    // Limits and losses of every scan: the same lines a local report shows.
    let (mut limits_reached, mut limit_details) = (Vec::new(), Vec::new());
    let (mut dropped, mut abandoned) = (BTreeMap::new(), BTreeMap::new());
    for c in scans.iter().filter_map(|s| s.coverage.as_ref()) {
        for k in c.limits_reached.iter().filter_map(|k| LimitKind::parse(k)) {
            if !limits_reached.contains(&k) {
                limits_reached.push(k);
            }
        }
        limit_details.extend(c.limit_details.iter().cloned());
        for (into, from) in [(&mut dropped, &c.dropped), (&mut abandoned, &c.abandoned)] {
            for (reason, n) in from {
                *into.entry(reason.clone()).or_insert(0) += n;
            }
        }
    }
    let summary = RunSummary {
        outcome: if all_complete {
            Outcome::Complete
        } else {
            Outcome::Failed
        },
        progress,
        duration_ms: u64::try_from((finished - started).num_milliseconds()).unwrap_or(0),
        limits_reached,
        limit_details,
        crawled: vec![],
        skipped: BTreeMap::new(),
        skipped_sample: vec![],
        dropped,
        abandoned,
        browser_crawl: "n/a".into(),
        error: (!failures.is_empty()).then(|| failures.join("; ")),
    };
    let findings = scans
        .iter()
        .flat_map(|s| &s.vulnerabilities)
        .map(|v| finding(v, modules))
        .collect();
    let log = scans
        .iter()
        .map(|s| LogLine {
            level: Level::Info,
            message: format!(
                "scan {}: app {}, scan config {}, status {}",
                s.scan.id.map(|i| i.to_string()).unwrap_or_default(),
                s.app,
                s.config,
                s.scan.status.as_deref().unwrap_or("UNKNOWN")
            ),
        })
        .collect();
    let run = RunInfo {
        tool,
        target: join(&|s| s.target.clone()),
        template: join(&|s| s.template.clone()),
        started_at: started,
        finished_at: finished,
    };
    ReportModel::new(run, summary, findings, log)
}

/// One app section of a server report document from one scan's data (the server builds its
/// [`crate::DocumentInput`] from these): the scan's id, config, status and times, its findings
/// as a model, and the trend the caller computed.
pub fn section(
    tool: Tool,
    app_id: Uuid,
    data: &ScanData,
    modules: &BTreeMap<Uuid, String>,
    trend: Option<crate::Trend>,
) -> crate::AppSection {
    crate::AppSection {
        app_id,
        app_name: data.app.clone(),
        scan: Some(crate::ScanSummary {
            id: data.scan.id.unwrap_or_default(),
            config_name: data.config.clone(),
            status: data.scan.status.clone().unwrap_or_else(|| "UNKNOWN".into()),
            submitted: ias_time(data.scan.submit_time.as_deref()),
            completed: ias_time(data.scan.completion_time.as_deref()),
        }),
        model: model(tool, std::slice::from_ref(data), modules),
        trend,
    }
}
