//! Missing X-Content-Type-Options: nosniff.

use super::passive::{PHit, Page};
use crate::catalogue::{locs, module_id, OWASP_A05};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "x_content_type_options";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Missing X-Content-Type-Options",
        description: "<p>Responses do not send X-Content-Type-Options: nosniff, so browsers may sniff content as a more dangerous type.</p>",
        recommendation: "Send X-Content-Type-Options: nosniff on every response.",
        module_type: ModuleType::Passive,
        severity: Severity::Low,
        cwe: 693,
        wasc: Some(15),
        owasp_2021: "A05:2021-Security Misconfiguration",
        cvss_vector: "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N",
        parameter_locations: locs::NONE,
        references: &[
            ("CWE-693: Protection Mechanism Failure", "https://cwe.mitre.org/data/definitions/693.html"),
            ("MDN X-Content-Type-Options", "https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/X-Content-Type-Options"),
            OWASP_A05,
        ],
        attacks: &[
            AttackMeta {
                id: "XCTO_01",
                kind: "Missing nosniff",
                class: "Misconfiguration",
                description: "Response without X-Content-Type-Options: nosniff.",
            },
        ],
    }
}

pub(crate) fn inspect(p: &Page<'_>) -> Vec<PHit> {
    if p.resp.status >= 400 || p.resp.body.is_empty() {
        return Vec::new();
    }
    match p.resp.header("x-content-type-options") {
        Some(v) if v.trim().eq_ignore_ascii_case("nosniff") => Vec::new(),
        _ => vec![PHit::host("XCTO_01", "no X-Content-Type-Options: nosniff")],
    }
}

#[cfg(test)]
mod tests {
    use super::super::passive::testing::{check, Example, HTML, PAGE};

    const U: &str = "http://a.example/app.js";

    #[test]
    fn examples() {
        let js = ("content-type", "application/javascript");
        let table: &[Example] = &[
            (
                "missing on script",
                U,
                200,
                &[js],
                "console.log(1)",
                &["XCTO_01"],
            ),
            ("missing on html", U, 200, &[HTML], PAGE, &["XCTO_01"]),
            (
                "nosniff",
                U,
                200,
                &[js, ("X-Content-Type-Options", "nosniff")],
                "console.log(1)",
                &[],
            ),
            (
                "nosniff any case",
                U,
                200,
                &[js, ("x-content-type-options", "NoSniff ")],
                "console.log(1)",
                &[],
            ),
            (
                "wrong value",
                U,
                200,
                &[js, ("X-Content-Type-Options", "sniff")],
                "console.log(1)",
                &["XCTO_01"],
            ),
            ("empty body", U, 204, &[], "", &[]),
            ("not found", U, 404, &[HTML], PAGE, &[]),
        ];
        check(super::inspect, table);
    }
}
