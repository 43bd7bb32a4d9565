//! Stack traces, database errors and debug output.

use super::passive::{PHit, Page};
use crate::catalogue::{locs, module_id, OWASP_A05};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};
use regex::Regex;
use std::sync::LazyLock;

pub(crate) const KEY: &str = "error_disclosure";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Error Message Disclosure",
        description: "<p>Responses contain stack traces, database error messages or debug output that reveal internals of the application.</p>",
        recommendation: "Show generic error pages to users and log details on the server only; disable debug modes in production.",
        module_type: ModuleType::Passive,
        severity: Severity::Low,
        cwe: 209,
        wasc: Some(13),
        owasp_2021: "A05:2021-Security Misconfiguration",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N",
        parameter_locations: locs::NONE,
        references: &[
            ("CWE-209: Generation of Error Message Containing Sensitive Information", "https://cwe.mitre.org/data/definitions/209.html"),
            ("OWASP Improper Error Handling", "https://owasp.org/www-community/Improper_Error_Handling"),
            OWASP_A05,
        ],
        attacks: &[
            AttackMeta {
                id: "ERR_01",
                kind: "Stack trace",
                class: "Information Disclosure",
                description: "Stack traces of Java, .NET, Python, PHP, Ruby and Node.",
            },
            AttackMeta {
                id: "ERR_02",
                kind: "Database error",
                class: "Information Disclosure",
                description: "Database error messages.",
            },
        ],
    }
}

static TRACES: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        ("ERR_01", r"(?m)^\s*at [\w$.]+\([\w$]+\.java:\d+\)"),
        ("ERR_01", r"Traceback \(most recent call last\):"),
        ("ERR_01", r"(?i)<b>(Fatal error|Warning|Parse error)</b>:.+ on line <b>\d+</b>"),
        ("ERR_01", r"(?m)^\s*at [\w.<>]+\(.*\) in [A-Za-z]:\\.+:line \d+"),
        ("ERR_01", r"(?m)^\s+at .+ \((/|[A-Za-z]:\\)[^)]+\.js:\d+:\d+\)"),
        ("ERR_01", r"(?m)\.rb:\d+:in `"),
        ("ERR_01", r"(?i)panicked at '.*', src/"),
        ("ERR_02", r"(?i)(you have an error in your sql syntax|SQLSTATE\[|ORA-\d{5}|unclosed quotation mark after the character string|PSQLException|sqlite3?\.OperationalError|SQLITE_ERROR|pg_query\(\))"),
    ]
    .into_iter()
    .filter_map(|(n, r)| Regex::new(r).ok().map(|re| (n, re)))
    .collect()
});

pub(crate) fn inspect(p: &Page<'_>) -> Vec<PHit> {
    TRACES
        .iter()
        .find_map(|(id, re)| {
            re.find(&p.text).map(|m| {
                vec![PHit::page(
                    id,
                    m.as_str().chars().take(200).collect::<String>(),
                    "",
                )]
            })
        })
        .unwrap_or_default()
}
