//! Password fields with autocomplete enabled.

use super::passive::{PHit, Page};
use crate::catalogue::{locs, module_id, OWASP_A07};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "password_autocomplete";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Password Autocomplete Enabled",
        description: "<p>A password field does not disable autocomplete, so browsers on shared machines may store the credential.</p>",
        recommendation: "Set autocomplete=\"off\" or \"new-password\" on password fields where storing is inappropriate.",
        module_type: ModuleType::Passive,
        severity: Severity::Informational,
        cwe: 525,
        wasc: Some(15),
        owasp_2021: "A07:2021-Identification and Authentication Failures",
        cvss_vector: "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:N",
        parameter_locations: locs::NONE,
        references: &[
            ("CWE-525: Use of Web Browser Cache Containing Sensitive Information", "https://cwe.mitre.org/data/definitions/525.html"),
            ("MDN autocomplete", "https://developer.mozilla.org/en-US/docs/Web/HTML/Attributes/autocomplete"),
            OWASP_A07,
        ],
        attacks: &[
            AttackMeta {
                id: "PWAUTO_01",
                kind: "Autocomplete on password",
                class: "Misconfiguration",
                description: "A password input without autocomplete off/new-password.",
            },
        ],
    }
}

pub(crate) fn inspect(p: &Page<'_>) -> Vec<PHit> {
    let Some(h) = &p.html else { return Vec::new() };
    h.forms
        .iter()
        .filter(|f| f.password_autocomplete)
        .take(1)
        .map(|f| {
            PHit::page(
                "PWAUTO_01",
                "password input without autocomplete=off",
                f.password_label(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::passive::testing::{check, Example, HTML};

    #[test]
    fn examples() {
        let table: &[Example] = &[
            ("autocomplete allowed", "https://a.example/", 200, &[HTML], "<html><body><form method=\"post\"><input type=\"password\" name=\"pw\"></form></body></html>", &["PWAUTO_01"]),
            ("off on the input", "https://a.example/", 200, &[HTML], "<html><body><form method=\"post\"><input type=\"password\" name=\"pw\" autocomplete=\"off\"></form></body></html>", &[]),
            ("off on the form", "https://a.example/", 200, &[HTML], "<html><body><form method=\"post\" autocomplete=\"off\"><input type=\"password\" name=\"pw\"></form></body></html>", &[]),
            ("no password", "https://a.example/", 200, &[HTML], "<html><body><form method=\"post\"><input name=\"q\"></form></body></html>", &[]),
            ("password input without a name", "https://a.example/", 200, &[HTML], "<html><body><form id=\"f\"><input name=\"user\"><input type=\"password\" id=\"pin\"></form></body></html>", &["PWAUTO_01"]),
            ("unnamed password input with autocomplete off", "https://a.example/", 200, &[HTML], "<html><body><form id=\"f\"><input name=\"user\"><input type=\"password\" id=\"pin\" autocomplete=\"off\"></form></body></html>", &[]),
        ];
        check(super::inspect, table);
    }
}
