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
        if let Some(m) = private
            .find_iter(text)
            .find(|m| m.as_str() != host && disclosed(text, m.start(), m.end()))
        {
            return vec![PHit::page("PIP_01", m.as_str(), "")];
        }
    }
    Vec::new()
}

/// Words before a number that make it a version, not an address.
const VERSION_WORDS: &[&str] = &["version", "ver", "v", "release", "build", "rev", "revision"];
/// Words near an address that make the text documentation about address ranges.
const RANGE_DOC: &[&str] = &[
    "rfc 1918",
    "rfc1918",
    "private address",
    "private ip",
    "private network",
    "private range",
    "address range",
    "address space",
    "subnet",
    "netmask",
    "cidr",
];

/// Whether the private-looking address at `text[start..end]` is a disclosed host address:
/// every octet valid; not a network or broadcast address (`.0`, `.255`) nor a CIDR block
/// (`192.168.0.0/16`); not part of a longer dotted number or preceded by a version word
/// (`v10.0.0.1`, `version 10.0.0.1` in a changelog); not in text about address ranges
/// (RFC 1918, subnets) on the same line.
fn disclosed(text: &str, start: usize, end: usize) -> bool {
    let addr = &text[start..end];
    let octets: Vec<u16> = addr.split('.').filter_map(|o| o.parse().ok()).collect();
    if octets.len() != 4 || octets.iter().any(|&o| o > 255) {
        return false;
    }
    if matches!(octets[3], 0 | 255) {
        return false;
    }
    let after = &text[end..];
    let before = &text[..start];
    let mut next = after.chars();
    match (next.next(), next.next()) {
        (Some('/'), Some(d)) if d.is_ascii_digit() => return false,
        (Some('.' | '-' | '_'), Some(d)) if d.is_ascii_alphanumeric() => return false,
        _ => {}
    }
    let mut prev = before.chars().rev();
    if let (Some('.' | '-' | '_'), Some(d)) = (prev.next(), prev.next()) {
        if d.is_ascii_alphanumeric() {
            return false;
        }
    }
    let word: String = before
        .trim_end_matches([' ', ':', '=', '\t'])
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect::<String>()
        .chars()
        .rev()
        .collect::<String>()
        .to_ascii_lowercase();
    if VERSION_WORDS.contains(&word.as_str()) {
        return false;
    }
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line_end = after.find('\n').map_or(text.len(), |i| end + i);
    let line = text[line_start..line_end].to_ascii_lowercase();
    !RANGE_DOC.iter().any(|w| line.contains(w))
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
                "a host among text",
                U,
                200,
                &[HTML],
                "<p>Connecting to db at 10.12.4.7 failed</p>",
                &["PIP_01"],
            ),
            (
                "an address after a colon",
                U,
                200,
                &[HTML, ("Via", "1.1 proxy (internal: 192.168.40.12)")],
                "<p>ok</p>",
                &["PIP_01"],
            ),
            (
                "RFC 1918 ranges explained",
                U,
                200,
                &[HTML],
                "<p>RFC 1918 reserves 10.0.0.0 to 10.255.255.255, 172.16.0.0/12 and 192.168.0.0/16.</p>",
                &[],
            ),
            (
                "a CIDR block",
                U,
                200,
                &[HTML],
                "<pre>allow 192.168.0.0/16;\nallow 172.16.4.0/24;</pre>",
                &[],
            ),
            (
                "a subnet example in documentation",
                U,
                200,
                &[HTML],
                "<li>Put the office subnet, e.g. 192.168.1.10, in the allow list</li>",
                &[],
            ),
            (
                "a version in a changelog",
                U,
                200,
                &[HTML],
                "<h2>Changelog</h2><p>Version 10.0.0.1 fixes the importer</p><p>v10.1.2.3: faster</p>",
                &[],
            ),
            (
                "a longer dotted number",
                U,
                200,
                &[HTML],
                "<p>package 2.10.0.0.4 and 10.2.3.4.5 builds</p>",
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
