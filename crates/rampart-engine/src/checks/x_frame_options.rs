//! Missing clickjacking protection.

use super::passive::{PHit, Page};
use crate::catalogue::{locs, module_id, OWASP_A05};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "x_frame_options";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Missing Anti-Clickjacking Protection",
        description: "<p>HTML responses carry neither X-Frame-Options nor a CSP frame-ancestors directive, so other sites can frame them for clickjacking.</p>",
        recommendation: "Send X-Frame-Options: DENY (or SAMEORIGIN) and Content-Security-Policy: frame-ancestors 'none' or 'self'.",
        module_type: ModuleType::Passive,
        severity: Severity::Low,
        cwe: 1021,
        wasc: Some(15),
        owasp_2021: "A05:2021-Security Misconfiguration",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:L/A:N",
        parameter_locations: locs::NONE,
        references: &[
            ("CWE-1021: Improper Restriction of Rendered UI Layers or Frames", "https://cwe.mitre.org/data/definitions/1021.html"),
            ("OWASP Clickjacking Defense Cheat Sheet", "https://cheatsheetseries.owasp.org/cheatsheets/Clickjacking_Defense_Cheat_Sheet.html"),
            OWASP_A05,
        ],
        attacks: &[
            AttackMeta {
                id: "XFO_01",
                kind: "Missing frame protection",
                class: "Misconfiguration",
                description: "HTML response without X-Frame-Options or frame-ancestors.",
            },
        ],
    }
}

pub(crate) fn inspect(p: &Page<'_>) -> Vec<PHit> {
    if p.html.is_none() || p.resp.status >= 400 {
        return Vec::new();
    }
    let xfo = p
        .resp
        .header("x-frame-options")
        .map(|v| v.trim().to_ascii_uppercase());
    let fa = p
        .resp
        .header("content-security-policy")
        .is_some_and(|c| c.to_ascii_lowercase().contains("frame-ancestors"));
    match xfo.as_deref() {
        Some("DENY" | "SAMEORIGIN") => Vec::new(),
        _ if fa => Vec::new(),
        Some(v) => vec![PHit::host(
            "XFO_01",
            format!("invalid X-Frame-Options: {v}"),
        )],
        None => vec![PHit::host(
            "XFO_01",
            "no X-Frame-Options and no frame-ancestors",
        )],
    }
}

#[cfg(test)]
mod tests {
    use super::super::passive::testing::{check, Example, HTML, PAGE};

    const U: &str = "http://a.example/";

    #[test]
    fn examples() {
        let table: &[Example] = &[
            ("missing", U, 200, &[HTML], PAGE, &["XFO_01"]),
            (
                "deny",
                U,
                200,
                &[HTML, ("X-Frame-Options", "DENY")],
                PAGE,
                &[],
            ),
            (
                "sameorigin lower case",
                U,
                200,
                &[HTML, ("x-frame-options", " sameorigin ")],
                PAGE,
                &[],
            ),
            (
                "obsolete allow-from",
                U,
                200,
                &[HTML, ("X-Frame-Options", "ALLOW-FROM https://b.example/")],
                PAGE,
                &["XFO_01"],
            ),
            (
                "csp frame-ancestors instead",
                U,
                200,
                &[
                    HTML,
                    (
                        "Content-Security-Policy",
                        "default-src 'self'; frame-ancestors 'none'",
                    ),
                ],
                PAGE,
                &[],
            ),
            (
                "csp without frame-ancestors",
                U,
                200,
                &[HTML, ("Content-Security-Policy", "default-src 'self'")],
                PAGE,
                &["XFO_01"],
            ),
            (
                "not html",
                U,
                200,
                &[("content-type", "image/png")],
                "\u{89}PNG",
                &[],
            ),
            ("server error", U, 500, &[HTML], PAGE, &[]),
        ];
        check(super::inspect, table);
    }
}
