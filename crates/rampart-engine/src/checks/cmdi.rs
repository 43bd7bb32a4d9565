//! OS command injection: output-based and time-based, Unix and Windows.

use crate::catalogue::{locs, module_id, OWASP_A03};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "cmdi";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "OS Command Injection",
        description: "<p>Request input reaches an operating-system shell command. An attacker can run arbitrary commands with the privileges of the application.</p>",
        recommendation: "Avoid calling a shell; use library APIs or pass arguments as an argument vector without a shell. If unavoidable, allow-list the input strictly.",
        module_type: ModuleType::Active,
        severity: Severity::Critical,
        cwe: 78,
        wasc: Some(31),
        owasp_2021: "A03:2021-Injection",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        parameter_locations: locs::INPUTS,
        references: &[
            ("CWE-78: Improper Neutralization of Special Elements used in an OS Command", "https://cwe.mitre.org/data/definitions/78.html"),
            ("OWASP OS Command Injection Defense Cheat Sheet", "https://cheatsheetseries.owasp.org/cheatsheets/OS_Command_Injection_Defense_Cheat_Sheet.html"),
            OWASP_A03,
        ],
        attacks: &[
            AttackMeta {
                id: "CMDI_01",
                kind: "Output-based command injection",
                class: "Injection",
                description: "Command separators followed by an arithmetic echo of random numbers; the computed product must appear and the expression must not.",
            },
            AttackMeta {
                id: "CMDI_02",
                kind: "Time-based command injection",
                class: "Injection",
                description: "Command separators followed by sleep or ping with two delays; the response time must grow linearly.",
            },
        ],
    }
}
