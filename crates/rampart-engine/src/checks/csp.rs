//! Missing or weak Content-Security-Policy.

use super::passive::{PHit, Page};
use crate::catalogue::{locs, module_id, OWASP_A05};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "csp";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Missing or Weak Content Security Policy",
        description: "<p>HTML responses have no Content-Security-Policy, or one that allows inline script or any source, so injected script is not contained.</p>",
        recommendation: "Send a Content-Security-Policy that forbids inline script (nonces or hashes), restricts sources and sets object-src 'none' and base-uri.",
        module_type: ModuleType::Passive,
        severity: Severity::Low,
        cwe: 693,
        wasc: Some(15),
        owasp_2021: "A05:2021-Security Misconfiguration",
        cvss_vector: "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N",
        parameter_locations: locs::NONE,
        references: &[
            ("CWE-693: Protection Mechanism Failure", "https://cwe.mitre.org/data/definitions/693.html"),
            ("MDN Content-Security-Policy", "https://developer.mozilla.org/en-US/docs/Web/HTTP/CSP"),
            OWASP_A05,
        ],
        attacks: &[
            AttackMeta {
                id: "CSP_01",
                kind: "Missing CSP",
                class: "Misconfiguration",
                description: "HTML response without a Content-Security-Policy header.",
            },
            AttackMeta {
                id: "CSP_02",
                kind: "Weak CSP",
                class: "Misconfiguration",
                description: "CSP allowing unsafe-inline, unsafe-eval or wildcard script sources.",
            },
        ],
    }
}

pub(crate) fn inspect(p: &Page<'_>) -> Vec<PHit> {
    if p.html.is_none() || p.resp.status >= 400 {
        return Vec::new();
    }
    let Some(csp) = p.resp.header("content-security-policy") else {
        return vec![PHit::host("CSP_01", "no Content-Security-Policy header")];
    };
    let l = csp.to_ascii_lowercase();
    let script = l
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src"))
        .or_else(|| {
            l.split(';')
                .map(str::trim)
                .find(|d| d.starts_with("default-src"))
        });
    match script {
        None => vec![PHit::host(
            "CSP_02",
            format!("no script-src or default-src: {csp}"),
        )],
        Some(d)
            if (d.contains("'unsafe-inline'") && !d.contains("'nonce-") && !d.contains("'sha"))
                || d.contains("'unsafe-eval'")
                || d.split_whitespace()
                    .any(|t| t == "*" || t == "http:" || t == "https:" || t == "data:") =>
        {
            vec![PHit::page("CSP_02", format!("weak directive: {d}"), "")]
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::passive::testing::{check, Example, HTML, PAGE};

    const U: &str = "https://shop.example/";

    #[test]
    fn examples() {
        let table: &[Example] = &[
            ("missing", U, 200, &[HTML], PAGE, &["CSP_01"]),
            (
                "strict nonce policy",
                U,
                200,
                &[HTML, ("Content-Security-Policy", "default-src 'self'; script-src 'self' 'nonce-r4nd0m'; object-src 'none'; base-uri 'self'")],
                PAGE,
                &[],
            ),
            (
                "unsafe-inline without nonce",
                U,
                200,
                &[HTML, ("Content-Security-Policy", "default-src 'self'; script-src 'self' 'unsafe-inline'")],
                PAGE,
                &["CSP_02"],
            ),
            (
                "unsafe-inline with hash is ignored by browsers",
                U,
                200,
                &[HTML, ("Content-Security-Policy", "script-src 'self' 'unsafe-inline' 'sha256-abc='")],
                PAGE,
                &[],
            ),
            (
                "unsafe-eval",
                U,
                200,
                &[HTML, ("Content-Security-Policy", "script-src 'self' 'unsafe-eval'")],
                PAGE,
                &["CSP_02"],
            ),
            (
                "wildcard default-src",
                U,
                200,
                &[HTML, ("Content-Security-Policy", "default-src *")],
                PAGE,
                &["CSP_02"],
            ),
            (
                "scheme source https:",
                U,
                200,
                &[HTML, ("Content-Security-Policy", "script-src https: 'self'")],
                PAGE,
                &["CSP_02"],
            ),
            (
                "no script-src nor default-src",
                U,
                200,
                &[HTML, ("Content-Security-Policy", "frame-ancestors 'none'; img-src 'self'")],
                PAGE,
                &["CSP_02"],
            ),
            ("json is not html", U, 200, &[("content-type", "application/json")], "{\"a\":1}", &[]),
            ("error page", U, 404, &[HTML], PAGE, &[]),
        ];
        check(super::inspect, table);
    }
}
