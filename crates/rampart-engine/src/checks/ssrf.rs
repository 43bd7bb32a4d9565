//! Server-side request forgery confirmed by the out-of-band listener.

use super::common::inject;
use crate::catalogue::{locs, module_id, OWASP_A10};
use crate::client::{SendError, Sent};
use crate::ctx::{Ctx, Hit, PendingOob};
use crate::finding::Confidence;
use crate::target::{InsertionPoint, Resource};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "ssrf";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Server-Side Request Forgery",
        description: "<p>The server fetches a URL taken from the request, so an attacker can make it reach internal services or cloud metadata.</p>",
        recommendation: "Allow-list destinations, resolve and check the address before connecting, block private and link-local ranges, and do not return raw responses.",
        module_type: ModuleType::Active,
        severity: Severity::High,
        cwe: 918,
        wasc: None,
        owasp_2021: "A10:2021-Server-Side Request Forgery",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:N/A:N",
        parameter_locations: locs::INPUTS,
        references: &[
            ("CWE-918: Server-Side Request Forgery", "https://cwe.mitre.org/data/definitions/918.html"),
            ("OWASP SSRF Prevention Cheat Sheet", "https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html"),
            OWASP_A10,
        ],
        attacks: &[
            AttackMeta {
                id: "SSRF_01",
                kind: "Out-of-band URL",
                class: "Server-Side Request Forgery",
                description: "A URL to the engine's out-of-band listener carrying a scan token; a callback confirms.",
            },
        ],
    }
}

pub(crate) async fn attack(
    ctx: &Ctx,
    r: &Resource,
    orig: &Sent,
    p: &InsertionPoint,
) -> Result<(), SendError> {
    let Some(oob) = ctx.oob.clone() else {
        return Ok(());
    };
    if ctx.already(KEY, r, Some(p)).await {
        return Ok(());
    }
    let (token, url) = oob.token("s");
    let sent = inject(ctx, r, p, &url).await?;
    match oob.callback(&token) {
        Some(cb) => {
            ctx.report_point(
                r,
                Some(p),
                Hit {
                    module: KEY,
                    attack_id: "SSRF_01",
                    value: &url,
                    proof: format!("callback from {}: {}", cb.peer, cb.request_line),
                    proof_description: "the server requested the engine's out-of-band URL carrying this scan's token",
                    confidence: Confidence::Confirmed,
                    original: Some(orig),
                    attack: Some(&sent),
                },
            )
            .await;
        }
        // Blind fetches may happen later: checked once at the end of the attack phase.
        None => ctx.defer_oob(PendingOob {
            module: KEY,
            attack_id: "SSRF_01",
            token,
            resource: r.clone(),
            point: Some(p.clone()),
            value: url,
            attack: sent,
        }),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::oob::Oob;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// What a vulnerable server does with the injected URL: fetch it.
    async fn fetch(url: &str) -> String {
        let u = url::Url::parse(url).unwrap();
        let addr = format!("{}:{}", u.host_str().unwrap(), u.port().unwrap());
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        let req = format!("GET {} HTTP/1.1\r\nHost: x\r\n\r\n", u.path());
        s.write_all(req.as_bytes()).await.unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        out
    }

    #[tokio::test]
    async fn callbacks_are_attributed_to_their_token() {
        let stop = tokio_util::sync::CancellationToken::new();
        let oob = Oob::start("127.0.0.1:0".parse().unwrap(), None, stop.clone())
            .await
            .unwrap();
        let (fetched, url) = oob.token("s");
        let (never, _) = oob.token("s");
        // Not fetched yet: no finding (deferred).
        assert!(oob.callback(&fetched).is_none());
        let body = fetch(&url).await;
        assert!(body.contains(&format!("RMPOOB{fetched}END")));
        let cb = oob.callback(&fetched).expect("callback recorded");
        assert!(cb.request_line.starts_with("GET /s/"));
        // A token nobody fetched, and a fetch of an unknown path, prove nothing.
        assert!(oob.callback(&never).is_none());
        let base = url.rsplit_once("/s/").unwrap().0.to_string();
        fetch(&format!("{base}/s/rmpunknown")).await;
        assert!(oob.callback(&never).is_none());
        stop.cancel();
    }
}
