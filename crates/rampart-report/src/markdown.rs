//! Markdown for a pull request comment: summary table, then findings, cut to fit the limit.

use crate::model::{Finding, ReportModel};

/// GitHub's maximum comment body, in characters.
pub const MARKDOWN_LIMIT: usize = 65_536;
/// Room kept for the truncation note.
const NOTE_ROOM: usize = 400;
/// Proof and values longer than this are cut in the comment.
const MAX_CELL: usize = 200;

/// Escapes text for a Markdown table cell or inline text; cuts it to `MAX_CELL` characters.
fn esc(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == MAX_CELL {
            out.push('…');
            break;
        }
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\r' => {}
            '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes text for inline HTML; cuts it to `MAX_CELL` characters.
fn html_esc(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == MAX_CELL {
            out.push('…');
            break;
        }
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\r' | '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

fn section(f: &Finding) -> String {
    // The summary line is raw HTML on GitHub, so it gets HTML escaping, not Markdown escaping.
    let mut s = format!(
        "<details><summary><b>{}</b> {} — {} {}{}</summary>\n\n",
        f.severity,
        html_esc(&f.name),
        html_esc(&f.root_cause_method),
        html_esc(&f.root_cause_url),
        if f.root_cause_parameter.is_empty() {
            String::new()
        } else {
            format!(" (<code>{}</code>)", html_esc(&f.root_cause_parameter))
        }
    );
    s.push_str(&format!(
        "- Module: {} · CWE-{} · confidence {:?}\n",
        esc(&f.module_key),
        f.cwe,
        f.confidence
    ));
    if let Some(v) = f.variances.first() {
        s.push_str(&format!(
            "- Attack {}: {}\n",
            esc(&v.attack_id),
            esc(&v.attack_value)
        ));
        s.push_str(&format!("- Proof: {}\n", esc(&v.proof)));
    }
    if let Some(m) = f.module {
        s.push_str(&format!(
            "- Remediation: {}\n",
            esc(&crate::model::plain_text(m.recommendation))
        ));
    }
    s.push_str("\n</details>\n");
    s
}

/// Renders the comment; it never exceeds [`MARKDOWN_LIMIT`] characters.
pub(crate) fn render(m: &ReportModel) -> String {
    let mut out = format!(
        "## rampart scan: {}\n\nTemplate {} · outcome {:?} · {} findings · {} requests · {:.1} s\n\n",
        esc(&m.target),
        esc(&m.template),
        m.summary.outcome,
        m.findings.len(),
        m.summary.progress.requests,
        m.summary.duration_ms as f64 / 1000.0
    );
    // What requests that got no answer left uncovered, before the counts it qualifies.
    let losses = m.losses();
    for (label, line) in &losses {
        out.push_str(&format!("- **{}:** {}\n", esc(label), esc(line)));
    }
    if !losses.is_empty() {
        out.push('\n');
    }
    out.push_str("| Severity | Findings |\n| --- | ---: |\n");
    for (s, n) in m.counts() {
        if n > 0 {
            out.push_str(&format!("| {s} | {n} |\n"));
        }
    }
    if m.findings.is_empty() {
        out.push_str("\nNo findings.\n");
        return out;
    }
    out.push_str("\n### Findings\n\n");
    let findings = m.sorted_findings();
    let mut used = out.chars().count();
    for (i, f) in findings.iter().enumerate() {
        let s = section(f);
        let len = s.chars().count();
        if used + len > MARKDOWN_LIMIT - NOTE_ROOM {
            out.push_str(&format!(
                "\n> **Truncated:** {} of {} findings are not shown to stay within GitHub's comment size limit. See the full report (JSON, SARIF or HTML).\n",
                findings.len() - i,
                findings.len()
            ));
            return out;
        }
        used += len;
        out.push_str(&s);
    }
    out
}
