//! CRLF injection into response headers.

use crate::catalogue::{locs, module_id, OWASP_A03};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "crlf_injection";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "CRLF Injection",
        description: "<p>Input containing carriage-return/line-feed characters is copied into a response header, letting an attacker add headers or cookies, or split the response.</p>",
        recommendation: "Reject or encode CR and LF in any value placed in a header; use framework header APIs that refuse them.",
        module_type: ModuleType::Active,
        severity: Severity::Medium,
        cwe: 113,
        wasc: Some(25),
        owasp_2021: "A03:2021-Injection",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
        parameter_locations: locs::INPUTS,
        references: &[
            ("CWE-113: Improper Neutralization of CRLF Sequences in HTTP Headers", "https://cwe.mitre.org/data/definitions/113.html"),
            ("OWASP CRLF Injection", "https://owasp.org/www-community/vulnerabilities/CRLF_Injection"),
            OWASP_A03,
        ],
        attacks: &[
            AttackMeta {
                id: "CRLF_01",
                kind: "Injected header",
                class: "Injection",
                description: "Encoded CRLF followed by a unique header name; the header must appear in the response.",
            },
            AttackMeta {
                id: "CRLF_02",
                kind: "Injected cookie",
                class: "Injection",
                description: "Encoded CRLF followed by Set-Cookie with a unique name.",
            },
        ],
    }
}
