//! Predictable session identifiers sampled across responses.

use crate::catalogue::{locs, module_id, OWASP_A07};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "predictable_session_id";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Predictable Session Identifier",
        description: "<p>Session identifiers issued by the application are short, sequential or low-entropy, so an attacker can guess a valid session.</p>",
        recommendation: "Use the framework's session manager with at least 128 bits of randomness from a CSPRNG.",
        module_type: ModuleType::Passive,
        severity: Severity::Medium,
        cwe: 330,
        wasc: Some(18),
        owasp_2021: "A07:2021-Identification and Authentication Failures",
        cvss_vector: "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N",
        parameter_locations: locs::NONE,
        references: &[
            ("CWE-330: Use of Insufficiently Random Values", "https://cwe.mitre.org/data/definitions/330.html"),
            ("OWASP Session Management Cheat Sheet", "https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html"),
            OWASP_A07,
        ],
        attacks: &[
            AttackMeta {
                id: "SESS_01",
                kind: "Low-entropy or sequential session id",
                class: "Session",
                description: "Session cookie values sampled across responses are numeric-sequential, short or low-entropy.",
            },
        ],
    }
}
