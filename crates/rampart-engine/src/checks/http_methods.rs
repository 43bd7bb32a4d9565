//! Dangerous HTTP methods: TRACE echo, PUT/DELETE accepted.

use crate::catalogue::{locs, module_id, OWASP_A05};
use crate::client::SendError;
use crate::ctx::{Ctx, Hit};
use crate::finding::Confidence;
use crate::http::{HttpRequest, HttpResponse};
use crate::target::Resource;
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};
use url::Url;

pub(crate) const KEY: &str = "http_methods";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Dangerous HTTP Methods",
        description: "<p>The server enables methods that are not needed: TRACE echoes requests (cross-site tracing), PUT and DELETE may let anyone change files.</p>",
        recommendation: "Disable TRACE and every method the application does not use, at the server and proxy.",
        module_type: ModuleType::Active,
        severity: Severity::Low,
        cwe: 650,
        wasc: Some(14),
        owasp_2021: "A05:2021-Security Misconfiguration",
        cvss_vector: "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N",
        parameter_locations: locs::NONE,
        references: &[
            ("CWE-650: Trusting HTTP Permission Methods on the Server Side", "https://cwe.mitre.org/data/definitions/650.html"),
            ("OWASP Test HTTP Methods", "https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/02-Configuration_and_Deployment_Management_Testing/06-Test_HTTP_Methods"),
            OWASP_A05,
        ],
        attacks: &[
            AttackMeta {
                id: "METH_01",
                kind: "TRACE echo",
                class: "Misconfiguration",
                description: "A TRACE request with a unique header that is echoed in the body.",
            },
            AttackMeta {
                id: "METH_02",
                kind: "PUT accepted",
                class: "Misconfiguration",
                description: "A PUT of a harmless marker file to a new path, confirmed only if it is then served back.",
            },
        ],
    }
}

/// TRACE with a unique header; echoed back means cross-site tracing is possible.
pub(crate) async fn attack_host(ctx: &Ctx, root: &Url) -> Result<(), SendError> {
    if ctx.http.gate().check("TRACE", root).is_err() {
        return Ok(());
    }
    let r = Resource::get(root.clone());
    if ctx.already(KEY, &r, None).await {
        return Ok(());
    }
    let marker = format!("rmt{}", crate::rand_id(10));
    let mut req = HttpRequest {
        method: "TRACE".into(),
        ..HttpRequest::get(root.clone())
    };
    req.set_header("X-Rampart-Trace", marker.clone());
    let sent = ctx.send(req).await?;
    if served_back(&sent.response, &marker) {
        ctx.report_point(
            &r,
            None,
            Hit {
                module: KEY,
                attack_id: "METH_01",
                value: "TRACE",
                proof: format!("X-Rampart-Trace: {marker} echoed"),
                proof_description: "TRACE is enabled and echoes request headers",
                confidence: Confidence::Confirmed,
                original: None,
                attack: Some(&sent),
            },
        )
        .await;
    }
    Ok(())
}

/// PUT of a marker file to a fresh name, confirmed by reading it back; then deleted.
pub(crate) async fn attack_dir(ctx: &Ctx, dir: &Url) -> Result<(), SendError> {
    let name = format!("rmp{}.txt", crate::rand_id(8));
    let Ok(u) = dir.join(&name) else {
        return Ok(());
    };
    if ctx.http.gate().check("PUT", &u).is_err() {
        return Ok(());
    }
    let r = Resource::get(dir.clone());
    if ctx.already(KEY, &r, None).await {
        return Ok(());
    }
    let marker = format!("RMPPUT{}", crate::rand_id(10));
    let put = HttpRequest {
        method: "PUT".into(),
        url: u.clone(),
        headers: vec![("Content-Type".into(), "text/plain".into())],
        body: Some(marker.clone().into_bytes()),
    };
    let sent = ctx.send(put).await?;
    if !(200..300).contains(&sent.response.status) {
        return Ok(());
    }
    let got = ctx.send(HttpRequest::get(u.clone())).await?;
    if served_back(&got.response, &marker) {
        ctx.report_point(
            &r,
            None,
            Hit {
                module: KEY,
                attack_id: "METH_02",
                value: "PUT",
                proof: format!("{u} created by PUT and served back"),
                proof_description: "PUT stores arbitrary files",
                confidence: Confidence::Confirmed,
                original: Some(&sent),
                attack: Some(&got),
            },
        )
        .await;
        let del = HttpRequest {
            method: "DELETE".into(),
            ..HttpRequest::get(u)
        };
        let _ = ctx.send(del).await;
    }
    Ok(())
}

/// A 200 response carrying `marker`: a TRACE echo or a PUT file read back.
fn served_back(resp: &HttpResponse, marker: &str) -> bool {
    resp.status == 200 && resp.text().contains(marker)
}

#[cfg(test)]
mod tests {
    use super::super::common::recorded;
    use super::served_back;

    #[test]
    fn examples() {
        let m = "rmtq1w2e3r4t5";
        let table: &[(&str, u16, &str, bool)] = &[
            (
                "trace echo",
                200,
                "TRACE / HTTP/1.1\r\nhost: a.example\r\nx-rampart-trace: rmtq1w2e3r4t5\r\n\r\n",
                true,
            ),
            ("trace refused", 405, "Method Not Allowed", false),
            (
                "trace answered without echo",
                200,
                "<html>home</html>",
                false,
            ),
            (
                "error page quoting the request",
                400,
                "bad request: x-rampart-trace: rmtq1w2e3r4t5",
                false,
            ),
        ];
        for (name, status, body, want) in table {
            assert_eq!(
                served_back(&recorded(*status, &[], body), m),
                *want,
                "{name}"
            );
        }
    }
}
