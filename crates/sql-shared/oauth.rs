//! OAuth clients, signing keys, revoked token ids and rate-limit windows.

use super::rows::{en, get, time};
use super::{
    a, by_id, c, commit, insert_err, map_err, t, touched, Row, SqlStore, QB, RELAXED_COMMIT,
};
use chrono::{DateTime, Utc};
use rampart_domain::oauth::{OAuthClient, SigningKey};
use rampart_domain::time::to_micros;
use rampart_domain::*;
use rampart_store::{OAuthStore, StoreError, StoreResult};
use sea_query::{Expr, OnConflict, Query};
use sea_query_binder::SqlxBinder;

const CLIENT_COLUMNS: &[&str] = &[
    "id",
    "org_id",
    "principal_id",
    "kind",
    "role",
    "name",
    "client_id",
    "secret_hash",
    "scopes",
    "created_at",
];

fn client(r: &Row) -> StoreResult<OAuthClient> {
    let scopes: String = get(r, "scopes")?;
    Ok(OAuthClient {
        id: OAuthClientId(get(r, "id")?),
        org: OrgId(get(r, "org_id")?),
        principal: PrincipalId(get(r, "principal_id")?),
        kind: en(r, "kind", PrincipalKind::parse)?,
        role: en(r, "role", Role::parse)?,
        name: get(r, "name")?,
        client_id: get(r, "client_id")?,
        secret_hash: get(r, "secret_hash")?,
        scopes: Scopes::parse(&scopes).map_err(|s| StoreError::Backend(format!("scope {s}")))?,
        created_at: time(r, "created_at")?,
    })
}

const KEY_COLUMNS: &[&str] = &[
    "kid",
    "public_key",
    "private_sealed",
    "created_at",
    "sign_until",
    "verify_until",
];

fn signing_key(r: &Row) -> StoreResult<SigningKey> {
    Ok(SigningKey {
        kid: get(r, "kid")?,
        public_key: get(r, "public_key")?,
        private_sealed: get(r, "private_sealed")?,
        created_at: time(r, "created_at")?,
        sign_until: time(r, "sign_until")?,
        verify_until: time(r, "verify_until")?,
    })
}

fn live_clients() -> sea_query::SelectStatement {
    Query::select()
        .columns(CLIENT_COLUMNS.iter().map(|x| (a("oauth_clients"), a(x))))
        .from(a("oauth_clients"))
        .to_owned()
}

#[async_trait::async_trait]
impl OAuthStore for SqlStore {
    async fn find_principal_kind(
        &self,
        org: OrgId,
        principal: PrincipalId,
    ) -> StoreResult<Option<PrincipalKind>> {
        let q = super::select("principals", &["kind"], org)
            .and_where(c("principals", "id").eq(principal.0))
            .to_owned();
        self.optional(&q)
            .await?
            .as_ref()
            .map(|r| en(r, "kind", PrincipalKind::parse))
            .transpose()
    }

    async fn create_oauth_client(&self, k: &OAuthClient) -> StoreResult<()> {
        let ins = Query::insert()
            .into_table(a("oauth_clients"))
            .columns(CLIENT_COLUMNS.iter().map(|x| a(x)))
            .values([
                k.id.0.into(),
                k.org.0.into(),
                k.principal.0.into(),
                k.kind.as_str().into(),
                k.role.as_str().into(),
                k.name.clone().into(),
                k.client_id.clone().into(),
                k.secret_hash.clone().into(),
                k.scopes.to_string().into(),
                t(k.created_at),
            ])
            .map_err(insert_err)?
            .to_owned();
        self.exec(&ins).await.map(|_| ())
    }

    async fn list_oauth_clients(&self, org: OrgId) -> StoreResult<Vec<OAuthClient>> {
        let q = live_clients()
            .and_where(c("oauth_clients", "org_id").eq(org.0))
            .order_by((a("oauth_clients"), a("created_at")), sea_query::Order::Asc)
            .order_by((a("oauth_clients"), a("id")), sea_query::Order::Asc)
            .to_owned();
        self.all(&q).await?.iter().map(client).collect()
    }

    async fn delete_oauth_client(&self, org: OrgId, id: OAuthClientId) -> StoreResult<()> {
        let mut q = Query::delete();
        q.from_table(a("oauth_clients"));
        for w in by_id(org, id.0) {
            q.and_where(w);
        }
        touched(self.exec(&q).await?)
    }

    async fn find_oauth_client(&self, client_id: &str) -> StoreResult<Option<OAuthClient>> {
        let q = live_clients()
            .and_where(c("oauth_clients", "client_id").eq(client_id))
            .to_owned();
        self.optional(&q).await?.as_ref().map(client).transpose()
    }

    async fn find_token_client(
        &self,
        client_id: &str,
        jti: &str,
    ) -> StoreResult<Option<OAuthClient>> {
        let revoked = Query::select()
            .expr(Expr::val(1))
            .from(a("oauth_revoked_tokens"))
            .and_where(c("oauth_revoked_tokens", "jti").eq(jti))
            .to_owned();
        let q = live_clients()
            .and_where(c("oauth_clients", "client_id").eq(client_id))
            .and_where(Expr::exists(revoked).not())
            .to_owned();
        self.optional(&q).await?.as_ref().map(client).transpose()
    }

    async fn revoke_token(
        &self,
        org: OrgId,
        jti: &str,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let ins = Query::insert()
            .into_table(a("oauth_revoked_tokens"))
            .columns([a("jti"), a("org_id"), a("expires_at")])
            .values([jti.into(), org.0.into(), t(expires_at)])
            .map_err(insert_err)?
            .on_conflict(OnConflict::column(a("jti")).do_nothing().to_owned())
            .to_owned();
        self.exec(&ins).await.map(|_| ())
    }

    async fn prune_revoked_tokens(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        let q = Query::delete()
            .from_table(a("oauth_revoked_tokens"))
            .and_where(Expr::col(a("expires_at")).lt(to_micros(now)))
            .to_owned();
        self.exec(&q).await
    }

    async fn create_signing_key(&self, k: &SigningKey) -> StoreResult<()> {
        let ins = Query::insert()
            .into_table(a("oauth_signing_keys"))
            .columns(KEY_COLUMNS.iter().map(|x| a(x)))
            .values([
                k.kid.clone().into(),
                k.public_key.clone().into(),
                k.private_sealed.clone().into(),
                t(k.created_at),
                t(k.sign_until),
                t(k.verify_until),
            ])
            .map_err(insert_err)?
            .to_owned();
        self.exec(&ins).await.map(|_| ())
    }

    async fn list_signing_keys(&self, now: DateTime<Utc>) -> StoreResult<Vec<SigningKey>> {
        let q = Query::select()
            .columns(KEY_COLUMNS.iter().map(|x| a(x)))
            .from(a("oauth_signing_keys"))
            .and_where(Expr::col(a("verify_until")).gt(to_micros(now)))
            .order_by(a("created_at"), sea_query::Order::Desc)
            .order_by(a("kid"), sea_query::Order::Asc)
            .to_owned();
        self.all(&q).await?.iter().map(signing_key).collect()
    }

    async fn hit_rate_windows(
        &self,
        buckets: &[String],
        window_start: i64,
    ) -> StoreResult<Vec<u64>> {
        if buckets.is_empty() {
            return Ok(Vec::new());
        }
        let mut ins = Query::insert();
        ins.into_table(a("rate_limit_windows")).columns([
            a("bucket"),
            a("window_start"),
            a("hits"),
        ]);
        for b in buckets {
            ins.values([b.clone().into(), window_start.into(), 1i64.into()])
                .map_err(insert_err)?;
        }
        // Every SET expression reads the old row, so `hits` compares the old window.
        ins.on_conflict(
            OnConflict::column(a("bucket"))
                .value(
                    a("hits"),
                    Expr::cust(
                        "CASE WHEN rate_limit_windows.window_start = excluded.window_start \
                         THEN rate_limit_windows.hits + 1 ELSE 1 END",
                    ),
                )
                .value(a("window_start"), Expr::cust("excluded.window_start"))
                .to_owned(),
        )
        .returning(Query::returning().columns([a("bucket"), a("hits")]));
        let (sql, values) = ins.build_sqlx(QB);
        let upsert = sqlx::query_with(&sql, values);
        // Every request of a tenant updates the same rows, so a commit that waits for the
        // disk makes every other request wait for it too. A count lost in a crash is
        // harmless: where the adapter can, this commit does not wait (`RELAXED_COMMIT`).
        let rows = match RELAXED_COMMIT {
            Some(relax) => {
                let mut tx = self.begin().await?;
                sqlx::query(relax)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_err)?;
                let rows = upsert.fetch_all(&mut *tx).await.map_err(map_err)?;
                commit(tx).await?;
                rows
            }
            None => upsert.fetch_all(self.writer()).await.map_err(map_err)?,
        };
        let mut out = Vec::with_capacity(buckets.len());
        for b in buckets {
            let hits = rows
                .iter()
                .find(|r| get::<String>(r, "bucket").is_ok_and(|x| &x == b))
                .map(|r| get::<i64>(r, "hits"))
                .transpose()?
                .unwrap_or(0);
            out.push(u64::try_from(hits).unwrap_or(0));
        }
        Ok(out)
    }

    async fn rate_window_hits(&self, bucket: &str, window_start: i64) -> StoreResult<u64> {
        let q = Query::select()
            .column(a("hits"))
            .from(a("rate_limit_windows"))
            .and_where(Expr::col(a("bucket")).eq(bucket))
            .and_where(Expr::col(a("window_start")).eq(window_start))
            .to_owned();
        let hits = match self.optional(&q).await? {
            Some(r) => get::<i64>(&r, "hits")?,
            None => 0,
        };
        Ok(u64::try_from(hits).unwrap_or(0))
    }
}
