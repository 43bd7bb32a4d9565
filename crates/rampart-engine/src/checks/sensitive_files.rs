//! Backups, VCS metadata, config and debug files, confirmed by content.

use crate::catalogue::{locs, module_id, OWASP_A05};
use crate::client::SendError;
use crate::ctx::{Ctx, Hit};
use crate::finding::Confidence;
use crate::http::HttpRequest;
use crate::target::Resource;
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};
use regex::Regex;
use std::sync::LazyLock;
use url::Url;

pub(crate) const KEY: &str = "sensitive_files";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Sensitive File Exposure",
        description: "<p>Files that should never be served are reachable: backups of sources, version-control metadata, environment and configuration files, debug pages or database files.</p>",
        recommendation: "Remove such files from the web root, deny them at the server, and deploy from a clean build artefact.",
        module_type: ModuleType::Active,
        severity: Severity::Medium,
        cwe: 538,
        wasc: Some(34),
        owasp_2021: "A05:2021-Security Misconfiguration",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N",
        parameter_locations: locs::FILES,
        references: &[
            ("CWE-538: Insertion of Sensitive Information into Externally-Accessible File or Directory", "https://cwe.mitre.org/data/definitions/538.html"),
            ("OWASP Review Old Backup and Unreferenced Files", "https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/02-Configuration_and_Deployment_Management_Testing/04-Review_Old_Backup_and_Unreferenced_Files_for_Sensitive_Information"),
            OWASP_A05,
        ],
        attacks: &[
            AttackMeta {
                id: "FILE_01",
                kind: "Backup of a discovered file",
                class: "Information Disclosure",
                description: "Backup suffixes of discovered files (.bak, ~, .old, .swp, .orig).",
            },
            AttackMeta {
                id: "FILE_02",
                kind: "Version-control metadata",
                class: "Information Disclosure",
                description: ".git/HEAD, .git/config, .svn/entries, .hg.",
            },
            AttackMeta {
                id: "FILE_03",
                kind: "Configuration and environment files",
                class: "Information Disclosure",
                description: ".env, config files, database files and dumps.",
            },
            AttackMeta {
                id: "FILE_04",
                kind: "Debug pages",
                class: "Information Disclosure",
                description: "phpinfo pages, server-status and similar.",
            },
        ],
    }
}

/// (attack id, path relative to a directory, content signature).
const PROBES: &[(&str, &str, &str)] = &[
    ("FILE_02", ".git/HEAD", r"^ref: refs/heads/"),
    (
        "FILE_02",
        ".git/config",
        r"\[core\]\s*\n\s*repositoryformatversion",
    ),
    (
        "FILE_02",
        ".svn/entries",
        r"^(\d+\s*\n\s*\n\s*dir|<\?xml[^>]*>\s*<wc-entries)",
    ),
    ("FILE_02", ".hg/hgrc", r"\[paths\]"),
    (
        "FILE_03",
        ".env",
        r"(?m)^[A-Z][A-Z0-9_]{2,}=\S*\s*\n[A-Z][A-Z0-9_]{2,}=",
    ),
    (
        "FILE_03",
        ".htpasswd",
        r"(?m)^[^:\s]+:(\$apr1\$|\{SHA\}|\$2[aby]\$)",
    ),
    ("FILE_03", "config.php.bak", r"<\?php"),
    ("FILE_01", "index.php.bak", r"<\?php"),
    ("FILE_01", "index.php~", r"<\?php"),
    ("FILE_01", "index.php.old", r"<\?php"),
    ("FILE_01", "index.jsp.bak", r"<%"),
    ("FILE_03", "wp-config.php.bak", r"DB_PASSWORD"),
    ("FILE_03", "web.config", r"<configuration>"),
    ("FILE_03", "WEB-INF/web.xml", r"<web-app"),
    ("FILE_03", "backup.sql", r"(?i)(CREATE TABLE|INSERT INTO)"),
    ("FILE_03", "dump.sql", r"(?i)(CREATE TABLE|INSERT INTO)"),
    ("FILE_03", "database.sqlite", r"^SQLite format 3"),
    ("FILE_03", "db.sqlite3", r"^SQLite format 3"),
    ("FILE_03", ".DS_Store", r"Bud1"),
    (
        "FILE_04",
        "phpinfo.php",
        r"(?i)<title>phpinfo\(\)</title>|PHP Version \d",
    ),
    ("FILE_04", "info.php", r"(?i)<title>phpinfo\(\)</title>"),
    ("FILE_04", "server-status", r"(?i)Apache Server Status for"),
    (
        "FILE_04",
        "actuator/env",
        r#""(activeProfiles|propertySources)""#,
    ),
];
const BACKUP_SUFFIXES: &[&str] = &[
    ".bak", "~", ".old", ".orig", ".save", ".swp", ".copy", ".tmp",
];

static SIGS: LazyLock<Vec<Option<Regex>>> =
    LazyLock::new(|| PROBES.iter().map(|(_, _, s)| Regex::new(s).ok()).collect());
static SOURCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(<\?php|<%@?|^\s*(import|from|package|require|using|def|function|const|var|let|#include)\b|\bmodule\.exports\b)")
        .unwrap_or_else(|_| unreachable!("literal regex"))
});

/// Known leftovers in one directory, each confirmed by its content signature.
pub(crate) async fn attack_dir(ctx: &Ctx, dir: &Url) -> Result<(), SendError> {
    for (i, (attack_id, path, _)) in PROBES.iter().enumerate() {
        let Some(sig) = &SIGS[i] else { continue };
        let Ok(u) = dir.join(path) else { continue };
        let r = Resource::get(u.clone());
        if ctx.http.gate().check("GET", &u).is_err() || ctx.already(KEY, &r, None).await {
            continue;
        }
        let sent = ctx.send(HttpRequest::get(u.clone())).await?;
        if sent.response.status != 200 {
            continue;
        }
        let text = sent.response.text();
        if let Some(m) = sig.find(&text) {
            if ctx
                .soft404
                .is_not_found(&ctx.http, &u, &sent.response)
                .await
            {
                continue;
            }
            ctx.report_point(
                &r,
                None,
                Hit {
                    module: KEY,
                    attack_id,
                    value: path,
                    proof: m.as_str().chars().take(120).collect(),
                    proof_description:
                        "the file is served and its content matches the expected format",
                    confidence: Confidence::Confirmed,
                    original: None,
                    attack: Some(&sent),
                },
            )
            .await;
        }
    }
    Ok(())
}

/// Backups of a discovered file, confirmed when they hold source code the page does not show.
pub(crate) async fn attack_file(ctx: &Ctx, file: &Url) -> Result<(), SendError> {
    let name = file.path().rsplit('/').next().unwrap_or("").to_string();
    if name.is_empty() {
        return Ok(());
    }
    let rendered = ctx
        .send(HttpRequest::get(file.clone()))
        .await?
        .response
        .text();
    let mut variants: Vec<String> = BACKUP_SUFFIXES
        .iter()
        .map(|s| format!("{name}{s}"))
        .collect();
    variants.push(format!(".{name}.swp"));
    for v in variants {
        let Ok(u) = file.join(&v) else { continue };
        let r = Resource::get(u.clone());
        if ctx.http.gate().check("GET", &u).is_err() || ctx.already(KEY, &r, None).await {
            continue;
        }
        let sent = ctx.send(HttpRequest::get(u.clone())).await?;
        if sent.response.status != 200 {
            continue;
        }
        let text = sent.response.text();
        let Some(proof) = leaked_source(&text, &rendered) else {
            continue;
        };
        if ctx
            .soft404
            .is_not_found(&ctx.http, &u, &sent.response)
            .await
        {
            continue;
        }
        ctx.report_point(
            &r,
            None,
            Hit {
                module: KEY,
                attack_id: "FILE_01",
                value: &v,
                proof,
                proof_description:
                    "a backup of a page is served with source code the page itself does not show",
                confidence: Confidence::Confirmed,
                original: None,
                attack: Some(&sent),
            },
        )
        .await;
    }
    Ok(())
}

/// Source code in a backup's `text` that the rendered page does not show.
fn leaked_source(text: &str, rendered: &str) -> Option<String> {
    let m = SOURCE.find(text)?;
    (!SOURCE.is_match(rendered)).then(|| m.as_str().to_string())
}

#[cfg(test)]
mod tests {
    /// The proof that the probe for `path` finds in `body`.
    fn probe(path: &str, body: &str) -> Option<String> {
        let i = super::PROBES
            .iter()
            .position(|(_, p, _)| *p == path)
            .unwrap();
        let sig = super::SIGS[i].as_ref().unwrap();
        sig.find(body).map(|m| m.as_str().to_string())
    }

    const HTML404: &str =
        "<html><body><h1>Page not found</h1><p>Try the home page.</p></body></html>";

    #[test]
    fn every_signature_compiles() {
        assert!(super::SIGS.iter().all(Option::is_some));
    }

    #[test]
    fn examples() {
        let table: &[(&str, &str, bool)] = &[
            (".git/HEAD", "ref: refs/heads/main\n", true),
            (".git/HEAD", HTML404, false),
            (
                ".git/config",
                "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n",
                true,
            ),
            (
                ".git/config",
                "<p>[core] settings are documented here</p>",
                false,
            ),
            (
                ".svn/entries",
                "12\n\ndir\n1234\nhttps://svn.example/repo/trunk\n",
                true,
            ),
            (
                ".env",
                "APP_ENV=production\nDB_PASSWORD=s3cret\nAPP_KEY=base64:abc\n",
                true,
            ),
            (
                ".env",
                "<html><body>Welcome to our ENV page</body></html>",
                false,
            ),
            (
                ".htpasswd",
                "admin:$apr1$Xy1z2$AbCdEfGhIjKlMnOpQrStU/\n",
                true,
            ),
            (".htpasswd", "<p>admin: contact us</p>", false),
            ("config.php.bak", "<?php\n$db_pass = 'hunter2';\n", true),
            ("config.php.bak", HTML404, false),
            ("wp-config.php.bak", "define( 'DB_PASSWORD', 'x' );", true),
            (
                "web.config",
                "<?xml version=\"1.0\"?>\n<configuration>\n<connectionStrings/>",
                true,
            ),
            (
                "WEB-INF/web.xml",
                "<?xml version=\"1.0\"?><web-app xmlns=\"http://xmlns.jcp.org/xml/ns/javaee\">",
                true,
            ),
            (
                "backup.sql",
                "-- MySQL dump 10.13\nCREATE TABLE `users` (\n `id` int NOT NULL",
                true,
            ),
            ("backup.sql", HTML404, false),
            ("database.sqlite", "SQLite format 3\u{0}\u{10}\u{0}", true),
            (
                "database.sqlite",
                "<html>SQLite format 3 explained</html>",
                false,
            ),
            (".DS_Store", "\u{0}\u{0}\u{0}\u{1}Bud1\u{0}\u{0}", true),
            (
                "phpinfo.php",
                "<html><head><title>phpinfo()</title></head><body><h1>PHP Version 8.2.7</h1>",
                true,
            ),
            (
                "phpinfo.php",
                "<p>How to run phpinfo on your server</p>",
                false,
            ),
            (
                "server-status",
                "<h1>Apache Server Status for a.example (via 10.0.0.1)</h1>",
                true,
            ),
            (
                "actuator/env",
                "{\"activeProfiles\":[\"prod\"],\"propertySources\":[]}",
                true,
            ),
            ("actuator/env", "{\"status\":\"UP\"}", false),
        ];
        for (path, body, want) in table {
            assert_eq!(probe(path, body).is_some(), *want, "{path}: {body:?}");
        }
    }

    #[test]
    fn backups_leak_source_the_page_hides() {
        let rendered = "<html><body><h1>Contact</h1></body></html>";
        let table: &[(&str, &str, bool)] = &[
            ("php backup", "<?php\nrequire 'db.php';\n", true),
            ("jsp backup", "<%@ page import=\"java.sql.*\" %>", true),
            ("python module", "import os\nSECRET = 'x'\n", true),
            (
                "node module",
                "const db = require('./db');\nmodule.exports = db;",
                true,
            ),
            ("rendered html served again", rendered, false),
            (
                "html page with prose about imports",
                "<p>We import coffee from Brazil.</p>",
                false,
            ),
        ];
        for (name, text, want) in table {
            assert_eq!(
                super::leaked_source(text, rendered).is_some(),
                *want,
                "{name}"
            );
        }
        // A page that shows code itself (a tutorial) does not prove a leak.
        let tutorial = "<?php echo 'hello'; ?>";
        assert!(super::leaked_source("<?php\n$x = 1;", tutorial).is_none());
    }
}
