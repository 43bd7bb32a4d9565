//! Backups, VCS metadata, config and debug files, confirmed by content.

use crate::catalogue::{locs, module_id, OWASP_A05};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "sensitive_files";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Sensitive File Exposure",
        description: "<p>Files that should never be served are reachable: backups of sources, version-control metadata, environment and configuration files, debug pages or database files.</p>",
        recommendation: "Remove such files from the web root, deny them at the server, and deploy from a clean build artefact.",
        module_type: ModuleType::Active,
        severity: Severity::Medium,
        cwe: 538,
        wasc: Some(34),
        owasp_2021: "A05:2021-Security Misconfiguration",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N",
        parameter_locations: locs::FILES,
        references: &[
            ("CWE-538: Insertion of Sensitive Information into Externally-Accessible File or Directory", "https://cwe.mitre.org/data/definitions/538.html"),
            ("OWASP Review Old Backup and Unreferenced Files", "https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/02-Configuration_and_Deployment_Management_Testing/04-Review_Old_Backup_and_Unreferenced_Files_for_Sensitive_Information"),
            OWASP_A05,
        ],
        attacks: &[
            AttackMeta {
                id: "FILE_01",
                kind: "Backup of a discovered file",
                class: "Information Disclosure",
                description: "Backup suffixes of discovered files (.bak, ~, .old, .swp, .orig).",
            },
            AttackMeta {
                id: "FILE_02",
                kind: "Version-control metadata",
                class: "Information Disclosure",
                description: ".git/HEAD, .git/config, .svn/entries, .hg.",
            },
            AttackMeta {
                id: "FILE_03",
                kind: "Configuration and environment files",
                class: "Information Disclosure",
                description: ".env, config files, database files and dumps.",
            },
            AttackMeta {
                id: "FILE_04",
                kind: "Debug pages",
                class: "Information Disclosure",
                description: "phpinfo pages, server-status and similar.",
            },
        ],
    }
}
