//! Server-side code injection with language-specific markers.

use crate::catalogue::{locs, module_id, OWASP_A03};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "code_injection";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Code Injection",
        description: "<p>Input is evaluated as code (PHP, JavaScript, Python or Ruby) by the server, letting an attacker run arbitrary code.</p>",
        recommendation: "Never pass input to eval-like functions; parse data with a data-only parser.",
        module_type: ModuleType::Active,
        severity: Severity::Critical,
        cwe: 94,
        wasc: None,
        owasp_2021: "A03:2021-Injection",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        parameter_locations: locs::INPUTS,
        references: &[
            ("CWE-94: Improper Control of Generation of Code", "https://cwe.mitre.org/data/definitions/94.html"),
            ("OWASP Code Injection", "https://owasp.org/www-community/attacks/Code_Injection"),
            OWASP_A03,
        ],
        attacks: &[
            AttackMeta {
                id: "CODE_01",
                kind: "Expression evaluation",
                class: "Injection",
                description: "Language-specific expressions that print the product of two random numbers, in string and numeric contexts.",
            },
        ],
    }
}
