//! Fixtures made through the service (fast, and independent of the routes under test).

use crate::TestApp;
use rampart_domain::*;
use rampart_service::{
    AppInput, AttackModuleInput, AttackTemplateInput, ScanConfigInput, TagInput, TargetInput,
};
use rampart_store::ListRequest;

impl TestApp {
    /// An app created by the Product Admin user (its first member), with the Read Write
    /// and Read Only users added as members too.
    pub async fn fx_app(&self, name: &str) -> AppId {
        let id = self.fx_private_app(name).await;
        let admin = &self.keys.admin.principal;
        for k in [&self.keys.read_write, &self.keys.read_only] {
            self.service
                .add_app_user(admin, id, rampart_service::MemberRef::Id(k.id()))
                .await
                .expect("add member");
        }
        id
    }

    /// An app whose only member is the Product Admin user.
    pub async fn fx_private_app(&self, name: &str) -> AppId {
        let input = AppInput {
            name: name.to_string(),
            description: Some(format!("{name} description")),
        };
        self.service
            .create_app(&self.keys.admin.principal, input)
            .await
            .expect("create app")
    }

    pub async fn fx_target(&self, domain: &str) -> TargetId {
        let input = TargetInput {
            domain: domain.to_string(),
            enabled: true,
            archived: false,
        };
        self.service
            .create_target(&self.keys.org.principal, input)
            .await
            .expect("create target")
    }

    /// Sets the `scanned` flag the way a scan will (the API cannot).
    pub async fn fx_mark_scanned(&self, id: TargetId) {
        let mut t = self
            .store()
            .get_target(self.keys.org.org(), id)
            .await
            .expect("get target");
        t.scanned = true;
        self.store().update_target(&t).await.expect("mark scanned");
    }

    pub async fn fx_tag(&self, name: &str) -> TagId {
        let input = TagInput {
            name: name.to_string(),
        };
        self.service
            .create_tag(&self.keys.admin.principal, input)
            .await
            .expect("create tag")
    }

    /// A custom attack template.
    pub async fn fx_template(&self, name: &str) -> AttackTemplateId {
        let input = AttackTemplateInput {
            name: name.to_string(),
            ..Default::default()
        };
        self.service
            .create_attack_template(&self.keys.admin.principal, input)
            .await
            .expect("create template")
    }

    /// A module setting in a custom template, for the catalogue's first module.
    pub async fn fx_template_module(&self, tpl: AttackTemplateId) -> AttackModuleId {
        let m = self
            .service
            .catalogue()
            .first()
            .expect("the catalogue has a module");
        let input = AttackModuleInput {
            module_config_id: m.id,
            enabled: true,
            parameter_locations: vec![ParameterLocation::Query],
            severity: Severity::Medium,
            max_findings: 5,
        };
        self.service
            .create_attack_module(&self.keys.admin.principal, tpl, input)
            .await
            .expect("create module")
    }

    /// The id of the seeded system template called `name` (e.g. `All Modules`).
    pub async fn fx_system_template(&self, name: &str) -> AttackTemplateId {
        let page = self
            .service
            .list_attack_templates(&self.keys.org.principal, &ListRequest::first(1000))
            .await
            .expect("list templates");
        page.items
            .into_iter()
            .find(|t| t.system_defined && t.name == name)
            .unwrap_or_else(|| panic!("no system template {name}"))
            .id
    }

    /// A scan config of `app` on the `All Modules` system template.
    pub async fn fx_scan_config(&self, app: AppId, name: &str) -> ScanConfigId {
        let tpl = self.fx_system_template("All Modules").await;
        let input = ScanConfigInput {
            name: name.to_string(),
            description: None,
            app,
            attack_template: tpl,
            incremental: None,
            assignment: None,
        };
        self.service
            .create_scan_config(&self.keys.admin.principal, input)
            .await
            .expect("create scan config")
    }

    /// A scan of `cfg` submitted by the Product Admin user (`PENDING`, its job queued).
    pub async fn fx_scan(&self, cfg: ScanConfigId) -> ScanId {
        let input = rampart_service::ScanInput {
            scan_config: Some(cfg),
            ..Default::default()
        };
        self.service
            .submit_scan(&self.keys.admin.principal, input)
            .await
            .expect("submit scan")
    }

    /// An engine group made by the Product Admin user.
    pub async fn fx_engine_group(&self, name: &str) -> EngineGroupId {
        let input = rampart_service::EngineGroupInput {
            name: name.to_string(),
            description: None,
        };
        self.service
            .create_engine_group(&self.keys.admin.principal, input)
            .await
            .expect("create engine group")
    }

    /// An engine (never seen: `OFFLINE`) in `group` (`None`: the Default group).
    pub async fn fx_engine(&self, name: &str, group: Option<EngineGroupId>) -> EngineId {
        let input = rampart_service::EngineInput {
            name: name.to_string(),
            engine_group: group,
            auto_upgrade: None,
        };
        self.service
            .create_engine(&self.keys.admin.principal, input)
            .await
            .expect("create engine")
    }

    /// A heartbeat of engine `id` as `/engine/v1` will record it: now (the manual clock),
    /// reporting `version` and `active_scans`. Returns the platform's directive.
    pub async fn fx_engine_heartbeat(
        &self,
        id: EngineId,
        version: &str,
        active_scans: u32,
    ) -> rampart_service::EngineDirective {
        let engine = self
            .store()
            .get_engine(self.keys.admin.org(), id)
            .await
            .expect("the engine exists");
        let report = rampart_service::EngineReport {
            version: version.to_string(),
            active_scans,
            failure_reason: None,
        };
        self.service
            .record_engine_heartbeat(&engine, report)
            .await
            .expect("record heartbeat")
    }
}
