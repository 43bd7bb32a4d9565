//! The PostgreSQL adapter: shared state for many server replicas.
//!
//! Migrations from `migrations/` are applied on connect (sqlx takes an advisory lock, so
//! replicas starting together apply them once). The SQL itself is shared with the
//! SQLite adapter (see `crates/sql-shared`).

#![deny(clippy::unwrap_used, clippy::expect_used)]

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;
use std::time::Duration;

type Db = sqlx::Postgres;
const QB: sea_query::PostgresQueryBuilder = sea_query::PostgresQueryBuilder;
const DIALECT: rampart_query::Dialect = rampart_query::Dialect::Postgres;

#[path = "../../sql-shared/mod.rs"]
mod shared;

pub use shared::SqlStore as PostgresStore;

/// Connects to `url` and applies the migrations. `schema`, when given, becomes the
/// connection's `search_path` (tests use one schema each).
pub async fn connect(url: &str, schema: Option<&str>) -> Result<PostgresStore, sqlx::Error> {
    let mut opts = PgConnectOptions::from_str(url)?;
    if let Some(s) = schema {
        opts = opts.options([("search_path", s)]);
    }
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(opts)
        .await?;
    sqlx::migrate!("./migrations").run(&pool).await?;
    Ok(PostgresStore::from_pool(pool))
}

impl PostgresStore {
    /// Leases the oldest claimable job: `FOR UPDATE SKIP LOCKED` lets concurrent claimers
    /// (other replicas, other workers) pass over a row another transaction is taking.
    pub(crate) async fn claim_next(
        &self,
        scope: &rampart_domain::ClaimScope,
        worker: &str,
        now: i64,
        until: i64,
        max_attempts: i32,
    ) -> rampart_store::StoreResult<Option<uuid::Uuid>> {
        // The scope filter mirrors `ClaimScope::admits`.
        let scoped = match (scope.org, scope.engine_group) {
            (None, _) => "engine_group_id IS NULL",
            (Some(_), None) => return Ok(None),
            (Some(_), Some(_)) => "org_id = $5 AND engine_group_id = $6",
        };
        let sql = format!(
            "UPDATE scan_jobs SET state = 'LEASED', lease_owner = $2, lease_expires_at = $3, \
             heartbeat_at = $1, attempts = attempts + 1 \
             WHERE scan_id = (SELECT scan_id FROM scan_jobs \
                 WHERE (state = 'QUEUED' OR (state = 'LEASED' AND lease_expires_at < $1 AND attempts < $4)) \
                 AND {scoped} \
                 ORDER BY enqueued_at, scan_id LIMIT 1 FOR UPDATE SKIP LOCKED) \
             RETURNING scan_id"
        );
        let mut q = sqlx::query_scalar(&sql)
            .bind(now)
            .bind(worker)
            .bind(until)
            .bind(max_attempts);
        if let (Some(o), Some(g)) = (scope.org, scope.engine_group) {
            q = q.bind(o.0).bind(g.0);
        }
        q.fetch_optional(self.writer())
            .await
            .map_err(shared::map_err)
    }
}

#[async_trait::async_trait]
impl rampart_store::LeaderStore for PostgresStore {
    /// A session advisory lock per duty (and database schema: replicas of another
    /// deployment on the same server do not compete) on a connection kept by the store:
    /// whoever holds it leads until its connection (its process) goes away.
    async fn try_lead(&self, duty: &str) -> rampart_store::StoreResult<bool> {
        let mut leads = self.leads.lock().await;
        if let Some(conn) = leads.get_mut(duty) {
            let alive: Result<i32, _> = sqlx::query_scalar("SELECT 1").fetch_one(&mut *conn).await;
            if alive.is_ok() {
                return Ok(true);
            }
            leads.remove(duty);
        }
        let mut conn = self.writer().acquire().await.map_err(shared::map_err)?;
        let got: bool = sqlx::query_scalar(
            "SELECT pg_try_advisory_lock(hashtext(current_database() || '.' || current_schema() || ':' || $1))",
        )
            .bind(format!("rampart:{duty}"))
            .fetch_one(&mut *conn)
            .await
            .map_err(shared::map_err)?;
        if got {
            // Out of the pool: the lock lives exactly as long as this connection, which
            // closes when the store is dropped or the process ends.
            leads.insert(duty.to_string(), conn.detach());
        }
        Ok(got)
    }
}

/// A store on a fresh schema (named `{prefix}_<uuid>`, which `.ci/run` cleans up) of the
/// server `RAMPART_TEST_PG_URL` names, for test suites. Without the variable this fails
/// under CI (`CI` set) and returns `None` with a notice elsewhere.
#[cfg(feature = "testkit")]
#[allow(clippy::expect_used)] // test support: a database that cannot be set up fails the test
pub async fn test_store(prefix: &str) -> Option<PostgresStore> {
    let Ok(url) = std::env::var("RAMPART_TEST_PG_URL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "RAMPART_TEST_PG_URL must be set in CI"
        );
        eprintln!("notice: RAMPART_TEST_PG_URL is not set: skipping a PostgreSQL test");
        return None;
    };
    let schema = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
    let admin = sqlx::PgPool::connect(&url)
        .await
        .expect("connect to RAMPART_TEST_PG_URL");
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&admin)
        .await
        .expect("create schema");
    admin.close().await;
    // A throw-away schema needs no durable commits; this makes suites about twice as fast.
    let fast = if url.contains("options=") {
        url
    } else {
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}options=-c%20synchronous_commit%3Doff")
    };
    Some(
        connect(&fast, Some(&schema))
            .await
            .expect("connect with schema"),
    )
}
