//! XML external entity injection confirmed by the out-of-band listener or file signatures.

use crate::catalogue::{locs, module_id, OWASP_A05};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "xxe";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "XML External Entity Injection",
        description: "<p>The application parses XML with external entities enabled, so an attacker can read local files or make the server issue requests.</p>",
        recommendation: "Disable DTD processing and external entities in every XML parser.",
        module_type: ModuleType::Active,
        severity: Severity::High,
        cwe: 611,
        wasc: Some(43),
        owasp_2021: "A05:2021-Security Misconfiguration",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
        parameter_locations: locs::QUERY_POST,
        references: &[
            ("CWE-611: Improper Restriction of XML External Entity Reference", "https://cwe.mitre.org/data/definitions/611.html"),
            ("OWASP XXE Prevention Cheat Sheet", "https://cheatsheetseries.owasp.org/cheatsheets/XML_External_Entity_Prevention_Cheat_Sheet.html"),
            OWASP_A05,
        ],
        attacks: &[
            AttackMeta {
                id: "XXE_01",
                kind: "External entity callback",
                class: "XML External Entities",
                description: "A document whose external entity points at the out-of-band listener.",
            },
            AttackMeta {
                id: "XXE_02",
                kind: "Local file entity",
                class: "XML External Entities",
                description: "A document whose external entity reads /etc/passwd, confirmed by its signature.",
            },
        ],
    }
}
