//! Permissive CORS: arbitrary or null origins trusted with credentials.

use crate::catalogue::{locs, module_id, OWASP_A05};
use crate::client::{SendError, Sent};
use crate::ctx::{Ctx, Hit};
use crate::finding::Confidence;
use crate::http::HttpResponse;
use crate::target::Resource;
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "cors";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Permissive CORS Policy",
        description: "<p>The server reflects an arbitrary Origin (or accepts <code>null</code>) in Access-Control-Allow-Origin while allowing credentials, so any site can read authenticated responses.</p>",
        recommendation: "Allow-list trusted origins exactly; never reflect the Origin header; never trust the null origin.",
        module_type: ModuleType::Active,
        severity: Severity::Medium,
        cwe: 942,
        wasc: Some(14),
        owasp_2021: "A05:2021-Security Misconfiguration",
        cvss_vector: "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:N/A:N",
        parameter_locations: locs::HEADER,
        references: &[
            ("CWE-942: Permissive Cross-domain Policy with Untrusted Domains", "https://cwe.mitre.org/data/definitions/942.html"),
            ("PortSwigger CORS", "https://portswigger.net/web-security/cors"),
            OWASP_A05,
        ],
        attacks: &[
            AttackMeta {
                id: "CORS_01",
                kind: "Arbitrary origin reflected",
                class: "Misconfiguration",
                description: "An Origin of a unique host echoed back with credentials allowed.",
            },
            AttackMeta {
                id: "CORS_02",
                kind: "Null origin trusted",
                class: "Misconfiguration",
                description: "Origin: null accepted with credentials allowed.",
            },
        ],
    }
}

pub(crate) async fn attack(ctx: &Ctx, r: &Resource, orig: &Sent) -> Result<(), SendError> {
    if ctx.already(KEY, r, None).await {
        return Ok(());
    }
    let origin = format!("https://rmo{}.example", crate::rand_id(8));
    for (attack_id, value) in [("CORS_01", origin.as_str()), ("CORS_02", "null")] {
        let mut req = r.to_request();
        req.set_header("Origin", value);
        let sent = ctx.send(req).await?;
        if let Some(acao) = trusts(&sent.response, value) {
            ctx.report_point(r, None, Hit {
                module: KEY,
                attack_id,
                value,
                proof: format!("Access-Control-Allow-Origin: {acao}; Access-Control-Allow-Credentials: true"),
                proof_description: "the server trusts the attacker's origin with credentials",
                confidence: Confidence::Confirmed,
                original: Some(orig),
                attack: Some(&sent),
            })
            .await;
            return Ok(());
        }
    }
    // The preflight a browser sends before a non-simple request: servers often answer CORS
    // only there (the simple GET above carries none).
    let mut req = crate::http::HttpRequest {
        method: "OPTIONS".into(),
        url: r.url.clone(),
        headers: Vec::new(),
        body: None,
    };
    let method = match r.method.as_str() {
        "GET" | "HEAD" | "POST" => "PUT",
        m => m,
    };
    req.set_header("Origin", &origin);
    req.set_header("Access-Control-Request-Method", method);
    req.set_header("Access-Control-Request-Headers", "content-type");
    let sent = ctx.send(req).await?;
    if let Some(acao) = trusts(&sent.response, &origin) {
        ctx.report_point(r, None, Hit {
            module: KEY,
            attack_id: "CORS_01",
            value: &origin,
            proof: format!("preflight (OPTIONS, Access-Control-Request-Method: {method}): Access-Control-Allow-Origin: {acao}; Access-Control-Allow-Credentials: true"),
            proof_description: "the server's preflight answer trusts the attacker's origin with credentials",
            confidence: Confidence::Confirmed,
            original: Some(orig),
            attack: Some(&sent),
        })
        .await;
    }
    Ok(())
}

/// The Access-Control-Allow-Origin value when the response grants `origin` with credentials.
fn trusts<'a>(resp: &'a HttpResponse, origin: &str) -> Option<&'a str> {
    let acao = resp.header("access-control-allow-origin").unwrap_or("");
    let creds = resp
        .header("access-control-allow-credentials")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    (acao.trim() == origin && creds).then_some(acao)
}

#[cfg(test)]
mod tests {
    use crate::http::HttpResponse;

    fn resp(headers: &[(&str, &str)]) -> HttpResponse {
        HttpResponse {
            status: 200,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        }
    }

    /// Name, origin sent, response headers, whether the origin is trusted with credentials.
    type Example<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)], bool);

    #[test]
    fn examples() {
        let evil = "https://rmoabc.example";
        let table: &[Example] = &[
            (
                "reflected with credentials",
                evil,
                &[
                    ("Access-Control-Allow-Origin", evil),
                    ("Access-Control-Allow-Credentials", "true"),
                ],
                true,
            ),
            (
                "null with credentials",
                "null",
                &[
                    ("access-control-allow-origin", "null"),
                    ("access-control-allow-credentials", "TRUE "),
                ],
                true,
            ),
            (
                "reflected without credentials",
                evil,
                &[("Access-Control-Allow-Origin", evil)],
                false,
            ),
            (
                "credentials false",
                evil,
                &[
                    ("Access-Control-Allow-Origin", evil),
                    ("Access-Control-Allow-Credentials", "false"),
                ],
                false,
            ),
            (
                "wildcard",
                evil,
                &[
                    ("Access-Control-Allow-Origin", "*"),
                    ("Access-Control-Allow-Credentials", "true"),
                ],
                false,
            ),
            (
                "fixed trusted origin",
                evil,
                &[
                    ("Access-Control-Allow-Origin", "https://app.example"),
                    ("Access-Control-Allow-Credentials", "true"),
                ],
                false,
            ),
            (
                "no cors headers",
                evil,
                &[("Content-Type", "application/json")],
                false,
            ),
        ];
        for (name, origin, headers, want) in table {
            assert_eq!(
                super::trusts(&resp(headers), origin).is_some(),
                *want,
                "{name}"
            );
        }
    }
}
