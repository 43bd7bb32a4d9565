//! Attack templates: the system-defined ones (seeded per organization, read-only) and
//! custom ones, with their per-module settings.

use crate::error::Checks;
use crate::modules::DEFAULT_MAX_FINDINGS;
use crate::{require, Problem, Service, ServiceError, ServiceResult};
use rampart_domain::catalogue::ModuleMeta;
use rampart_domain::*;
use rampart_store::{ListRequest, Page, StoreError};
use uuid::Uuid;

/// The writable fields of an attack template.
#[derive(Clone, Debug, Default)]
pub struct AttackTemplateInput {
    pub name: String,
    pub description: Option<String>,
    pub browser_encoding_enabled: Option<bool>,
    pub attack_prioritization: Option<AttackPrioritization>,
    pub advanced_attacks_enabled: Option<bool>,
    pub false_positive_regex: Option<String>,
}

/// The writable fields of a template's module.
#[derive(Clone, Debug)]
pub struct AttackModuleInput {
    pub module_config_id: ModuleId,
    pub enabled: bool,
    pub parameter_locations: Vec<ParameterLocation>,
    pub severity: Severity,
    pub max_findings: i64,
}

/// Namespace of the per-organization ids of system templates and their modules.
const SYSTEM_NS: Uuid = Uuid::from_u128(0x1111_1111_7a3c_4e1b_9d2f_0c6b_5a8e_3f10);

/// Which modules a system template enables.
type Selects = fn(&ModuleMeta) -> bool;

/// The system templates: name, description, which modules they enable.
const SYSTEM_TEMPLATES: &[(&str, &str, Selects)] = &[
    ("All Modules", "Every active and passive check", |_| true),
    (
        "Crawl Only",
        "Crawls the application without attacking it or reporting",
        |_| false,
    ),
    (
        "Passive Only",
        "Crawls and runs the passive checks only: safe for production",
        |m| m.module_type == ModuleType::Passive,
    ),
    ("SQL Injection", "SQL injection checks only", |m| {
        m.key == "sqli"
    }),
    (
        "Cross-Site Scripting",
        "Reflected and stored cross-site scripting checks",
        |m| m.key.starts_with("xss"),
    ),
    (
        "Critical and High Only",
        "Checks whose findings are high or critical by default",
        |m| m.severity >= Severity::High,
    ),
];

fn check(input: &AttackTemplateInput) -> ServiceResult<()> {
    let mut c = Checks::default();
    c.text("name", &input.name, 1, 200);
    c.opt_lines("description", input.description.as_deref(), 2000);
    c.opt_text(
        "false_positive_regex",
        input.false_positive_regex.as_deref(),
        200,
    );
    c.finish()
}

fn name_conflict(e: StoreError) -> ServiceError {
    match e {
        StoreError::Conflict(_) => {
            ServiceError::Conflict("an attack template with this name already exists".into())
        }
        other => other.into(),
    }
}

impl Service {
    pub(crate) async fn seed_system_templates(&self, org: OrgId) -> ServiceResult<()> {
        for (name, description, enabled) in SYSTEM_TEMPLATES {
            let id = AttackTemplateId(Uuid::new_v5(
                &SYSTEM_NS,
                format!("{}/{name}", org.0).as_bytes(),
            ));
            let t = AttackTemplate {
                id,
                org,
                name: (*name).to_string(),
                description: Some((*description).to_string()),
                system_defined: true,
                browser_encoding_enabled: false,
                attack_prioritization: AttackPrioritization::Smart,
                advanced_attacks_enabled: false,
                false_positive_regex: None,
                created_at: self.now(),
            };
            let modules: Vec<_> = self
                .catalogue
                .iter()
                .map(|m| AttackModule {
                    id: AttackModuleId(Uuid::new_v5(&id.0, m.key.as_bytes())),
                    template: id,
                    module: m.id,
                    enabled: enabled(m),
                    parameter_locations: m.parameter_locations.to_vec(),
                    severity: m.severity,
                    max_findings: DEFAULT_MAX_FINDINGS,
                })
                .collect();
            self.store.create_attack_template(&t, &modules).await?;
        }
        Ok(())
    }

    pub async fn create_attack_template(
        &self,
        p: &Principal,
        input: AttackTemplateInput,
    ) -> ServiceResult<AttackTemplateId> {
        require(p, Resource::AttackTemplates, Action::Manage)?;
        check(&input)?;
        let t = AttackTemplate {
            id: AttackTemplateId::new(),
            org: p.org,
            name: input.name,
            description: input.description,
            system_defined: false,
            browser_encoding_enabled: input.browser_encoding_enabled.unwrap_or(false),
            attack_prioritization: input
                .attack_prioritization
                .unwrap_or(AttackPrioritization::Smart),
            advanced_attacks_enabled: input.advanced_attacks_enabled.unwrap_or(false),
            false_positive_regex: input.false_positive_regex,
            created_at: self.now(),
        };
        self.store
            .create_attack_template(&t, &[])
            .await
            .map_err(name_conflict)?;
        Ok(t.id)
    }

    pub async fn get_attack_template(
        &self,
        p: &Principal,
        id: AttackTemplateId,
    ) -> ServiceResult<AttackTemplate> {
        require(p, Resource::AttackTemplates, Action::Read)?;
        Ok(self.store.get_attack_template(p.org, id).await?)
    }

    /// The template, if the caller may change it: custom, and a managing role.
    async fn writable_template(
        &self,
        p: &Principal,
        id: AttackTemplateId,
    ) -> ServiceResult<AttackTemplate> {
        let t = self.get_attack_template(p, id).await?;
        require(p, Resource::AttackTemplates, Action::Manage)?;
        if t.system_defined {
            return Err(ServiceError::Forbidden(
                "system-defined attack templates are read-only; create a custom one".into(),
            ));
        }
        Ok(t)
    }

    pub async fn update_attack_template(
        &self,
        p: &Principal,
        id: AttackTemplateId,
        input: AttackTemplateInput,
    ) -> ServiceResult<()> {
        let mut t = self.writable_template(p, id).await?;
        check(&input)?;
        t.name = input.name;
        t.description = input.description;
        t.browser_encoding_enabled = input
            .browser_encoding_enabled
            .unwrap_or(t.browser_encoding_enabled);
        t.attack_prioritization = input
            .attack_prioritization
            .unwrap_or(t.attack_prioritization);
        t.advanced_attacks_enabled = input
            .advanced_attacks_enabled
            .unwrap_or(t.advanced_attacks_enabled);
        t.false_positive_regex = input.false_positive_regex;
        self.store
            .update_attack_template(&t)
            .await
            .map_err(name_conflict)
    }

    pub async fn delete_attack_template(
        &self,
        p: &Principal,
        id: AttackTemplateId,
    ) -> ServiceResult<()> {
        self.writable_template(p, id).await?;
        Ok(self.store.delete_attack_template(p.org, id).await?)
    }

    pub async fn list_attack_templates(
        &self,
        p: &Principal,
        req: &ListRequest,
    ) -> ServiceResult<Page<AttackTemplate>> {
        require(p, Resource::AttackTemplates, Action::Read)?;
        Ok(self.store.list_attack_templates(p.org, req).await?)
    }

    pub async fn attack_modules(
        &self,
        p: &Principal,
        id: AttackTemplateId,
    ) -> ServiceResult<Vec<AttackModule>> {
        self.get_attack_template(p, id).await?;
        Ok(self.store.list_attack_modules(p.org, id).await?)
    }

    fn check_module(&self, input: &AttackModuleInput) -> ServiceResult<()> {
        let mut c = Checks::default();
        if !self
            .catalogue
            .iter()
            .any(|m| m.id == input.module_config_id)
        {
            c.push(Problem::property(
                "module_config_id",
                "no such module; see /attack-templates/module-configs",
            ));
        }
        if input.max_findings < 0 {
            c.push(Problem::property("max_findings", "must not be negative"));
        }
        c.finish()
    }

    pub async fn create_attack_module(
        &self,
        p: &Principal,
        tpl: AttackTemplateId,
        input: AttackModuleInput,
    ) -> ServiceResult<AttackModuleId> {
        self.writable_template(p, tpl).await?;
        self.check_module(&input)?;
        let m = AttackModule {
            id: AttackModuleId::new(),
            template: tpl,
            module: input.module_config_id,
            enabled: input.enabled,
            parameter_locations: input.parameter_locations,
            severity: input.severity,
            max_findings: input.max_findings,
        };
        self.store
            .create_attack_module(p.org, &m)
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => {
                    ServiceError::Conflict("the template already configures this module".into())
                }
                other => other.into(),
            })?;
        Ok(m.id)
    }

    pub async fn update_attack_module(
        &self,
        p: &Principal,
        tpl: AttackTemplateId,
        id: AttackModuleId,
        input: AttackModuleInput,
    ) -> ServiceResult<()> {
        self.writable_template(p, tpl).await?;
        self.store.get_attack_module(p.org, tpl, id).await?;
        self.check_module(&input)?;
        let m = AttackModule {
            id,
            template: tpl,
            module: input.module_config_id,
            enabled: input.enabled,
            parameter_locations: input.parameter_locations,
            severity: input.severity,
            max_findings: input.max_findings,
        };
        Ok(self.store.update_attack_module(p.org, &m).await?)
    }

    pub async fn delete_attack_module(
        &self,
        p: &Principal,
        tpl: AttackTemplateId,
        id: AttackModuleId,
    ) -> ServiceResult<()> {
        self.writable_template(p, tpl).await?;
        Ok(self.store.delete_attack_module(p.org, tpl, id).await?)
    }
}
