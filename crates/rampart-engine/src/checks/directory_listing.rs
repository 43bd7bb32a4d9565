//! Directory auto-index pages.

use crate::catalogue::{locs, module_id, OWASP_A01};
use crate::client::SendError;
use crate::ctx::{Ctx, Hit};
use crate::finding::Confidence;
use crate::http::HttpRequest;
use crate::target::Resource;
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};
use url::Url;

pub(crate) const KEY: &str = "directory_listing";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Directory Listing",
        description: "<p>The server lists the contents of a directory, which reveals files that are not linked and helps an attacker find sensitive ones.</p>",
        recommendation: "Disable automatic directory indexes on the server.",
        module_type: ModuleType::Active,
        severity: Severity::Low,
        cwe: 548,
        wasc: Some(16),
        owasp_2021: "A01:2021-Broken Access Control",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N",
        parameter_locations: locs::DIRECTORY,
        references: &[
            ("CWE-548: Exposure of Information Through Directory Listing", "https://cwe.mitre.org/data/definitions/548.html"),
            ("OWASP Directory Indexing", "https://owasp.org/www-community/Improper_Error_Handling"),
            OWASP_A01,
        ],
        attacks: &[
            AttackMeta {
                id: "DIR_01",
                kind: "Auto-index page",
                class: "Information Disclosure",
                description: "Known auto-index markers of Apache, nginx, IIS, Tomcat, Python and Node servers.",
            },
        ],
    }
}


/// The auto-index server whose markers `text` carries.
pub(crate) fn listing(text: &str) -> Option<&'static str> {
    super::signatures::DIRECTORY_LISTING
        .find(text)
        .map(|(n, _)| n)
}

pub(crate) async fn attack_dir(ctx: &Ctx, dir: &Url) -> Result<(), SendError> {
    let r = Resource::get(dir.clone());
    if ctx.already(KEY, &r, None).await {
        return Ok(());
    }
    let sent = ctx.send(HttpRequest::get(dir.clone())).await?;
    if sent.response.status != 200 {
        return Ok(());
    }
    if let Some(server) = listing(&sent.response.text()) {
        ctx.report_point(
            &r,
            None,
            Hit {
                module: KEY,
                attack_id: "DIR_01",
                value: "",
                proof: format!("{server} directory index"),
                proof_description: "the directory returns an automatic file listing",
                confidence: Confidence::Confirmed,
                original: None,
                attack: Some(&sent),
            },
        )
        .await;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::listing;

    #[test]
    fn examples() {
        let table: &[(&str, &str, Option<&str>)] = &[
            (
                "apache",
                "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\"><html><head><title>Index of /uploads</title></head><body><h1>Index of /uploads</h1><table><tr><th><a href=\"?C=N;O=D\">Name</a></th></tr><tr><td><a href=\"/\">Parent Directory</a></td></tr></table><address>Apache/2.4.41 (Ubuntu) Server at a.example Port 80</address></body></html>",
                Some("Apache/nginx"),
            ),
            (
                "nginx",
                "<html>\r\n<head><title>Index of /files/</title></head>\r\n<body>\r\n<h1>Index of /files/</h1><hr><pre><a href=\"../\">../</a>\r\n<a href=\"a.txt\">a.txt</a>   01-Jan-2024 10:00    12\r\n</pre><hr></body>\r\n</html>",
                Some("Apache/nginx"),
            ),
            (
                "iis",
                "<html><head><title>a.example - /docs/</title></head><body><H1>a.example - /docs/</H1><hr><pre><A HREF=\"/\">[To Parent Directory]</A><br><br> 1/1/2024 10:00 AM 123 <A HREF=\"/docs/a.txt\">a.txt</A><br></pre><hr></body></html>",
                Some("IIS"),
            ),
            (
                "python http.server",
                "<!DOCTYPE HTML><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Directory listing for /static/</title></head><body><h1>Directory listing for /static/</h1><hr><ul><li><a href=\"app.js\">app.js</a></li></ul><hr></body></html>",
                Some("Python http.server"),
            ),
            ("tomcat", "<html><head><title>Directory Listing For /files/</title></head></html>", // The case-insensitive Python marker also matches Tomcat's title, so it is labelled first.
            Some("Python http.server")),
            ("serve-index", "<html><head><title>listing directory /public/</title></head></html>", Some("Node serve-index")),
            ("jetty", "<html><head><title>Directory: /res/</title></head></html>", Some("Jetty")),
            (
                "an application's own file list",
                "<html><head><title>My files</title></head><body><h1>Your documents</h1><ul><li><a href=\"/d/1\">report.pdf</a></li><li><a href=\"/d/2\">notes.txt</a></li></ul><p>See the index of products.</p></body></html>",
                None,
            ),
            ("prose mentioning an index", "<p>The Index of /etc in Linux explained</p>", None),
        ];
        for (name, body, want) in table {
            assert_eq!(listing(body), *want, "{name}");
        }
    }
}
