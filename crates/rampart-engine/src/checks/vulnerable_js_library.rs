//! JavaScript libraries with known vulnerabilities: the catalogue entry. The check runs in
//! the browser crawler (`rampart-browser`, `libraries.rs`): each rendered page's libraries
//! and versions (runtime globals such as `jQuery.fn.jquery`, script file names, banner
//! comments) are matched against a bundled advisory data file (`advisories/js-libraries.toml`).

use crate::catalogue::module_id;
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "vulnerable_js_library";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Vulnerable JavaScript Library",
        description: "<p>A page loads a JavaScript library at a version with publicly known vulnerabilities (cross-site scripting in HTML helpers, prototype pollution, regular-expression denial of service).</p><p>The engine renders the page in a headless browser and reads each library's version from the running page (e.g. <code>jQuery.fn.jquery</code>), the script's file name or its banner comment, then matches it against the advisory data bundled with rampart (CVE ids and affected ranges).</p>",
        recommendation: "Upgrade the library to a version outside every affected range named in the finding (or remove it), keep third-party scripts in the dependency inventory, and monitor their advisories.",
        module_type: ModuleType::Active,
        severity: Severity::Medium,
        cwe: 1104,
        wasc: None,
        owasp_2021: "A06:2021-Vulnerable and Outdated Components",
        cvss_vector: "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:N",
        parameter_locations: &[],
        references: &[
            ("CWE-1104: Use of Unmaintained Third Party Components", "https://cwe.mitre.org/data/definitions/1104.html"),
            ("OWASP Top 10 2021 A06 Vulnerable and Outdated Components", "https://owasp.org/Top10/A06_2021-Vulnerable_and_Outdated_Components/"),
        ],
        attacks: &[AttackMeta {
            id: "JSLIB_01",
            kind: "Library version against advisories",
            class: "Vulnerable Component",
            description: "The version a page runs of a JavaScript library is inside the affected range of one or more published advisories.",
        }],
    }
}
