//! The report model shared by every renderer.

use chrono::{DateTime, SecondsFormat, Utc};
use rampart_domain::catalogue::ModuleMeta;
use rampart_domain::Severity;
use rampart_engine::events::Level;
use rampart_engine::finding::Finding;
use rampart_engine::Summary;
use serde::Serialize;
use sha2::{Digest, Sha256};

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
    pub summary: Summary,
    pub log: Vec<LogLine>,
}

impl ReportModel {
    /// Severity counts, highest severity first (every severity listed, zeros included).
    pub fn counts(&self) -> Vec<(Severity, usize)> {
        Severity::ALL
            .iter()
            .rev()
            .map(|s| {
                let n = self
                    .summary
                    .findings
                    .iter()
                    .filter(|f| f.severity == *s)
                    .count();
                (*s, n)
            })
            .collect()
    }

    /// Findings ordered for display: severity (highest first), then module, URL, parameter.
    /// The order is total on the dedupe key, so it is deterministic.
    pub fn sorted_findings(&self) -> Vec<&Finding> {
        let mut v: Vec<&Finding> = self.summary.findings.iter().collect();
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

    pub fn rfc3339(t: &DateTime<Utc>) -> String {
        t.to_rfc3339_opts(SecondsFormat::AutoSi, false)
    }
}

/// The catalogue entry of a finding's module, if the module is known.
pub fn meta(f: &Finding) -> Option<&'static ModuleMeta> {
    rampart_engine::module(&f.module_key)
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
