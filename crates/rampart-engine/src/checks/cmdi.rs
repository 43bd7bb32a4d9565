//! OS command injection: output-based and time-based, Unix and Windows.

use super::common::{inject, operands, product_shown};
use crate::catalogue::{locs, module_id, OWASP_A03};
use crate::client::{SendError, Sent};
use crate::ctx::{Ctx, Hit};
use crate::finding::Confidence;
use crate::target::{InsertionPoint, Resource};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};
use std::time::Duration;

pub(crate) const KEY: &str = "cmdi";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "OS Command Injection",
        description: "<p>Request input reaches an operating-system shell command. An attacker can run arbitrary commands with the privileges of the application.</p>",
        recommendation: "Avoid calling a shell; use library APIs or pass arguments as an argument vector without a shell. If unavoidable, allow-list the input strictly.",
        module_type: ModuleType::Active,
        severity: Severity::Critical,
        cwe: 78,
        wasc: Some(31),
        owasp_2021: "A03:2021-Injection",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        parameter_locations: locs::INPUTS,
        references: &[
            ("CWE-78: Improper Neutralization of Special Elements used in an OS Command", "https://cwe.mitre.org/data/definitions/78.html"),
            ("OWASP OS Command Injection Defense Cheat Sheet", "https://cheatsheetseries.owasp.org/cheatsheets/OS_Command_Injection_Defense_Cheat_Sheet.html"),
            OWASP_A03,
        ],
        attacks: &[
            AttackMeta {
                id: "CMDI_01",
                kind: "Output-based command injection",
                class: "Injection",
                description: "Command separators followed by an arithmetic echo of random numbers; the computed product must appear and the expression must not.",
            },
            AttackMeta {
                id: "CMDI_02",
                kind: "Time-based command injection",
                class: "Injection",
                description: "Command separators followed by sleep or ping with two delays; the response time must grow linearly.",
            },
        ],
    }
}

/// Output-based forms; `A`/`B` are random operands.
const ECHO: &[&str] = &[
    ";expr A \\* B",
    "|expr A \\* B",
    "&&expr A \\* B",
    "$(expr A \\* B)",
    "`expr A \\* B`",
    "';expr A \\* B;'",
    "\";expr A \\* B;\"",
    "\nexpr A \\* B\n",
    ";echo $((A*B))",
    "&set /a A*B",
    "|set /a A*B",
];
/// Time-based forms; `D` is the delay in seconds.
const SLEEP: &[&str] = &[
    ";sleep D",
    "|sleep D",
    "$(sleep D)",
    "`sleep D`",
    "';sleep D;'",
    "& ping -n E 127.0.0.1 &",
];

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
    for e in ECHO {
        let (a, b, product) = operands();
        let value = format!(
            "{}{}",
            p.original,
            e.replace('A', &a.to_string()).replace('B', &b.to_string())
        );
        let sent = inject(ctx, r, p, &value).await?;
        // The page may echo the input: judge only what is not a reflection of it.
        let text = crate::similarity::strip(&sent.response.text(), &[&value]);
        if product_shown(&orig_text, &text, &product) && !text.contains(&format!("{a}*{b}")) {
            ctx.report_point(r, Some(p), Hit {
                module: KEY,
                attack_id: "CMDI_01",
                value: &value,
                proof: product,
                proof_description: "the shell computed the injected arithmetic: its result appears and the expression does not",
                confidence: Confidence::Confirmed,
                original: Some(orig),
                attack: Some(&sent),
            })
            .await;
            return Ok(());
        }
    }
    let cap = ctx.http.plan().limits.max_time_probe.as_secs().max(2);
    let (d1, d2) = ((cap / 2).max(1), cap);
    let base = orig.response.elapsed;
    let timeout = Duration::from_secs(d2 + 10);
    let fill = |t: &str, d: u64| {
        format!(
            "{}{}",
            p.original,
            t.replace('D', &d.to_string())
                .replace('E', &(d + 1).to_string())
        )
    };
    for t in SLEEP {
        let _guard = ctx.http.timing_guard(&r.url).await;
        let v1 = fill(t, d1);
        let s1 = ctx
            .http
            .send_with_timeout(
                r.with_value(p, &v1),
                crate::client::Purpose::Attack,
                Some(timeout),
            )
            .await?;
        if s1.response.elapsed < Duration::from_secs(d1) + base / 2 {
            continue;
        }
        let v2 = fill(t, d2);
        let s2 = ctx
            .http
            .send_with_timeout(
                r.with_value(p, &v2),
                crate::client::Purpose::Attack,
                Some(timeout),
            )
            .await?;
        let v0 = fill(t, 0);
        let s0 = ctx
            .http
            .send_with_timeout(
                r.with_value(p, &v0),
                crate::client::Purpose::Attack,
                Some(timeout),
            )
            .await?;
        let (t1, t2, t0) = (
            s1.response.elapsed,
            s2.response.elapsed,
            s0.response.elapsed,
        );
        if t2 >= Duration::from_secs(d2)
            && t2 > t1
            && t0 < Duration::from_secs(d1)
            && t2 < Duration::from_secs(d2 * 3) + base
        {
            ctx.report_point(
                r,
                Some(p),
                Hit {
                    module: KEY,
                    attack_id: "CMDI_02",
                    value: &v2,
                    proof: format!(
                        "sleep {d1}s took {:.2}s, sleep {d2}s took {:.2}s, sleep 0 took {:.2}s",
                        t1.as_secs_f64(),
                        t2.as_secs_f64(),
                        t0.as_secs_f64()
                    ),
                    proof_description: "the response time follows the injected sleep",
                    confidence: Confidence::Firm,
                    original: Some(orig),
                    attack: Some(&s2),
                },
            )
            .await;
            return Ok(());
        }
    }
    Ok(())
}
