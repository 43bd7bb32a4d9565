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
                description: "Backups, copies and leftovers of discovered files: suffixes (.bak, ~, .old, .orig, .swp), editor files (.name.swp, #name#), copies (Copy of name, name - Copy, name (1)), numbered (name.1), archives of a file or directory (.zip, .tar.gz), confirmed by source code or archive signatures, soft-404 aware.",
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

/// Copies, numbered versions, editor leftovers and archives of `name` (`stem` + `ext`, with
/// its dot), as people and tools leave them. Drawn from the scan's backup budget.
fn copies(name: &str) -> Vec<String> {
    let (stem, ext) = match name.rfind('.') {
        Some(i) if i > 0 => (&name[..i], &name[i..]),
        _ => (name, ""),
    };
    vec![
        format!("Copy of {name}"),
        format!("{stem} - Copy{ext}"),
        format!("{stem} (1){ext}"),
        format!("{stem} copy{ext}"),
        format!("{name}.1"),
        format!("{name}.2"),
        format!("{stem}_old{ext}"),
        format!("{stem}.old{ext}"),
        format!("{stem}_backup{ext}"),
        format!("#{name}#"),
        format!("{name}.zip"),
        format!("{name}.tar.gz"),
    ]
}

/// Archive names probed next to a directory (`dir` is its last segment) and at the root.
fn archives(dir: Option<&str>) -> Vec<String> {
    let mut v = Vec::new();
    match dir {
        Some(d) => {
            for ext in [".zip", ".tar.gz", ".tgz", ".rar", ".7z"] {
                v.push(format!("{d}{ext}"));
            }
        }
        None => {
            for base in ["backup", "site", "www", "web", "html"] {
                for ext in [".zip", ".tar.gz"] {
                    v.push(format!("{base}{ext}"));
                }
            }
        }
    }
    v
}

/// The archive format `body` starts with.
fn archive_magic(body: &[u8]) -> Option<&'static str> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"PK\x03\x04", "zip archive"),
        (b"\x1f\x8b", "gzip archive"),
        (b"Rar!\x1a\x07", "rar archive"),
        (b"7z\xbc\xaf\x27\x1c", "7-zip archive"),
        (b"BZh", "bzip2 archive"),
    ];
    MAGIC
        .iter()
        .find(|(m, _)| body.starts_with(m))
        .map(|(_, name)| *name)
}

/// The backup budget of one scan: requests the copy, numbered and archive probes may send,
/// scaled to the site (see [`BackupBudget::scale`]), and what was left out when it ran out.
#[derive(Default)]
pub(crate) struct BackupBudget {
    left: std::sync::atomic::AtomicI64,
    skipped: std::sync::atomic::AtomicU64,
}

impl BackupBudget {
    /// Requests for a site of `resources` crawled resources and `files` probed files: a
    /// floor for small sites, then a share per crawled item.
    pub fn scale(&self, resources: usize, files: usize) -> i64 {
        let n = 2_000 + 6 * (resources + files) as i64;
        self.left.store(n, std::sync::atomic::Ordering::Relaxed);
        n
    }

    /// Takes one request from the budget; `false` (and counted) when it is spent.
    fn take(&self) -> bool {
        use std::sync::atomic::Ordering::Relaxed;
        if self.left.fetch_sub(1, Relaxed) > 0 {
            true
        } else {
            self.skipped.fetch_add(1, Relaxed);
            false
        }
    }

    /// Probes not sent because the budget was spent.
    pub fn skipped(&self) -> u64 {
        self.skipped.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// A name as one path segment (spaces, `#`, `%` and `?` escaped).
fn segment(name: &str) -> String {
    name.replace('%', "%25")
        .replace(' ', "%20")
        .replace('#', "%23")
        .replace('?', "%3F")
}

static SIGS: LazyLock<Vec<Option<Regex>>> =
    LazyLock::new(|| PROBES.iter().map(|(_, _, s)| Regex::new(s).ok()).collect());
static SOURCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(<\?php|<%@?|^\s*(import|from|package|require|using|def|function|const|var|let|#include)\b|\bmodule\.exports\b)")
        .unwrap_or_else(|_| unreachable!("literal regex"))
});

/// Archives of a directory (next to it) or of the site (at the root), confirmed by the
/// archive format's signature and not by status.
async fn dir_archives(ctx: &Ctx, dir: &Url) -> Result<(), SendError> {
    let segs: Vec<&str> = dir.path().split('/').filter(|s| !s.is_empty()).collect();
    let (base, names) = match segs.last() {
        Some(last) => (dir.join("..").ok(), archives(Some(last))),
        None => (Some(dir.clone()), archives(None)),
    };
    let Some(base) = base else { return Ok(()) };
    for name in names {
        let Ok(u) = base.join(&segment(&name)) else { continue };
        let r = Resource::get(u.clone());
        if ctx.http.gate().check("GET", &u).is_err() || ctx.already(KEY, &r, None).await {
            continue;
        }
        if !ctx.backups.take() {
            return Ok(());
        }
        let sent = ctx.send(HttpRequest::get(u.clone())).await?;
        if sent.response.status != 200 {
            continue;
        }
        let Some(kind) = archive_magic(&sent.response.body) else {
            continue;
        };
        if ctx.soft404.is_not_found(&ctx.http, &u, &sent.response).await {
            continue;
        }
        ctx.report_point(
            &r,
            None,
            Hit {
                module: KEY,
                attack_id: "FILE_01",
                value: &name,
                proof: format!("a {kind} is served ({} bytes)", sent.response.body.len()),
                proof_description: "an archive named after the directory or the site is served: it holds the files' sources",
                confidence: Confidence::Confirmed,
                original: None,
                attack: Some(&sent),
            },
        )
        .await;
    }
    Ok(())
}

/// Known leftovers in one directory, each confirmed by its content signature.
pub(crate) async fn attack_dir(ctx: &Ctx, dir: &Url) -> Result<(), SendError> {
    dir_archives(ctx, dir).await?;
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
    // The name as the URL spells it, decoded: "Copy of a b.php", not "a%20b.php".
    let name = percent_decode(&name);
    let mut variants: Vec<(String, bool)> = BACKUP_SUFFIXES
        .iter()
        .map(|s| (format!("{name}{s}"), false))
        .collect();
    variants.push((format!(".{name}.swp"), false));
    variants.extend(copies(&name).into_iter().map(|v| (v, true)));
    for (v, budgeted) in variants {
        let Ok(u) = file.join(&segment(&v)) else { continue };
        let r = Resource::get(u.clone());
        if ctx.http.gate().check("GET", &u).is_err() || ctx.already(KEY, &r, None).await {
            continue;
        }
        if budgeted && !ctx.backups.take() {
            continue;
        }
        let sent = ctx.send(HttpRequest::get(u.clone())).await?;
        if sent.response.status != 200 {
            continue;
        }
        let text = sent.response.text();
        let proof = leaked_source(&text, &rendered).or_else(|| {
            archive_magic(&sent.response.body).map(|k| format!("a {k} of the page is served"))
        });
        let Some(proof) = proof else {
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

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| s.to_string())
}

/// Source code in a backup's `text` that the rendered page does not show.
fn leaked_source(text: &str, rendered: &str) -> Option<String> {
    let m = SOURCE.find(text)?;
    (!SOURCE.is_match(rendered)).then(|| m.as_str().to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn copies_archives_and_magic() {
        let c = super::copies("report.php");
        for want in ["Copy of report.php", "report - Copy.php", "report (1).php", "report.php.1", "#report.php#", "report.php.zip", "report_old.php"] {
            assert!(c.iter().any(|v| v == want), "{want}: {c:?}");
        }
        assert!(super::copies("README").iter().any(|v| v == "README (1)"));
        assert_eq!(super::archives(Some("ops"))[0], "ops.zip");
        assert!(super::archives(None).iter().any(|v| v == "backup.tar.gz"));
        assert_eq!(super::archive_magic(b"PK\x03\x04\x14\x00"), Some("zip archive"));
        assert_eq!(super::archive_magic(b"\x1f\x8b\x08\x00"), Some("gzip archive"));
        assert_eq!(super::archive_magic(b"<html>PK"), None);
        assert_eq!(super::segment("Copy of #a?.php"), "Copy%20of%20%23a%3F.php");
        let b = super::BackupBudget::default();
        assert_eq!(b.scale(0, 0), 2_000);
        for _ in 0..2_000 {
            assert!(b.take());
        }
        assert!(!b.take());
        assert_eq!(b.skipped(), 1);
    }

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
