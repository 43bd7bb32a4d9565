//! Targets, tags and scan configs.

use super::rows::{self, *};
use super::{a, c, commit, insert_err, select, t, touched, tx_exec, visible, SqlStore};
use rampart_domain::*;
use rampart_query::ResourceType;
use rampart_store::{ListRequest, Page, StoreError, StoreResult, Visibility};
use sea_query::{Expr, Query};

fn by_id(org: OrgId, id: uuid::Uuid) -> [sea_query::SimpleExpr; 2] {
    [Expr::col(a("org_id")).eq(org.0), Expr::col(a("id")).eq(id)]
}

impl SqlStore {
    pub(crate) async fn create_target_impl(&self, x: &Target) -> StoreResult<()> {
        let q = Query::insert()
            .into_table(a("targets"))
            .columns(TARGET_COLUMNS.iter().map(|x| a(x)))
            .values([
                x.id.0.into(),
                x.org.0.into(),
                x.domain.clone().into(),
                x.enabled.into(),
                x.archived.into(),
                x.scanned.into(),
                t(x.created_at),
            ])
            .map_err(insert_err)?
            .to_owned();
        self.exec(&q).await.map(|_| ())
    }

    pub(crate) async fn get_target_impl(&self, org: OrgId, id: TargetId) -> StoreResult<Target> {
        let q = select("targets", TARGET_COLUMNS, org)
            .and_where(c("targets", "id").eq(id.0))
            .to_owned();
        rows::target(&self.one(&q).await?)
    }

    pub(crate) async fn update_target_impl(&self, x: &Target) -> StoreResult<()> {
        let [o, i] = by_id(x.org, x.id.0);
        let q = Query::update()
            .table(a("targets"))
            .values([
                (a("domain"), x.domain.clone().into()),
                (a("enabled"), x.enabled.into()),
                (a("archived"), x.archived.into()),
                (a("scanned"), x.scanned.into()),
            ])
            .and_where(o)
            .and_where(i)
            .to_owned();
        touched(self.exec(&q).await?)
    }

    pub(crate) async fn delete_target_impl(&self, org: OrgId, id: TargetId) -> StoreResult<()> {
        if self.get_target_impl(org, id).await?.scanned {
            return Err(StoreError::Conflict(
                "a target that was scanned cannot be deleted; disable it instead".into(),
            ));
        }
        let [o, i] = by_id(org, id.0);
        touched(
            self.exec(
                &Query::delete()
                    .from_table(a("targets"))
                    .and_where(o)
                    .and_where(i)
                    .to_owned(),
            )
            .await?,
        )
    }

    pub(crate) async fn list_targets_impl(
        &self,
        org: OrgId,
        req: &ListRequest,
    ) -> StoreResult<Page<Target>> {
        let q = select("targets", TARGET_COLUMNS, org);
        self.page(q, req, ResourceType::Target, rows::target).await
    }

    pub(crate) async fn create_tag_impl(&self, x: &Tag) -> StoreResult<()> {
        let q = Query::insert()
            .into_table(a("tags"))
            .columns(TAG_COLUMNS.iter().map(|x| a(x)))
            .values([
                x.id.0.into(),
                x.org.0.into(),
                x.name.clone().into(),
                x.creator.0.into(),
                t(x.created_at),
            ])
            .map_err(insert_err)?
            .to_owned();
        self.exec(&q).await.map(|_| ())
    }

    pub(crate) async fn get_tag_impl(&self, org: OrgId, id: TagId) -> StoreResult<Tag> {
        let q = select("tags", TAG_COLUMNS, org)
            .and_where(c("tags", "id").eq(id.0))
            .to_owned();
        rows::tag(&self.one(&q).await?)
    }

    pub(crate) async fn update_tag_impl(&self, x: &Tag) -> StoreResult<()> {
        let [o, i] = by_id(x.org, x.id.0);
        let q = Query::update()
            .table(a("tags"))
            .values([(a("name"), x.name.clone().into())])
            .and_where(o)
            .and_where(i)
            .to_owned();
        touched(self.exec(&q).await?)
    }

    pub(crate) async fn delete_tag_impl(
        &self,
        org: OrgId,
        id: TagId,
        cascade: bool,
    ) -> StoreResult<()> {
        self.get_tag_impl(org, id).await?;
        let mut tx = self.begin().await?;
        let links = Query::delete()
            .from_table(a("app_tags"))
            .and_where(Expr::col(a("org_id")).eq(org.0))
            .and_where(Expr::col(a("tag_id")).eq(id.0))
            .to_owned();
        let n = tx_exec(&mut tx, &links).await?;
        if n > 0 && !cascade {
            return Err(StoreError::Conflict(
                "the tag is applied to apps; delete with cascade=true to remove it from them"
                    .into(),
            ));
        }
        let [o, i] = by_id(org, id.0);
        touched(
            tx_exec(
                &mut tx,
                &Query::delete()
                    .from_table(a("tags"))
                    .and_where(o)
                    .and_where(i)
                    .to_owned(),
            )
            .await?,
        )?;
        commit(tx).await
    }

    pub(crate) async fn list_tags_impl(
        &self,
        org: OrgId,
        req: &ListRequest,
    ) -> StoreResult<Page<Tag>> {
        let q = select("tags", TAG_COLUMNS, org);
        self.page(q, req, ResourceType::Tag, rows::tag).await
    }

    pub(crate) async fn create_scan_config_impl(&self, x: &ScanConfig) -> StoreResult<()> {
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

    pub(crate) async fn get_scan_config_impl(
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

    pub(crate) async fn update_scan_config_impl(&self, x: &ScanConfig) -> StoreResult<()> {
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

    pub(crate) async fn delete_scan_config_impl(
        &self,
        org: OrgId,
        id: ScanConfigId,
    ) -> StoreResult<()> {
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

    pub(crate) async fn list_scan_configs_impl(
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
