//! Scan configurations.

use super::rows::{self, *};
use super::{a, by_id, c, insert_err, select, t, touched, visible, SqlStore};
use rampart_domain::*;
use rampart_query::ResourceType;
use rampart_store::{ListRequest, Page, ScanConfigStore, StoreResult, Visibility};
use sea_query::Query;

#[async_trait::async_trait]
impl ScanConfigStore for SqlStore {
    async fn create_scan_config(&self, x: &ScanConfig) -> StoreResult<()> {
        let q = Query::insert()
            .into_table(a("scan_configs"))
            .columns(SCAN_CONFIG_COLUMNS.iter().map(|x| a(x)))
            .values([
                x.id.0.into(),
                x.org.0.into(),
                x.app.0.into(),
                x.name.clone().into(),
                x.description.clone().into(),
                x.attack_template.0.into(),
                x.incremental.into(),
                x.assignment.kind.as_str().into(),
                x.assignment.engine_group.map(|g| g.0).into(),
                x.assignment.environment.as_str().into(),
                x.options.to_string().into(),
                t(x.created_at),
                t(x.updated_at),
            ])
            .map_err(insert_err)?
            .to_owned();
        self.exec(&q).await.map(|_| ())
    }

    async fn get_scan_config(
        &self,
        org: OrgId,
        id: ScanConfigId,
        vis: &Visibility,
    ) -> StoreResult<ScanConfig> {
        let mut q = select("scan_configs", SCAN_CONFIG_COLUMNS, org);
        q.and_where(c("scan_configs", "id").eq(id.0));
        if let Some(v) = visible("scan_configs", "app_id", vis) {
            q.and_where(v);
        }
        rows::scan_config(&self.one(&q).await?)
    }

    async fn update_scan_config(&self, x: &ScanConfig) -> StoreResult<()> {
        let [o, i] = by_id(x.org, x.id.0);
        let q = Query::update()
            .table(a("scan_configs"))
            .values([
                (a("app_id"), x.app.0.into()),
                (a("name"), x.name.clone().into()),
                (a("description"), x.description.clone().into()),
                (a("attack_template_id"), x.attack_template.0.into()),
                (a("incremental"), x.incremental.into()),
                (a("assignment_type"), x.assignment.kind.as_str().into()),
                (
                    a("assignment_id"),
                    x.assignment.engine_group.map(|g| g.0).into(),
                ),
                (
                    a("assignment_environment"),
                    x.assignment.environment.as_str().into(),
                ),
                (a("options"), x.options.to_string().into()),
                (a("updated_at"), t(x.updated_at)),
            ])
            .and_where(o)
            .and_where(i)
            .to_owned();
        touched(self.exec(&q).await?)
    }

    async fn delete_scan_config(&self, org: OrgId, id: ScanConfigId) -> StoreResult<()> {
        let [o, i] = by_id(org, id.0);
        touched(
            self.exec(
                &Query::delete()
                    .from_table(a("scan_configs"))
                    .and_where(o)
                    .and_where(i)
                    .to_owned(),
            )
            .await?,
        )
    }

    async fn list_scan_configs(
        &self,
        org: OrgId,
        vis: &Visibility,
        req: &ListRequest,
    ) -> StoreResult<Page<ScanConfig>> {
        let mut q = select("scan_configs", SCAN_CONFIG_COLUMNS, org);
        if let Some(v) = visible("scan_configs", "app_id", vis) {
            q.and_where(v);
        }
        self.page(q, req, ResourceType::ScanConfig, rows::scan_config)
            .await
    }
}
