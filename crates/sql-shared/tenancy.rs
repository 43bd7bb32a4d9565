//! Organizations, principals and API keys.

use super::rows::{self, *};
use super::{a, c, commit, insert_err, map_err, t, tx_exec, SqlStore};
use rampart_domain::*;
use rampart_store::{StoreResult, TenancyStore};
use sea_query::{Expr, Query};

fn user_select(org: OrgId) -> sea_query::SelectStatement {
    let mut q = super::select("principals", USER_COLUMNS, org);
    q.and_where(c("principals", "kind").eq(PrincipalKind::User.as_str()));
    q
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
            .columns([a("id"), a("name"), a("created_at")])
            .values([org.id.0.into(), org.name.clone().into(), t(org.created_at)])
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

    async fn count_orgs(&self) -> StoreResult<u64> {
        let q = Query::select()
            .expr(Expr::cust("COUNT(*)"))
            .from(a("organizations"))
            .to_owned();
        let n: i64 = sqlx::Row::try_get(&self.one(&q).await?, 0).map_err(map_err)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn create_user(&self, u: &User) -> StoreResult<()> {
        let ins = Query::insert()
            .into_table(a("principals"))
            .columns([a("id"), a("org_id"), a("kind"), a("email"), a("created_at")])
            .values([
                u.id.0.into(),
                u.org.0.into(),
                PrincipalKind::User.as_str().into(),
                u.email.clone().into(),
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

    async fn create_api_key(&self, k: &ApiKey) -> StoreResult<()> {
        let ins = Query::insert()
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
            ])
            .map_err(insert_err)?
            .to_owned();
        self.exec(&ins).await.map(|_| ())
    }

    async fn find_api_key_by_hash(&self, hash: &str) -> StoreResult<Option<ApiKey>> {
        let q = Query::select()
            .columns(KEY_COLUMNS.iter().map(|x| a(x)))
            .from(a("api_keys"))
            .and_where(Expr::col(a("hash")).eq(hash))
            .and_where(Expr::col(a("revoked_at")).is_null())
            .to_owned();
        self.optional(&q)
            .await?
            .as_ref()
            .map(rows::api_key)
            .transpose()
    }
}
