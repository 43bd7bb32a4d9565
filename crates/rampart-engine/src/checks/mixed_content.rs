//! HTTPS pages loading HTTP resources.

use super::passive::{PHit, Page};
use crate::catalogue::{locs, module_id, OWASP_A02};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};
use regex::Regex;
use std::sync::LazyLock;

pub(crate) const KEY: &str = "mixed_content";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Mixed Content",
        description: "<p>An HTTPS page loads scripts, styles, frames or other resources over HTTP, which a network attacker can tamper with.</p>",
        recommendation: "Load every resource over HTTPS; add Content-Security-Policy: upgrade-insecure-requests.",
        module_type: ModuleType::Passive,
        severity: Severity::Low,
        cwe: 311,
        wasc: Some(4),
        owasp_2021: "A02:2021-Cryptographic Failures",
        cvss_vector: "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N",
        parameter_locations: locs::NONE,
        references: &[
            ("CWE-311: Missing Encryption of Sensitive Data", "https://cwe.mitre.org/data/definitions/311.html"),
            ("MDN Mixed content", "https://developer.mozilla.org/en-US/docs/Web/Security/Mixed_content"),
            OWASP_A02,
        ],
        attacks: &[
            AttackMeta {
                id: "MIXED_01",
                kind: "HTTP resource on HTTPS page",
                class: "Transport",
                description: "A script, link, iframe, img or form on an HTTPS page pointing at http://.",
            },
        ],
    }
}

static INSECURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)<(script|link|iframe|img|audio|video|source|embed|object|form)\b[^>]*\s(src|href|data|action)\s*=\s*["']?(http://[^"'\s>]+)"#)
        .unwrap_or_else(|_| unreachable!("literal regex"))
});

pub(crate) fn inspect(p: &Page<'_>) -> Vec<PHit> {
    if !p.https || p.html.is_none() {
        return Vec::new();
    }
    INSECURE
        .captures(&p.text)
        .filter(|c| {
            !c[1].eq_ignore_ascii_case("link") || c[0].to_ascii_lowercase().contains("stylesheet")
        })
        .map(|c| {
            vec![PHit::page(
                "MIXED_01",
                format!("<{}> loads {}", &c[1], &c[3]),
                "",
            )]
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::super::passive::testing::{check, Example, HTML};

    const S: &str = "https://a.example/";

    #[test]
    fn examples() {
        let table: &[Example] = &[
            ("http script on https", S, 200, &[HTML], "<html><head><script src=\"http://cdn.example/app.js\"></script></head></html>", &["MIXED_01"]),
            ("http stylesheet", S, 200, &[HTML], "<html><head><link rel=\"stylesheet\" href=\"http://cdn.example/a.css\"></head></html>", &["MIXED_01"]),
            ("http image", S, 200, &[HTML], "<html><body><img src='http://img.example/x.png'></body></html>", &["MIXED_01"]),
            ("https resources", S, 200, &[HTML], "<html><head><script src=\"https://cdn.example/app.js\"></script></head><body><img src=\"//img.example/x.png\"></body></html>", &[]),
            ("plain link to http is navigation", S, 200, &[HTML], "<html><body><a href=\"http://other.example/\">x</a><link rel=\"canonical\" href=\"http://a.example/\"></body></html>", &[]),
            ("http page is not mixed", "http://a.example/", 200, &[HTML], "<html><head><script src=\"http://cdn.example/app.js\"></script></head></html>", &[]),
        ];
        check(super::inspect, table);
    }
}
