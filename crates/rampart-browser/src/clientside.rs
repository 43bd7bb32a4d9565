//! Client-side checks on every rendered state: vulnerable JavaScript libraries, sensitive
//! data in web storage, `message` listeners without an origin check, mixed content at run
//! time. The page reports its facts (`R.client` of `js/init.js`); this module judges them.

use crate::libraries::{Advisories, ScriptFact};
use chromiumoxide::cdp::js_protocol::runtime::EvaluateParams;
use chromiumoxide::Page;
use rampart_engine::crawl::{ClientCheck, ClientFinding};
use regex::Regex;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::LazyLock;
use std::time::Duration;
use url::Url;

/// What a page shows of itself for the client-side checks.
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct ClientFacts {
    pub url: String,
    #[serde(default)]
    pub scripts: Vec<ScriptFact>,
    #[serde(default)]
    pub globals: HashMap<String, String>,
    #[serde(default)]
    pub storage: Vec<StorageEntry>,
    #[serde(default)]
    pub listeners: Vec<Listener>,
    #[serde(default)]
    pub insecure: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct StorageEntry {
    pub area: String,
    pub key: String,
    pub value: String,
    /// Written by this document (`setItem`): web storage is shared by the origin's pages,
    /// so an entry is reported on the page that wrote it.
    #[serde(default)]
    pub written: bool,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct Listener {
    pub code: String,
    pub handled: u32,
    pub read_origin: bool,
}

/// Reads the page's facts (`paths`: the globals the advisory data names).
pub(crate) async fn collect(page: &Page, paths: &[String]) -> Option<ClientFacts> {
    let expr = format!(
        "window.__rampart && window.__rampart.client ? window.__rampart.client({}) : null",
        serde_json::to_string(paths).unwrap_or_else(|_| "[]".into())
    );
    let p = EvaluateParams::builder()
        .expression(expr)
        .await_promise(true)
        .return_by_value(true)
        .build()
        .ok()?;
    let r = tokio::time::timeout(Duration::from_secs(8), page.execute(p))
        .await
        .ok()?
        .ok()?;
    if r.result.exception_details.is_some() {
        return None;
    }
    let v = r.result.result.value.clone()?;
    serde_json::from_str(v.as_str()?).ok()
}

static JWT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*")
        .unwrap_or_else(|_| unreachable!("literal regex"))
});
static SECRET_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(^|[^a-z])(access[_-]?token|id[_-]?token|refresh[_-]?token|auth[_-]?token|token|jwt|bearer|secret|password|passwd|pwd|api[_-]?key|apikey|session[_-]?(id|key|token)|credentials?|private[_-]?key)([^a-z]|$)",
    )
    .unwrap_or_else(|_| unreachable!("literal regex"))
});
static CARD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(^|[^0-9])([3-6][0-9]{12,18})([^0-9]|$)")
        .unwrap_or_else(|_| unreachable!("literal regex"))
});

fn luhn(digits: &str) -> bool {
    let mut sum = 0;
    for (i, c) in digits.chars().rev().enumerate() {
        let Some(mut d) = c.to_digit(10) else {
            return false;
        };
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum % 10 == 0
}

/// Why a storage entry is sensitive, or `None`.
fn sensitive(key: &str, value: &str) -> Option<&'static str> {
    let v = value.trim();
    if JWT.is_match(v) {
        return Some("a JSON Web Token");
    }
    if let Some(c) = CARD.captures(v).and_then(|c| c.get(2)) {
        if luhn(c.as_str()) {
            return Some("a payment card number");
        }
    }
    // A credential by name: a value long enough to be one, not a flag or a number.
    let plain = !matches!(
        v,
        "true" | "false" | "null" | "undefined" | "" | "{}" | "[]"
    ) && !v.chars().all(|c| c.is_ascii_digit());
    if SECRET_NAME.is_match(key) && plain && v.len() >= 8 {
        return Some("a credential (by its name)");
    }
    // JSON objects holding a credential by name.
    if v.starts_with('{') {
        if let Ok(serde_json::Value::Object(m)) = serde_json::from_str::<serde_json::Value>(v) {
            for (k, x) in m {
                if let Some(s) = x.as_str() {
                    if let Some(why) = sensitive(&k, s) {
                        return Some(why);
                    }
                }
            }
        }
    }
    None
}

/// `abcd…wxyz (40 characters)`: enough to recognise it, not enough to reuse it.
fn redact(v: &str) -> String {
    let n = v.chars().count();
    if n <= 12 {
        return format!(
            "{}… ({n} characters)",
            v.chars().take(2).collect::<String>()
        );
    }
    let head: String = v.chars().take(6).collect();
    let tail: String = v.chars().skip(n - 4).collect();
    format!("{head}…{tail} ({n} characters)")
}

/// A listener checks its sender when it read `origin`/`source` while handling the probe,
/// or when its code mentions them at all (a check that the probe's data did not reach).
fn checks_origin(l: &Listener) -> bool {
    l.read_origin || l.code.contains("origin") || l.code.contains(".source")
}

/// The findings of one page. `seen` keeps each finding once per scan.
pub(crate) fn judge(
    facts: &ClientFacts,
    advisories: Option<&Advisories>,
    seen: &mut std::collections::HashSet<String>,
) -> Vec<ClientFinding> {
    let Ok(page) = Url::parse(&facts.url) else {
        return Vec::new();
    };
    let mut page_no_fragment = page.clone();
    page_no_fragment.set_fragment(None);
    let mut out = Vec::new();
    let mut push = |key: String, f: ClientFinding| {
        if seen.insert(key) {
            out.push(f);
        }
    };
    if let Some(a) = advisories {
        for d in a.detect(&facts.globals, &facts.scripts) {
            push(
                format!("lib {} {}", d.library, d.version),
                ClientFinding {
                    check: ClientCheck::VulnerableLibrary,
                    page: page_no_fragment.clone(),
                    parameter: d.library.clone(),
                    evidence: format!("{} {} ({})", d.library, d.version, d.advisories.join(", ")),
                    proof: format!(
                        "{} {} read from the {}; affected by:\n{}",
                        d.library,
                        d.version,
                        d.how,
                        d.summaries.join("\n")
                    ),
                    proof_description: "the version the page runs is inside the affected range of the advisories listed (rampart's advisory data)".into(),
                },
            );
        }
    }
    let origin = page.origin().ascii_serialization();
    for e in facts.storage.iter().filter(|e| e.written) {
        if let Some(why) = sensitive(&e.key, &e.value) {
            push(
                format!("storage {origin} {} {}", e.area, e.key),
                ClientFinding {
                    check: ClientCheck::WebStorage,
                    page: page_no_fragment.clone(),
                    parameter: format!("{}.{}", e.area, e.key),
                    evidence: redact(&e.value),
                    proof: format!(
                        "after the page ran, {}[{:?}] held {why}: {}",
                        e.area,
                        e.key,
                        redact(&e.value)
                    ),
                    proof_description: "web storage read in the browser after the page settled"
                        .into(),
                },
            );
        }
    }
    for l in &facts.listeners {
        if l.handled == 0 || checks_origin(l) {
            continue;
        }
        let code: String = l.code.chars().take(300).collect();
        push(
            format!("message {} {code}", page_no_fragment.path()),
            ClientFinding {
                check: ClientCheck::PostMessage,
                page: page_no_fragment.clone(),
                parameter: "message listener".into(),
                evidence: "postMessage('rampart-probe') from https://rampart-probe.invalid".into(),
                proof: format!(
                    "the listener handled a message from https://rampart-probe.invalid without reading event.origin or event.source; its code:\n{code}"
                ),
                proof_description: "a foreign-origin message dispatched to each window message listener".into(),
            },
        );
    }
    for u in &facts.insecure {
        push(
            format!("mixed {} {u}", page_no_fragment.path()),
            ClientFinding {
                check: ClientCheck::MixedContent,
                page: page_no_fragment.clone(),
                parameter: u.clone(),
                evidence: u.clone(),
                proof: format!("the HTTPS page loaded {u} over plain HTTP at run time"),
                proof_description:
                    "resources the rendered page requested or references after its scripts ran"
                        .into(),
            },
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_values_that_are_credentials_or_cards_are_sensitive() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl";
        assert_eq!(sensitive("anything", jwt), Some("a JSON Web Token"));
        assert_eq!(
            sensitive("access_token", "a81f0c9e2d7b4b1f9a3e"),
            Some("a credential (by its name)")
        );
        assert_eq!(
            sensitive("checkout", "4111111111111111"),
            Some("a payment card number")
        );
        assert_eq!(
            sensitive("user", r#"{"name":"ann","apiKey":"k-2f9a8c7d6e5b"}"#),
            Some("a credential (by its name)")
        );
        // Not sensitive: preferences, flags, a number that fails Luhn, short values.
        assert_eq!(sensitive("theme", "dark"), None);
        assert_eq!(sensitive("token_seen", "true"), None);
        assert_eq!(sensitive("cart", "4111111111111112"), None);
        assert_eq!(sensitive("token", "abc"), None);
        assert_eq!(sensitive("tokens_per_page", "20"), None);
        assert_eq!(sensitive("tokenizer", "whitespace-rules"), None);
    }

    #[test]
    fn values_are_redacted_in_evidence() {
        let r = redact("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig12345");
        assert!(r.starts_with("eyJhbG…2345 ("), "{r}");
        assert!(!r.contains("eyJzdWIi"));
    }

    #[test]
    fn a_listener_that_handled_the_probe_without_the_origin_is_reported() {
        let facts = ClientFacts {
            url: "https://shop.test/chat#x".into(),
            listeners: vec![
                Listener {
                    code: "function (e) { out.innerHTML = e.data; }".into(),
                    handled: 1,
                    read_origin: false,
                },
                Listener {
                    code: "e => { if (e.origin !== 'https://shop.test') return; show(e.data); }"
                        .into(),
                    handled: 1,
                    read_origin: true,
                },
                Listener {
                    code: "function (e) { log(e.data) }".into(),
                    handled: 0,
                    read_origin: false,
                },
            ],
            ..ClientFacts::default()
        };
        let mut seen = std::collections::HashSet::new();
        let f = judge(&facts, None, &mut seen);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].check, ClientCheck::PostMessage);
        assert_eq!(f[0].page.as_str(), "https://shop.test/chat");
        assert!(judge(&facts, None, &mut seen).is_empty(), "once per scan");
    }
}
