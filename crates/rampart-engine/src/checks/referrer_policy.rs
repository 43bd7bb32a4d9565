//! Missing or unsafe Referrer-Policy.

use super::passive::{PHit, Page};
use crate::catalogue::{locs, module_id, OWASP_A05};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "referrer_policy";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Missing Referrer Policy",
        description: "<p>HTML responses have no Referrer-Policy (or unsafe-url), so full URLs including query strings can leak to other sites.</p>",
        recommendation: "Send Referrer-Policy: strict-origin-when-cross-origin or no-referrer.",
        module_type: ModuleType::Passive,
        severity: Severity::Informational,
        cwe: 200,
        wasc: Some(15),
        owasp_2021: "A05:2021-Security Misconfiguration",
        cvss_vector: "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:N",
        parameter_locations: locs::NONE,
        references: &[
            ("CWE-200: Exposure of Sensitive Information to an Unauthorized Actor", "https://cwe.mitre.org/data/definitions/200.html"),
            ("MDN Referrer-Policy", "https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Referrer-Policy"),
            OWASP_A05,
        ],
        attacks: &[
            AttackMeta {
                id: "REF_01",
                kind: "Missing or unsafe Referrer-Policy",
                class: "Misconfiguration",
                description: "HTML response without a safe Referrer-Policy.",
            },
        ],
    }
}

pub(crate) fn inspect(p: &Page<'_>) -> Vec<PHit> {
    if p.html.is_none() || p.resp.status >= 400 {
        return Vec::new();
    }
    match p
        .resp
        .header("referrer-policy")
        .map(|v| v.to_ascii_lowercase())
    {
        None => vec![PHit::host("REF_01", "no Referrer-Policy header")],
        Some(v) if v.contains("unsafe-url") || v.contains("no-referrer-when-downgrade") => {
            vec![PHit::page("REF_01", format!("Referrer-Policy: {v}"), "")]
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::passive::testing::{check, Example, HTML, PAGE};

    const U: &str = "https://a.example/";

    #[test]
    fn examples() {
        let table: &[Example] = &[
            ("missing", U, 200, &[HTML], PAGE, &["REF_01"]),
            (
                "strict-origin-when-cross-origin",
                U,
                200,
                &[HTML, ("Referrer-Policy", "strict-origin-when-cross-origin")],
                PAGE,
                &[],
            ),
            (
                "no-referrer",
                U,
                200,
                &[HTML, ("Referrer-Policy", "no-referrer")],
                PAGE,
                &[],
            ),
            (
                "unsafe-url",
                U,
                200,
                &[HTML, ("Referrer-Policy", "unsafe-url")],
                PAGE,
                &["REF_01"],
            ),
            (
                "no-referrer-when-downgrade",
                U,
                200,
                &[HTML, ("Referrer-Policy", "No-Referrer-When-Downgrade")],
                PAGE,
                &["REF_01"],
            ),
            (
                "not html",
                U,
                200,
                &[("content-type", "text/css")],
                "body{}",
                &[],
            ),
            ("error page", U, 403, &[HTML], PAGE, &[]),
        ];
        check(super::inspect, table);
    }
}
