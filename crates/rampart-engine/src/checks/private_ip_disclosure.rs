//! Private IP addresses in responses.

use super::passive::{PHit, Page};
use crate::catalogue::{locs, module_id, OWASP_A05};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "private_ip_disclosure";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Private IP Address Disclosure",
        description: "<p>Responses contain RFC 1918 private IP addresses, revealing the internal network layout.</p>",
        recommendation: "Remove internal addresses from headers and pages.",
        module_type: ModuleType::Passive,
        severity: Severity::Informational,
        cwe: 200,
        wasc: Some(13),
        owasp_2021: "A05:2021-Security Misconfiguration",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N",
        parameter_locations: locs::NONE,
        references: &[
            ("CWE-200: Exposure of Sensitive Information to an Unauthorized Actor", "https://cwe.mitre.org/data/definitions/200.html"),
            ("RFC 1918", "https://www.rfc-editor.org/rfc/rfc1918"),
            OWASP_A05,
        ],
        attacks: &[
            AttackMeta {
                id: "PIP_01",
                kind: "Private address",
                class: "Information Disclosure",
                description: "10/8, 172.16/12 or 192.168/16 addresses in a response.",
            },
        ],
    }
}


pub(crate) fn inspect(p: &Page<'_>) -> Vec<PHit> {
    let host = p.req.url.host_str().unwrap_or("");
    let headers: String = p
        .resp
        .headers
        .iter()
        .map(|(n, v)| format!("{n}: {v}\n"))
        .collect();
    // The pattern: `signatures/private_ip.toml`.
    let Some(private) = super::signatures::PRIVATE_IP.get("PIP_01") else {
        return Vec::new();
    };
    for text in [headers.as_str(), p.text.as_str()] {
        if let Some(m) = private.find_iter(text).find(|m| m.as_str() != host) {
            // Version-like strings (10.0.0.1 in a changelog) are rare; each octet must be valid.
            if m.as_str()
                .split('.')
                .all(|o| o.parse::<u16>().is_ok_and(|n| n < 256))
            {
                return vec![PHit::page("PIP_01", m.as_str(), "")];
            }
        }
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::super::passive::testing::{check, Example, HTML};

    const U: &str = "http://a.example/";

    #[test]
    fn examples() {
        let table: &[Example] = &[
            (
                "10/8 in body",
                U,
                200,
                &[HTML],
                "<!-- backend: 10.0.3.17:8080 -->",
                &["PIP_01"],
            ),
            (
                "172.16/12 in header",
                U,
                200,
                &[HTML, ("X-Backend-Server", "172.20.1.5")],
                "<p>ok</p>",
                &["PIP_01"],
            ),
            (
                "192.168/16",
                U,
                200,
                &[HTML],
                "<p>Gateway 192.168.1.1</p>",
                &["PIP_01"],
            ),
            (
                "public address",
                U,
                200,
                &[HTML],
                "<p>Our DNS is 8.8.8.8 and 93.184.216.34</p>",
                &[],
            ),
            (
                "172.32 is public",
                U,
                200,
                &[HTML],
                "<p>172.32.0.1</p>",
                &[],
            ),
            (
                "invalid octet",
                U,
                200,
                &[HTML],
                "<p>build 10.300.1.2</p>",
                &[],
            ),
            (
                "short version number",
                U,
                200,
                &[HTML],
                "<p>Version 10.2.1 released</p>",
                &[],
            ),
            (
                "the scanned host itself",
                "http://10.0.0.5/",
                200,
                &[HTML],
                "<p>served by 10.0.0.5</p>",
                &[],
            ),
        ];
        check(super::inspect, table);
    }
}
