//! The presentation view shared by the document renderers (HTML and PDF): a report
//! document (or one scan's model) turned into display-ready data — sections, severity
//! groups, module groups, compliance rows, human times and durations, trimmed exchanges.
//! Text from the target stays raw here; each renderer escapes it for its own syntax.

use crate::compliance::Standard;
use crate::document::{AppSection, DocumentInput, ReportType, Trend};
use crate::model::{paragraphs, Finding, ReportModel};
use crate::ReportError;
use chrono::{DateTime, Utc};
use rampart_domain::Severity;
use serde::Serialize;

/// A time as people read it: `2 Jan 2026, 03:04 UTC`.
pub(crate) fn human_time(t: &DateTime<Utc>) -> String {
    t.format("%-d %b %Y, %H:%M UTC").to_string()
}

/// A duration as people read it: `45 s`, `12 min 5 s`, `2 h 03 min`, `3 d 4 h`.
pub(crate) fn human_duration(ms: u64) -> String {
    let s = ms / 1000;
    match s {
        0 if ms > 0 => format!("{ms} ms"),
        0..=59 => format!("{s} s"),
        60..=3599 => format!("{} min {} s", s / 60, s % 60),
        3600..=86_399 => format!("{} h {:02} min", s / 3600, (s % 3600) / 60),
        _ => format!("{} d {} h", s / 86_400, (s % 86_400) / 3600),
    }
}

/// `text` cut to `cap` bytes at a character boundary, with a note of what was left out.
pub(crate) fn trim(text: &str, cap: usize) -> String {
    if text.len() <= cap {
        return text.to_string();
    }
    let mut end = cap;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}\n… ({} more bytes not shown)",
        &text[..end],
        text.len() - end
    )
}

#[derive(Serialize, Clone)]
pub(crate) struct ExchangeView {
    pub request: String,
    pub response: String,
}

#[derive(Serialize, Clone)]
pub(crate) struct VarianceView {
    pub url: String,
    pub attack_id: String,
    pub attack_value: String,
    pub proof: String,
    pub proof_description: String,
    pub attack: Option<ExchangeView>,
    pub original: Option<ExchangeView>,
}

#[derive(Serialize, Clone)]
pub(crate) struct FindingView {
    pub anchor: String,
    pub severity: &'static str,
    pub module_key: String,
    pub name: String,
    pub status: &'static str,
    pub confidence: &'static str,
    pub method: String,
    pub url: String,
    pub parameter: String,
    pub location: &'static str,
    pub cwe: u32,
    /// Whether the detail (variances) was kept (see [`Detail::max_detailed`]).
    pub detailed: bool,
    pub total_variances: usize,
    pub variances: Vec<VarianceView>,
}

#[derive(Serialize, Clone)]
pub(crate) struct ModuleView {
    pub anchor: String,
    pub key: String,
    pub name: String,
    pub cwe: u32,
    pub owasp: String,
    pub description: Vec<String>,
    pub remediation: Vec<String>,
    pub references: Vec<(String, String)>,
    pub findings: Vec<FindingView>,
}

#[derive(Serialize, Clone)]
pub(crate) struct GroupView {
    pub anchor: String,
    pub severity: &'static str,
    pub count: usize,
    pub modules: Vec<ModuleView>,
}

#[derive(Serialize, Clone)]
pub(crate) struct CountView {
    pub severity: &'static str,
    pub count: usize,
}

#[derive(Serialize, Clone)]
pub(crate) struct TrendPointView {
    pub label: String,
    pub scan_id: String,
    /// Highest severity first, like [`ReportModel::counts`].
    pub counts: Vec<u64>,
    pub total: u64,
}

#[derive(Serialize, Clone)]
pub(crate) struct TrendView {
    pub new: u64,
    pub fixed: u64,
    pub still_open: u64,
    pub history: Vec<TrendPointView>,
}

#[derive(Serialize, Clone)]
pub(crate) struct ComplianceRow {
    pub id: String,
    pub name: String,
    pub total: usize,
    /// Per severity, highest first.
    pub counts: Vec<usize>,
    /// Anchors of the first findings in the category (bounded).
    pub findings: Vec<(String, String)>,
}

#[derive(Serialize, Clone)]
pub(crate) struct ComplianceView {
    pub title: String,
    pub rows: Vec<ComplianceRow>,
    pub unmapped: usize,
}

#[derive(Serialize, Clone)]
pub(crate) struct SectionView {
    pub anchor: String,
    pub title: String,
    /// Label → value rows shown at the top of the section.
    pub info: Vec<(String, String)>,
    pub total: usize,
    pub counts: Vec<CountView>,
    #[serde(skip)]
    pub raw_counts: Vec<(Severity, usize)>,
    pub trend: Option<TrendView>,
    pub compliance: Option<ComplianceView>,
    pub groups: Vec<GroupView>,
    /// Module keys and names present, for the filters.
    pub modules: Vec<(String, String)>,
    pub statuses: Vec<&'static str>,
}

#[derive(Serialize, Clone)]
pub(crate) struct DocView {
    pub title: String,
    pub subtitle: String,
    pub generated: String,
    pub tool: String,
    pub info: Vec<(String, String)>,
    pub sections: Vec<SectionView>,
    pub total: usize,
    pub counts: Vec<CountView>,
    #[serde(skip)]
    pub raw_counts: Vec<(Severity, usize)>,
    pub executive: bool,
    pub remediation: bool,
    /// The scan log (level, message) of a scan's model; empty for a server document.
    pub log: Vec<(String, String)>,
}

fn exchange(x: &crate::model::Exchange, cap: usize) -> ExchangeView {
    ExchangeView {
        request: trim(&x.request, cap),
        response: trim(&x.response, cap),
    }
}

fn finding_view(
    f: &Finding,
    anchor: String,
    cap: usize,
    max_variances: usize,
    detailed: bool,
) -> FindingView {
    FindingView {
        anchor,
        severity: f.severity.as_str(),
        module_key: f.module_key.clone(),
        name: f.name.clone(),
        status: f.status.map(|s| s.as_str()).unwrap_or("UNREVIEWED"),
        confidence: f.confidence.as_platform(),
        method: f.root_cause_method.clone(),
        url: f.root_cause_url.clone(),
        parameter: f.root_cause_parameter.clone(),
        location: f.location.map(|l| l.as_str()).unwrap_or(""),
        cwe: f.cwe,
        detailed,
        total_variances: f.variances.len(),
        variances: f
            .variances
            .iter()
            .take(max_variances)
            .map(|v| VarianceView {
                url: v.url.clone(),
                attack_id: v.attack_id.clone(),
                attack_value: trim(&v.attack_value, 512),
                proof: trim(&v.proof, 1024),
                proof_description: v.proof_description.clone(),
                attack: v.attack.as_ref().map(|x| exchange(x, cap)),
                original: v.original.as_ref().map(|x| exchange(x, cap)),
            })
            .collect(),
    }
}

/// Options of the view: how much of each finding to keep.
#[derive(Clone, Copy)]
pub(crate) struct Detail {
    /// Findings with full detail (the rest are counted only, for the PDF's table).
    pub max_detailed: usize,
    pub exchange_cap: usize,
    pub max_variances: usize,
}

fn counts_view(c: &[(Severity, usize)]) -> Vec<CountView> {
    c.iter()
        .map(|(s, n)| CountView {
            severity: s.as_str(),
            count: *n,
        })
        .collect()
}

fn trend_view(t: &Trend) -> TrendView {
    TrendView {
        new: t.new,
        fixed: t.fixed,
        still_open: t.still_open,
        history: t
            .history
            .iter()
            .map(|p| TrendPointView {
                label: p.at.format("%-d %b %Y").to_string(),
                scan_id: p.scan_id.to_string(),
                counts: Severity::ALL
                    .iter()
                    .rev()
                    .map(|s| p.counts.get(*s))
                    .collect(),
                total: p.counts.total(),
            })
            .collect(),
    }
}

fn compliance_view(
    standard: Standard,
    findings: &[&Finding],
    anchor_of: &dyn Fn(&Finding) -> String,
) -> Result<ComplianceView, ReportError> {
    let m = standard.mapping()?;
    let c = m.classify(findings);
    let rows = c
        .rows
        .iter()
        .map(|(cat, fs)| ComplianceRow {
            id: cat.id.clone(),
            name: cat.name.clone(),
            total: fs.len(),
            counts: Severity::ALL
                .iter()
                .rev()
                .map(|s| fs.iter().filter(|f| f.severity == *s).count())
                .collect(),
            findings: fs
                .iter()
                .take(5)
                .map(|f| (anchor_of(f), f.name.clone()))
                .collect(),
        })
        .collect();
    Ok(ComplianceView {
        title: m.title.clone(),
        rows,
        unmapped: c.unmapped.len(),
    })
}

/// The view of one model (one section), anchors prefixed by `prefix`.
#[allow(clippy::too_many_arguments)] // one private builder, called twice
fn section(
    prefix: &str,
    title: String,
    info: Vec<(String, String)>,
    m: &ReportModel,
    trend: Option<&Trend>,
    standard: Option<Standard>,
    detail: Detail,
    budget: &mut usize,
) -> Result<SectionView, ReportError> {
    let sorted = m.sorted_findings();
    let mut groups: Vec<GroupView> = Vec::new();
    let mut modules: Vec<(String, String)> = Vec::new();
    let mut statuses: Vec<&'static str> = Vec::new();
    let mut index = std::collections::HashMap::new();
    for (i, f) in sorted.iter().enumerate() {
        index.insert(f.id, i);
    }
    let anchor_of = |f: &Finding| -> String {
        format!("{prefix}f{}", index.get(&f.id).copied().unwrap_or(0) + 1)
    };
    for (i, f) in sorted.iter().enumerate() {
        let sev = f.severity.as_str();
        if groups.last().map(|g| g.severity) != Some(sev) {
            groups.push(GroupView {
                anchor: format!("{prefix}{}", sev.to_ascii_lowercase()),
                severity: sev,
                count: 0,
                modules: Vec::new(),
            });
        }
        let Some(g) = groups.last_mut() else { continue };
        g.count += 1;
        if g.modules.last().map(|mg| mg.key.as_str()) != Some(f.module_key.as_str()) {
            let meta = f.module;
            g.modules.push(ModuleView {
                anchor: format!("{prefix}{}-{}", sev.to_ascii_lowercase(), f.module_key),
                key: f.module_key.clone(),
                name: f.name.clone(),
                cwe: f.cwe,
                owasp: meta.map(|m| m.owasp_2021.to_string()).unwrap_or_default(),
                description: paragraphs(meta.map(|m| m.description).unwrap_or("")),
                remediation: paragraphs(meta.map(|m| m.recommendation).unwrap_or("")),
                references: meta
                    .map(|m| {
                        m.references
                            .iter()
                            .map(|(a, b)| (a.to_string(), b.to_string()))
                            .collect()
                    })
                    .unwrap_or_default(),
                findings: Vec::new(),
            });
        }
        if !modules.iter().any(|(k, _)| *k == f.module_key) {
            modules.push((f.module_key.clone(), f.name.clone()));
        }
        let st = f.status.map(|s| s.as_str()).unwrap_or("UNREVIEWED");
        if !statuses.contains(&st) {
            statuses.push(st);
        }
        let detailed = *budget > 0;
        let (cap, vars) = if detailed {
            *budget -= 1;
            (detail.exchange_cap, detail.max_variances)
        } else {
            (0, 0)
        };
        if let Some(mg) = g.modules.last_mut() {
            mg.findings.push(finding_view(
                f,
                format!("{prefix}f{}", i + 1),
                cap,
                vars,
                detailed,
            ));
        }
    }
    modules.sort();
    statuses.sort();
    let compliance = match standard {
        Some(s) => Some(compliance_view(s, &sorted, &anchor_of)?),
        None => None,
    };
    let raw_counts = m.counts();
    Ok(SectionView {
        anchor: prefix.trim_end_matches('-').to_string(),
        title,
        info,
        total: m.findings.len(),
        counts: counts_view(&raw_counts),
        raw_counts,
        trend: trend.map(trend_view),
        compliance,
        groups,
        modules,
        statuses,
    })
}

fn section_info(s: &AppSection) -> Vec<(String, String)> {
    let mut info = vec![("App".to_string(), s.app_name.clone())];
    if let Some(scan) = &s.scan {
        info.push(("Scan config".into(), scan.config_name.clone()));
        info.push(("Scan".into(), scan.id.to_string()));
        info.push(("Status".into(), scan.status.clone()));
        if let Some(t) = scan.submitted {
            info.push(("Submitted".into(), human_time(&t)));
        }
        if let Some(t) = scan.completed {
            info.push(("Completed".into(), human_time(&t)));
        }
        if let (Some(a), Some(b)) = (scan.submitted, scan.completed) {
            let ms = u64::try_from((b - a).num_milliseconds()).unwrap_or(0);
            info.push(("Duration".into(), human_duration(ms)));
        }
    } else if s.model.finished_at > s.model.started_at {
        let m = &s.model;
        info.push(("Started".into(), human_time(&m.started_at)));
        info.push(("Finished".into(), human_time(&m.finished_at)));
        info.push(("Duration".into(), human_duration(m.summary.duration_ms)));
    } else {
        info.push(("Scan".into(), "none in the period".into()));
    }
    if !s.model.target.is_empty() {
        info.push(("Target".into(), s.model.target.clone()));
    }
    if !s.model.template.is_empty() {
        info.push(("Attack template".into(), s.model.template.clone()));
    }
    info.extend(coverage(&s.model));
    info
}

/// The limits the scan reached (with what each left out) and what it lost to requests that
/// got no answer: the same lines for a scan run here and one run by a server's engine.
fn coverage(m: &ReportModel) -> Vec<(String, String)> {
    let s = &m.summary;
    let mut info = Vec::new();
    if !s.limits_reached.is_empty() {
        let l: Vec<&str> = s.limits_reached.iter().map(|l| l.as_str()).collect();
        info.push(("Limits reached".into(), l.join(", ")));
    }
    for d in &s.limit_details {
        info.push(("Limit".into(), d.clone()));
    }
    for (label, line) in m.losses() {
        info.push((label.to_string(), line));
    }
    info
}

fn total_counts(sections: &[SectionView]) -> Vec<(Severity, usize)> {
    Severity::ALL
        .iter()
        .rev()
        .map(|s| {
            (
                *s,
                sections
                    .iter()
                    .flat_map(|x| &x.raw_counts)
                    .filter(|(t, _)| t == s)
                    .map(|(_, n)| n)
                    .sum(),
            )
        })
        .collect()
}

/// The view of a server report document.
pub(crate) fn document(d: &DocumentInput, detail: Detail) -> Result<DocView, ReportError> {
    let mut budget = detail.max_detailed;
    let standard = d.report_type.standard();
    let mut sections = Vec::new();
    for (i, s) in d.sections.iter().enumerate() {
        sections.push(section(
            &format!("app{}-", i + 1),
            s.app_name.clone(),
            section_info(s),
            &s.model,
            s.trend.as_ref(),
            standard,
            detail,
            &mut budget,
        )?);
    }
    let mut info = vec![("Report type".to_string(), d.report_type.title())];
    if let Some((a, b)) = d.period {
        info.push((
            "Period".into(),
            format!("{} to {}", a.format("%-d %b %Y"), b.format("%-d %b %Y")),
        ));
    }
    if let Some(f) = &d.filter_text {
        info.push(("Filter".into(), f.clone()));
    }
    if d.report_type.all_apps() {
        info.push(("Apps".into(), d.sections.len().to_string()));
    }
    let raw_counts = total_counts(&sections);
    let tool = d
        .sections
        .first()
        .map(|s| format!("{} {}", s.model.tool.name, s.model.tool.version))
        .unwrap_or_else(|| "rampart".into());
    Ok(DocView {
        title: d.title.clone(),
        subtitle: d.report_type.title(),
        generated: human_time(&d.generated_at),
        tool,
        info,
        total: sections.iter().map(|s| s.total).sum(),
        counts: counts_view(&raw_counts),
        raw_counts,
        sections,
        executive: d.report_type.is_executive(),
        remediation: d.report_type == ReportType::VulnRemediation,
        log: vec![],
    })
}

/// The view of one scan's model (`rampart scan` / `rampart report`).
pub(crate) fn model(m: &ReportModel, detail: Detail) -> Result<DocView, ReportError> {
    let s = &m.summary;
    let mut info = vec![
        ("Target".to_string(), m.target.clone()),
        ("Attack template".into(), m.template.clone()),
        ("Outcome".into(), format!("{:?}", s.outcome).to_uppercase()),
        ("Started".into(), human_time(&m.started_at)),
        ("Finished".into(), human_time(&m.finished_at)),
        ("Duration".into(), human_duration(s.duration_ms)),
        ("Pages crawled".into(), s.progress.links_crawled.to_string()),
        (
            "Requests".into(),
            format!(
                "{} ({} failed)",
                s.progress.requests, s.progress.failed_requests
            ),
        ),
    ];
    info.extend(coverage(m));
    if let Some(e) = &s.error {
        info.push(("Error".into(), e.clone()));
    }
    let mut budget = detail.max_detailed;
    let sec = section(
        "",
        m.target.clone(),
        vec![],
        m,
        None,
        None,
        detail,
        &mut budget,
    )?;
    let raw_counts = sec.raw_counts.clone();
    Ok(DocView {
        title: "rampart scan report".into(),
        subtitle: m.target.clone(),
        generated: human_time(&m.finished_at),
        tool: format!("{} {}", m.tool.name, m.tool.version),
        info,
        total: m.findings.len(),
        counts: counts_view(&raw_counts),
        raw_counts,
        sections: vec![sec],
        executive: false,
        remediation: false,
        log: m
            .log
            .iter()
            .map(|l| (format!("{:?}", l.level).to_lowercase(), l.message.clone()))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_trims_read_as_people_expect() {
        assert_eq!(human_duration(0), "0 s");
        assert_eq!(human_duration(250), "250 ms");
        assert_eq!(human_duration(45_000), "45 s");
        assert_eq!(human_duration(725_000), "12 min 5 s");
        assert_eq!(human_duration(7_380_000), "2 h 03 min");
        assert_eq!(human_duration(3 * 86_400_000 + 4 * 3_600_000), "3 d 4 h");
        assert_eq!(trim("abc", 5), "abc");
        assert_eq!(trim("abcdef", 3), "abc\n… (3 more bytes not shown)");
        assert_eq!(trim("é", 1), "\n… (2 more bytes not shown)");
    }
}
