//! Reflected cross-site scripting, context-aware and confirmed by parsing.

use crate::catalogue::{locs, module_id, OWASP_A03};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "xss_reflected";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Cross-Site Scripting (Reflected)",
        description: "<p>Request input is reflected into the page without context-appropriate encoding, so an attacker can craft a link that runs script in the victim's browser session.</p><p>The engine first sends a unique canary to learn where and how it is reflected, then a payload built for that exact context, and confirms by parsing the response as HTML.</p>",
        recommendation: "Encode output for its context (HTML text, attribute, JavaScript string, URL) with a templating engine that escapes by default; add a strict Content-Security-Policy.",
        module_type: ModuleType::Active,
        severity: Severity::Medium,
        cwe: 79,
        wasc: Some(8),
        owasp_2021: "A03:2021-Injection",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
        parameter_locations: locs::INPUTS,
        references: &[
            ("CWE-79: Improper Neutralization of Input During Web Page Generation", "https://cwe.mitre.org/data/definitions/79.html"),
            ("OWASP XSS Prevention Cheat Sheet", "https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html"),
            OWASP_A03,
        ],
        attacks: &[
            AttackMeta {
                id: "XSS_01",
                kind: "HTML text context",
                class: "Cross-Site Scripting",
                description: "A new element injected into HTML text, confirmed as a parsed element.",
            },
            AttackMeta {
                id: "XSS_02",
                kind: "HTML attribute context",
                class: "Cross-Site Scripting",
                description: "Breaking out of a quoted or unquoted attribute to add an event-handler attribute, confirmed by parsing.",
            },
            AttackMeta {
                id: "XSS_03",
                kind: "Script context",
                class: "Cross-Site Scripting",
                description: "Breaking out of a JavaScript string or closing the script element, confirmed by parsing the script text.",
            },
            AttackMeta {
                id: "XSS_04",
                kind: "URL attribute context",
                class: "Cross-Site Scripting",
                description: "A javascript: URL injected into an href or src attribute, confirmed by parsing.",
            },
        ],
    }
}
