//! Server and framework version banners.

use super::passive::{PHit, Page};
use crate::catalogue::{locs, module_id, OWASP_A05};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "version_disclosure";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Server Version Disclosure",
        description: "<p>Response headers or pages reveal the exact versions of the server or framework, which helps an attacker pick known exploits.</p>",
        recommendation: "Remove version numbers from Server, X-Powered-By and similar headers and from generator tags.",
        module_type: ModuleType::Passive,
        severity: Severity::Low,
        cwe: 200,
        wasc: Some(13),
        owasp_2021: "A05:2021-Security Misconfiguration",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N",
        parameter_locations: locs::NONE,
        references: &[
            ("CWE-200: Exposure of Sensitive Information to an Unauthorized Actor", "https://cwe.mitre.org/data/definitions/200.html"),
            ("OWASP Fingerprint Web Server", "https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/01-Information_Gathering/02-Fingerprint_Web_Server"),
            OWASP_A05,
        ],
        attacks: &[
            AttackMeta {
                id: "VER_01",
                kind: "Versioned banner",
                class: "Information Disclosure",
                description: "Server, X-Powered-By, X-AspNet-Version or generator meta with a version number.",
            },
        ],
    }
}

pub(crate) fn inspect(p: &Page<'_>) -> Vec<PHit> {
    // The patterns: `signatures/version_disclosure.toml`.
    let sigs = &super::signatures::VERSION_DISCLOSURE;
    let (Some(version), Some(generator)) = (sigs.get("banner"), sigs.get("generator")) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for h in [
        "server",
        "x-powered-by",
        "x-aspnet-version",
        "x-aspnetmvc-version",
        "x-generator",
    ] {
        if let Some(v) = p.resp.header(h) {
            if version.is_match(v) {
                out.push(PHit::host("VER_01", format!("{h}: {v}")));
                break;
            }
        }
    }
    if out.is_empty() && p.html.is_some() {
        if let Some(c) = generator.captures(&p.text) {
            out.push(PHit::host("VER_01", format!("generator: {}", &c[1])));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::passive::testing::{check, Example, HTML, PAGE};

    const U: &str = "http://a.example/";

    #[test]
    fn examples() {
        let table: &[Example] = &[
            ("apache banner", U, 200, &[HTML, ("Server", "Apache/2.4.41 (Ubuntu)")], PAGE, &["VER_01"]),
            ("nginx banner", U, 200, &[HTML, ("Server", "nginx/1.18.0")], PAGE, &["VER_01"]),
            ("iis and asp.net", U, 200, &[HTML, ("Server", "Microsoft-IIS/10.0"), ("X-AspNet-Version", "4.0.30319")], PAGE, &["VER_01"]),
            ("php powered-by", U, 200, &[HTML, ("X-Powered-By", "PHP/7.4.3")], PAGE, &["VER_01"]),
            ("product without version", U, 200, &[HTML, ("Server", "nginx"), ("X-Powered-By", "Express")], PAGE, &[]),
            ("cloudflare", U, 200, &[HTML, ("Server", "cloudflare")], PAGE, &[]),
            (
                "generator meta",
                U,
                200,
                &[HTML],
                "<html><head><meta name=\"generator\" content=\"WordPress 6.4.2\"></head><body></body></html>",
                &["VER_01"],
            ),
            (
                "generator without version",
                U,
                200,
                &[HTML],
                "<html><head><meta name=\"generator\" content=\"Hugo\"></head><body>v1.2 release notes</body></html>",
                &[],
            ),
        ];
        check(super::inspect, table);
    }
}
