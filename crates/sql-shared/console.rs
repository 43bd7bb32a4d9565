//! Web console sessions (`console_sessions`, migration 0021).

use super::rows::{get, time};
use super::{a, insert_err, t, Row, SqlStore};
use rampart_domain::time::to_micros;
use rampart_domain::*;
use rampart_store::{ConsoleSession, ConsoleStore, StoreResult};
use sea_query::{Expr, Query};

const COLUMNS: &[&str] = &[
    "hash",
    "org_id",
    "principal_id",
    "key_hash",
    "csrf",
    "created_at",
    "expires_at",
];

fn session(r: &Row) -> StoreResult<ConsoleSession> {
    Ok(ConsoleSession {
        hash: get(r, "hash")?,
        org: OrgId(get(r, "org_id")?),
        principal: PrincipalId(get(r, "principal_id")?),
        key_hash: get(r, "key_hash")?,
        csrf: get(r, "csrf")?,
        created_at: time(r, "created_at")?,
        expires_at: time(r, "expires_at")?,
    })
}

#[async_trait::async_trait]
impl ConsoleStore for SqlStore {
    async fn create_console_session(&self, s: &ConsoleSession) -> StoreResult<()> {
        let q = Query::insert()
            .into_table(a("console_sessions"))
            .columns(COLUMNS.iter().map(|x| a(x)))
            .values([
                s.hash.clone().into(),
                s.org.0.into(),
                s.principal.0.into(),
                s.key_hash.clone().into(),
                s.csrf.clone().into(),
                t(s.created_at),
                t(s.expires_at),
            ])
            .map_err(insert_err)?
            .to_owned();
        self.exec(&q).await.map(|_| ())
    }

    async fn find_console_session(
        &self,
        hash: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<Option<ConsoleSession>> {
        let q = Query::select()
            .columns(COLUMNS.iter().map(|x| a(x)))
            .from(a("console_sessions"))
            .and_where(Expr::col(a("hash")).eq(hash))
            .and_where(Expr::col(a("expires_at")).gt(to_micros(now)))
            .to_owned();
        self.optional(&q).await?.as_ref().map(session).transpose()
    }

    async fn delete_console_session(&self, hash: &str) -> StoreResult<()> {
        let q = Query::delete()
            .from_table(a("console_sessions"))
            .and_where(Expr::col(a("hash")).eq(hash))
            .to_owned();
        self.exec(&q).await.map(|_| ())
    }

    async fn purge_console_sessions(&self, now: chrono::DateTime<chrono::Utc>) -> StoreResult<u64> {
        let q = Query::delete()
            .from_table(a("console_sessions"))
            .and_where(Expr::col(a("expires_at")).lte(to_micros(now)))
            .to_owned();
        self.exec(&q).await
    }
}
