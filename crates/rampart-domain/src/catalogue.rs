//! The shape of the engine's module catalogue, as served by `/ias/v1/modules`.
//!
//! The engine owns the entries (each check declares its own metadata next to its code);
//! this crate only defines the types so that the service layer can serve them without
//! depending on the engine.

use crate::ids::ModuleId;
use crate::model::{ModuleType, ParameterLocation, Severity};

/// One attack (technique) of a module.
#[derive(Clone, Debug, PartialEq)]
pub struct AttackMeta {
    /// Stable, free-form attack id such as `SQLI_01`.
    pub id: &'static str,
    /// Short type label such as `Error-based SQL injection`.
    pub kind: &'static str,
    /// Attack class, e.g. `Injection`.
    pub class: &'static str,
    pub description: &'static str,
}

/// One module (check) of the engine.
#[derive(Clone, Debug, PartialEq)]
pub struct ModuleMeta {
    /// Stable across releases.
    pub id: ModuleId,
    /// Stable short key, e.g. `sqli`.
    pub key: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub recommendation: &'static str,
    pub module_type: ModuleType,
    pub severity: Severity,
    pub cwe: u32,
    pub wasc: Option<u32>,
    /// OWASP Top 10 2021 category, e.g. `A03:2021-Injection`.
    pub owasp_2021: &'static str,
    pub cvss_vector: &'static str,
    pub parameter_locations: &'static [ParameterLocation],
    /// Reference title → URL.
    pub references: &'static [(&'static str, &'static str)],
    pub attacks: &'static [AttackMeta],
}

impl ModuleMeta {
    pub fn attack(&self, id: &str) -> Option<&AttackMeta> {
        self.attacks.iter().find(|a| a.id == id)
    }

    /// The references as the API sends them (attack documentation, variances): title →
    /// URL, where a CWE reference is keyed exactly `CWE-<n>` (integrations such as
    /// ThreadFix split the key on `-` and send the rest as the CWE number), and the
    /// module's own CWE is always present.
    pub fn reference_map(&self) -> std::collections::BTreeMap<String, String> {
        let mut out: std::collections::BTreeMap<String, String> = self
            .references
            .iter()
            .map(|(title, url)| (reference_key(title), (*url).to_string()))
            .collect();
        if self.cwe > 0 {
            out.entry(format!("CWE-{}", self.cwe)).or_insert_with(|| {
                format!("https://cwe.mitre.org/data/definitions/{}.html", self.cwe)
            });
        }
        out
    }
}

/// A reference title as its key: `CWE-79: Improper Neutralization…` → `CWE-79`; other
/// titles unchanged.
pub fn reference_key(title: &str) -> String {
    let t = title.trim();
    if let Some(rest) = t.strip_prefix("CWE-") {
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if !digits.is_empty() {
            return format!("CWE-{digits}");
        }
    }
    t.to_string()
}

#[cfg(test)]
mod reference_tests {
    use super::reference_key;

    #[test]
    fn cwe_titles_become_bare_keys() {
        assert_eq!(
            reference_key("CWE-79: Improper Neutralization of Input"),
            "CWE-79"
        );
        assert_eq!(reference_key("CWE-1004"), "CWE-1004");
        assert_eq!(
            reference_key("OWASP Top 10 2021 A03 Injection"),
            "OWASP Top 10 2021 A03 Injection"
        );
        assert_eq!(reference_key("CWE-x"), "CWE-x");
    }
}
