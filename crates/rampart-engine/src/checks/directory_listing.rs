//! Directory auto-index pages.

use crate::catalogue::{locs, module_id, OWASP_A01};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "directory_listing";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Directory Listing",
        description: "<p>The server lists the contents of a directory, which reveals files that are not linked and helps an attacker find sensitive ones.</p>",
        recommendation: "Disable automatic directory indexes on the server.",
        module_type: ModuleType::Active,
        severity: Severity::Low,
        cwe: 548,
        wasc: Some(16),
        owasp_2021: "A01:2021-Broken Access Control",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N",
        parameter_locations: locs::DIRECTORY,
        references: &[
            ("CWE-548: Exposure of Information Through Directory Listing", "https://cwe.mitre.org/data/definitions/548.html"),
            ("OWASP Directory Indexing", "https://owasp.org/www-community/Improper_Error_Handling"),
            OWASP_A01,
        ],
        attacks: &[
            AttackMeta {
                id: "DIR_01",
                kind: "Auto-index page",
                class: "Information Disclosure",
                description: "Known auto-index markers of Apache, nginx, IIS, Tomcat, Python and Node servers.",
            },
        ],
    }
}
