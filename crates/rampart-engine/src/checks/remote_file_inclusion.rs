//! Remote file inclusion confirmed by the out-of-band listener.

use super::common::inject;
use crate::catalogue::{locs, module_id, OWASP_A03};
use crate::client::{SendError, Sent};
use crate::ctx::{Ctx, Hit};
use crate::finding::Confidence;
use crate::target::{InsertionPoint, Resource};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "remote_file_inclusion";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Remote File Inclusion",
        description: "<p>The application fetches and includes a file from a URL supplied in the request, so an attacker can make it run or display remote content.</p>",
        recommendation: "Never include or fetch files named by input; use an allow-list, disable remote includes (allow_url_include=Off in PHP).",
        module_type: ModuleType::Active,
        severity: Severity::High,
        cwe: 98,
        wasc: Some(5),
        owasp_2021: "A03:2021-Injection",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        parameter_locations: locs::QUERY_POST,
        references: &[
            ("CWE-98: Improper Control of Filename for Include/Require Statement in PHP Program", "https://cwe.mitre.org/data/definitions/98.html"),
            ("OWASP Testing for Remote File Inclusion", "https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/07-Input_Validation_Testing/11.2-Testing_for_Remote_File_Inclusion"),
            OWASP_A03,
        ],
        attacks: &[
            AttackMeta {
                id: "RFI_01",
                kind: "Out-of-band inclusion",
                class: "File Inclusion",
                description: "A URL to the engine's out-of-band listener carrying a scan token; a callback or the served marker in the response confirms.",
            },
            AttackMeta {
                id: "RFI_02",
                kind: "Out-of-band inclusion, scheme variants",
                class: "File Inclusion",
                description: "The same URL scheme-relative (//host/…) and with an upper-case scheme (HTTP://), for filters that refuse only http:// as written; the target is always the engine's own listener.",
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
    let (token, url) = oob.token("i");
    let url = format!("{url}.txt");
    // The listener's URL as is, then the spellings that slip past filters refusing only a
    // lower-case `http://` prefix. Every variant names the engine's own listener.
    let variants = [
        ("RFI_01", url.clone()),
        ("RFI_02", url.replacen("http://", "//", 1)),
        ("RFI_02", url.replacen("http://", "HTTP://", 1)),
    ];
    for (attack_id, value) in variants {
        let sent = inject(ctx, r, p, &value).await?;
        let text = sent.response.text();
        let proof = inclusion(&text, &token, || oob.callback(&token).is_some());
        if let Some((proof, confidence, desc)) = proof {
            ctx.report_point(
                r,
                Some(p),
                Hit {
                    module: KEY,
                    attack_id,
                    value: &value,
                    proof,
                    proof_description: desc,
                    confidence,
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

/// Whether the page includes the served file for `token`: executed (confirmed) or its
/// content included, when `fetched` confirms the listener served it.
fn inclusion(
    text: &str,
    token: &str,
    fetched: impl FnOnce() -> bool,
) -> Option<(String, Confidence, &'static str)> {
    let executed = format!("RMPXEXEC{token}");
    let included = format!("RMPOOB{token}END");
    // Included: the fetched file's content (or its executed form) is part of the page.
    if text.contains(&executed) {
        Some((
            executed,
            Confidence::Confirmed,
            "the remote file was fetched and executed",
        ))
    } else if text.contains(&included) && fetched() {
        Some((
            included,
            Confidence::Firm,
            "the remote file was fetched from the out-of-band listener and included in the page",
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::inclusion;
    use crate::finding::Confidence;
    use crate::oob::served_body;

    #[test]
    fn examples() {
        let t = "rmpabcdef123456";
        // What a PHP include() of the served file renders: the text, then the executed echo.
        let executed = "RMPOOBrmpabcdef123456END RMPXEXECrmpabcdef123456";
        let included = served_body(t);
        let table: &[(&str, &str, bool, Option<Confidence>)] = &[
            ("executed", executed, false, Some(Confidence::Confirmed)),
            (
                "included raw and fetched",
                &included,
                true,
                Some(Confidence::Firm),
            ),
            (
                "included raw but never fetched (echo of the url)",
                &included,
                false,
                None,
            ),
            (
                "url reflected",
                "<p>http://127.0.0.1:9/i/rmpabcdef123456.txt</p>",
                true,
                None,
            ),
            (
                "source echoed, not run",
                "<?php echo 'RMPX'.'EXEC'.'rmpabcdef123456'; ?>",
                true,
                None,
            ),
            ("other token", "RMPXEXECrmpzzzzzzzzzzzz", true, None),
        ];
        for (name, text, fetched, want) in table {
            assert_eq!(
                inclusion(text, t, || *fetched).map(|(_, c, _)| c),
                *want,
                "{name}"
            );
        }
    }
}
