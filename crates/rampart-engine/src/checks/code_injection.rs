//! Server-side code injection with language-specific markers.

use super::common::{arithmetic_probe, product_shown, ArithmeticProbe};
use crate::catalogue::{locs, module_id, OWASP_A03};
use crate::client::{SendError, Sent};
use crate::ctx::Ctx;
use crate::target::{InsertionPoint, Resource};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "code_injection";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Code Injection",
        description: "<p>Input is evaluated as code (PHP, JavaScript, Python or Ruby) by the server, letting an attacker run arbitrary code.</p>",
        recommendation: "Never pass input to eval-like functions; parse data with a data-only parser.",
        module_type: ModuleType::Active,
        severity: Severity::Critical,
        cwe: 94,
        wasc: None,
        owasp_2021: "A03:2021-Injection",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        parameter_locations: locs::INPUTS,
        references: &[
            ("CWE-94: Improper Control of Generation of Code", "https://cwe.mitre.org/data/definitions/94.html"),
            ("OWASP Code Injection", "https://owasp.org/www-community/attacks/Code_Injection"),
            OWASP_A03,
        ],
        attacks: &[
            AttackMeta {
                id: "CODE_01",
                kind: "Expression evaluation",
                class: "Injection",
                description: "Language-specific expressions that print the product of two random numbers, in string and numeric contexts.",
            },
        ],
    }
}

/// `A`/`B` are replaced by random operands; PHP, JavaScript, Python and Ruby forms.
const CODE: &[&str] = &[
    "print(A*B);",
    "';print(A*B);//",
    "\";print(A*B);//",
    "'.(A*B).'",
    "\".(A*B).\"",
    "'+(A*B)+'",
    "\"+(A*B)+\"",
    "'+str(A*B)+'",
    "\"+str(A*B)+\"",
    "__import__('sys').stdout.write(str(A*B))",
    "(A*B).toString()",
    "';puts(A*B);'",
    "puts(A*B)",
];

const PROBE: ArithmeticProbe = ArithmeticProbe {
    module: KEY,
    attack_id: "CODE_01",
    payloads: CODE,
    // A payload that closes a string literal continues the original value.
    shape: |value, p| {
        if value.starts_with(['\'', '"']) {
            format!("{}{value}", p.original)
        } else {
            value.to_string()
        }
    },
    ran: executed,
    proof_description:
        "the injected expression was executed: its result appears and the expression does not",
};

pub(crate) async fn attack(
    ctx: &Ctx,
    r: &Resource,
    orig: &Sent,
    p: &InsertionPoint,
) -> Result<(), SendError> {
    arithmetic_probe(ctx, r, orig, p, &PROBE).await
}

/// The code `value` with operands `a` and `b` ran: the product shows in the response (and
/// not in the original) while the expression does not.
fn executed(orig_text: &str, resp_text: &str, value: &str, a: u64, b: u64) -> bool {
    // The page may echo the input: judge only what is not a reflection of it.
    let text = crate::similarity::strip(resp_text, &[value]);
    product_shown(orig_text, &text, &(a * b).to_string()) && !text.contains(&format!("{a}*{b}"))
}

#[cfg(test)]
mod tests {
    use super::executed;

    const ORIG: &str = "<p>Result: 42</p>";

    #[test]
    fn examples() {
        let (a, b) = (31337, 27183);
        let product = (a * b).to_string();
        let v = format!("';print({a}*{b});//");
        let table: &[(&str, String, bool)] = &[
            ("php print ran", format!("<p>Result: 42{product}</p>"), true),
            (
                "python str() ran",
                format!("<p>Hello x{product}y</p>"),
                true,
            ),
            ("value echoed", format!("<p>Result: {v}</p>"), false),
            (
                "expression echoed after filtering",
                format!("<p>Result: print({a}*{b})</p>"),
                false,
            ),
            (
                "syntax error",
                "<p>Parse error: syntax error, unexpected ';'</p>".into(),
                false,
            ),
        ];
        for (name, resp, want) in table {
            assert_eq!(executed(ORIG, resp, &v, a, b), *want, "{name}");
        }
        let orig = format!("<p>{product}</p>");
        assert!(!executed(&orig, &orig, &v, a, b));
    }
}
