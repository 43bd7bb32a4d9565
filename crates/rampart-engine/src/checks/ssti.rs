//! Server-side template injection with large random operands.

use crate::catalogue::{locs, module_id, OWASP_A03};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "ssti";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Server-Side Template Injection",
        description: "<p>Input is evaluated as a template expression on the server, which usually leads to remote code execution.</p>",
        recommendation: "Never build templates from input; pass input as data to a fixed template, and use a sandboxed engine.",
        module_type: ModuleType::Active,
        severity: Severity::High,
        cwe: 1336,
        wasc: None,
        owasp_2021: "A03:2021-Injection",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        parameter_locations: locs::INPUTS,
        references: &[
            ("CWE-1336: Improper Neutralization of Special Elements Used in a Template Engine", "https://cwe.mitre.org/data/definitions/1336.html"),
            ("PortSwigger Server-side template injection", "https://portswigger.net/web-security/server-side-template-injection"),
            OWASP_A03,
        ],
        attacks: &[
            AttackMeta {
                id: "SSTI_01",
                kind: "Template arithmetic",
                class: "Injection",
                description: "Multiplication of two large random numbers in {{ }}, ${ }, <%= %>, #{ }, {= } and similar syntaxes; the product must appear and the expression must not.",
            },
        ],
    }
}
