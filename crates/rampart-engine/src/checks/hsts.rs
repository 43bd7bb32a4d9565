//! Missing or weak Strict-Transport-Security on HTTPS.

use super::passive::{PHit, Page};
use crate::catalogue::{locs, module_id, OWASP_A05};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "hsts";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Missing HTTP Strict Transport Security",
        description: "<p>HTTPS responses have no Strict-Transport-Security header (or a very short max-age), so a network attacker can downgrade the first request to HTTP.</p>",
        recommendation: "Send Strict-Transport-Security: max-age=31536000; includeSubDomains on HTTPS responses.",
        module_type: ModuleType::Passive,
        severity: Severity::Low,
        cwe: 319,
        wasc: Some(4),
        owasp_2021: "A05:2021-Security Misconfiguration",
        cvss_vector: "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N",
        parameter_locations: locs::NONE,
        references: &[
            ("CWE-319: Cleartext Transmission of Sensitive Information", "https://cwe.mitre.org/data/definitions/319.html"),
            ("OWASP HSTS Cheat Sheet", "https://cheatsheetseries.owasp.org/cheatsheets/HTTP_Strict_Transport_Security_Cheat_Sheet.html"),
            OWASP_A05,
        ],
        attacks: &[
            AttackMeta {
                id: "HSTS_01",
                kind: "Missing HSTS",
                class: "Misconfiguration",
                description: "HTTPS response without Strict-Transport-Security.",
            },
            AttackMeta {
                id: "HSTS_02",
                kind: "Short HSTS max-age",
                class: "Misconfiguration",
                description: "Strict-Transport-Security max-age under 180 days.",
            },
        ],
    }
}

pub(crate) fn inspect(p: &Page<'_>) -> Vec<PHit> {
    if !p.https {
        return Vec::new();
    }
    let Some(h) = p.resp.header("strict-transport-security") else {
        return vec![PHit::host("HSTS_01", "no Strict-Transport-Security header")];
    };
    let age = h
        .split(';')
        .filter_map(|d| d.trim().strip_prefix("max-age="))
        .filter_map(|v| v.trim_matches('"').parse::<u64>().ok())
        .next()
        .unwrap_or(0);
    if age < 180 * 24 * 3600 {
        return vec![PHit::host(
            "HSTS_02",
            format!("Strict-Transport-Security: {h}"),
        )];
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::super::passive::testing::{check, Example, HTML, PAGE};

    const S: &str = "https://a.example/";

    #[test]
    fn examples() {
        let table: &[Example] = &[
            ("missing over https", S, 200, &[HTML], PAGE, &["HSTS_01"]),
            (
                "plain http is not judged",
                "http://a.example/",
                200,
                &[HTML],
                PAGE,
                &[],
            ),
            (
                "one year with subdomains",
                S,
                200,
                &[
                    HTML,
                    (
                        "Strict-Transport-Security",
                        "max-age=31536000; includeSubDomains; preload",
                    ),
                ],
                PAGE,
                &[],
            ),
            (
                "quoted max-age",
                S,
                200,
                &[HTML, ("Strict-Transport-Security", "max-age=\"63072000\"")],
                PAGE,
                &[],
            ),
            (
                "short max-age",
                S,
                200,
                &[HTML, ("Strict-Transport-Security", "max-age=300")],
                PAGE,
                &["HSTS_02"],
            ),
            (
                "max-age zero disables",
                S,
                200,
                &[HTML, ("Strict-Transport-Security", "max-age=0")],
                PAGE,
                &["HSTS_02"],
            ),
            (
                "no max-age",
                S,
                200,
                &[HTML, ("Strict-Transport-Security", "includeSubDomains")],
                PAGE,
                &["HSTS_02"],
            ),
        ];
        check(super::inspect, table);
    }
}
