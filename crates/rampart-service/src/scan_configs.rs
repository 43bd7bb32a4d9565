//! Scan configs and their options documents.

use crate::error::Checks;
use crate::{require, Problem, Service, ServiceError, ServiceResult};
use rampart_domain::file_refs::{file_errors, file_refs, FileFacts};
use rampart_domain::options;
use rampart_domain::*;
use rampart_store::{ListRequest, Page, StoreError, Visibility};
use serde_json::Value;
use std::collections::hash_map::{Entry, HashMap};

/// The writable fields of a scan config.
#[derive(Clone, Debug)]
pub struct ScanConfigInput {
    pub name: String,
    pub description: Option<String>,
    pub app: AppId,
    pub attack_template: AttackTemplateId,
    pub incremental: Option<bool>,
    pub assignment: Option<Assignment>,
}

/// A scan config with the configuration problems a scan of it would fail on.
#[derive(Clone, Debug)]
pub struct ScanConfigView {
    pub config: ScanConfig,
    pub errors: Vec<String>,
}

impl From<ScanConfig> for ScanConfigView {
    /// The document's own errors; [`Service::config_views`] adds those of the files it names.
    /// The options' secrets show as the marker (`rampart_domain::secrets`).
    fn from(mut config: ScanConfig) -> Self {
        let errors = options::config_errors(&config.options);
        config.options = rampart_domain::secrets::redact_options(&config.options);
        Self { config, errors }
    }
}

impl Service {
    /// Configs with every error a scan of them would fail on: the document's own and the
    /// files it names that the app lacks (read once per app, only when a file is named).
    pub(crate) async fn config_views(
        &self,
        configs: Vec<ScanConfig>,
    ) -> ServiceResult<Vec<ScanConfigView>> {
        let mut facts: HashMap<AppId, Vec<FileFacts>> = HashMap::new();
        let mut out = Vec::with_capacity(configs.len());
        for config in configs {
            let mut view = ScanConfigView::from(config);
            if let Ok(v) = options::view(&view.config.options) {
                if !file_refs(&v).is_empty() {
                    let (org, app) = (view.config.org, view.config.app);
                    let known = match facts.entry(app) {
                        Entry::Occupied(o) => o.into_mut(),
                        Entry::Vacant(e) => e.insert(self.file_facts(org, app).await?),
                    };
                    view.errors.extend(file_errors(&v, known));
                }
            }
            out.push(view);
        }
        Ok(out)
    }

    pub(crate) async fn config_page(
        &self,
        page: Page<ScanConfig>,
    ) -> ServiceResult<Page<ScanConfigView>> {
        Ok(Page {
            items: self.config_views(page.items).await?,
            total: page.total,
        })
    }
}

/// How an options document is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionsWrite {
    /// PUT: the document replaces the options; omitted members take their defaults.
    Replace,
    /// PATCH: JSON Merge Patch over the current options.
    Merge,
}

impl Service {
    /// `ON_PREMISE` needs an engine group of the caller's organization (the Default group
    /// cannot be named). `CLOUD` runs on the server's own engines; it may still carry an
    /// id (the EX onboarding script sends the group it looked up by name), which must then
    /// name a group of the organization too, so that a typo is not silently ignored.
    async fn check_assignment(
        &self,
        p: &Principal,
        a: &Assignment,
        c: &mut Checks,
    ) -> ServiceResult<()> {
        match a.engine_group {
            None if a.environment == Environment::OnPremise => c.push(Problem::property(
                "assignment.id",
                "an ON_PREMISE assignment needs an engine group id",
            )),
            None => {}
            Some(g) => match self.store.get_engine_group(p.org, g).await {
                Ok(_) => {}
                Err(StoreError::NotFound) => c.push(Problem::property(
                    "assignment.id",
                    "no such engine group (the Default group cannot be named)",
                )),
                Err(e) => return Err(e.into()),
            },
        }
        Ok(())
    }

    async fn check_config(&self, p: &Principal, input: &ScanConfigInput) -> ServiceResult<()> {
        let mut c = Checks::default();
        c.text("name", &input.name, 1, 200);
        c.opt_lines("description", input.description.as_deref(), 2000);
        if let Err(StoreError::NotFound) = self
            .store
            .get_app(p.org, input.app, &Visibility::of(p))
            .await
        {
            c.push(Problem::property("app.id", "no such app"));
        }
        if let Err(StoreError::NotFound) = self
            .store
            .get_attack_template(p.org, input.attack_template)
            .await
        {
            c.push(Problem::property(
                "attack_template.id",
                "no such attack template",
            ));
        }
        if let Some(a) = &input.assignment {
            self.check_assignment(p, a, &mut c).await?;
        }
        c.finish()
    }

    pub async fn create_scan_config(
        &self,
        p: &Principal,
        input: ScanConfigInput,
    ) -> ServiceResult<ScanConfigId> {
        require(p, Resource::ScanConfigs, Action::Manage)?;
        self.check_config(p, &input).await?;
        let now = self.now();
        let cfg = ScanConfig {
            id: ScanConfigId::new(),
            org: p.org,
            app: input.app,
            name: input.name,
            description: input.description,
            attack_template: input.attack_template,
            incremental: input.incremental.unwrap_or(false),
            assignment: input.assignment.unwrap_or_default(),
            options: options::defaults(),
            created_at: now,
            updated_at: now,
        };
        self.store.create_scan_config(&cfg).await?;
        Ok(cfg.id)
    }

    pub async fn get_scan_config(
        &self,
        p: &Principal,
        id: ScanConfigId,
    ) -> ServiceResult<ScanConfigView> {
        require(p, Resource::ScanConfigs, Action::Read)?;
        let cfg = self
            .store
            .get_scan_config(p.org, id, &Visibility::of(p))
            .await?;
        let mut views = self.config_views(vec![cfg]).await?;
        views.pop().ok_or(ServiceError::NotFound)
    }

    /// The stored config (secrets sealed), for a write: never shown to a caller.
    async fn stored_scan_config(
        &self,
        p: &Principal,
        id: ScanConfigId,
    ) -> ServiceResult<ScanConfig> {
        require(p, Resource::ScanConfigs, Action::Read)?;
        Ok(self
            .store
            .get_scan_config(p.org, id, &Visibility::of(p))
            .await?)
    }

    pub async fn update_scan_config(
        &self,
        p: &Principal,
        id: ScanConfigId,
        input: ScanConfigInput,
    ) -> ServiceResult<()> {
        let mut cfg = self.stored_scan_config(p, id).await?;
        require(p, Resource::ScanConfigs, Action::Manage)?;
        self.check_config(p, &input).await?;
        cfg.name = input.name;
        cfg.description = input.description;
        cfg.app = input.app;
        cfg.attack_template = input.attack_template;
        cfg.incremental = input.incremental.unwrap_or(cfg.incremental);
        cfg.assignment = input.assignment.unwrap_or(cfg.assignment);
        cfg.updated_at = self.now();
        Ok(self.store.update_scan_config(&cfg).await?)
    }

    pub async fn delete_scan_config(&self, p: &Principal, id: ScanConfigId) -> ServiceResult<()> {
        self.get_scan_config(p, id).await?;
        require(p, Resource::ScanConfigs, Action::Manage)?;
        self.store.delete_scan_config(p.org, id).await?;
        // Its schedules stay (scan config gone), disabled with the reason.
        self.disable_orphan_schedules(p.org).await?;
        Ok(())
    }

    pub async fn list_scan_configs(
        &self,
        p: &Principal,
        req: &ListRequest,
    ) -> ServiceResult<Page<ScanConfigView>> {
        require(p, Resource::ScanConfigs, Action::Read)?;
        let page = self
            .store
            .list_scan_configs(p.org, &Visibility::of(p), req)
            .await?;
        self.config_page(page).await
    }

    pub async fn scan_config_options(
        &self,
        p: &Principal,
        id: ScanConfigId,
    ) -> ServiceResult<Value> {
        Ok(self.get_scan_config(p, id).await?.config.options)
    }

    pub async fn write_scan_config_options(
        &self,
        p: &Principal,
        id: ScanConfigId,
        doc: Value,
        how: OptionsWrite,
    ) -> ServiceResult<()> {
        let mut cfg = self.stored_scan_config(p, id).await?;
        require(p, Resource::ScanConfigs, Action::Manage)?;
        if !doc.is_object() {
            return Err(ServiceError::invalid(vec![Problem::object(
                "options",
                "must be a JSON object",
            )]));
        }
        let next = match how {
            OptionsWrite::Replace => options::overlay(&options::defaults(), &doc),
            OptionsWrite::Merge => options::merge_patch(&cfg.options, &doc),
        };
        if let Err(e) = options::view(&next) {
            return Err(ServiceError::invalid(vec![Problem::property(
                e.path, e.message,
            )]));
        }
        // Secrets are sealed at rest; a marker sent back keeps the stored secret.
        cfg.options = self.seal_options(p.org, next, &cfg.options);
        cfg.updated_at = self.now();
        Ok(self.store.update_scan_config(&cfg).await?)
    }

    /// The `errors[]` the config would have with `patch` (JSON Merge Patch) over its
    /// options, computed as for a stored config ([`Service::config_views`]); nothing is
    /// written. A patch that breaks the document's shape reports the shape problem. The
    /// console's editor shows these while the user types.
    pub async fn preview_scan_config_errors(
        &self,
        p: &Principal,
        id: ScanConfigId,
        patch: &Value,
    ) -> ServiceResult<Vec<String>> {
        let mut cfg = self.stored_scan_config(p, id).await?;
        let next = options::merge_patch(&cfg.options, patch);
        if let Err(e) = options::view(&next) {
            return Ok(vec![e.to_string()]);
        }
        cfg.options = next;
        let mut views = self.config_views(vec![cfg]).await?;
        Ok(views.pop().map(|v| v.errors).unwrap_or_default())
    }

    pub fn default_scan_config_options(&self, _p: &Principal) -> Value {
        options::defaults()
    }
}
