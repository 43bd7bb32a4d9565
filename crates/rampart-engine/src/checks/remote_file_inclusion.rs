//! Remote file inclusion confirmed by the out-of-band listener.

use crate::catalogue::{locs, module_id, OWASP_A03};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "remote_file_inclusion";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Remote File Inclusion",
        description: "<p>The application fetches and includes a file from a URL supplied in the request, so an attacker can make it run or display remote content.</p>",
        recommendation: "Never include or fetch files named by input; use an allow-list, disable remote includes (allow_url_include=Off in PHP).",
        module_type: ModuleType::Active,
        severity: Severity::High,
        cwe: 98,
        wasc: Some(5),
        owasp_2021: "A03:2021-Injection",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        parameter_locations: locs::QUERY_POST,
        references: &[
            ("CWE-98: Improper Control of Filename for Include/Require Statement in PHP Program", "https://cwe.mitre.org/data/definitions/98.html"),
            ("OWASP Testing for Remote File Inclusion", "https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/07-Input_Validation_Testing/11.2-Testing_for_Remote_File_Inclusion"),
            OWASP_A03,
        ],
        attacks: &[
            AttackMeta {
                id: "RFI_01",
                kind: "Out-of-band inclusion",
                class: "File Inclusion",
                description: "A URL to the engine's out-of-band listener carrying a scan token; a callback or the served marker in the response confirms.",
            },
        ],
    }
}
