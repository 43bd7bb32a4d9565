//! Identity groups: members, grants of apps (rows of `app_members` holding the group's id)
//! and grants of app tags (`group_tag_grants`).

use super::rows::{self, *};
use super::tenancy::principal_columns;
use super::{a, c, commit, insert_err, select, t, touched, tx_exec, SqlStore};
use rampart_domain::*;
use rampart_store::{GroupView, IdentityStore, StoreResult};
use sea_query::{Expr, OnConflict, Query};

impl SqlStore {
    /// The group's members, app grants and tag grants.
    async fn group_view(&self, group: IdentityGroup) -> StoreResult<GroupView> {
        let mut members = Query::select();
        members
            .from(a("group_members"))
            .and_where(c("group_members", "org_id").eq(group.org.0))
            .and_where(c("group_members", "group_id").eq(group.id.0));
        principal_columns(&mut members, "group_members", "principal_id");
        members.order_by((a("principals"), a("id")), sea_query::Order::Asc);
        let members = self
            .all(&members)
            .await?
            .iter()
            .map(rows::principal_ref)
            .collect::<StoreResult<Vec<_>>>()?;

        let apps = Query::select()
            .column(a("app_id"))
            .from(a("app_members"))
            .and_where(Expr::col(a("org_id")).eq(group.org.0))
            .and_where(Expr::col(a("principal_id")).eq(group.id.0))
            .order_by(a("app_id"), sea_query::Order::Asc)
            .to_owned();
        let apps = self
            .all(&apps)
            .await?
            .iter()
            .map(|r| rows::get(r, "app_id").map(AppId))
            .collect::<StoreResult<Vec<_>>>()?;

        let mut tags = select("tags", TAG_COLUMNS, group.org);
        tags.inner_join(
            a("group_tag_grants"),
            c("group_tag_grants", "tag_id").equals((a("tags"), a("id"))),
        )
        .and_where(c("group_tag_grants", "group_id").eq(group.id.0))
        .order_by((a("tags"), a("name")), sea_query::Order::Asc);
        let tags = self
            .all(&tags)
            .await?
            .iter()
            .map(rows::tag)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(GroupView {
            group,
            members,
            apps,
            tags,
        })
    }
}

fn delete_from(
    table: &str,
    org: OrgId,
    group_column: &str,
    group: IdentityGroupId,
) -> sea_query::DeleteStatement {
    Query::delete()
        .from_table(a(table))
        .and_where(Expr::col(a("org_id")).eq(org.0))
        .and_where(Expr::col(a(group_column)).eq(group.0))
        .to_owned()
}

#[async_trait::async_trait]
impl IdentityStore for SqlStore {
    async fn create_group(&self, g: &IdentityGroup) -> StoreResult<()> {
        let ins = Query::insert()
            .into_table(a("identity_groups"))
            .columns(GROUP_COLUMNS.iter().map(|x| a(x)))
            .values([
                g.id.0.into(),
                g.org.0.into(),
                g.name.clone().into(),
                g.description.clone().into(),
                g.source.as_str().into(),
                g.external_id.clone().into(),
                t(g.created_at),
                t(g.updated_at),
            ])
            .map_err(insert_err)?
            .to_owned();
        self.exec(&ins).await.map(|_| ())
    }

    async fn get_group(&self, org: OrgId, id: IdentityGroupId) -> StoreResult<GroupView> {
        let q = select("identity_groups", GROUP_COLUMNS, org)
            .and_where(c("identity_groups", "id").eq(id.0))
            .to_owned();
        let g = rows::group(&self.one(&q).await?)?;
        self.group_view(g).await
    }

    async fn find_group_by_name(
        &self,
        org: OrgId,
        name: &str,
    ) -> StoreResult<Option<IdentityGroup>> {
        let q = select("identity_groups", GROUP_COLUMNS, org)
            .and_where(c("identity_groups", "name").eq(name))
            .to_owned();
        self.optional(&q)
            .await?
            .as_ref()
            .map(rows::group)
            .transpose()
    }

    async fn list_groups(&self, org: OrgId) -> StoreResult<Vec<GroupView>> {
        let q = select("identity_groups", GROUP_COLUMNS, org)
            .order_by((a("identity_groups"), a("name")), sea_query::Order::Asc)
            .to_owned();
        let groups = self
            .all(&q)
            .await?
            .iter()
            .map(rows::group)
            .collect::<StoreResult<Vec<_>>>()?;
        let mut out = Vec::with_capacity(groups.len());
        for g in groups {
            out.push(self.group_view(g).await?);
        }
        Ok(out)
    }

    async fn update_group(&self, g: &IdentityGroup) -> StoreResult<()> {
        let q = Query::update()
            .table(a("identity_groups"))
            .values([
                (a("name"), g.name.clone().into()),
                (a("description"), g.description.clone().into()),
                (a("source"), g.source.as_str().into()),
                (a("external_id"), g.external_id.clone().into()),
                (a("updated_at"), t(g.updated_at)),
            ])
            .and_where(Expr::col(a("org_id")).eq(g.org.0))
            .and_where(Expr::col(a("id")).eq(g.id.0))
            .to_owned();
        touched(self.exec(&q).await?)
    }

    async fn delete_group(&self, org: OrgId, id: IdentityGroupId) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        // app_members holds no foreign key to groups (it holds principals too).
        tx_exec(
            &mut tx,
            &delete_from("app_members", org, "principal_id", id),
        )
        .await?;
        let n = tx_exec(&mut tx, &delete_from("identity_groups", org, "id", id)).await?;
        touched(n)?;
        commit(tx).await
    }

    async fn add_group_member(
        &self,
        org: OrgId,
        group: IdentityGroupId,
        member: PrincipalId,
    ) -> StoreResult<()> {
        let q = Query::insert()
            .into_table(a("group_members"))
            .columns([a("org_id"), a("group_id"), a("principal_id")])
            .values([org.0.into(), group.0.into(), member.0.into()])
            .map_err(insert_err)?
            .on_conflict(
                OnConflict::columns([a("group_id"), a("principal_id")])
                    .do_nothing()
                    .to_owned(),
            )
            .to_owned();
        self.exec(&q).await.map(|_| ())
    }

    async fn remove_group_member(
        &self,
        org: OrgId,
        group: IdentityGroupId,
        member: PrincipalId,
    ) -> StoreResult<()> {
        let q = delete_from("group_members", org, "group_id", group)
            .and_where(Expr::col(a("principal_id")).eq(member.0))
            .to_owned();
        touched(self.exec(&q).await?)
    }

    async fn grant_group_app(
        &self,
        org: OrgId,
        group: IdentityGroupId,
        app: AppId,
    ) -> StoreResult<()> {
        self.add_app_member_row(org, app, group.0).await
    }

    async fn revoke_group_app(
        &self,
        org: OrgId,
        group: IdentityGroupId,
        app: AppId,
    ) -> StoreResult<()> {
        let q = delete_from("app_members", org, "principal_id", group)
            .and_where(Expr::col(a("app_id")).eq(app.0))
            .to_owned();
        touched(self.exec(&q).await?)
    }

    async fn grant_group_tag(
        &self,
        org: OrgId,
        group: IdentityGroupId,
        tag: TagId,
    ) -> StoreResult<()> {
        let q = Query::insert()
            .into_table(a("group_tag_grants"))
            .columns([a("org_id"), a("group_id"), a("tag_id")])
            .values([org.0.into(), group.0.into(), tag.0.into()])
            .map_err(insert_err)?
            .on_conflict(
                OnConflict::columns([a("group_id"), a("tag_id")])
                    .do_nothing()
                    .to_owned(),
            )
            .to_owned();
        self.exec(&q).await.map(|_| ())
    }

    async fn revoke_group_tag(
        &self,
        org: OrgId,
        group: IdentityGroupId,
        tag: TagId,
    ) -> StoreResult<()> {
        let q = delete_from("group_tag_grants", org, "group_id", group)
            .and_where(Expr::col(a("tag_id")).eq(tag.0))
            .to_owned();
        touched(self.exec(&q).await?)
    }
}
