//! Secrets in served content: private keys, cloud and service tokens, connection strings,
//! passwords in configuration and credential files, from `signatures/secrets.toml`. The
//! proof names the kind and shows the secret redacted (`redact.rs`), never in clear.

use super::passive::{PHit, Page};
use crate::catalogue::{locs, module_id, OWASP_A05};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "secrets_exposure";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Secrets in Served Content",
        description: "<p>A response served to anyone contains a secret: a private key, a cloud or service access token, a database connection string with its password, a password in a configuration or include file, or a credential file.</p><p>The evidence shows each secret redacted: its first characters and a hash.</p>",
        recommendation: "Remove the secret from the served content (configuration and include files belong outside the web root), revoke and rotate it, and load secrets from the environment or a vault at run time.",
        module_type: ModuleType::Passive,
        severity: Severity::High,
        cwe: 538,
        wasc: Some(13),
        owasp_2021: "A05:2021-Security Misconfiguration",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
        parameter_locations: locs::NONE,
        references: &[
            ("CWE-538: Insertion of Sensitive Information into Externally-Accessible File or Directory", "https://cwe.mitre.org/data/definitions/538.html"),
            ("CWE-798: Use of Hard-coded Credentials", "https://cwe.mitre.org/data/definitions/798.html"),
            ("OWASP Secrets Management Cheat Sheet", "https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html"),
            OWASP_A05,
        ],
        attacks: &[
            AttackMeta {
                id: "SECRET_01",
                kind: "Private key",
                class: "Information Disclosure",
                description: "A PEM private key block (RSA, EC, DSA, OpenSSH, PKCS#8), also inside JSON.",
            },
            AttackMeta {
                id: "SECRET_02",
                kind: "Cloud or service token",
                class: "Information Disclosure",
                description: "AWS access keys and secret keys, GitHub, Slack, Google API and Stripe live keys.",
            },
            AttackMeta {
                id: "SECRET_03",
                kind: "Credentials in configuration",
                class: "Information Disclosure",
                description: "Connection strings with a password (URL and key=value forms), passwords assigned in configuration, .env and include files, password-hash and netrc files.",
            },
        ],
    }
}

/// The attack id of a signature label.
fn attack_id(label: &str) -> &'static str {
    match label {
        "private key" => "SECRET_01",
        "AWS access key id" | "AWS secret access key" | "GitHub token" | "Slack token"
        | "Google API key" | "Stripe secret key" => "SECRET_02",
        _ => "SECRET_03",
    }
}

/// A documentation placeholder, not a secret: `example`, `changeme`, `your-…`, `xxxx`,
/// template syntax, or one character repeated.
fn placeholder(secret: &str) -> bool {
    const WORDS: &[&str] = &[
        "example", "changeme", "change_me", "password", "passwd", "secret", "your", "xxxx",
        "****", "placeholder", "dummy", "redacted", "sample", "<", "${", "{{", "%(", "...",
    ];
    let l = secret.to_ascii_lowercase();
    let first = l.chars().next();
    WORDS.iter().any(|w| l.contains(w)) || l.chars().all(|c| Some(c) == first)
}

pub(crate) fn inspect(p: &Page<'_>) -> Vec<PHit> {
    let mut out: Vec<PHit> = Vec::new();
    for s in &super::signatures::SECRETS.list {
        let Some(secret) = s
            .regex
            .captures_iter(&p.text)
            .filter_map(|c| c.name("secret"))
            .map(|m| m.as_str())
            .find(|m| !placeholder(m))
        else {
            continue;
        };
        // One finding per kind of secret on a page.
        if out.iter().any(|h| h.parameter == s.label) {
            continue;
        }
        out.push(PHit::page(
            attack_id(&s.label),
            format!("{}: {}", s.label, crate::redact::redacted(secret)),
            s.label.clone(),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::passive::testing::{check, phits, Example, HTML};

    const U: &str = "http://a.example/inc/db.inc";
    const TEXT: (&str, &str) = ("content-type", "text/plain");

    #[test]
    fn examples() {
        let table: &[Example] = &[
            ("include file", U, 200, &[TEXT], "<?php\n$db_host = 'localhost';\n$db_password = 'Xk9!vR2#pLq';\n", &["SECRET_03"]),
            ("connection string in a script", U, 200, &[("content-type", "application/javascript")], "var cfg = {db: 'mysql://shop:Wint3rSale@10.0.0.12/shop'};", &["SECRET_03"]),
            ("aws keys", U, 200, &[TEXT], "[default]\naws_access_key_id = AKIA2E0A8F3B244C9986\naws_secret_access_key = q8v2Z1m0n9b8V7c6X5z4A3s2D1f0G9h8J7k6L5p4\n", &["SECRET_02", "SECRET_02"]),
            ("private key", U, 200, &[TEXT], "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZWQyNTUxOQAAACDx3Vb1\n-----END OPENSSH PRIVATE KEY-----\n", &["SECRET_01"]),
            ("documentation placeholders", U, 200, &[HTML], "<pre>DATABASE_URL=postgres://user:password@localhost/shop\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n$db_password = 'your-password-here';\nDB_PASSWORD=changeme\n-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----</pre>", &[]),
            ("ordinary page", U, 200, &[HTML], "<p>Forgot your password? We will email you a link.</p>", &[]),
        ];
        check(super::inspect, table);
    }

    #[test]
    fn the_proof_never_holds_the_secret() {
        let hits = phits(super::inspect, U, 200, &[TEXT], "$db_password = 'Xk9!vR2#pLq';");
        assert_eq!(hits.len(), 1);
        assert!(!hits[0].proof.contains("Xk9!vR2#pLq"), "{}", hits[0].proof);
        assert!(hits[0].proof.starts_with("password in configuration: Xk…[redacted sha256:"), "{}", hits[0].proof);
    }

    #[test]
    fn placeholders() {
        for p in ["AKIAIOSFODNN7EXAMPLE", "changeme", "your-password-here", "${DB_PASS}", "xxxxxxxx", "<password>"] {
            assert!(super::placeholder(p), "{p}");
        }
        for s in ["Xk9!vR2#pLq", "AKIA2E0A8F3B244C9986", "Wint3rSale"] {
            assert!(!super::placeholder(s), "{s}");
        }
    }
}
