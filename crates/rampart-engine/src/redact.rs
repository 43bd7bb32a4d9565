//! Secrets never leave the engine in clear: every proof and exchange a finding carries has
//! the secrets of `signatures/secrets.toml` replaced by a short prefix and a hash, enough to
//! recognise a value (and to tell two apart) without revealing it.

use sha2::{Digest, Sha256};

/// What a finding shows instead of `secret`: its first characters (at most 4, at most a
/// quarter of it) and the start of its SHA-256.
pub fn redacted(secret: &str) -> String {
    let keep = (secret.chars().count() / 4).min(4);
    let prefix: String = secret.chars().take(keep).collect();
    let hash = hex::encode(Sha256::digest(secret.as_bytes()));
    format!("{prefix}…[redacted sha256:{}]", &hash[..12])
}

/// `text` with every secret the signatures find replaced by [`redacted`].
pub fn redact_secrets(text: &str) -> String {
    let mut found: Vec<&str> = Vec::new();
    for s in &crate::checks::signatures::SECRETS.list {
        for c in s.regex.captures_iter(text) {
            if let Some(m) = c.name("secret") {
                found.push(m.as_str());
            }
        }
    }
    if found.is_empty() {
        return text.to_string();
    }
    // Longest first, so that a secret containing another is replaced whole.
    found.sort_by_key(|s| std::cmp::Reverse(s.len()));
    found.dedup();
    let mut out = text.to_string();
    for s in found {
        out = out.replace(s, &redacted(s));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_become_a_prefix_and_a_hash() {
        let text = "DATABASE_URL=postgres://shop:Xk9vR2pLq7@db.internal:5432/shop\nkey AKIA2E0A8F3B244C9986";
        let out = redact_secrets(text);
        assert!(!out.contains("Xk9vR2pLq7"), "{out}");
        assert!(!out.contains("AKIA2E0A8F3B244C9986"), "{out}");
        assert!(
            out.contains("postgres://shop:Xk…[redacted sha256:"),
            "{out}"
        );
        assert!(out.contains("AKIA…[redacted sha256:"), "{out}");
        assert_eq!(
            redact_secrets("<p>nothing secret</p>"),
            "<p>nothing secret</p>"
        );
        assert_ne!(redacted("secret-one"), redacted("secret-two"));
        assert_eq!(
            redacted("abc"),
            format!(
                "…[redacted sha256:{}]",
                &hex::encode(Sha256::digest(b"abc"))[..12]
            )
        );
    }
}
