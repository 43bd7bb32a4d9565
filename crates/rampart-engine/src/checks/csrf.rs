//! State-changing forms without anti-CSRF protection.

use crate::catalogue::{locs, module_id, OWASP_A01};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "csrf";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Cross-Site Request Forgery",
        description: "<p>A state-changing POST form carries no anti-CSRF token and the session cookie has no SameSite protection, so another site can submit it on behalf of a logged-in user.</p>",
        recommendation: "Use a synchronizer token or the double-submit pattern on every state-changing request, and set SameSite=Lax or Strict on session cookies.",
        module_type: ModuleType::Active,
        severity: Severity::Medium,
        cwe: 352,
        wasc: Some(9),
        owasp_2021: "A01:2021-Broken Access Control",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:H/A:N",
        parameter_locations: locs::POST,
        references: &[
            ("CWE-352: Cross-Site Request Forgery", "https://cwe.mitre.org/data/definitions/352.html"),
            ("OWASP CSRF Prevention Cheat Sheet", "https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html"),
            OWASP_A01,
        ],
        attacks: &[
            AttackMeta {
                id: "CSRF_01",
                kind: "Form without token",
                class: "Request Forgery",
                description: "A POST form with no token-like hidden field, submitted without one and accepted.",
            },
        ],
    }
}
