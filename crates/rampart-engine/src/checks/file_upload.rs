//! Dangerous file upload, confirmed by fetching the stored file.

use crate::catalogue::{locs, module_id, OWASP_A04};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "file_upload";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Unrestricted File Upload",
        description: "<p>A form stores uploaded files with dangerous extensions where the server serves them back, which can lead to code execution or stored XSS.</p>",
        recommendation: "Allow-list extensions and content types, store uploads outside the web root under generated names, and serve them with Content-Disposition: attachment.",
        module_type: ModuleType::Active,
        severity: Severity::High,
        cwe: 434,
        wasc: None,
        owasp_2021: "A04:2021-Insecure Design",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        parameter_locations: locs::POST,
        references: &[
            ("CWE-434: Unrestricted Upload of File with Dangerous Type", "https://cwe.mitre.org/data/definitions/434.html"),
            ("OWASP File Upload Cheat Sheet", "https://cheatsheetseries.owasp.org/cheatsheets/File_Upload_Cheat_Sheet.html"),
            OWASP_A04,
        ],
        attacks: &[
            AttackMeta {
                id: "UPLOAD_01",
                kind: "Dangerous extension served back",
                class: "Upload",
                description: "A harmless marker file uploaded as .php, .jsp, .html and similar, confirmed only when the server serves it back under that name.",
            },
        ],
    }
}
