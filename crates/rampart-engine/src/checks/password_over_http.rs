//! Password fields served or submitted over plain HTTP.

use super::passive::{PHit, Page};
use crate::catalogue::{locs, module_id, OWASP_A02};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "password_over_http";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Password Sent Over HTTP",
        description: "<p>A form with a password field is served over HTTP or submits to an HTTP URL, so credentials travel in clear text.</p>",
        recommendation: "Serve the whole site over HTTPS and redirect HTTP to HTTPS.",
        module_type: ModuleType::Passive,
        severity: Severity::Medium,
        cwe: 319,
        wasc: Some(4),
        owasp_2021: "A02:2021-Cryptographic Failures",
        cvss_vector: "CVSS:3.1/AV:A/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N",
        parameter_locations: locs::NONE,
        references: &[
            ("CWE-319: Cleartext Transmission of Sensitive Information", "https://cwe.mitre.org/data/definitions/319.html"),
            ("OWASP Transport Layer Security Cheat Sheet", "https://cheatsheetseries.owasp.org/cheatsheets/Transport_Layer_Security_Cheat_Sheet.html"),
            OWASP_A02,
        ],
        attacks: &[
            AttackMeta {
                id: "PWHTTP_01",
                kind: "Password form over HTTP",
                class: "Transport",
                description: "Password form on an http:// page or with an http:// action.",
            },
        ],
    }
}

pub(crate) fn inspect(p: &Page<'_>) -> Vec<PHit> {
    let Some(h) = &p.html else { return Vec::new() };
    h.forms
        .iter()
        .filter(|f| f.asks_password())
        .filter(|f| !p.https || f.action.scheme() == "http")
        .take(1)
        .map(|f| {
            PHit::page(
                "PWHTTP_01",
                format!("password form submits to {}", f.action),
                f.password_label(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::passive::testing::{check, hits, Example, HTML};

    const LOGIN: &str = "<html><body><form method=\"post\" action=\"/login\"><input name=\"user\"><input type=\"password\" name=\"pass\"></form></body></html>";

    #[test]
    fn examples() {
        let table: &[Example] = &[
            ("password form over http", "http://a.example/login", 200, &[HTML], LOGIN, &["PWHTTP_01"]),
            ("password form over https", "https://a.example/login", 200, &[HTML], LOGIN, &[]),
            (
                "https page posting to http",
                "https://a.example/login",
                200,
                &[HTML],
                "<html><body><form method=\"post\" action=\"http://a.example/login\"><input type=\"password\" name=\"pw\"></form></body></html>",
                &["PWHTTP_01"],
            ),
            (
                "search form over http",
                "http://a.example/",
                200,
                &[HTML],
                "<html><body><form action=\"/search\"><input name=\"q\"></form></body></html>",
                &[],
            ),
        ];
        check(super::inspect, table);
        let h = hits(
            super::inspect,
            "http://a.example/login",
            200,
            &[HTML],
            LOGIN,
        );
        assert_eq!(h[0].1, "pass");
    }
}
