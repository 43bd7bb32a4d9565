//! Private IP addresses in responses.

use super::passive::{PHit, Page};
use crate::catalogue::{locs, module_id, OWASP_A05};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};
use regex::Regex;
use std::sync::LazyLock;

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

static PRIVATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(10\.(?:\d{1,3}\.){2}\d{1,3}|172\.(?:1[6-9]|2\d|3[01])\.\d{1,3}\.\d{1,3}|192\.168\.\d{1,3}\.\d{1,3})\b")
        .unwrap_or_else(|_| unreachable!("literal regex"))
});

pub(crate) fn inspect(p: &Page<'_>) -> Vec<PHit> {
    let host = p.req.url.host_str().unwrap_or("");
    let headers: String = p
        .resp
        .headers
        .iter()
        .map(|(n, v)| format!("{n}: {v}\n"))
        .collect();
    for text in [headers.as_str(), p.text.as_str()] {
        if let Some(m) = PRIVATE.find_iter(text).find(|m| m.as_str() != host) {
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
