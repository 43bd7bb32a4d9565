//! `postMessage` handlers without an origin check: the catalogue entry. The check runs in the
//! browser crawler (`rampart-browser`, `clientside.rs`): every `message` listener a page
//! installs is wrapped; a message from a foreign origin is dispatched to it, and a listener
//! that handled it without reading the event's `origin` (and whose code never mentions it)
//! is reported.

use crate::catalogue::{module_id, OWASP_A07};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "postmessage_origin";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "postMessage Handler Without Origin Check",
        description: "<p>A page listens for cross-window messages (<code>window.postMessage</code>) and acts on them without checking who sent them. Any site that can open or frame the page can then send it data, which often reaches HTML sinks, navigation or application state.</p><p>The engine renders the page in a headless browser, wraps each <code>message</code> listener, dispatches a message from a foreign origin, and reports a listener that handled it without reading <code>event.origin</code>.</p>",
        recommendation: "In every message listener, compare event.origin with an exact allow-list of trusted origins before reading event.data, and treat the data as untrusted even then (no HTML sinks, no eval).",
        module_type: ModuleType::Active,
        severity: Severity::Low,
        cwe: 346,
        wasc: None,
        owasp_2021: "A07:2021-Identification and Authentication Failures",
        cvss_vector: "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:N",
        parameter_locations: &[],
        references: &[
            ("CWE-346: Origin Validation Error", "https://cwe.mitre.org/data/definitions/346.html"),
            ("MDN: Window.postMessage() security concerns", "https://developer.mozilla.org/en-US/docs/Web/API/Window/postMessage#security_concerns"),
            OWASP_A07,
        ],
        attacks: &[AttackMeta {
            id: "PMSG_01",
            kind: "Foreign-origin message to each listener",
            class: "Origin Validation",
            description: "A message listener handled a message from a foreign origin without reading event.origin.",
        }],
    }
}
