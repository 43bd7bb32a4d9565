//! SQL injection: error-based, boolean-based and time-based.

use crate::catalogue::{locs, module_id, OWASP_A03};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "sqli";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "SQL Injection",
        description: "<p>The application builds an SQL statement from request input without neutralising it. An attacker can read or modify the database, bypass authentication and sometimes execute commands on the database host.</p><p>The engine confirms this by database error signatures, by two independent true/false condition pairs compared by page similarity, or by response delays that grow linearly with the requested delay.</p>",
        recommendation: "Use parameterised queries (prepared statements) for every query; never concatenate input into SQL. Apply least privilege to the database account and validate input types.",
        module_type: ModuleType::Active,
        severity: Severity::High,
        cwe: 89,
        wasc: Some(19),
        owasp_2021: "A03:2021-Injection",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        parameter_locations: locs::INPUTS,
        references: &[
            ("CWE-89: Improper Neutralization of Special Elements used in an SQL Command", "https://cwe.mitre.org/data/definitions/89.html"),
            ("OWASP SQL Injection Prevention Cheat Sheet", "https://cheatsheetseries.owasp.org/cheatsheets/SQL_Injection_Prevention_Cheat_Sheet.html"),
            OWASP_A03,
        ],
        attacks: &[
            AttackMeta {
                id: "SQLI_01",
                kind: "Error-based SQL injection",
                class: "Injection",
                description: "Quotes and syntax breakers that make the database report an error whose signature (MySQL/MariaDB, PostgreSQL, SQLite, MSSQL, Oracle) appears in the response.",
            },
            AttackMeta {
                id: "SQLI_02",
                kind: "Boolean-based SQL injection",
                class: "Injection",
                description: "Two independent true/false condition pairs; the true pages match the original and the false pages differ, by similarity.",
            },
            AttackMeta {
                id: "SQLI_03",
                kind: "Time-based SQL injection",
                class: "Injection",
                description: "Database sleep functions with two delays, serialised per host and repeated; the response time must grow linearly with the delay.",
            },
        ],
    }
}
