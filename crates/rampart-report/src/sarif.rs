//! SARIF 2.1.0 for GitHub code scanning: one rule per module, one result per finding.

use crate::exchange;
use crate::model::{fingerprint, plain_text, Exchange, Finding, ReportModel};
use crate::ReportError;
use rampart_domain::Severity;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Informational | Severity::Safe => "note",
    }
}

/// GitHub's `security-severity`: a CVSS-like score that maps back to the severity band.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Informational | Severity::Safe => "0.0",
    }
}

fn rule(f: &Finding) -> Value {
    let m = f.module;
    let description = plain_text(m.map(|m| m.description).unwrap_or(f.name.as_str()));
    let recommendation = plain_text(m.map(|m| m.recommendation).unwrap_or(""));
    let refs: Vec<(&str, &str)> = m.map(|m| m.references.to_vec()).unwrap_or_default();
    let mut help_text = format!("{description}\n\nRemediation: {recommendation}");
    let mut help_md = format!("{description}\n\n**Remediation:** {recommendation}");
    if !refs.is_empty() {
        help_text.push_str("\n\nReferences:");
        help_md.push_str("\n\n**References:**\n");
        for (title, url) in &refs {
            help_text.push_str(&format!("\n- {title}: {url}"));
            help_md.push_str(&format!("\n- [{title}]({url})"));
        }
    }
    let mut tags = vec![
        "security".to_string(),
        format!("external/cwe/cwe-{}", f.cwe),
    ];
    if let Some(o) = m.map(|m| m.owasp_2021).filter(|o| !o.is_empty()) {
        tags.push(format!("external/owasp/{o}"));
    }
    let mut r = json!({
        "id": f.module_key,
        "name": f.name,
        "shortDescription": { "text": f.name },
        "fullDescription": { "text": description },
        "help": { "text": help_text, "markdown": help_md },
        "defaultConfiguration": { "level": level(f.severity) },
        "properties": {
            "tags": tags,
            "precision": "high",
            "problem.severity": level(f.severity),
            "security-severity": security_severity(f.severity),
            "cvss-vector": f.cvss_vector,
        },
    });
    if let Some((_, url)) = refs.first() {
        r["helpUri"] = json!(url);
    }
    r
}

fn headers(h: &[(&str, &str)]) -> Value {
    let mut m = Map::new();
    for (n, v) in h {
        m.insert((*n).to_string(), json!(v));
    }
    Value::Object(m)
}

fn web_request(x: &Exchange) -> Value {
    let msg = exchange::parse(&x.request);
    let mut parts = msg.start.split_whitespace();
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("");
    let (protocol, version) = parts
        .next()
        .and_then(|p| p.split_once('/'))
        .unwrap_or(("HTTP", "1.1"));
    json!({
        "protocol": protocol, "version": version, "method": method, "target": target,
        "headers": headers(&msg.headers), "body": { "text": msg.body },
    })
}

fn web_response(x: &Exchange) -> Value {
    let msg = exchange::parse(&x.response);
    let mut parts = msg.start.splitn(3, ' ');
    let (protocol, version) = parts
        .next()
        .and_then(|p| p.split_once('/'))
        .unwrap_or(("HTTP", "1.1"));
    let mut v = json!({
        "protocol": protocol, "version": version,
        "headers": headers(&msg.headers), "body": { "text": msg.body },
    });
    if let Some(code) = parts.next().and_then(|c| c.parse::<i64>().ok()) {
        v["statusCode"] = json!(code);
    }
    if let Some(reason) = parts.next() {
        v["reasonPhrase"] = json!(reason);
    }
    v
}

fn result(f: &Finding, rule_index: usize) -> Value {
    let first = f.variances.first();
    let mut message = format!("{} at {} {}", f.name, f.root_cause_method, f.root_cause_url);
    if !f.root_cause_parameter.is_empty() {
        message.push_str(&format!(" (parameter `{}`)", f.root_cause_parameter));
    }
    if let Some(v) = first {
        message.push_str(&format!(". {}: {}", v.proof_description, v.proof));
    }
    let mut r = json!({
        "ruleId": f.module_key,
        "ruleIndex": rule_index,
        "level": level(f.severity),
        "message": { "text": message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": f.root_cause_url },
                "region": { "startLine": 1 },
            },
            "logicalLocations": [{
                "name": f.root_cause_parameter,
                "fullyQualifiedName": format!("{} {} {}", f.root_cause_method, f.root_cause_url, f.root_cause_parameter),
                "kind": "parameter",
            }],
        }],
        "partialFingerprints": { "rampartFinding/v1": fingerprint(f) },
        "properties": {
            "severity": f.severity.as_str(),
            "confidence": f.confidence,
            "parameter": f.root_cause_parameter,
            "location": f.location.map(|l| l.as_str()),
            "variances": f.variances.len(),
        },
    });
    if let Some(x) = first.and_then(|v| v.attack.as_ref().or(v.original.as_ref())) {
        r["webRequest"] = web_request(x);
        r["webResponse"] = web_response(x);
    }
    r
}

pub(crate) fn render(m: &ReportModel) -> Result<String, ReportError> {
    let findings = m.sorted_findings();
    // One rule per module present, ordered by key so that rule indexes are deterministic.
    let mut rule_of: BTreeMap<&str, &Finding> = BTreeMap::new();
    for f in &findings {
        rule_of.entry(f.module_key.as_str()).or_insert(f);
    }
    let index: BTreeMap<&str, usize> = rule_of.keys().enumerate().map(|(i, k)| (*k, i)).collect();
    let rules: Vec<Value> = rule_of.values().map(|f| rule(f)).collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| result(f, index.get(f.module_key.as_str()).copied().unwrap_or(0)))
        .collect();
    // What requests that got no answer left uncovered: counts per reason for machines, and
    // one warning notification per kind for viewers.
    let notifications: Vec<Value> = m
        .losses()
        .into_iter()
        .map(|(label, line)| {
            json!({
                "level": "warning",
                "message": { "text": format!("{label}: {line}") },
            })
        })
        .collect();
    let mut invocation = json!({
        "executionSuccessful": m.summary.error.is_none(),
        "startTimeUtc": ReportModel::rfc3339(&m.started_at),
        "endTimeUtc": ReportModel::rfc3339(&m.finished_at),
    });
    if !notifications.is_empty() {
        invocation["toolExecutionNotifications"] = Value::Array(notifications);
        invocation["properties"] = json!({
            "dropped": m.summary.dropped,
            "abandoned": m.summary.abandoned,
        });
    }
    let doc = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": m.tool.name, "version": m.tool.version,
                "semanticVersion": m.tool.version,
                "rules": rules,
            }},
            "automationDetails": { "id": format!("rampart/{}/", m.template) },
            "invocations": [invocation],
            "properties": { "target": m.target, "outcome": m.summary.outcome },
            "results": results,
        }],
    });
    Ok(serde_json::to_string_pretty(&doc)?)
}
