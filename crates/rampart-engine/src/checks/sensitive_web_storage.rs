//! Sensitive data in web storage: the catalogue entry. The check runs in the browser crawler
//! (`rampart-browser`, `clientside.rs`): after a page settles, its `localStorage` and
//! `sessionStorage` entries are read, and values that are credentials (JSON Web Tokens,
//! entries named like tokens, secrets or passwords) or payment card numbers are reported.

use crate::catalogue::{module_id, OWASP_A02};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "sensitive_web_storage";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Sensitive Data in Web Storage",
        description: "<p>The application stores a credential (a session or access token, a password, an API key) or a payment card number in <code>localStorage</code> or <code>sessionStorage</code>. Any script running in the origin can read web storage, so a single cross-site scripting flaw or a compromised third-party script discloses it; <code>localStorage</code> also outlives the session on shared machines.</p>",
        recommendation: "Keep session credentials in cookies marked HttpOnly, Secure and SameSite instead of web storage; never store passwords or card numbers client-side; if a token must live in the browser, keep it in memory only and short-lived.",
        module_type: ModuleType::Active,
        severity: Severity::Low,
        cwe: 312,
        wasc: None,
        owasp_2021: "A02:2021-Cryptographic Failures",
        cvss_vector: "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N",
        parameter_locations: &[],
        references: &[
            ("CWE-312: Cleartext Storage of Sensitive Information", "https://cwe.mitre.org/data/definitions/312.html"),
            ("OWASP HTML5 Security Cheat Sheet: Local Storage", "https://cheatsheetseries.owasp.org/cheatsheets/HTML5_Security_Cheat_Sheet.html#local-storage"),
            OWASP_A02,
        ],
        attacks: &[AttackMeta {
            id: "STOR_01",
            kind: "Web storage read after the page ran",
            class: "Information Disclosure",
            description: "An entry of localStorage or sessionStorage written by the page holds a credential or a card number.",
        }],
    }
}
