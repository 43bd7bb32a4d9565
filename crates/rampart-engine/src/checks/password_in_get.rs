//! Password fields submitted with GET.

use super::passive::{PHit, Page};
use crate::catalogue::{locs, module_id, OWASP_A04};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "password_in_get";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Password Submitted in URL",
        description: "<p>A form with a password field uses the GET method, so the password ends up in URLs, logs, history and Referer headers.</p>",
        recommendation: "Submit credentials with POST only.",
        module_type: ModuleType::Passive,
        severity: Severity::Low,
        cwe: 598,
        wasc: Some(13),
        owasp_2021: "A04:2021-Insecure Design",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N",
        parameter_locations: locs::NONE,
        references: &[
            ("CWE-598: Use of GET Request Method With Sensitive Query Strings", "https://cwe.mitre.org/data/definitions/598.html"),
            ("OWASP Information Exposure Through Query Strings", "https://owasp.org/www-community/vulnerabilities/Information_exposure_through_query_strings_in_url"),
            OWASP_A04,
        ],
        attacks: &[
            AttackMeta {
                id: "PWGET_01",
                kind: "Password form with GET",
                class: "Information Disclosure",
                description: "A form with method GET containing a password field.",
            },
        ],
    }
}

pub(crate) fn inspect(p: &Page<'_>) -> Vec<PHit> {
    let Some(h) = &p.html else { return Vec::new() };
    h.forms
        .iter()
        .filter(|f| !f.password_fields.is_empty() && f.method == "GET")
        .take(1)
        .map(|f| {
            PHit::page(
                "PWGET_01",
                format!("password form with method GET to {}", f.action),
                f.password_fields[0].clone(),
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
            ("explicit get", "https://a.example/", 200, &[HTML], "<html><body><form method=\"get\" action=\"/login\"><input type=\"password\" name=\"pw\"></form></body></html>", &["PWGET_01"]),
            ("default method is get", "https://a.example/", 200, &[HTML], "<html><body><form action=\"/login\"><input type=\"password\" name=\"pw\"></form></body></html>", &["PWGET_01"]),
            ("post", "https://a.example/", 200, &[HTML], "<html><body><form method=\"POST\" action=\"/login\"><input type=\"password\" name=\"pw\"></form></body></html>", &[]),
            ("get without password", "https://a.example/", 200, &[HTML], "<html><body><form method=\"get\" action=\"/s\"><input name=\"q\"></form></body></html>", &[]),
        ];
        check(super::inspect, table);
    }
}
