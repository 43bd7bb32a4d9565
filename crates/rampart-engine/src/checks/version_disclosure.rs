//! Server and framework version banners.

use crate::catalogue::{locs, module_id, OWASP_A05};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "version_disclosure";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Server Version Disclosure",
        description: "<p>Response headers or pages reveal the exact versions of the server or framework, which helps an attacker pick known exploits.</p>",
        recommendation: "Remove version numbers from Server, X-Powered-By and similar headers and from generator tags.",
        module_type: ModuleType::Passive,
        severity: Severity::Low,
        cwe: 200,
        wasc: Some(13),
        owasp_2021: "A05:2021-Security Misconfiguration",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N",
        parameter_locations: locs::NONE,
        references: &[
            ("CWE-200: Exposure of Sensitive Information to an Unauthorized Actor", "https://cwe.mitre.org/data/definitions/200.html"),
            ("OWASP Fingerprint Web Server", "https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/01-Information_Gathering/02-Fingerprint_Web_Server"),
            OWASP_A05,
        ],
        attacks: &[
            AttackMeta {
                id: "VER_01",
                kind: "Versioned banner",
                class: "Information Disclosure",
                description: "Server, X-Powered-By, X-AspNet-Version or generator meta with a version number.",
            },
        ],
    }
}
