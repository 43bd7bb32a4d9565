//! Secrets: which keys, headers and option fields hold one, the marker reads show in their
//! place, and the [`Redactor`] that removes known secret values from text (evidence, logs).
//!
//! One rule for every place: the options document (write-only secrets, sealed at rest),
//! the recipe stored with a job, the audit log's before/after and the worker's findings.

use crate::plan::Recipe;
use serde_json::Value;

/// What a read shows instead of a secret. A write that sends it back keeps the stored one.
pub const MARKER: &str = "********";

/// What the audit log and other redacted copies show instead of a secret.
pub const REDACTED: &str = "[REDACTED]";

/// Whether a JSON member or form field of this name holds a secret.
pub fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase().replace(['-', '_', ' '], "");
    const WORDS: [&str; 9] = [
        "password",
        "passwd",
        "secret",
        "token",
        "credential",
        "authorization",
        "apikey",
        "privatekey",
        "cookie",
    ];
    WORDS.iter().any(|w| k.contains(w))
        || k == "key"
        || k.ends_with("accesskey")
        || k.ends_with("signingkey")
}

/// Whether an HTTP header of this name carries a secret value.
pub fn is_secret_header(name: &str) -> bool {
    let n = name.trim().to_ascii_lowercase();
    matches!(
        n.as_str(),
        "authorization" | "proxy-authorization" | "cookie" | "set-cookie" | "x-api-key"
    ) || is_secret_key(&n)
}

/// Calls `f` on every secret string of a scan-config options document, replacing it with
/// what `f` returns: members whose name [`is_secret_key`] (login passwords of every
/// `auth_config` kind, `ssl_cert_config.password`, tokens, the cookie), and the value part of
/// every `http_headers_config.custom_headers_list[].value` line whose header
/// [`is_secret_header`]. The path given to `f` is a stable key (`custom header NAME` for a
/// header line) so a write can match a marker with the stored secret.
pub fn map_option_secrets(doc: &mut Value, f: &mut dyn FnMut(&str, &str) -> String) {
    walk(doc, "", f);
}

fn walk(v: &mut Value, path: &str, f: &mut dyn FnMut(&str, &str) -> String) {
    match v {
        Value::Object(m) => {
            for (k, child) in m.iter_mut() {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                if k == "custom_headers_list" || k == "traffic_header_list" {
                    headers(child, &p, f);
                } else if is_secret_key(k) {
                    if let Value::String(s) = child {
                        if !s.is_empty() {
                            *s = f(&p, s);
                        }
                    } else {
                        walk(child, &p, f);
                    }
                } else {
                    walk(child, &p, f);
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                walk(child, &format!("{path}[{i}]"), f);
            }
        }
        _ => {}
    }
}

fn headers(list: &mut Value, path: &str, f: &mut dyn FnMut(&str, &str) -> String) {
    let Value::Array(items) = list else { return };
    for item in items {
        let Some(Value::String(line)) = item.get_mut("value") else {
            continue;
        };
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let (name, value) = (name.trim().to_string(), value.trim().to_string());
        if is_secret_header(&name) && !value.is_empty() {
            let sealed = f(&format!("{path} {}", name.to_ascii_lowercase()), &value);
            *line = format!("{name}: {sealed}");
        }
    }
}

/// The document as every reader sees it: each secret replaced by [`MARKER`].
pub fn redact_options(doc: &Value) -> Value {
    let mut out = doc.clone();
    map_option_secrets(&mut out, &mut |_, _| MARKER.to_string());
    out
}

/// The secret strings of a document by their stable key (see [`map_option_secrets`]).
pub fn option_secrets(doc: &Value) -> std::collections::HashMap<String, String> {
    let mut out = std::collections::HashMap::new();
    let mut copy = doc.clone();
    map_option_secrets(&mut copy, &mut |p, s| {
        out.insert(p.to_string(), s.to_string());
        s.to_string()
    });
    out
}

/// A JSON value with every member whose name [`is_secret_key`] (at any depth) replaced by
/// [`REDACTED`], and secret header lines' values too: the audit log's copies.
pub fn redact_json(v: &Value) -> Value {
    let mut out = v.clone();
    map_option_secrets(&mut out, &mut |_, _| REDACTED.to_string());
    out
}

/// Replaces known secret values in text. Built from the values themselves (and their
/// URL-encoded spellings, as they appear in a form body or a query string).
#[derive(Clone, Default)]
pub struct Redactor {
    needles: Vec<String>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor({} values)", self.needles.len())
    }
}

/// Values shorter than this are not searched for (a 1–2 character "secret" would blank out
/// ordinary text and protects nothing).
const MIN_SECRET_LEN: usize = 3;

impl Redactor {
    pub fn new<'a>(values: impl IntoIterator<Item = &'a str>) -> Self {
        let mut needles: Vec<String> = Vec::new();
        for v in values {
            if v.chars().count() < MIN_SECRET_LEN {
                continue;
            }
            let form: String = url::form_urlencoded::byte_serialize(v.as_bytes()).collect();
            let pct = form.replace('+', "%20");
            for n in [v.to_string(), form, pct] {
                if !needles.contains(&n) {
                    needles.push(n);
                }
            }
        }
        // Longest first, so a value containing another is replaced whole.
        needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
        Self { needles }
    }

    /// The secrets of a recipe: the FORM login password, secret header values, the
    /// configured cookie and the client certificate's password.
    pub fn of_recipe(r: &Recipe) -> Self {
        let mut values: Vec<&str> = Vec::new();
        if let Some(l) = &r.login {
            values.push(&l.password);
        }
        for (name, value) in &r.headers {
            if is_secret_header(name) {
                values.push(value);
            }
        }
        if let Some(c) = &r.cookie {
            values.push(c);
            // Each cookie's value on its own, as a server may echo it.
            for pair in c.split(';') {
                if let Some((_, v)) = pair.split_once('=') {
                    values.push(v.trim());
                }
            }
        }
        if let Some(c) = &r.client_certificate {
            values.push(&c.password);
        }
        Self::new(values)
    }

    pub fn is_empty(&self) -> bool {
        self.needles.is_empty()
    }

    /// `text` with every known secret replaced by [`REDACTED`].
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for n in &self.needles {
            if out.contains(n.as_str()) {
                out = out.replace(n.as_str(), REDACTED);
            }
        }
        out
    }

    /// Redacts in place.
    pub fn scrub(&self, text: &mut String) {
        if self.needles.iter().any(|n| text.contains(n.as_str())) {
            *text = self.redact(text);
        }
    }

    /// Every text of a variance: exchanges, attack value, message, proof.
    pub fn scrub_variance(&self, v: &mut crate::scan::Variance) {
        if self.is_empty() {
            return;
        }
        for e in v
            .original_exchange
            .iter_mut()
            .chain(&mut v.attack_exchanges)
        {
            self.scrub(&mut e.request);
            self.scrub(&mut e.response);
        }
        for t in [
            &mut v.original_value,
            &mut v.attack_value,
            &mut v.message,
            &mut v.proof,
            &mut v.proof_description,
        ]
        .into_iter()
        .flatten()
        {
            self.scrub(t);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({
            "auth_config": {"type": "FORM", "username_form": "alice", "password_form": "hunter2!"},
            "ssl_cert_config": {"type": "CERTIFICATE", "file": "c.p12", "password": "certpw"},
            "http_headers_config": {
                "cookie": "sid=abc123",
                "user_agent": "rampart",
                "custom_headers_list": [
                    {"value": "Authorization: Bearer tok-1"},
                    {"value": "X-Trace: visible"},
                    {"value": "X-Api-Key: k-2"}
                ]
            },
            "crawl_config": {"max_crawl_results": 5}
        })
    }

    #[test]
    fn every_kind_of_secret_is_redacted_and_nothing_else() {
        let r = redact_options(&doc());
        assert_eq!(r["auth_config"]["password_form"], MARKER);
        assert_eq!(r["auth_config"]["username_form"], "alice");
        assert_eq!(r["ssl_cert_config"]["password"], MARKER);
        assert_eq!(r["http_headers_config"]["cookie"], MARKER);
        assert_eq!(r["http_headers_config"]["user_agent"], "rampart");
        let h = &r["http_headers_config"]["custom_headers_list"];
        assert_eq!(h[0]["value"], "Authorization: ********");
        assert_eq!(h[1]["value"], "X-Trace: visible");
        assert_eq!(h[2]["value"], "X-Api-Key: ********");
        assert_eq!(r["crawl_config"]["max_crawl_results"], 5);
        let text = r.to_string();
        for s in ["hunter2!", "certpw", "abc123", "tok-1", "k-2"] {
            assert!(!text.contains(s), "{s} leaked");
        }
    }

    #[test]
    fn secrets_are_keyed_by_a_stable_path() {
        let s = option_secrets(&doc());
        assert_eq!(s["auth_config.password_form"], "hunter2!");
        assert_eq!(
            s["http_headers_config.custom_headers_list authorization"],
            "Bearer tok-1"
        );
        assert_eq!(s.len(), 5);
    }

    #[test]
    fn keys_and_headers() {
        for k in [
            "password",
            "password_form",
            "client_secret",
            "access_token",
            "api_key",
            "X-Api-Key",
            "Authorization",
            "credentials",
        ] {
            assert!(is_secret_key(k), "{k}");
        }
        for k in [
            "name",
            "username_form",
            "user_agent",
            "type",
            "keyboard",
            "monkey",
        ] {
            assert!(!is_secret_key(k), "{k}");
        }
        assert!(is_secret_header("cookie"));
        assert!(!is_secret_header("Accept"));
    }

    #[test]
    fn redactor_replaces_raw_and_encoded_spellings() {
        let r = Redactor::new(["p@ss word&1", "ab"]);
        let body = "user=alice&pass=p%40ss+word%261 and p@ss word&1 and p%40ss%20word%261";
        let out = r.redact(body);
        assert!(!out.contains("p@ss"), "{out}");
        assert!(!out.contains("p%40ss"), "{out}");
        assert_eq!(out.matches(REDACTED).count(), 3);
        assert_eq!(r.redact("ab cd"), "ab cd", "too short to search for");
    }
}
