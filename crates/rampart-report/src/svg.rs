//! A small inline SVG bar chart of findings per severity (no text from the target).

use rampart_domain::Severity;

fn color(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "#7b1fa2",
        Severity::High => "#d32f2f",
        Severity::Medium => "#f57c00",
        Severity::Low => "#fbc02d",
        Severity::Informational => "#1976d2",
        Severity::Safe => "#388e3c",
    }
}

/// Horizontal bars, one per severity, scaled to the largest count.
pub(crate) fn severity_chart(counts: &[(Severity, usize)]) -> String {
    let max = counts.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let (row, label_w, bar_w) = (26usize, 120usize, 300usize);
    let height = row * counts.len() + 8;
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{height}" viewBox="0 0 {w} {height}" role="img" aria-label="findings by severity">"#,
        w = label_w + bar_w + 50
    );
    for (i, (sev, n)) in counts.iter().enumerate() {
        let y = 4 + i * row;
        let w = n * bar_w / max;
        s.push_str(&format!(
            r#"<text x="0" y="{ty}" font-size="13" font-family="sans-serif">{sev}</text><rect x="{label_w}" y="{y}" width="{w}" height="18" rx="3" fill="{c}"/><text x="{tx}" y="{ty}" font-size="13" font-family="sans-serif">{n}</text>"#,
            ty = y + 14,
            c = color(*sev),
            tx = label_w + w + 6,
        ));
    }
    s.push_str("</svg>");
    s
}
