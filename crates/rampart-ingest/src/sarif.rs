//! SARIF 2.1.0: the document is read as a stream (`crate::stream`); each `runs[].results[]`
//! element is checked against the schema's `result` and decoded on its own into a compact
//! record, resolved against its run's rules once the document is read (rules may follow
//! results); the rest of the log is checked against the whole schema. Results of `kind`
//! other than `fail` are skipped.

use crate::fingerprint::{code_fingerprint, Dedup};
use crate::schema::Schema;
use crate::stream::{self, At};
use crate::{normalize_cwe, severity_of_score, Check, Finding, IngestError, Report};
use rampart_domain::{PlusStatus, Severity};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// Parses a SARIF 2.1.0 log.
pub fn parse<R: std::io::Read>(reader: R, check: Check) -> Result<Report, IngestError> {
    let schema = match check {
        Check::Schema => Some(crate::schema::sarif()?),
        Check::Types => None,
    };
    let mut results: Vec<Vec<RawResult>> = Vec::new();
    let mut each = |at: At<'_>, value: Value| {
        if let Some(s) = schema {
            Schema::check(&s.elements[0], || at.pointer(), &value)?;
        }
        let r: SarifResult = IngestError::decode_element(|| at.pointer(), &value)?;
        let run = at.index(1);
        if results.len() <= run {
            results.resize_with(run + 1, Vec::new);
        }
        if r.kind.as_deref().is_none_or(|k| k == "fail") {
            results[run].push(RawResult::from(r));
        }
        Ok(())
    };
    let log = stream::split(reader, &[&["runs", "*", "results"]], &mut each)?;
    // What the importer needs first, with messages that say what to send.
    match log.get("version") {
        Some(Value::String(v)) if v == "2.1.0" => {}
        Some(v) => {
            return Err(IngestError {
                pointer: "/version".into(),
                message: format!("unsupported SARIF version {v}: send a SARIF 2.1.0 log"),
                ..IngestError::document("")
            })
        }
        None => {
            return Err(IngestError::document(
                "the member version is required: a SARIF 2.1.0 log",
            ))
        }
    }
    let Some(runs) = log.get("runs") else {
        return Err(IngestError::document("the member runs is required"));
    };
    if let Some(s) = schema {
        Schema::check(&s.root, String::new, &log)?;
    }
    let runs = match runs {
        Value::Array(runs) => runs.as_slice(),
        Value::Null => &[],
        _ => {
            return Err(IngestError {
                pointer: "/runs".into(),
                message: "runs must be an array of runs".into(),
                ..IngestError::document("")
            })
        }
    };
    let mut report = Report::default();
    for (i, run) in runs.iter().enumerate() {
        let at = format!("/runs/{i}");
        let Some(tool) = run.get("tool") else {
            return Err(IngestError {
                pointer: at,
                message: "missing field `tool`".into(),
                ..IngestError::document("")
            });
        };
        let tool: Tool = IngestError::decode(&format!("{at}/tool"), tool)?;
        let run = Run {
            tool: tool.driver,
            results: results.get_mut(i).map(std::mem::take).unwrap_or_default(),
        };
        run.finish(&mut report);
    }
    Ok(report)
}

/// A run read: its tool and its results, not yet resolved against the rules.
struct Run {
    tool: Driver,
    results: Vec<RawResult>,
}

#[derive(Deserialize)]
struct Tool {
    driver: Driver,
}

#[derive(Deserialize)]
struct Driver {
    name: String,
    #[serde(default)]
    rules: Vec<Rule>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: Option<String>,
    name: Option<String>,
    short_description: Option<Text>,
    full_description: Option<Text>,
    help: Option<Text>,
    default_configuration: Option<Configuration>,
    #[serde(default)]
    properties: RuleProperties,
}

#[derive(Deserialize, Default)]
struct RuleProperties {
    #[serde(rename = "security-severity")]
    security_severity: Option<ScoreText>,
    #[serde(default)]
    tags: Vec<String>,
}

/// A number or a string holding one (tools write both).
#[derive(Deserialize)]
#[serde(untagged)]
enum ScoreText {
    Number(f64),
    Text(String),
}

impl ScoreText {
    fn value(&self) -> Option<f64> {
        match self {
            ScoreText::Number(n) => Some(*n),
            ScoreText::Text(s) => s.trim().parse().ok(),
        }
    }
}

#[derive(Deserialize)]
struct Configuration {
    level: Option<String>,
}

#[derive(Deserialize)]
struct Text {
    text: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: Option<String>,
    rule_index: Option<i64>,
    rule: Option<RuleRef>,
    kind: Option<String>,
    level: Option<String>,
    message: Message,
    #[serde(default)]
    locations: Vec<Location>,
    #[serde(default)]
    partial_fingerprints: BTreeMap<String, String>,
    #[serde(default)]
    suppressions: Vec<Suppression>,
}

#[derive(Deserialize)]
struct RuleRef {
    id: Option<String>,
    index: Option<i64>,
}

#[derive(Deserialize)]
struct Message {
    text: Option<String>,
    markdown: Option<String>,
    id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: Option<PhysicalLocation>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: Option<ArtifactLocation>,
    region: Option<Region>,
    context_region: Option<Region>,
}

#[derive(Deserialize)]
struct ArtifactLocation {
    uri: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: Option<u64>,
    snippet: Option<Text>,
}

#[derive(Deserialize)]
struct Suppression {
    status: Option<String>,
}

/// What a result keeps until its run's rules are known.
struct RawResult {
    rule_id: Option<String>,
    rule_index: Option<usize>,
    level: Option<String>,
    message: String,
    uri: Option<String>,
    line: Option<u64>,
    snippet: Option<String>,
    partial_fingerprints: BTreeMap<String, String>,
    suppressed: bool,
}

impl From<SarifResult> for RawResult {
    fn from(r: SarifResult) -> Self {
        let physical = r.locations.into_iter().find_map(|l| l.physical_location);
        let (uri, line, snippet) = match physical {
            Some(p) => {
                let line = p.region.as_ref().and_then(|r| r.start_line);
                let snippet = [p.region, p.context_region]
                    .into_iter()
                    .flatten()
                    .find_map(|r| r.snippet.and_then(|s| s.text));
                (p.artifact_location.and_then(|a| a.uri), line, snippet)
            }
            None => (None, None, None),
        };
        let rule_id = r
            .rule_id
            .or_else(|| r.rule.as_ref().and_then(|x| x.id.clone()));
        RawResult {
            rule_id,
            // -1 (the schema's default) is "no index".
            rule_index: r
                .rule_index
                .or_else(|| r.rule.and_then(|x| x.index))
                .and_then(|i| usize::try_from(i).ok()),
            level: r.level,
            message: r
                .message
                .text
                .or(r.message.markdown)
                .or(r.message.id)
                .unwrap_or_default(),
            uri,
            line,
            snippet,
            partial_fingerprints: r.partial_fingerprints,
            // A suppression that is not `rejected` (or `underReview`) is a decision.
            suppressed: r
                .suppressions
                .iter()
                .any(|s| s.status.as_deref().is_none_or(|x| x == "accepted")),
        }
    }
}

fn level_severity(level: &str) -> Severity {
    match level {
        "error" => Severity::High,
        "note" => Severity::Low,
        "none" => Severity::Informational,
        _ => Severity::Medium,
    }
}

impl Run {
    fn finish(self, report: &mut Report) {
        let driver = self.tool;
        let tool = driver.name;
        let by_id: BTreeMap<&str, &Rule> = driver
            .rules
            .iter()
            .filter_map(|r| Some((r.id.as_deref()?, r)))
            .collect();
        let none = Rule::default();
        let mut dedup = Dedup::default();
        for r in self.results {
            let rule = r
                .rule_index
                .and_then(|i| driver.rules.get(i))
                .or_else(|| r.rule_id.as_deref().and_then(|id| by_id.get(id).copied()))
                .unwrap_or(&none);
            let rule_id = r
                .rule_id
                .clone()
                .or_else(|| rule.id.clone())
                .unwrap_or_default();
            let score = rule
                .properties
                .security_severity
                .as_ref()
                .and_then(ScoreText::value);
            let severity = match (score, r.level.as_deref()) {
                (Some(s), _) => severity_of_score(s),
                (None, Some(l)) => level_severity(l),
                (None, None) => rule
                    .default_configuration
                    .as_ref()
                    .and_then(|c| c.level.as_deref())
                    .map_or(Severity::Medium, level_severity),
            };
            let cwe = rule.properties.tags.iter().find_map(|t| normalize_cwe(t));
            let text = |t: &Option<Text>| t.as_ref().and_then(|x| x.text.clone());
            let title = text(&rule.short_description)
                .or_else(|| rule.name.clone())
                .unwrap_or_else(|| first_line(&r.message));
            let location = r.uri.as_ref().map(|u| match r.line {
                Some(l) => format!("{u}:{l}"),
                None => u.clone(),
            });
            let base = code_fingerprint(
                &rule_id,
                &r.partial_fingerprints,
                r.uri.as_deref(),
                r.snippet.as_deref(),
                r.line,
            );
            report.findings.push(Finding {
                tool: tool.clone(),
                fingerprint: dedup.unique(base),
                cve: rule_id
                    .to_ascii_uppercase()
                    .starts_with("CVE-")
                    .then(|| rule_id.clone()),
                rule_id,
                title,
                description: Some(r.message).filter(|m| !m.is_empty()),
                severity,
                cwe,
                cvss_score: score,
                location,
                remediation: text(&rule.help).or_else(|| text(&rule.full_description)),
                status: r.suppressed.then_some(PlusStatus::Accepted),
            });
        }
        if !report.tools.contains(&tool) {
            report.tools.push(tool);
        }
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").chars().take(200).collect()
}
