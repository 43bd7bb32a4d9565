//! Stored cross-site scripting by canary tracking.

use crate::catalogue::{locs, module_id, OWASP_A03};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "xss_stored";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Cross-Site Scripting (Stored)",
        description: "<p>Input submitted to one request is stored and later rendered to other users without encoding.</p><p>The engine plants unique canaries and looks for them on every later response; a canary found elsewhere is attributed to the input that planted it and then confirmed with a payload parsed as HTML.</p>",
        recommendation: "Encode stored data when it is rendered, in the output context; validate input on the way in; add a strict Content-Security-Policy.",
        module_type: ModuleType::Active,
        severity: Severity::High,
        cwe: 79,
        wasc: Some(8),
        owasp_2021: "A03:2021-Injection",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N",
        parameter_locations: locs::QUERY_POST,
        references: &[
            ("CWE-79: Improper Neutralization of Input During Web Page Generation", "https://cwe.mitre.org/data/definitions/79.html"),
            ("OWASP XSS Prevention Cheat Sheet", "https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html"),
            OWASP_A03,
        ],
        attacks: &[
            AttackMeta {
                id: "SXSS_01",
                kind: "Stored canary",
                class: "Cross-Site Scripting",
                description: "A unique canary planted in an input and found on a different page later.",
            },
            AttackMeta {
                id: "SXSS_02",
                kind: "Stored payload",
                class: "Cross-Site Scripting",
                description: "A script payload planted in the input that stored the canary, confirmed as a parsed element on the page that shows it.",
            },
        ],
    }
}
