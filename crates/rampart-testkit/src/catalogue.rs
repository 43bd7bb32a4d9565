//! A small fixed module catalogue (one active, one passive module) with the stable ids
//! of the shared contract, so HTTP snapshots do not change as the engine grows.

use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleId, ModuleType, ParameterLocation, Severity};
use uuid::Uuid;

/// `Uuid::new_v5(NAMESPACE, b"sqli")` of the contract.
const SQLI: Uuid = Uuid::from_u128(0xa2bb_fa95_cddb_5e7e_a52f_ddef_8cbc_088d);
/// `Uuid::new_v5(NAMESPACE, b"csp")` of the contract.
const CSP: Uuid = Uuid::from_u128(0x244a_6c2c_d399_5008_96a2_494f_1dbb_1dca);

static CATALOGUE: [ModuleMeta; 2] = [
    ModuleMeta {
        id: ModuleId(SQLI),
        key: "sqli",
        name: "SQL Injection",
        description: "Finds parameters that reach an SQL query unescaped.",
        recommendation: "Use parameterised queries.",
        module_type: ModuleType::Active,
        severity: Severity::High,
        cwe: 89,
        wasc: Some(19),
        owasp_2021: "A03:2021-Injection",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        parameter_locations: &[ParameterLocation::Query, ParameterLocation::Post],
        references: &[("CWE-89", "https://cwe.mitre.org/data/definitions/89.html")],
        attacks: &[
            AttackMeta {
                id: "SQLI_01",
                kind: "Error-based SQL injection",
                class: "Injection",
                description: "A quote makes the database report a syntax error.",
            },
            AttackMeta {
                id: "SQLI BOOLEAN 02",
                kind: "Boolean-based SQL injection",
                class: "Injection",
                description: "True and false conditions change the page.",
            },
        ],
    },
    ModuleMeta {
        id: ModuleId(CSP),
        key: "csp",
        name: "Content Security Policy",
        description: "Checks that pages send a Content-Security-Policy header.",
        recommendation: "Send a restrictive Content-Security-Policy.",
        module_type: ModuleType::Passive,
        severity: Severity::Low,
        cwe: 693,
        wasc: None,
        owasp_2021: "A05:2021-Security Misconfiguration",
        cvss_vector: "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N",
        parameter_locations: &[],
        references: &[("CWE-693", "https://cwe.mitre.org/data/definitions/693.html")],
        attacks: &[AttackMeta {
            id: "CSP_MISSING",
            kind: "Missing header",
            class: "Configuration",
            description: "The response has no Content-Security-Policy header.",
        }],
    },
];

/// The sample catalogue: `sqli` (active, HIGH, attacks `SQLI_01` and `SQLI BOOLEAN 02`)
/// and `csp` (passive, LOW, attack `CSP_MISSING`).
pub fn sample_catalogue() -> &'static [ModuleMeta] {
    &CATALOGUE
}
