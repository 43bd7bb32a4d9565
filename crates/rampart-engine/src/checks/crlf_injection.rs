//! CRLF injection into response headers.

use super::common::inject;
use crate::catalogue::{locs, module_id, OWASP_A03};
use crate::client::{SendError, Sent};
use crate::ctx::{Ctx, Hit};
use crate::finding::Confidence;
use crate::http::HttpResponse;
use crate::target::{InsertionPoint, Resource};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "crlf_injection";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "CRLF Injection",
        description: "<p>Input containing carriage-return/line-feed characters is copied into a response header, letting an attacker add headers or cookies, or split the response.</p>",
        recommendation: "Reject or encode CR and LF in any value placed in a header; use framework header APIs that refuse them.",
        module_type: ModuleType::Active,
        severity: Severity::Medium,
        cwe: 113,
        wasc: Some(25),
        owasp_2021: "A03:2021-Injection",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
        parameter_locations: locs::INPUTS,
        references: &[
            ("CWE-113: Improper Neutralization of CRLF Sequences in HTTP Headers", "https://cwe.mitre.org/data/definitions/113.html"),
            ("OWASP CRLF Injection", "https://owasp.org/www-community/vulnerabilities/CRLF_Injection"),
            OWASP_A03,
        ],
        attacks: &[
            AttackMeta {
                id: "CRLF_01",
                kind: "Injected header",
                class: "Injection",
                description: "Encoded CRLF followed by a unique header name; the header must appear in the response.",
            },
            AttackMeta {
                id: "CRLF_02",
                kind: "Injected cookie",
                class: "Injection",
                description: "Encoded CRLF followed by Set-Cookie with a unique name.",
            },
        ],
    }
}

pub(crate) async fn attack(
    ctx: &Ctx,
    r: &Resource,
    orig: &Sent,
    p: &InsertionPoint,
) -> Result<(), SendError> {
    if ctx.already(KEY, r, Some(p)).await {
        return Ok(());
    }
    let id = crate::rand_id(8);
    let header = format!("x-rampart-{id}");
    let cookie = format!("rmpcrlf{id}");
    let payloads = [
        (
            "CRLF_01",
            format!("{}\r\nX-Rampart-{id}: injected", p.original),
        ),
        (
            "CRLF_01",
            format!("{}\r\n X-Rampart-{id}: injected", p.original),
        ),
        (
            "CRLF_01",
            format!("{}\nX-Rampart-{id}: injected", p.original),
        ),
        (
            "CRLF_02",
            format!("{}\r\nSet-Cookie: {cookie}=1", p.original),
        ),
        // Encoded variants: for an application that strips raw line breaks and then decodes
        // (the value carries `%0d%0a` itself), and for one that keeps only the low byte of
        // each character (U+560A U+560D end in 0A 0D).
        (
            "CRLF_01",
            format!("{}%0d%0aX-Rampart-{id}:%20injected", p.original),
        ),
        (
            "CRLF_01",
            format!("{}\u{560d}\u{560a}X-Rampart-{id}: injected", p.original),
        ),
    ];
    for (attack_id, value) in payloads {
        let sent = inject(ctx, r, p, &value).await?;
        if let Some((n, v)) = injected_header(&sent.response, &header, &cookie) {
            ctx.report_point(
                r,
                Some(p),
                Hit {
                    module: KEY,
                    attack_id,
                    value: &value,
                    proof: format!("{n}: {v}"),
                    proof_description: "the injected header appears in the response headers",
                    confidence: Confidence::Confirmed,
                    original: Some(orig),
                    attack: Some(&sent),
                },
            )
            .await;
            return Ok(());
        }
    }
    Ok(())
}

/// The response header that the injection created: `header` itself, or a Set-Cookie of
/// `cookie`.
fn injected_header<'a>(
    resp: &'a HttpResponse,
    header: &str,
    cookie: &str,
) -> Option<&'a (String, String)> {
    resp.headers.iter().find(|(n, v)| {
        n.eq_ignore_ascii_case(header)
            || (n.eq_ignore_ascii_case("set-cookie") && v.starts_with(&format!("{cookie}=")))
    })
}

#[cfg(test)]
mod tests {
    use crate::http::HttpResponse;

    fn resp(headers: &[(&str, &str)]) -> HttpResponse {
        HttpResponse {
            status: 302,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn examples() {
        let (h, c) = ("x-rampart-ab12cd34", "rmpcrlfab12cd34");
        let table: &[(&str, HttpResponse, bool)] = &[
            (
                "header injected",
                resp(&[("Location", "/home"), ("X-Rampart-ab12cd34", "injected")]),
                true,
            ),
            (
                "cookie injected",
                resp(&[("Location", "/home"), ("Set-Cookie", "rmpcrlfab12cd34=1")]),
                true,
            ),
            (
                "encoded into the location",
                resp(&[("Location", "/home%0d%0aX-Rampart-ab12cd34:%20injected")]),
                false,
            ),
            (
                "other cookie",
                resp(&[("Set-Cookie", "session=rmpcrlfab12cd34=1")]),
                false,
            ),
            (
                "other rampart header",
                resp(&[("X-Rampart-zzzz", "injected")]),
                false,
            ),
        ];
        for (name, r, want) in table {
            assert_eq!(super::injected_header(r, h, c).is_some(), *want, "{name}");
        }
    }
}
