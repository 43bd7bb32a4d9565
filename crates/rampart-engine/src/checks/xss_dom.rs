//! DOM-based cross-site scripting: the catalogue entry and the report shape. The check itself
//! runs in a browser (a `BrowserCrawler`, see `crawl::browser`): a marker injected through a
//! client-side source must reach a sink and run a payload that calls a unique function.

use crate::catalogue::{module_id, OWASP_A03};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, ParameterLocation as L, Severity};

pub(crate) const KEY: &str = "xss_dom";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Cross-Site Scripting (DOM-based)",
        description: "<p>Page script reads attacker-controlled data (the URL, the fragment, the referrer, the window name, a message, web storage) and writes it to a sink that runs it as HTML or code (innerHTML, document.write, eval, a setTimeout string, a javascript: URL).</p><p>The engine renders the page in a headless browser with the sinks instrumented, sends a unique marker through each source, and confirms a finding only when a payload built for the sink it reached calls a unique function.</p>",
        recommendation: "Never pass untrusted data to HTML or code sinks: use textContent, setAttribute for safe attributes, and functions instead of strings for timers; validate URLs before assigning them; adopt Trusted Types and a strict Content-Security-Policy.",
        module_type: ModuleType::Active,
        severity: Severity::Medium,
        cwe: 79,
        wasc: Some(8),
        owasp_2021: "A03:2021-Injection",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
        parameter_locations: &[L::Query, L::Fragment, L::Referer],
        references: &[
            ("CWE-79: Improper Neutralization of Input During Web Page Generation", "https://cwe.mitre.org/data/definitions/79.html"),
            ("OWASP DOM based XSS Prevention Cheat Sheet", "https://cheatsheetseries.owasp.org/cheatsheets/DOM_based_XSS_Prevention_Cheat_Sheet.html"),
            OWASP_A03,
        ],
        attacks: &[
            AttackMeta {
                id: "DXSS_01",
                kind: "Source to sink, confirmed by execution",
                class: "Cross-Site Scripting",
                description: "A marker sent through a client-side source reached an instrumented sink, and a payload built for that sink called the engine's unique function in the page.",
            },
        ],
    }
}
