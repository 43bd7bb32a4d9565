//! Path traversal and local file inclusion by known-file signatures.

use crate::catalogue::{locs, module_id, OWASP_A01};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "path_traversal";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Path Traversal",
        description: "<p>Input is used to build a file path, letting an attacker read files outside the intended directory, such as system password files or application sources.</p>",
        recommendation: "Map input to an allow-list of files or identifiers; never use it in a path. Canonicalise and check that the result stays under the base directory.",
        module_type: ModuleType::Active,
        severity: Severity::High,
        cwe: 22,
        wasc: Some(33),
        owasp_2021: "A01:2021-Broken Access Control",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
        parameter_locations: locs::INPUTS,
        references: &[
            ("CWE-22: Improper Limitation of a Pathname to a Restricted Directory", "https://cwe.mitre.org/data/definitions/22.html"),
            ("OWASP Path Traversal", "https://owasp.org/www-community/attacks/Path_Traversal"),
            OWASP_A01,
        ],
        attacks: &[
            AttackMeta {
                id: "PT_01",
                kind: "Relative traversal",
                class: "Path Traversal",
                description: "../ sequences, plain and encoded, to /etc/passwd and win.ini, confirmed by file signatures.",
            },
            AttackMeta {
                id: "PT_02",
                kind: "Absolute path",
                class: "Path Traversal",
                description: "Absolute paths and file:// URLs to well-known files.",
            },
            AttackMeta {
                id: "PT_03",
                kind: "PHP filter wrapper",
                class: "File Inclusion",
                description: "php://filter base64 output of a known file.",
            },
        ],
    }
}
