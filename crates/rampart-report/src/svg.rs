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

/// Stacked bars of findings per severity for each scan of a trend, oldest first, with the
/// scan date under each bar (dates we format, no text from the target).
pub(crate) fn trend_chart(points: &[crate::view::TrendPointView]) -> String {
    let max = points.iter().map(|p| p.total).max().unwrap_or(0).max(1);
    let (bar, gap, plot_h, left) = (34usize, 26usize, 150usize, 40usize);
    let width = left + points.len() * (bar + gap) + 10;
    let height = plot_h + 46;
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="findings per scan">"#
    );
    s.push_str(&format!(
        r##"<line x1="{left}" y1="{y}" x2="{x2}" y2="{y}" stroke="#99a" stroke-width="1"/><text x="0" y="16" font-size="11" font-family="sans-serif" fill="#556">{max}</text><text x="0" y="{y}" font-size="11" font-family="sans-serif" fill="#556">0</text>"##,
        y = plot_h + 10,
        x2 = width - 4,
    ));
    for (i, p) in points.iter().enumerate() {
        let x = left + 10 + i * (bar + gap);
        let mut y = plot_h + 10;
        for (n, sev) in p.counts.iter().zip(Severity::ALL.iter().rev()) {
            let h = usize::try_from(*n).unwrap_or(0) * plot_h / usize::try_from(max).unwrap_or(1);
            if h == 0 {
                continue;
            }
            y -= h;
            s.push_str(&format!(
                r#"<rect x="{x}" y="{y}" width="{bar}" height="{h}" fill="{c}"/>"#,
                c = color(*sev)
            ));
        }
        s.push_str(&format!(
            r#"<text x="{tx}" y="{ty}" font-size="11" font-family="sans-serif" text-anchor="middle">{total}</text><text x="{tx}" y="{ly}" font-size="10" font-family="sans-serif" text-anchor="middle">{label}</text>"#,
            tx = x + bar / 2,
            ty = y.saturating_sub(4),
            total = p.total,
            ly = plot_h + 26,
            label = p.label,
        ));
    }
    s.push_str("</svg>");
    s
}
