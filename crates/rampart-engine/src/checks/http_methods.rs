//! Dangerous HTTP methods: TRACE echo, PUT/DELETE accepted.

use crate::catalogue::{locs, module_id, OWASP_A05};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "http_methods";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Dangerous HTTP Methods",
        description: "<p>The server enables methods that are not needed: TRACE echoes requests (cross-site tracing), PUT and DELETE may let anyone change files.</p>",
        recommendation: "Disable TRACE and every method the application does not use, at the server and proxy.",
        module_type: ModuleType::Active,
        severity: Severity::Low,
        cwe: 650,
        wasc: Some(14),
        owasp_2021: "A05:2021-Security Misconfiguration",
        cvss_vector: "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N",
        parameter_locations: locs::NONE,
        references: &[
            ("CWE-650: Trusting HTTP Permission Methods on the Server Side", "https://cwe.mitre.org/data/definitions/650.html"),
            ("OWASP Test HTTP Methods", "https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/02-Configuration_and_Deployment_Management_Testing/06-Test_HTTP_Methods"),
            OWASP_A05,
        ],
        attacks: &[
            AttackMeta {
                id: "METH_01",
                kind: "TRACE echo",
                class: "Misconfiguration",
                description: "A TRACE request with a unique header that is echoed in the body.",
            },
            AttackMeta {
                id: "METH_02",
                kind: "PUT accepted",
                class: "Misconfiguration",
                description: "A PUT of a harmless marker file to a new path, confirmed only if it is then served back.",
            },
        ],
    }
}
