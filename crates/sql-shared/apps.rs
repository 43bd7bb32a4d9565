//! Apps, their members and their tags.

use super::rows::{self, *};
use super::{a, c, commit, insert_err, select, t, touched, tx_exec, visible, SqlStore};
use rampart_domain::*;
use rampart_query::ResourceType;
use rampart_store::{AppStore, ListRequest, Page, StoreResult, Visibility};
use sea_query::{Expr, OnConflict, Query};

#[async_trait::async_trait]
impl AppStore for SqlStore {
    async fn create_app(&self, app: &App, member: Option<PrincipalId>) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let ins = Query::insert()
            .into_table(a("apps"))
            .columns(APP_COLUMNS.iter().map(|x| a(x)))
            .values([
                app.id.0.into(),
                app.org.0.into(),
                app.name.clone().into(),
                app.description.clone().into(),
                t(app.created_at),
                t(app.updated_at),
                app.profile.criticality.as_str().into(),
                app.profile.owner.clone().into(),
                app.profile.repo_url.clone().into(),
                app.profile.service_url.clone().into(),
                app.profile.language.clone().into(),
                app.profile.business_unit.clone().into(),
                app.profile.archived.into(),
            ])
            .map_err(insert_err)?
            .to_owned();
        tx_exec(&mut tx, &ins).await?;
        if let Some(p) = member {
            tx_exec(&mut tx, &member_insert(app.org, app.id, p)?).await?;
        }
        commit(tx).await
    }

    async fn get_app(&self, org: OrgId, id: AppId, vis: &Visibility) -> StoreResult<App> {
        let mut q = select("apps", APP_COLUMNS, org);
        q.and_where(c("apps", "id").eq(id.0));
        if let Some(v) = visible("apps", "id", vis) {
            q.and_where(v);
        }
        rows::app(&self.one(&q).await?)
    }

    async fn update_app(&self, app: &App) -> StoreResult<()> {
        let q = Query::update()
            .table(a("apps"))
            .values([
                (a("name"), app.name.clone().into()),
                (a("description"), app.description.clone().into()),
                (a("updated_at"), t(app.updated_at)),
                (a("criticality"), app.profile.criticality.as_str().into()),
                (a("owner"), app.profile.owner.clone().into()),
                (a("repo_url"), app.profile.repo_url.clone().into()),
                (a("service_url"), app.profile.service_url.clone().into()),
                (a("language"), app.profile.language.clone().into()),
                (a("business_unit"), app.profile.business_unit.clone().into()),
                (a("archived"), app.profile.archived.into()),
            ])
            .and_where(Expr::col(a("org_id")).eq(app.org.0))
            .and_where(Expr::col(a("id")).eq(app.id.0))
            .to_owned();
        touched(self.exec(&q).await?)
    }

    async fn delete_app(&self, org: OrgId, id: AppId) -> StoreResult<()> {
        // Scan configs reference the app with ON DELETE CASCADE; members and tag links too.
        let q = Query::delete()
            .from_table(a("apps"))
            .and_where(Expr::col(a("org_id")).eq(org.0))
            .and_where(Expr::col(a("id")).eq(id.0))
            .to_owned();
        touched(self.exec(&q).await?)
    }

    async fn list_apps(
        &self,
        org: OrgId,
        vis: &Visibility,
        req: &ListRequest,
    ) -> StoreResult<Page<App>> {
        let mut q = select("apps", APP_COLUMNS, org);
        if let Some(v) = visible("apps", "id", vis) {
            q.and_where(v);
        }
        self.page(q, req, ResourceType::App, rows::app).await
    }

    async fn list_app_members(&self, org: OrgId, app: AppId) -> StoreResult<Vec<PrincipalRef>> {
        let mut q = Query::select();
        q.from(a("app_members"))
            .and_where(c("app_members", "org_id").eq(org.0))
            .and_where(c("app_members", "app_id").eq(app.0));
        super::tenancy::principal_columns(&mut q, "app_members", "principal_id");
        q.order_by((a("principals"), a("id")), sea_query::Order::Asc);
        self.all(&q)
            .await?
            .iter()
            .map(rows::principal_ref)
            .collect()
    }

    async fn add_app_member(&self, org: OrgId, app: AppId, p: PrincipalId) -> StoreResult<()> {
        self.add_app_member_row(org, app, p.0).await
    }

    async fn remove_app_member(&self, org: OrgId, app: AppId, p: PrincipalId) -> StoreResult<()> {
        let q = Query::delete()
            .from_table(a("app_members"))
            .and_where(Expr::col(a("org_id")).eq(org.0))
            .and_where(Expr::col(a("app_id")).eq(app.0))
            .and_where(Expr::col(a("principal_id")).eq(p.0))
            .to_owned();
        touched(self.exec(&q).await?)
    }

    async fn list_app_tags(&self, org: OrgId, app: AppId) -> StoreResult<Vec<Tag>> {
        let mut q = select("tags", TAG_COLUMNS, org);
        q.inner_join(
            a("app_tags"),
            c("app_tags", "tag_id").equals((a("tags"), a("id"))),
        )
        .and_where(c("app_tags", "app_id").eq(app.0))
        .order_by((a("tags"), a("name")), sea_query::Order::Asc);
        self.all(&q).await?.iter().map(rows::tag).collect()
    }

    async fn list_apps_with_tags(
        &self,
        org: OrgId,
        vis: &Visibility,
    ) -> StoreResult<Vec<(App, Vec<Tag>)>> {
        let mut q = select("apps", APP_COLUMNS, org);
        if let Some(v) = visible("apps", "id", vis) {
            q.and_where(v);
        }
        // The order of `list_apps` (its default sort ends with the id).
        for key in ResourceType::App.default_sort() {
            key.apply(&mut q, super::DIALECT);
        }
        let apps = self.all(&q).await?;
        let mut tq = select("tags", TAG_COLUMNS, org);
        tq.column((a("app_tags"), a("app_id")))
            .inner_join(
                a("app_tags"),
                c("app_tags", "tag_id").equals((a("tags"), a("id"))),
            )
            .and_where(c("app_tags", "org_id").eq(org.0));
        if let Some(v) = visible("app_tags", "app_id", vis) {
            tq.and_where(v);
        }
        tq.order_by((a("tags"), a("name")), sea_query::Order::Asc);
        let mut tags: std::collections::HashMap<uuid::Uuid, Vec<Tag>> =
            std::collections::HashMap::new();
        for r in self.all(&tq).await? {
            tags.entry(get(&r, "app_id")?)
                .or_default()
                .push(rows::tag(&r)?);
        }
        apps.iter()
            .map(|r| {
                let app = rows::app(r)?;
                let of = tags.remove(&app.id.0).unwrap_or_default();
                Ok((app, of))
            })
            .collect()
    }

    async fn add_app_tag(&self, org: OrgId, app: AppId, tag: TagId) -> StoreResult<()> {
        let q = Query::insert()
            .into_table(a("app_tags"))
            .columns([a("org_id"), a("app_id"), a("tag_id")])
            .values([org.0.into(), app.0.into(), tag.0.into()])
            .map_err(insert_err)?
            .on_conflict(
                OnConflict::columns([a("app_id"), a("tag_id")])
                    .do_nothing()
                    .to_owned(),
            )
            .to_owned();
        self.exec(&q).await.map(|_| ())
    }

    async fn remove_app_tag(&self, org: OrgId, app: AppId, tag: TagId) -> StoreResult<()> {
        let q = Query::delete()
            .from_table(a("app_tags"))
            .and_where(Expr::col(a("org_id")).eq(org.0))
            .and_where(Expr::col(a("app_id")).eq(app.0))
            .and_where(Expr::col(a("tag_id")).eq(tag.0))
            .to_owned();
        touched(self.exec(&q).await?)
    }
}

impl SqlStore {
    /// An `app_members` row: a principal, or an identity group (its id), granted the app.
    pub(crate) async fn add_app_member_row(
        &self,
        org: OrgId,
        app: AppId,
        subject: uuid::Uuid,
    ) -> StoreResult<()> {
        self.exec(&member_insert(org, app, PrincipalId(subject))?)
            .await
            .map(|_| ())
    }
}

fn member_insert(
    org: OrgId,
    app: AppId,
    p: PrincipalId,
) -> StoreResult<sea_query::InsertStatement> {
    Ok(Query::insert()
        .into_table(a("app_members"))
        .columns([a("org_id"), a("app_id"), a("principal_id")])
        .values([org.0.into(), app.0.into(), p.0.into()])
        .map_err(insert_err)?
        .on_conflict(
            OnConflict::columns([a("app_id"), a("principal_id")])
                .do_nothing()
                .to_owned(),
        )
        .to_owned())
}
