//! Directory auto-index pages.

use crate::catalogue::{locs, module_id, OWASP_A01};
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

static MARKERS: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        ("Apache/nginx", r"(?i)<title>\s*Index of /"),
        ("Apache/nginx", r"(?i)<h1>\s*Index of /"),
        (
            "Python http.server",
            r"(?i)<title>\s*Directory listing for /",
        ),
        ("IIS", r"(?i)\[To Parent Directory\]"),
        ("Tomcat", r"(?i)<title>\s*Directory Listing For /"),
        ("Node serve-index", r"(?i)<title>\s*listing directory /"),
        ("Jetty", r"(?i)<title>\s*Directory: /"),
    ]
    .into_iter()
    .filter_map(|(n, r)| Regex::new(r).ok().map(|re| (n, re)))
    .collect()
});

/// The auto-index server whose markers `text` carries.
pub(crate) fn listing(text: &str) -> Option<&'static str> {
    MARKERS
        .iter()
        .find(|(_, re)| re.is_match(text))
        .map(|(n, _)| *n)
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
