//! The engine's module catalogue as the API serves it.

use crate::{Service, ServiceError, ServiceResult};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleId, ModuleType, ParameterLocation, Principal, Severity};

/// The default settings of a module (`/attack-templates/module-configs`).
#[derive(Clone, Debug, PartialEq)]
pub struct ModuleConfig {
    pub id: ModuleId,
    pub name: &'static str,
    pub description: &'static str,
    pub types: Vec<ModuleType>,
    pub max_findings: i64,
    pub severity: Severity,
    pub parameter_locations: Vec<ParameterLocation>,
}

/// How many findings a module reports per scan unless a template says otherwise.
pub(crate) const DEFAULT_MAX_FINDINGS: i64 = 100;

impl Service {
    /// Any authenticated principal may read the catalogue.
    pub fn modules(&self, _p: &Principal) -> &'static [ModuleMeta] {
        self.catalogue
    }

    pub fn module(&self, _p: &Principal, id: ModuleId) -> ServiceResult<&'static ModuleMeta> {
        self.catalogue
            .iter()
            .find(|m| m.id == id)
            .ok_or(ServiceError::NotFound)
    }

    pub fn attack(
        &self,
        p: &Principal,
        id: ModuleId,
        attack: &str,
    ) -> ServiceResult<(&'static ModuleMeta, &'static AttackMeta)> {
        let m = self.module(p, id)?;
        let a = m.attack(attack).ok_or(ServiceError::NotFound)?;
        Ok((m, a))
    }

    pub fn module_configs(&self, _p: &Principal) -> Vec<ModuleConfig> {
        self.catalogue
            .iter()
            .map(|m| ModuleConfig {
                id: m.id,
                name: m.name,
                description: m.description,
                types: vec![m.module_type],
                max_findings: DEFAULT_MAX_FINDINGS,
                severity: m.severity,
                parameter_locations: m.parameter_locations.to_vec(),
            })
            .collect()
    }
}
