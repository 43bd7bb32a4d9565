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
}
