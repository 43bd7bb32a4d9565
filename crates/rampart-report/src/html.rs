//! HTML: one self-contained page (inline CSS and SVG, no scripts), template auto-escaped.

use crate::model::{paragraphs, Finding, ReportModel};
use crate::svg::severity_chart;
use crate::ReportError;
use minijinja::{context, Environment, Value};
use serde::Serialize;

const TEMPLATE: &str = include_str!("../templates/report.html");

#[derive(Serialize)]
struct Group<'a> {
    severity: &'static str,
    modules: Vec<ModuleGroup<'a>>,
}

#[derive(Serialize)]
struct ModuleGroup<'a> {
    key: &'a str,
    name: &'a str,
    description: Vec<String>,
    remediation: Vec<String>,
    references: Vec<(&'static str, &'static str)>,
    cwe: u32,
    findings: Vec<&'a Finding>,
}

fn groups(m: &ReportModel) -> Vec<Group<'_>> {
    let mut out: Vec<Group<'_>> = Vec::new();
    for f in m.sorted_findings() {
        let sev = f.severity.as_str();
        if out.last().map(|g| g.severity) != Some(sev) {
            out.push(Group {
                severity: sev,
                modules: Vec::new(),
            });
        }
        let Some(g) = out.last_mut() else { continue };
        if g.modules.last().map(|mg| mg.key) != Some(f.module_key.as_str()) {
            let meta = f.module;
            g.modules.push(ModuleGroup {
                key: &f.module_key,
                name: &f.name,
                description: paragraphs(meta.map(|m| m.description).unwrap_or("")),
                remediation: paragraphs(meta.map(|m| m.recommendation).unwrap_or("")),
                references: meta.map(|m| m.references.to_vec()).unwrap_or_default(),
                cwe: f.cwe,
                findings: Vec::new(),
            });
        }
        if let Some(mg) = g.modules.last_mut() {
            mg.findings.push(f);
        }
    }
    out
}

pub(crate) fn render(m: &ReportModel) -> Result<String, ReportError> {
    let mut env = Environment::new();
    // The name ends in `.html`, so every `{{ }}` is HTML-escaped.
    env.add_template("report.html", TEMPLATE)?;
    let counts: Vec<(&str, usize)> = m.counts().iter().map(|(s, n)| (s.as_str(), *n)).collect();
    let ctx = context! {
        tool => &m.tool,
        target => &m.target,
        template => &m.template,
        started_at => ReportModel::rfc3339(&m.started_at),
        finished_at => ReportModel::rfc3339(&m.finished_at),
        summary => &m.summary,
        total => m.findings.len(),
        counts => counts,
        // Built from numbers and fixed severity names only, so it is safe to embed as-is.
        chart => Value::from_safe_string(severity_chart(&m.counts())),
        groups => groups(m),
        log => &m.log,
    };
    Ok(env.get_template("report.html")?.render(ctx)?)
}
