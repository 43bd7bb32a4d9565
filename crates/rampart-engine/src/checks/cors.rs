//! Permissive CORS: arbitrary or null origins trusted with credentials.

use crate::catalogue::{locs, module_id, OWASP_A05};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "cors";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Permissive CORS Policy",
        description: "<p>The server reflects an arbitrary Origin (or accepts <code>null</code>) in Access-Control-Allow-Origin while allowing credentials, so any site can read authenticated responses.</p>",
        recommendation: "Allow-list trusted origins exactly; never reflect the Origin header; never trust the null origin.",
        module_type: ModuleType::Active,
        severity: Severity::Medium,
        cwe: 942,
        wasc: Some(14),
        owasp_2021: "A05:2021-Security Misconfiguration",
        cvss_vector: "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:N/A:N",
        parameter_locations: locs::HEADER,
        references: &[
            ("CWE-942: Permissive Cross-domain Policy with Untrusted Domains", "https://cwe.mitre.org/data/definitions/942.html"),
            ("PortSwigger CORS", "https://portswigger.net/web-security/cors"),
            OWASP_A05,
        ],
        attacks: &[
            AttackMeta {
                id: "CORS_01",
                kind: "Arbitrary origin reflected",
                class: "Misconfiguration",
                description: "An Origin of a unique host echoed back with credentials allowed.",
            },
            AttackMeta {
                id: "CORS_02",
                kind: "Null origin trusted",
                class: "Misconfiguration",
                description: "Origin: null accepted with credentials allowed.",
            },
        ],
    }
}
