//! Targets and tags.

use super::rows::{self, *};
use super::{a, by_id, c, commit, insert_err, select, t, touched, tx_exec, SqlStore};
use rampart_domain::*;
use rampart_query::ResourceType;
use rampart_store::{InventoryStore, ListRequest, Page, StoreError, StoreResult};
use sea_query::{Expr, Query};

#[async_trait::async_trait]
impl InventoryStore for SqlStore {
    async fn create_target(&self, x: &Target) -> StoreResult<()> {
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

    async fn get_target(&self, org: OrgId, id: TargetId) -> StoreResult<Target> {
        let q = select("targets", TARGET_COLUMNS, org)
            .and_where(c("targets", "id").eq(id.0))
            .to_owned();
        rows::target(&self.one(&q).await?)
    }

    async fn update_target(&self, x: &Target) -> StoreResult<()> {
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

    async fn delete_target(&self, org: OrgId, id: TargetId) -> StoreResult<()> {
        if self.get_target(org, id).await?.scanned {
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

    async fn list_targets(&self, org: OrgId, req: &ListRequest) -> StoreResult<Page<Target>> {
        let q = select("targets", TARGET_COLUMNS, org);
        self.page(q, req, ResourceType::Target, rows::target).await
    }

    async fn create_tag(&self, x: &Tag) -> StoreResult<()> {
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

    async fn get_tag(&self, org: OrgId, id: TagId) -> StoreResult<Tag> {
        let q = select("tags", TAG_COLUMNS, org)
            .and_where(c("tags", "id").eq(id.0))
            .to_owned();
        rows::tag(&self.one(&q).await?)
    }

    async fn find_tag_by_name(&self, org: OrgId, name: &str) -> StoreResult<Option<Tag>> {
        let q = select("tags", TAG_COLUMNS, org)
            .and_where(c("tags", "name").eq(name))
            .to_owned();
        self.optional(&q).await?.as_ref().map(rows::tag).transpose()
    }

    async fn update_tag(&self, x: &Tag) -> StoreResult<()> {
        let [o, i] = by_id(x.org, x.id.0);
        let q = Query::update()
            .table(a("tags"))
            .values([(a("name"), x.name.clone().into())])
            .and_where(o)
            .and_where(i)
            .to_owned();
        touched(self.exec(&q).await?)
    }

    async fn delete_tag(&self, org: OrgId, id: TagId, cascade: bool) -> StoreResult<()> {
        self.get_tag(org, id).await?;
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

    async fn list_tags(&self, org: OrgId, req: &ListRequest) -> StoreResult<Page<Tag>> {
        let q = select("tags", TAG_COLUMNS, org);
        self.page(q, req, ResourceType::Tag, rows::tag).await
    }
}
