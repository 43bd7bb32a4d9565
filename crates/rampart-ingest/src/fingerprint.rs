//! Stable fingerprints (hex SHA-256). The identity of a finding across imports is (app,
//! scan type, tool, fingerprint).
//!
//! - SARIF result with `partialFingerprints`: `SHA-256("sarif-pf\n" ruleId "\n" then
//!   "key=value\n" for each entry, sorted by key)`.
//! - SARIF result without: `SHA-256("sarif-loc\n" ruleId "\n" uri "\n" context)`, where
//!   `uri` drops a `file://` scheme and a leading `./` and uses `/`, and `context` is the
//!   region's (or context region's) snippet with every run of whitespace collapsed to one
//!   space, or `line:<startLine>` when the result carries no snippet. Line numbers are used
//!   only then: a snippet survives code moving up or down.
//! - CycloneDX vulnerability: `SHA-256("sca\n" purl-or-bom-ref "\n" vulnerability id)`.
//!
//! Two results of one upload with the same fingerprint (the same rule on the same snippet
//! twice in a file) are told apart in document order: the n-th (n ≥ 2) gets
//! `SHA-256(fingerprint "#" n)`.

use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

fn hash(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
    }
    hex::encode(h.finalize())
}

/// A SARIF result's fingerprint (see the module docs).
pub fn code_fingerprint(
    rule_id: &str,
    partial: &BTreeMap<String, String>,
    uri: Option<&str>,
    snippet: Option<&str>,
    line: Option<u64>,
) -> String {
    if !partial.is_empty() {
        let mut parts = vec!["sarif-pf\n", rule_id, "\n"];
        for (k, v) in partial {
            parts.extend([k.as_str(), "=", v.as_str(), "\n"]);
        }
        return hash(&parts);
    }
    let context = match snippet.map(collapse).filter(|s| !s.is_empty()) {
        Some(s) => s,
        None => format!("line:{}", line.unwrap_or(0)),
    };
    hash(&[
        "sarif-loc\n",
        rule_id,
        "\n",
        &normalize_uri(uri.unwrap_or("")),
        "\n",
        &context,
    ])
}

/// A component vulnerability's fingerprint.
pub fn sca_fingerprint(component: &str, vulnerability: &str) -> String {
    hash(&["sca\n", component, "\n", vulnerability])
}

pub fn normalize_uri(uri: &str) -> String {
    let u = uri
        .strip_prefix("file://")
        .unwrap_or(uri)
        .replace('\\', "/");
    u.strip_prefix("./").unwrap_or(&u).to_string()
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Tells apart equal fingerprints within one upload.
#[derive(Default)]
pub struct Dedup(HashMap<String, u32>);

impl Dedup {
    pub fn unique(&mut self, base: String) -> String {
        let n = self.0.entry(base.clone()).or_insert(0);
        *n += 1;
        if *n == 1 {
            base
        } else {
            hash(&[&base, "#", &n.to_string()])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(rule: &str, uri: &str, snippet: Option<&str>, line: u64) -> String {
        code_fingerprint(rule, &BTreeMap::new(), Some(uri), snippet, Some(line))
    }

    #[test]
    fn snippet_beats_line_numbers() {
        let a = fp(
            "B602",
            "app.py",
            Some("subprocess.call(cmd,  shell=True)"),
            10,
        );
        // The code moved down and was re-indented: same finding.
        let b = fp(
            "B602",
            "./app.py",
            Some("  subprocess.call(cmd, shell=True)\n"),
            42,
        );
        assert_eq!(a, b);
        assert_ne!(
            a,
            fp(
                "B602",
                "other.py",
                Some("subprocess.call(cmd, shell=True)"),
                10
            )
        );
        assert_ne!(
            a,
            fp(
                "B603",
                "app.py",
                Some("subprocess.call(cmd, shell=True)"),
                10
            )
        );
        // Without a snippet the line decides.
        assert_ne!(
            fp("B602", "app.py", None, 10),
            fp("B602", "app.py", None, 11)
        );
        assert_eq!(
            fp("B602", "file://app.py", None, 10),
            fp("B602", "app.py", None, 10)
        );
    }

    #[test]
    fn partial_fingerprints_win() {
        let mut p = BTreeMap::new();
        p.insert("primaryLocationLineHash".to_string(), "abc:1".to_string());
        let a = code_fingerprint("r", &p, Some("a.py"), Some("x"), Some(1));
        let b = code_fingerprint("r", &p, Some("b.py"), Some("y"), Some(9));
        assert_eq!(a, b);
        assert_eq!(a.len(), 64);
    }

    #[test]
    fn duplicates_in_one_upload_get_ordinals() {
        let mut d = Dedup::default();
        let first = d.unique("x".into());
        let second = d.unique("x".into());
        let third = d.unique("x".into());
        assert_eq!(first, "x");
        assert_ne!(second, first);
        assert_ne!(third, second);
        let mut again = Dedup::default();
        again.unique("x".into());
        assert_eq!(again.unique("x".into()), second, "stable across uploads");
    }
}
