//! Attack templates and their modules.

use super::rows::{self, *};
use super::{a, c, commit, insert_err, select, t, touched, tx_exec, SqlStore};
use rampart_domain::*;
use rampart_query::ResourceType;
use rampart_store::{ListRequest, Page, StoreError, StoreResult, TemplateStore};
use sea_query::{Expr, InsertStatement, Query};

fn module_insert(org: OrgId, m: &AttackModule) -> StoreResult<InsertStatement> {
    Ok(Query::insert()
        .into_table(a("attack_template_modules"))
        .columns([
            a("id"),
            a("org_id"),
            a("template_id"),
            a("module_id"),
            a("enabled"),
            a("parameter_locations"),
            a("severity"),
            a("max_findings"),
        ])
        .values([
            m.id.0.into(),
            org.0.into(),
            m.template.0.into(),
            m.module.0.into(),
            m.enabled.into(),
            join_locations(&m.parameter_locations).into(),
            m.severity.as_str().into(),
            m.max_findings.into(),
        ])
        .map_err(insert_err)?
        .to_owned())
}

fn modules_select(org: OrgId, template: AttackTemplateId) -> sea_query::SelectStatement {
    select("attack_template_modules", MODULE_COLUMNS, org)
        .and_where(c("attack_template_modules", "template_id").eq(template.0))
        .to_owned()
}

#[async_trait::async_trait]
impl TemplateStore for SqlStore {
    async fn create_attack_template(
        &self,
        x: &AttackTemplate,
        modules: &[AttackModule],
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let q = Query::insert()
            .into_table(a("attack_templates"))
            .columns(TEMPLATE_COLUMNS.iter().map(|x| a(x)))
            .values([
                x.id.0.into(),
                x.org.0.into(),
                x.name.clone().into(),
                x.description.clone().into(),
                x.system_defined.into(),
                x.browser_encoding_enabled.into(),
                x.attack_prioritization.as_str().into(),
                x.advanced_attacks_enabled.into(),
                x.false_positive_regex.clone().into(),
                t(x.created_at),
            ])
            .map_err(insert_err)?
            .to_owned();
        tx_exec(&mut tx, &q).await?;
        for m in modules {
            tx_exec(&mut tx, &module_insert(x.org, m)?).await?;
        }
        commit(tx).await
    }

    async fn get_attack_template(
        &self,
        org: OrgId,
        id: AttackTemplateId,
    ) -> StoreResult<AttackTemplate> {
        let q = select("attack_templates", TEMPLATE_COLUMNS, org)
            .and_where(c("attack_templates", "id").eq(id.0))
            .to_owned();
        rows::template(&self.one(&q).await?)
    }

    async fn update_attack_template(&self, x: &AttackTemplate) -> StoreResult<()> {
        let q = Query::update()
            .table(a("attack_templates"))
            .values([
                (a("name"), x.name.clone().into()),
                (a("description"), x.description.clone().into()),
                (
                    a("browser_encoding_enabled"),
                    x.browser_encoding_enabled.into(),
                ),
                (
                    a("attack_prioritization"),
                    x.attack_prioritization.as_str().into(),
                ),
                (
                    a("advanced_attacks_enabled"),
                    x.advanced_attacks_enabled.into(),
                ),
                (
                    a("false_positive_regex"),
                    x.false_positive_regex.clone().into(),
                ),
            ])
            .and_where(Expr::col(a("org_id")).eq(x.org.0))
            .and_where(Expr::col(a("id")).eq(x.id.0))
            .to_owned();
        touched(self.exec(&q).await?)
    }

    async fn delete_attack_template(&self, org: OrgId, id: AttackTemplateId) -> StoreResult<()> {
        let q = Query::delete()
            .from_table(a("attack_templates"))
            .and_where(Expr::col(a("org_id")).eq(org.0))
            .and_where(Expr::col(a("id")).eq(id.0))
            .to_owned();
        match self.exec(&q).await {
            Err(StoreError::Conflict(_)) => Err(StoreError::Conflict(
                "the attack template is used by a scan config".into(),
            )),
            other => touched(other?),
        }
    }

    async fn list_attack_templates(
        &self,
        org: OrgId,
        req: &ListRequest,
    ) -> StoreResult<Page<AttackTemplate>> {
        let q = select("attack_templates", TEMPLATE_COLUMNS, org);
        self.page(q, req, ResourceType::AttackTemplate, rows::template)
            .await
    }

    async fn list_attack_modules(
        &self,
        org: OrgId,
        template: AttackTemplateId,
    ) -> StoreResult<Vec<AttackModule>> {
        let q = modules_select(org, template)
            .order_by(
                (a("attack_template_modules"), a("module_id")),
                sea_query::Order::Asc,
            )
            .to_owned();
        self.all(&q)
            .await?
            .iter()
            .map(rows::attack_module)
            .collect()
    }

    async fn get_attack_module(
        &self,
        org: OrgId,
        template: AttackTemplateId,
        id: AttackModuleId,
    ) -> StoreResult<AttackModule> {
        let q = modules_select(org, template)
            .and_where(c("attack_template_modules", "id").eq(id.0))
            .to_owned();
        rows::attack_module(&self.one(&q).await?)
    }

    async fn create_attack_module(&self, org: OrgId, m: &AttackModule) -> StoreResult<()> {
        self.exec(&module_insert(org, m)?).await.map(|_| ())
    }

    async fn update_attack_module(&self, org: OrgId, m: &AttackModule) -> StoreResult<()> {
        let q = Query::update()
            .table(a("attack_template_modules"))
            .values([
                (a("module_id"), m.module.0.into()),
                (a("enabled"), m.enabled.into()),
                (
                    a("parameter_locations"),
                    join_locations(&m.parameter_locations).into(),
                ),
                (a("severity"), m.severity.as_str().into()),
                (a("max_findings"), m.max_findings.into()),
            ])
            .and_where(Expr::col(a("org_id")).eq(org.0))
            .and_where(Expr::col(a("template_id")).eq(m.template.0))
            .and_where(Expr::col(a("id")).eq(m.id.0))
            .to_owned();
        touched(self.exec(&q).await?)
    }

    async fn delete_attack_module(
        &self,
        org: OrgId,
        template: AttackTemplateId,
        id: AttackModuleId,
    ) -> StoreResult<()> {
        let q = Query::delete()
            .from_table(a("attack_template_modules"))
            .and_where(Expr::col(a("org_id")).eq(org.0))
            .and_where(Expr::col(a("template_id")).eq(template.0))
            .and_where(Expr::col(a("id")).eq(id.0))
            .to_owned();
        touched(self.exec(&q).await?)
    }
}
