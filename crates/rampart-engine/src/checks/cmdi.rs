//! OS command injection: output-based and time-based, Unix and Windows.

use super::common::inject;
use crate::catalogue::{locs, module_id, OWASP_A03};
use crate::client::{SendError, Sent};
use crate::ctx::{Ctx, Hit};
use crate::finding::Confidence;
use crate::target::{InsertionPoint, Resource};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

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

/// Output-based forms: `X` and `Y` are random markers that only a shell joins into `XY`
/// (quotes or `^` between them are removed by the shell, not by a reflection).
const ECHO: &[&str] = &[
    ";echo X\"\"Y",
    "|echo X\"\"Y",
    "&&echo X\"\"Y",
    "$(echo X\"\"Y)",
    "`echo X\"\"Y`",
    "';echo X\"\"Y;'",
    "\";echo X''Y;\"",
    "\necho X\"\"Y\n",
    "&echo X^Y",
    "|echo X^Y",
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
        let (x, y) = (
            format!("rmpa{}", crate::rand_id(6)),
            format!("rmpb{}", crate::rand_id(6)),
        );
        let joined = format!("{x}{y}");
        let value = format!("{}{}", p.original, e.replace('X', &x).replace('Y', &y));
        let sent = inject(ctx, r, p, &value).await?;
        if shell_joined(&orig_text, &sent.response.text(), &value, &x, &y) {
            ctx.report_point(r, Some(p), Hit {
                module: KEY,
                attack_id: "CMDI_01",
                value: &value,
                proof: joined,
                proof_description: "a shell ran the injected echo: the two markers appear joined, as only a shell would print them",
                confidence: Confidence::Confirmed,
                original: Some(orig),
                attack: Some(&sent),
            })
            .await;
            return Ok(());
        }
    }
    let fill = |t: &str, d: u64| {
        format!(
            "{}{}",
            p.original,
            t.replace('D', &d.to_string())
                .replace('E', &(d + 1).to_string())
        )
    };
    for t in SLEEP {
        let Some(hit) = super::common::timed(ctx, r, p, false, |d| fill(t, d.round() as u64)).await? else {
            continue;
        };
        ctx.report_point(
            r,
            Some(p),
            Hit {
                module: KEY,
                attack_id: "CMDI_02",
                value: &hit.value,
                proof: hit.proof,
                proof_description: "the response time follows the injected sleep, linearly",
                confidence: Confidence::Firm,
                original: Some(orig),
                attack: Some(&hit.sent),
            },
        )
        .await;
        return Ok(());
    }
    Ok(())
}

/// A shell ran the echo of `value`: markers `x` and `y` appear joined in the response (and
/// not in the original) and not as the echoed command itself.
fn shell_joined(orig_text: &str, resp_text: &str, value: &str, x: &str, y: &str) -> bool {
    // The page may echo the input: judge only what is not a reflection of it.
    let text = crate::similarity::strip(resp_text, &[value]);
    let joined = format!("{x}{y}");
    text.contains(&joined) && !orig_text.contains(&joined) && !text.contains(&format!("echo {x}"))
}

#[cfg(test)]
mod tests {
    use super::shell_joined;

    const ORIG: &str = "<pre>PING 127.0.0.1: 56 data bytes</pre>";

    #[test]
    fn examples() {
        let (x, y) = ("rmpaq1w2e3", "rmpbr4t5y6");
        let v = format!("127.0.0.1;echo {x}\"\"{y}");
        let table: &[(&str, String, bool)] = &[
            (
                "shell output",
                format!("<pre>PING 127.0.0.1\n{x}{y}\n</pre>"),
                true,
            ),
            (
                "input reflected as is",
                format!("<pre>ping {v}</pre>"),
                false,
            ),
            (
                "reflected with quotes dropped by a filter",
                format!("<pre>ping 127.0.0.1;echo {x}{y}</pre>"),
                false,
            ),
            ("markers apart", format!("<p>{x} {y}</p>"), false),
            ("nothing", ORIG.to_string(), false),
        ];
        for (name, resp, want) in table {
            assert_eq!(shell_joined(ORIG, resp, &v, x, y), *want, "{name}");
        }
        let orig = format!("<p>{x}{y}</p>");
        assert!(!shell_joined(&orig, &orig, &v, x, y));
    }
}
