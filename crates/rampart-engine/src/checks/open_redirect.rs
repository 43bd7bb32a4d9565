//! Open redirect to a unique host, confirmed in Location, meta refresh or script.

use super::common::inject;
use crate::catalogue::{locs, module_id, OWASP_A01};
use crate::client::{SendError, Sent};
use crate::ctx::{Ctx, Hit};
use crate::finding::Confidence;
use crate::target::{InsertionPoint, Resource};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};
use regex::Regex;
use std::sync::LazyLock;

pub(crate) const KEY: &str = "open_redirect";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Open Redirect",
        description: "<p>The application redirects to a URL taken from the request, which attackers use in phishing to lend the site's credibility to a malicious destination.</p>",
        recommendation: "Redirect only to relative paths or to an allow-list of destinations; map identifiers to URLs on the server.",
        module_type: ModuleType::Active,
        severity: Severity::Medium,
        cwe: 601,
        wasc: Some(38),
        owasp_2021: "A01:2021-Broken Access Control",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
        parameter_locations: locs::QUERY_POST,
        references: &[
            ("CWE-601: URL Redirection to Untrusted Site", "https://cwe.mitre.org/data/definitions/601.html"),
            ("OWASP Unvalidated Redirects Cheat Sheet", "https://cheatsheetseries.owasp.org/cheatsheets/Unvalidated_Redirects_and_Forwards_Cheat_Sheet.html"),
            OWASP_A01,
        ],
        attacks: &[
            AttackMeta {
                id: "REDIR_01",
                kind: "Absolute URL",
                class: "Redirect",
                description: "An absolute URL to a unique host.",
            },
            AttackMeta {
                id: "REDIR_02",
                kind: "Scheme-relative URL",
                class: "Redirect",
                description: "A //host URL and backslash variants to a unique host.",
            },
        ],
    }
}

static JS_REDIRECT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(location(\.href)?\s*=|location\.(replace|assign)\s*\(|window\.open\s*\()\s*['"]([^'"]+)"#)
        .unwrap_or_else(|_| unreachable!("literal regex"))
});
static META_REFRESH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)<meta[^>]+http-equiv\s*=\s*['"]?refresh[^>]+url\s*=\s*['"]?([^'">\s]+)"#)
        .unwrap_or_else(|_| unreachable!("literal regex"))
});

/// Where the response sends the browser, if anywhere.
fn targets(sent: &Sent) -> Vec<(String, &'static str)> {
    let mut v = Vec::new();
    if sent.response.is_redirect() {
        if let Some(l) = sent.response.header("location") {
            v.push((l.to_string(), "Location header"));
        }
    }
    if let Some(r) = sent.response.header("refresh") {
        if let Some(i) = r.to_ascii_lowercase().find("url=") {
            v.push((r[i + 4..].trim().to_string(), "Refresh header"));
        }
    }
    let text = sent.response.text();
    for c in META_REFRESH.captures_iter(&text) {
        v.push((c[1].to_string(), "meta refresh"));
    }
    for c in JS_REDIRECT.captures_iter(&text) {
        v.push((c[4].to_string(), "script redirect"));
    }
    v
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
    let host = format!("rmr{}.example", crate::rand_id(8));
    let payloads = [
        ("REDIR_01", format!("https://{host}/")),
        ("REDIR_02", format!("//{host}/")),
        ("REDIR_02", format!("/\\{host}/")),
        ("REDIR_01", format!("https:/\\{host}/")),
    ];
    for (attack_id, value) in payloads {
        let sent = inject(ctx, r, p, &value).await?;
        for (target, how) in targets(&sent) {
            let resolved = sent.request.url.join(&target.replace('\\', "/"));
            if resolved
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
                .as_deref()
                == Some(host.as_str())
            {
                ctx.report_point(
                    r,
                    Some(p),
                    Hit {
                        module: KEY,
                        attack_id,
                        value: &value,
                        proof: format!("{how}: {target}"),
                        proof_description:
                            "the response redirects the browser to the injected host",
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
