//! The report model: what every renderer reads, owned by this crate and built only by the
//! adapters ([`crate::local`] from an engine scan, [`crate::api`] from `/ias/v1` data).

use chrono::{DateTime, SecondsFormat, Utc};
use rampart_domain::catalogue::ModuleMeta;
pub use rampart_domain::scan::VulnStatus;
use rampart_domain::{ParameterLocation, Severity};
pub use rampart_engine::events::{Level, LimitKind, Outcome, Progress, SkipReason};
pub use rampart_engine::finding::Confidence;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Version of the JSON report layout (see docs/scan-report.md).
pub const REPORT_SCHEMA: &str = "rampart.scan-report/1";

/// The producing tool.
#[derive(Clone, Debug, Serialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

/// One scan event kept in the report.
#[derive(Clone, Debug, Serialize)]
pub struct LogLine {
    pub level: Level,
    pub message: String,
}

/// A raw request and response, as text.
#[derive(Clone, Debug, Serialize)]
pub struct Exchange {
    pub request: String,
    pub response: String,
}

/// One way a finding was shown.
#[derive(Clone, Debug, Serialize)]
pub struct Variance {
    pub url: String,
    pub attack_id: String,
    pub attack_value: String,
    pub proof: String,
    pub proof_description: String,
    pub confidence: Confidence,
    pub original: Option<Exchange>,
    pub attack: Option<Exchange>,
}

/// One finding: a vulnerability of one module at one root cause, with its variances.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    pub id: uuid::Uuid,
    pub module_key: String,
    pub module_id: uuid::Uuid,
    pub name: String,
    pub severity: Severity,
    /// The highest confidence of the variances, as the engine reported it.
    pub confidence: Confidence,
    pub root_cause_url: String,
    pub root_cause_parameter: String,
    pub root_cause_method: String,
    pub location: Option<ParameterLocation>,
    pub cwe: u32,
    pub cvss_vector: String,
    pub variances: Vec<Variance>,
    /// The triage status on the server (`None` for a local scan).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<VulnStatus>,
    /// The catalogue entry of the module (description, remediation, references), when known.
    #[serde(skip)]
    pub module: Option<&'static ModuleMeta>,
}

/// How the scan (or scans) went, without the findings.
#[derive(Clone, Debug, Serialize)]
pub struct RunSummary {
    pub outcome: Outcome,
    pub progress: Progress,
    pub duration_ms: u64,
    pub limits_reached: Vec<LimitKind>,
    /// What each limit left out (one line per limit, from the engine); empty when unknown.
    pub limit_details: Vec<String>,
    /// The pages crawled, as `METHOD URL`.
    pub crawled: Vec<String>,
    /// Count of URLs not visited, per reason.
    pub skipped: BTreeMap<SkipReason, u64>,
    /// The first skipped URLs with their reasons (bounded).
    pub skipped_sample: Vec<(String, SkipReason)>,
    /// Pages not crawled because their request got no answer (after the one retry of an
    /// idempotent request), per reason; `skipped` counts them as `request_failed`. Empty when
    /// none, or unknown (a server scan whose engine predates the platform's coverage).
    pub dropped: BTreeMap<String, u64>,
    /// Attack jobs (one check on one insertion point or resource) abandoned with their
    /// remaining payloads because a request got no answer, per reason (empty as `dropped`).
    pub abandoned: BTreeMap<String, u64>,
    pub browser_crawl: String,
    pub error: Option<String>,
}

/// What was scanned, when and by what: the header of every report.
#[derive(Clone, Debug)]
pub struct RunInfo {
    pub tool: Tool,
    /// The seed URL as given.
    pub target: String,
    /// The attack template name.
    pub template: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
}

/// A finished scan and its run metadata: the input of every renderer.
#[derive(Clone, Debug)]
pub struct ReportModel {
    pub tool: Tool,
    /// The seed URL as given.
    pub target: String,
    /// The attack template name.
    pub template: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub summary: RunSummary,
    pub findings: Vec<Finding>,
    pub log: Vec<LogLine>,
}

impl ReportModel {
    /// A model from its parts (the adapters' common end).
    pub fn new(
        run: RunInfo,
        summary: RunSummary,
        findings: Vec<Finding>,
        log: Vec<LogLine>,
    ) -> Self {
        Self {
            tool: run.tool,
            target: run.target,
            template: run.template,
            started_at: run.started_at,
            finished_at: run.finished_at,
            summary,
            findings,
            log,
        }
    }

    /// Severity counts, highest severity first (every severity listed, zeros included).
    pub fn counts(&self) -> Vec<(Severity, usize)> {
        Severity::ALL
            .iter()
            .rev()
            .map(|s| {
                (
                    *s,
                    self.findings.iter().filter(|f| f.severity == *s).count(),
                )
            })
            .collect()
    }

    /// Findings ordered for display: severity (highest first), then module, URL, parameter.
    /// The order is total on the dedupe key, so it is deterministic.
    pub fn sorted_findings(&self) -> Vec<&Finding> {
        let mut v: Vec<&Finding> = self.findings.iter().collect();
        v.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.module_key.cmp(&b.module_key))
                .then_with(|| a.root_cause_url.cmp(&b.root_cause_url))
                .then_with(|| a.root_cause_parameter.cmp(&b.root_cause_parameter))
                .then_with(|| a.root_cause_method.cmp(&b.root_cause_method))
        });
        v
    }

    /// What the scan could not cover because requests got no answer, one line each (pages
    /// dropped by the crawl, attack jobs abandoned), with the count per reason; empty when
    /// nothing was lost. The one wording every format that shows statistics uses.
    pub fn losses(&self) -> Vec<(&'static str, String)> {
        let per_reason = |m: &BTreeMap<String, u64>| {
            m.iter()
                .map(|(reason, n)| format!("{n} ({reason})"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut out = Vec::new();
        let s = &self.summary;
        if !s.dropped.is_empty() {
            out.push(("Pages not crawled (no answer)", per_reason(&s.dropped)));
        }
        if !s.abandoned.is_empty() {
            out.push((
                "Attack jobs abandoned (no answer; remaining payloads not sent)",
                per_reason(&s.abandoned),
            ));
        }
        out
    }

    pub fn rfc3339(t: &DateTime<Utc>) -> String {
        t.to_rfc3339_opts(SecondsFormat::AutoSi, false)
    }
}

/// Stable fingerprint of a finding across scans: a hash of its dedupe key
/// (module, root cause URL, parameter, method). The random finding id is not part of it.
pub fn fingerprint(f: &Finding) -> String {
    let mut h = Sha256::new();
    for part in [
        &f.module_key,
        &f.root_cause_url,
        &f.root_cause_parameter,
        &f.root_cause_method,
    ] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    hex::encode(h.finalize())
}

/// The catalogue's descriptions are small HTML fragments (`<p>…</p>`): their paragraphs as
/// plain text (tags dropped, the basic entities decoded), so each renderer escapes them itself.
pub fn paragraphs(html: &str) -> Vec<String> {
    let mut text = String::new();
    let mut in_tag = false;
    let mut tag = String::new();
    for c in html.chars() {
        match (in_tag, c) {
            (false, '<') => {
                in_tag = true;
                tag.clear();
            }
            (true, '>') => {
                in_tag = false;
                let t = tag.trim_start_matches('/').to_ascii_lowercase();
                if t == "p" || t.starts_with("p ") || t.starts_with("br") {
                    text.push('\n');
                }
            }
            (true, _) => tag.push(c),
            (false, _) => text.push(c),
        }
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    text.split('\n')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(String::from)
        .collect()
}

/// [`paragraphs`] joined by blank lines.
pub fn plain_text(html: &str) -> String {
    paragraphs(html).join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_html_becomes_plain_paragraphs() {
        assert_eq!(
            paragraphs("<p>A &amp; B &lt;x&gt;.</p><p>Second.</p>"),
            vec!["A & B <x>.".to_string(), "Second.".to_string()]
        );
        assert_eq!(plain_text("no tags"), "no tags");
        assert_eq!(plain_text("<p>a</p>\n<p>b</p>"), "a\n\nb");
    }
}
