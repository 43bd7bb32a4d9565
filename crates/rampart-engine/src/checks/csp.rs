//! Missing or weak Content-Security-Policy.

use crate::catalogue::{locs, module_id, OWASP_A05};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "csp";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Missing or Weak Content Security Policy",
        description: "<p>HTML responses have no Content-Security-Policy, or one that allows inline script or any source, so injected script is not contained.</p>",
        recommendation: "Send a Content-Security-Policy that forbids inline script (nonces or hashes), restricts sources and sets object-src 'none' and base-uri.",
        module_type: ModuleType::Passive,
        severity: Severity::Low,
        cwe: 693,
        wasc: Some(15),
        owasp_2021: "A05:2021-Security Misconfiguration",
        cvss_vector: "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N",
        parameter_locations: locs::NONE,
        references: &[
            ("CWE-693: Protection Mechanism Failure", "https://cwe.mitre.org/data/definitions/693.html"),
            ("MDN Content-Security-Policy", "https://developer.mozilla.org/en-US/docs/Web/HTTP/CSP"),
            OWASP_A05,
        ],
        attacks: &[
            AttackMeta {
                id: "CSP_01",
                kind: "Missing CSP",
                class: "Misconfiguration",
                description: "HTML response without a Content-Security-Policy header.",
            },
            AttackMeta {
                id: "CSP_02",
                kind: "Weak CSP",
                class: "Misconfiguration",
                description: "CSP allowing unsafe-inline, unsafe-eval or wildcard script sources.",
            },
        ],
    }
}
