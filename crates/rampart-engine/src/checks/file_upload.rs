//! Dangerous file upload, confirmed by fetching the stored file.

use crate::catalogue::{locs, module_id, OWASP_A04};
use crate::client::{SendError, Sent};
use crate::ctx::{Ctx, Hit};
use crate::finding::Confidence;
use crate::http::{HttpRequest, HttpResponse};
use crate::target::Resource;
use crate::target::{Body, FilePart};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};
use regex::Regex;
use url::Url;

pub(crate) const KEY: &str = "file_upload";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Unrestricted File Upload",
        description: "<p>A form stores uploaded files with dangerous extensions where the server serves them back, which can lead to code execution or stored XSS.</p>",
        recommendation: "Allow-list extensions and content types, store uploads outside the web root under generated names, and serve them with Content-Disposition: attachment.",
        module_type: ModuleType::Active,
        severity: Severity::High,
        cwe: 434,
        wasc: None,
        owasp_2021: "A04:2021-Insecure Design",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        parameter_locations: locs::POST,
        references: &[
            ("CWE-434: Unrestricted Upload of File with Dangerous Type", "https://cwe.mitre.org/data/definitions/434.html"),
            ("OWASP File Upload Cheat Sheet", "https://cheatsheetseries.owasp.org/cheatsheets/File_Upload_Cheat_Sheet.html"),
            OWASP_A04,
        ],
        attacks: &[
            AttackMeta {
                id: "UPLOAD_01",
                kind: "Dangerous extension served back",
                class: "Upload",
                description: "A harmless marker file uploaded as .php, .jsp, .html and similar, confirmed only when the server serves it back under that name.",
            },
        ],
    }
}

const EXTENSIONS: &[(&str, &str)] = &[
    ("php", "application/x-php"),
    ("html", "text/html"),
    ("jsp", "text/plain"),
    ("phtml", "text/plain"),
    ("svg", "image/svg+xml"),
];
const DIRS: &[&str] = &[
    "uploads/",
    "upload/",
    "files/",
    "static/uploads/",
    "media/",
    "images/",
    "",
];

/// Uploads a harmless marker file under dangerous extensions; confirmed only when the
/// server then serves it back under that name.
pub(crate) async fn attack(ctx: &Ctx, r: &Resource, orig: &Sent) -> Result<(), SendError> {
    let Body::Multipart { fields, files } = &r.body else {
        return Ok(());
    };
    if files.is_empty() || ctx.already(KEY, r, None).await {
        return Ok(());
    }
    for (ext, ct) in EXTENSIONS {
        let marker = format!("RMPUPLOAD{}", crate::rand_id(10));
        let name = format!("rmp{}.{ext}", crate::rand_id(6));
        let parts: Vec<FilePart> = files
            .iter()
            .map(|f| FilePart {
                field: f.field.clone(),
                filename: name.clone(),
                content_type: ct.to_string(),
                content: marker.clone().into_bytes(),
            })
            .collect();
        let up = Resource {
            body: Body::Multipart {
                fields: fields.clone(),
                files: parts,
            },
            ..r.clone()
        };
        let sent = ctx.send(up.to_request()).await?;
        let mut candidates = named_in(&sent.request.url, &sent.response.text(), &name);
        if let Some(l) = sent.response.header("location") {
            candidates.extend(
                sent.request
                    .url
                    .join(l)
                    .ok()
                    .filter(|u| u.path().ends_with(&name)),
            );
        }
        for base in [
            r.url.clone(),
            r.url.join("/").unwrap_or_else(|_| r.url.clone()),
        ] {
            for d in DIRS {
                candidates.extend(base.join(&format!("{d}{name}")).ok());
            }
        }
        candidates.dedup();
        for u in candidates {
            if ctx.http.gate().check("GET", &u).is_err() {
                continue;
            }
            let got = ctx.send(HttpRequest::get(u.clone())).await?;
            if served_inline(&got.response, &marker) {
                ctx.report_point(r, None, Hit {
                    module: KEY,
                    attack_id: "UPLOAD_01",
                    value: &name,
                    proof: format!("{u} serves the uploaded marker ({})", got.response.content_type()),
                    proof_description: "a file with a dangerous extension was stored and is served back under that name",
                    confidence: Confidence::Confirmed,
                    original: Some(orig),
                    attack: Some(&got),
                })
                .await;
                return Ok(());
            }
        }
    }
    Ok(())
}

/// Places named in one answer that are tried (a page echoing the name everywhere costs no more).
const MAX_NAMED: usize = 8;

/// Where the answer to an upload says the file `name` is: every path ending in the name,
/// quoted, in a link or bracket, or unquoted in prose (`../../uploads/NAME succesfully
/// uploaded!`), resolved against the form's `action` URL (relative paths are the
/// application's, relative to the script). A path that reads like a file system path
/// (`/var/www/html/uploads/NAME`) is also tried by its last folders, from the site's root.
fn named_in(action: &Url, text: &str, name: &str) -> Vec<Url> {
    let path = Regex::new(&format!(
        r#"(?:^|[\s"'(<>=:,;])([^\s"'()<>=,;]*{})(?:$|[^A-Za-z0-9_.\-]|\.(?:$|\s))"#,
        regex::escape(name)
    ))
    .unwrap_or_else(|_| unreachable!("escaped literal"));
    let mut out: Vec<Url> = Vec::new();
    let add = |out: &mut Vec<Url>, u: Option<Url>| {
        if let Some(u) = u.filter(|u| u.path().ends_with(name)) {
            if !out.contains(&u) {
                out.push(u);
            }
        }
    };
    for c in path.captures_iter(text) {
        if out.len() >= MAX_NAMED {
            break;
        }
        let mut p = c[1].replace('\\', "/");
        // A Windows drive (`C:/inetpub/…`): the path on it.
        if p.as_bytes().get(1) == Some(&b':') && p.as_bytes().get(2) == Some(&b'/') {
            p.drain(..2);
        }
        add(&mut out, action.join(&p).ok());
        // A file system path: its last one and two folders, from the root.
        let segs: Vec<&str> = p.split('/').filter(|s| !s.is_empty() && *s != "..").collect();
        if p.starts_with('/') && segs.len() > 2 {
            for keep in [2, 3] {
                let tail = segs[segs.len().saturating_sub(keep)..].join("/");
                add(&mut out, action.join(&format!("/{tail}")).ok());
            }
        }
    }
    out
}

/// The uploaded `marker` is served back inline (not as a download).
fn served_inline(resp: &HttpResponse, marker: &str) -> bool {
    let attachment = resp
        .header("content-disposition")
        .is_some_and(|d| d.to_ascii_lowercase().contains("attachment"));
    resp.status == 200 && resp.text().contains(marker) && !attachment
}

#[cfg(test)]
mod tests {
    use super::super::common::recorded;
    use super::{named_in, served_inline};
    use url::Url;

    #[test]
    fn the_stored_file_is_looked_for_wherever_the_answer_names_it() {
        let action = Url::parse("http://a.example/app/support/attach.php").unwrap();
        let n = "rmpab12cd.php";
        let table: &[(&str, &str, &[&str])] = &[
            (
                "prose, relative to the form",
                "<p>../../uploads/rmpab12cd.php succesfully uploaded!</p>",
                &["http://a.example/uploads/rmpab12cd.php"],
            ),
            (
                "prose after a colon",
                "Saved as: files/rmpab12cd.php.",
                &["http://a.example/app/support/files/rmpab12cd.php"],
            ),
            (
                "a link",
                "<a href=\"/u/rmpab12cd.php\">your file</a>",
                &["http://a.example/u/rmpab12cd.php"],
            ),
            (
                "a bare name in a sentence",
                "The file rmpab12cd.php has been uploaded",
                &["http://a.example/app/support/rmpab12cd.php"],
            ),
            (
                "a file system path",
                "stored in /var/www/html/media/docs/rmpab12cd.php",
                &[
                    "http://a.example/var/www/html/media/docs/rmpab12cd.php",
                    "http://a.example/docs/rmpab12cd.php",
                    "http://a.example/media/docs/rmpab12cd.php",
                ],
            ),
            (
                "a Windows path",
                "C:\\inetpub\\wwwroot\\up\\rmpab12cd.php saved",
                &[
                    "http://a.example/inetpub/wwwroot/up/rmpab12cd.php",
                    "http://a.example/up/rmpab12cd.php",
                    "http://a.example/wwwroot/up/rmpab12cd.php",
                ],
            ),
            (
                "a longer name that only starts with it",
                "<p>uploads/rmpab12cd.php.txt stored</p>",
                &[],
            ),
            ("not named", "<p>Thanks!</p>", &[]),
        ];
        for (what, text, want) in table {
            let got: Vec<String> = named_in(&action, text, n)
                .into_iter()
                .map(|u| u.to_string())
                .collect();
            assert_eq!(&got, want, "{what}");
        }
    }

    /// Name, status, headers, body, whether the marker is served inline.
    type Example<'a> = (&'a str, u16, &'a [(&'a str, &'a str)], &'a str, bool);

    #[test]
    fn examples() {
        let m = "RMPUPLOADa1b2c3d4e5";
        let table: &[Example] = &[
            (
                "served as php source",
                200,
                &[("Content-Type", "application/x-httpd-php")],
                "RMPUPLOADa1b2c3d4e5",
                true,
            ),
            (
                "served as html",
                200,
                &[("Content-Type", "text/html")],
                "RMPUPLOADa1b2c3d4e5",
                true,
            ),
            (
                "forced download",
                200,
                &[("Content-Disposition", "attachment; filename=\"rmp.php\"")],
                "RMPUPLOADa1b2c3d4e5",
                false,
            ),
            (
                "not stored",
                404,
                &[("Content-Type", "text/html")],
                "<h1>Not Found</h1>",
                false,
            ),
            (
                "upload page lists the name only",
                200,
                &[("Content-Type", "text/html")],
                "<p>Uploaded rmpabc.php</p>",
                false,
            ),
        ];
        for (name, status, headers, body, want) in table {
            assert_eq!(
                served_inline(&recorded(*status, headers, body), m),
                *want,
                "{name}"
            );
        }
    }
}
