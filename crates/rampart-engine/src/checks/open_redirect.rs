//! Open redirect to a unique host, confirmed in Location, meta refresh or script.

use crate::catalogue::{locs, module_id, OWASP_A01};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "open_redirect";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Open Redirect",
        description: "<p>The application redirects to a URL taken from the request, which attackers use in phishing to lend the site's credibility to a malicious destination.</p>",
        recommendation: "Redirect only to relative paths or to an allow-list of destinations; map identifiers to URLs on the server.",
        module_type: ModuleType::Active,
        severity: Severity::Medium,
        cwe: 601,
        wasc: Some(38),
        owasp_2021: "A01:2021-Broken Access Control",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
        parameter_locations: locs::QUERY_POST,
        references: &[
            ("CWE-601: URL Redirection to Untrusted Site", "https://cwe.mitre.org/data/definitions/601.html"),
            ("OWASP Unvalidated Redirects Cheat Sheet", "https://cheatsheetseries.owasp.org/cheatsheets/Unvalidated_Redirects_and_Forwards_Cheat_Sheet.html"),
            OWASP_A01,
        ],
        attacks: &[
            AttackMeta {
                id: "REDIR_01",
                kind: "Absolute URL",
                class: "Redirect",
                description: "An absolute URL to a unique host.",
            },
            AttackMeta {
                id: "REDIR_02",
                kind: "Scheme-relative URL",
                class: "Redirect",
                description: "A //host URL and backslash variants to a unique host.",
            },
        ],
    }
}
