//! Organizations, principals (users, service accounts) and API keys.

use super::rows::{self, *};
use super::{a, c, commit, insert_err, map_err, t, touched, tx_exec, SqlStore};
use chrono::{DateTime, Utc};
use rampart_domain::*;
use rampart_store::{KeyListing, LiveKey, StoreError, StoreResult, TenancyStore};
use sea_query::{Expr, Query, SelectStatement};

fn kind_select(columns: &[&str], org: OrgId, kind: PrincipalKind) -> SelectStatement {
    let mut q = super::select("principals", columns, org);
    q.and_where(c("principals", "kind").eq(kind.as_str()));
    q
}

fn user_select(org: OrgId) -> SelectStatement {
    kind_select(USER_COLUMNS, org, PrincipalKind::User)
}

fn account_select(org: OrgId) -> SelectStatement {
    kind_select(SERVICE_ACCOUNT_COLUMNS, org, PrincipalKind::ServiceAccount)
}

/// Keys joined with their owner (`p_*` columns, see `rows::principal_ref`), not revoked.
fn key_listing_select(org: OrgId) -> SelectStatement {
    let mut q = super::select("api_keys", KEY_COLUMNS, org);
    principal_columns(&mut q, "api_keys", "principal_id");
    q.and_where(c("api_keys", "revoked_at").is_null());
    q
}

/// Joins `principals` on `table.column` and selects its `p_*` columns.
pub(crate) fn principal_columns(q: &mut SelectStatement, table: &str, column: &str) {
    q.inner_join(
        a("principals"),
        c("principals", "id").equals((a(table), a(column))),
    );
    for col in ["id", "kind", "email", "name"] {
        q.expr_as(c("principals", col), a(&format!("p_{col}")));
    }
}

fn listing(r: &super::Row) -> StoreResult<KeyListing> {
    Ok(KeyListing {
        key: rows::api_key(r)?,
        owner: rows::principal_ref(r)?,
    })
}

fn revoke(org: OrgId, id: ApiKeyId, at: DateTime<Utc>) -> sea_query::UpdateStatement {
    Query::update()
        .table(a("api_keys"))
        .value(a("revoked_at"), t(at))
        .and_where(Expr::col(a("org_id")).eq(org.0))
        .and_where(Expr::col(a("id")).eq(id.0))
        .and_where(Expr::col(a("revoked_at")).is_null())
        .to_owned()
}

fn key_insert(k: &ApiKey) -> StoreResult<sea_query::InsertStatement> {
    Ok(Query::insert()
        .into_table(a("api_keys"))
        .columns(KEY_COLUMNS.iter().map(|x| a(x)))
        .values([
            k.id.0.into(),
            k.org.0.into(),
            k.principal.0.into(),
            k.kind.as_str().into(),
            k.role.as_str().into(),
            k.name.clone().into(),
            k.prefix.clone().into(),
            k.hash.clone().into(),
            t(k.created_at),
            k.last_used_at.map(rampart_domain::time::to_micros).into(),
        ])
        .map_err(insert_err)?
        .to_owned())
}

#[async_trait::async_trait]
impl TenancyStore for SqlStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn create_org(&self, org: &Organization) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let ins = Query::insert()
            .into_table(a("organizations"))
            .columns([a("id"), a("name"), a("created_at"), a("operator")])
            .values([
                org.id.0.into(),
                org.name.clone().into(),
                t(org.created_at),
                org.operator.into(),
            ])
            .map_err(insert_err)?
            .to_owned();
        tx_exec(&mut tx, &ins).await?;
        let principal = Query::insert()
            .into_table(a("principals"))
            .columns([a("id"), a("org_id"), a("kind"), a("name"), a("created_at")])
            .values([
                org.id.0.into(),
                org.id.0.into(),
                PrincipalKind::Organization.as_str().into(),
                org.name.clone().into(),
                t(org.created_at),
            ])
            .map_err(insert_err)?
            .to_owned();
        tx_exec(&mut tx, &principal).await?;
        commit(tx).await
    }

    async fn find_org_by_name(&self, name: &str) -> StoreResult<Option<Organization>> {
        let q = Query::select()
            .columns(ORG_COLUMNS.iter().map(|x| a(x)))
            .from(a("organizations"))
            .and_where(Expr::col(a("name")).eq(name))
            .to_owned();
        self.optional(&q).await?.as_ref().map(rows::org).transpose()
    }

    async fn get_org(&self, id: OrgId) -> StoreResult<Organization> {
        let q = Query::select()
            .columns(ORG_COLUMNS.iter().map(|x| a(x)))
            .from(a("organizations"))
            .and_where(Expr::col(a("id")).eq(id.0))
            .to_owned();
        rows::org(&self.one(&q).await?)
    }

    async fn list_orgs(&self) -> StoreResult<Vec<Organization>> {
        let q = Query::select()
            .columns(ORG_COLUMNS.iter().map(|x| a(x)))
            .from(a("organizations"))
            .order_by(a("name"), sea_query::Order::Asc)
            .to_owned();
        self.all(&q).await?.iter().map(rows::org).collect()
    }

    async fn count_orgs(&self) -> StoreResult<u64> {
        let q = Query::select()
            .expr(Expr::cust("COUNT(*)"))
            .from(a("organizations"))
            .to_owned();
        let n: i64 = sqlx::Row::try_get(&self.one(&q).await?, 0).map_err(map_err)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn rename_org(&self, id: OrgId, name: &str) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let q = Query::update()
            .table(a("organizations"))
            .value(a("name"), name)
            .and_where(Expr::col(a("id")).eq(id.0))
            .to_owned();
        touched(tx_exec(&mut tx, &q).await?)?;
        // The organization's own principal carries its name (keys list it as the owner).
        let p = Query::update()
            .table(a("principals"))
            .value(a("name"), name)
            .and_where(Expr::col(a("id")).eq(id.0))
            .and_where(Expr::col(a("kind")).eq(PrincipalKind::Organization.as_str()))
            .to_owned();
        tx_exec(&mut tx, &p).await?;
        commit(tx).await
    }

    async fn delete_org(&self, id: OrgId) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        // The one table of the tenant without a foreign key to it (kept by triggers).
        let counts = Query::delete()
            .from_table(a("vulnerability_counts"))
            .and_where(Expr::col(a("org_id")).eq(id.0))
            .to_owned();
        tx_exec(&mut tx, &counts).await?;
        let q = Query::delete()
            .from_table(a("organizations"))
            .and_where(Expr::col(a("id")).eq(id.0))
            .to_owned();
        touched(tx_exec(&mut tx, &q).await?)?;
        commit(tx).await
    }

    async fn delete_principal(
        &self,
        org: OrgId,
        id: PrincipalId,
        kind: PrincipalKind,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        // app_members holds no foreign key to principals (it holds groups too); keys,
        // OAuth clients and group memberships cascade.
        let members = Query::delete()
            .from_table(a("app_members"))
            .and_where(Expr::col(a("org_id")).eq(org.0))
            .and_where(Expr::col(a("principal_id")).eq(id.0))
            .to_owned();
        tx_exec(&mut tx, &members).await?;
        let q = Query::delete()
            .from_table(a("principals"))
            .and_where(Expr::col(a("org_id")).eq(org.0))
            .and_where(Expr::col(a("id")).eq(id.0))
            .and_where(Expr::col(a("kind")).eq(kind.as_str()))
            .to_owned();
        touched(tx_exec(&mut tx, &q).await?)?;
        commit(tx).await
    }

    async fn create_user(&self, u: &User) -> StoreResult<()> {
        let ins = Query::insert()
            .into_table(a("principals"))
            .columns([
                a("id"),
                a("org_id"),
                a("kind"),
                a("email"),
                a("name"),
                a("role"),
                a("status"),
                a("created_at"),
            ])
            .values([
                u.id.0.into(),
                u.org.0.into(),
                PrincipalKind::User.as_str().into(),
                u.email.clone().into(),
                u.display_name.clone().into(),
                u.role.map(Role::as_str).into(),
                u.status.as_str().into(),
                t(u.created_at),
            ])
            .map_err(insert_err)?
            .to_owned();
        self.exec(&ins).await.map(|_| ())
    }

    async fn get_user(&self, org: OrgId, id: PrincipalId) -> StoreResult<User> {
        let q = user_select(org)
            .and_where(c("principals", "id").eq(id.0))
            .to_owned();
        rows::user(&self.one(&q).await?)
    }

    async fn find_user_by_email(&self, org: OrgId, email: &str) -> StoreResult<Option<User>> {
        let q = user_select(org)
            .and_where(c("principals", "email").eq(email))
            .to_owned();
        self.optional(&q)
            .await?
            .as_ref()
            .map(rows::user)
            .transpose()
    }

    async fn list_users(&self, org: OrgId) -> StoreResult<Vec<User>> {
        let q = user_select(org)
            .order_by((a("principals"), a("email")), sea_query::Order::Asc)
            .to_owned();
        self.all(&q).await?.iter().map(rows::user).collect()
    }

    async fn update_user(&self, u: &User) -> StoreResult<()> {
        let q = Query::update()
            .table(a("principals"))
            .values([
                (a("name"), u.display_name.clone().into()),
                (a("role"), u.role.map(Role::as_str).into()),
                (a("status"), u.status.as_str().into()),
            ])
            .and_where(Expr::col(a("org_id")).eq(u.org.0))
            .and_where(Expr::col(a("id")).eq(u.id.0))
            .and_where(Expr::col(a("kind")).eq(PrincipalKind::User.as_str()))
            .to_owned();
        touched(self.exec(&q).await?)
    }

    async fn set_password_hash(
        &self,
        org: OrgId,
        user: PrincipalId,
        hash: Option<&str>,
    ) -> StoreResult<()> {
        let q = Query::update()
            .table(a("principals"))
            .value(a("password_hash"), hash.map(str::to_string))
            .and_where(Expr::col(a("org_id")).eq(org.0))
            .and_where(Expr::col(a("id")).eq(user.0))
            .and_where(Expr::col(a("kind")).eq(PrincipalKind::User.as_str()))
            .to_owned();
        touched(self.exec(&q).await?)
    }

    async fn find_password_hash(
        &self,
        org: OrgId,
        email: &str,
    ) -> StoreResult<Option<(User, Option<String>)>> {
        let q = user_select(org)
            .column((a("principals"), a("password_hash")))
            .and_where(c("principals", "email").eq(email))
            .to_owned();
        match self.optional(&q).await? {
            Some(r) => Ok(Some((rows::user(&r)?, rows::get(&r, "password_hash")?))),
            None => Ok(None),
        }
    }

    async fn create_service_account(&self, sa: &ServiceAccount) -> StoreResult<()> {
        let ins = Query::insert()
            .into_table(a("principals"))
            .columns([
                a("id"),
                a("org_id"),
                a("kind"),
                a("name"),
                a("role"),
                a("status"),
                a("created_at"),
            ])
            .values([
                sa.id.0.into(),
                sa.org.0.into(),
                PrincipalKind::ServiceAccount.as_str().into(),
                sa.name.clone().into(),
                sa.role.as_str().into(),
                sa.status.as_str().into(),
                t(sa.created_at),
            ])
            .map_err(insert_err)?
            .to_owned();
        self.exec(&ins).await.map(|_| ())
    }

    async fn get_service_account(
        &self,
        org: OrgId,
        id: PrincipalId,
    ) -> StoreResult<ServiceAccount> {
        let q = account_select(org)
            .and_where(c("principals", "id").eq(id.0))
            .to_owned();
        rows::service_account(&self.one(&q).await?)
    }

    async fn list_service_accounts(&self, org: OrgId) -> StoreResult<Vec<ServiceAccount>> {
        let q = account_select(org)
            .order_by((a("principals"), a("name")), sea_query::Order::Asc)
            .to_owned();
        self.all(&q)
            .await?
            .iter()
            .map(rows::service_account)
            .collect()
    }

    async fn update_service_account(&self, sa: &ServiceAccount) -> StoreResult<()> {
        let q = Query::update()
            .table(a("principals"))
            .values([
                (a("name"), sa.name.clone().into()),
                (a("role"), sa.role.as_str().into()),
                (a("status"), sa.status.as_str().into()),
            ])
            .and_where(Expr::col(a("org_id")).eq(sa.org.0))
            .and_where(Expr::col(a("id")).eq(sa.id.0))
            .and_where(Expr::col(a("kind")).eq(PrincipalKind::ServiceAccount.as_str()))
            .to_owned();
        touched(self.exec(&q).await?)
    }

    async fn get_principal(&self, org: OrgId, id: PrincipalId) -> StoreResult<PrincipalRef> {
        let mut q = Query::select();
        q.from(a("principals"));
        for col in ["id", "kind", "email", "name"] {
            q.expr_as(c("principals", col), a(&format!("p_{col}")));
        }
        q.and_where(c("principals", "org_id").eq(org.0))
            .and_where(c("principals", "id").eq(id.0));
        rows::principal_ref(&self.one(&q).await?)
    }

    async fn create_api_key(&self, k: &ApiKey) -> StoreResult<()> {
        self.exec(&key_insert(k)?).await.map(|_| ())
    }

    async fn find_live_key(&self, hash: &str) -> StoreResult<Option<LiveKey>> {
        let mut q = Query::select();
        q.columns(KEY_COLUMNS.iter().map(|x| (a("api_keys"), a(x))))
            .expr_as(c("principals", "role"), a("owner_role"))
            .from(a("api_keys"))
            .inner_join(
                a("principals"),
                c("principals", "id").equals((a("api_keys"), a("principal_id"))),
            )
            .and_where(c("api_keys", "hash").eq(hash))
            .and_where(c("api_keys", "revoked_at").is_null())
            .and_where(c("principals", "status").eq(PrincipalStatus::Active.as_str()));
        match self.optional(&q).await? {
            Some(r) => Ok(Some(LiveKey {
                key: rows::api_key(&r)?,
                owner_role: rows::opt_en(&r, "owner_role", Role::parse)?,
            })),
            None => Ok(None),
        }
    }

    async fn touch_api_key(
        &self,
        id: ApiKeyId,
        at: DateTime<Utc>,
        not_before: DateTime<Utc>,
    ) -> StoreResult<()> {
        let q = Query::update()
            .table(a("api_keys"))
            .value(a("last_used_at"), t(at))
            .and_where(Expr::col(a("id")).eq(id.0))
            .and_where(
                Expr::col(a("last_used_at"))
                    .is_null()
                    .or(Expr::col(a("last_used_at")).lt(t(not_before))),
            )
            .to_owned();
        self.exec(&q).await.map(|_| ())
    }

    async fn list_api_keys(
        &self,
        org: OrgId,
        owner: Option<PrincipalId>,
    ) -> StoreResult<Vec<KeyListing>> {
        let mut q = key_listing_select(org);
        if let Some(o) = owner {
            q.and_where(c("api_keys", "principal_id").eq(o.0));
        }
        q.order_by((a("api_keys"), a("created_at")), sea_query::Order::Desc)
            .order_by((a("api_keys"), a("id")), sea_query::Order::Asc);
        self.all(&q).await?.iter().map(listing).collect()
    }

    async fn get_api_key(&self, org: OrgId, id: ApiKeyId) -> StoreResult<KeyListing> {
        let q = key_listing_select(org)
            .and_where(c("api_keys", "id").eq(id.0))
            .to_owned();
        listing(&self.one(&q).await?)
    }

    async fn revoke_api_key(&self, org: OrgId, id: ApiKeyId, at: DateTime<Utc>) -> StoreResult<()> {
        touched(self.exec(&revoke(org, id, at)).await?)
    }

    async fn rotate_api_key(
        &self,
        org: OrgId,
        old: ApiKeyId,
        new: &ApiKey,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        if tx_exec(&mut tx, &revoke(org, old, at)).await? == 0 {
            return Err(StoreError::NotFound);
        }
        tx_exec(&mut tx, &key_insert(new)?).await?;
        commit(tx).await
    }
}
