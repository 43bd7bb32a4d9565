//! Server-side template injection with large random operands.

use super::common::{arithmetic_probe, product_shown, ArithmeticProbe};
use crate::catalogue::{locs, module_id, OWASP_A03};
use crate::client::{SendError, Sent};
use crate::ctx::Ctx;
use crate::target::{InsertionPoint, Resource};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "ssti";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Server-Side Template Injection",
        description: "<p>Input is evaluated as a template expression on the server, which usually leads to remote code execution.</p>",
        recommendation: "Never build templates from input; pass input as data to a fixed template, and use a sandboxed engine.",
        module_type: ModuleType::Active,
        severity: Severity::High,
        cwe: 1336,
        wasc: None,
        owasp_2021: "A03:2021-Injection",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        parameter_locations: locs::INPUTS,
        references: &[
            ("CWE-1336: Improper Neutralization of Special Elements Used in a Template Engine", "https://cwe.mitre.org/data/definitions/1336.html"),
            ("PortSwigger Server-side template injection", "https://portswigger.net/web-security/server-side-template-injection"),
            OWASP_A03,
        ],
        attacks: &[
            AttackMeta {
                id: "SSTI_01",
                kind: "Template arithmetic",
                class: "Injection",
                description: "Multiplication of two large random numbers in {{ }}, ${ }, <%= %>, #{ }, {= } and similar syntaxes; the product must appear and the expression must not.",
            },
        ],
    }
}

const TEMPLATES: &[&str] = &[
    "{{A*B}}",
    "${A*B}",
    "<%= A*B %>",
    "#{A*B}",
    "{A*B}",
    "{{=A*B}}",
    "[[${A*B}]]",
    "@(A*B)",
    "{{ A*B }}",
];

const PROBE: ArithmeticProbe = ArithmeticProbe {
    module: KEY,
    attack_id: "SSTI_01",
    payloads: TEMPLATES,
    shape: |value, _| value.to_string(),
    ran: evaluated,
    proof_description:
        "the template expression was evaluated: its product appears and the expression does not",
};

pub(crate) async fn attack(
    ctx: &Ctx,
    r: &Resource,
    orig: &Sent,
    p: &InsertionPoint,
) -> Result<(), SendError> {
    arithmetic_probe(ctx, r, orig, p, &PROBE).await
}

/// The template `value` with operands `a` and `b` was evaluated: the product shows in the
/// response (and not in the original) while neither the value nor the expression does.
fn evaluated(orig_text: &str, resp_text: &str, value: &str, a: u64, b: u64) -> bool {
    // The page may echo the input: judge only what is not a reflection of it.
    let text = crate::similarity::strip(resp_text, &[value]);
    let product = (a * b).to_string();
    let expr = format!("{a}*{b}");
    product_shown(orig_text, &text, &product) && !text.contains(value) && !text.contains(&expr)
}

#[cfg(test)]
mod tests {
    use super::evaluated;

    const ORIG: &str = "<html><body><p>Hello guest</p></body></html>";

    #[test]
    fn examples() {
        let (a, b) = (13337, 41999);
        let product = (a * b).to_string();
        let v = format!("{{{{{a}*{b}}}}}");
        let table: &[(&str, String, bool)] = &[
            ("jinja evaluated", format!("<p>Hello {product}</p>"), true),
            ("expression echoed raw", format!("<p>Hello {v}</p>"), false),
            (
                "expression echoed without braces",
                format!("<p>Hello {a}*{b}</p>"),
                false,
            ),
            (
                "html-escaped echo",
                format!("<p>Hello &#123;&#123;{a}*{b}&#125;&#125;</p>"),
                false,
            ),
            (
                "template error page",
                "<p>TemplateSyntaxError: unexpected '*'</p>".into(),
                false,
            ),
            (
                "product and echo side by side",
                format!("<p>{v} = {product}</p>"),
                true,
            ),
        ];
        for (name, resp, want) in table {
            assert_eq!(evaluated(ORIG, resp, &v, a, b), *want, "{name}");
        }
        // A product already on the original page proves nothing.
        let orig = format!("<p>Order {product}</p>");
        assert!(!evaluated(&orig, &orig, &v, a, b));
    }
}
