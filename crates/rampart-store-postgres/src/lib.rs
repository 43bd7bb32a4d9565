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

/// Run first in the transaction of a write whose loss in a crash is harmless (the rate-limit
/// counters, updated by every request): its commit does not wait for the WAL to reach the
/// disk, so requests do not queue behind each other's `fsync` on those hot rows.
const RELAXED_COMMIT: Option<&str> = Some("SET LOCAL synchronous_commit = off");

/// Whether a database error means "not now" (the client gets 503 and may retry), and
/// what to tell the client: SQLSTATE class 08 (connection exception), 57P01–57P03 (the
/// server is shutting down, crashed or starting up), class 53 (insufficient resources;
/// 53100 is a full disk).
fn unavailable(db: &dyn sqlx::error::DatabaseError) -> Option<&'static str> {
    let code = db.code()?;
    match &*code {
        "53100" => Some(rampart_store::DATABASE_FULL),
        c if c.starts_with("08") || c.starts_with("57P") || c.starts_with("53") => {
            Some(rampart_store::DATABASE_AWAY)
        }
        _ => None,
    }
}

/// Connects to `url` and applies the migrations. `schema`, when given, becomes the
/// connection's `search_path` (tests use one schema each).
pub async fn connect(url: &str, schema: Option<&str>) -> Result<PostgresStore, sqlx::Error> {
    let mut opts = PgConnectOptions::from_str(url)?;
    if let Some(s) = schema {
        opts = opts.options([("search_path", s)]);
    }
    // While the server is away (restarting: connections are refused) sqlx retries the
    // connect until `acquire_timeout`; then the request is answered 503. Five seconds
    // hides a quick restart and does not keep a client waiting much longer.
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(5))
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

/// The PostgreSQL server of the test suites: `RAMPART_TEST_PG_URL`, else the local default
/// `postgres://postgres@127.0.0.1:5432/test`. PostgreSQL tests are never skipped: without a
/// server they fail with one line saying what to do.
#[cfg(feature = "testkit")]
pub fn test_url() -> String {
    std::env::var("RAMPART_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

/// The one-line failure of a PostgreSQL test that cannot reach its server.
#[cfg(feature = "testkit")]
pub fn unreachable(url: &str, e: impl std::fmt::Display) -> String {
    format!(
        "the PostgreSQL half of the tests needs a server at {url} ({e}): start PostgreSQL \
         (apt-get install postgresql) or set RAMPART_TEST_PG_URL"
    )
}

/// A store on a fresh schema (named `{prefix}_<uuid>`, which `.ci/run` cleans up) of the
/// server [`test_url`] names, for test suites. Always `Some`; a server that cannot be
/// reached fails the test (see [`unreachable`]).
#[cfg(feature = "testkit")]
#[allow(clippy::expect_used)] // test support: a database that cannot be set up fails the test
pub async fn test_store(prefix: &str) -> Option<PostgresStore> {
    let url = test_url();
    let schema = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
    let admin = match sqlx::PgPool::connect(&url).await {
        Ok(p) => p,
        Err(e) => panic!("{}", unreachable(&url, e)),
    };
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
    let guard = std::sync::Arc::new(SchemaGuard {
        url: fast.clone(),
        schema: schema.clone(),
    });
    Some(
        connect(&fast, Some(&schema))
            .await
            .expect("connect with schema")
            .hold(guard),
    )
}

/// Drops a test's schema when the last store on it goes away (test support), so test
/// runs leave nothing behind in the shared database.
#[cfg(feature = "testkit")]
pub struct SchemaGuard {
    pub url: String,
    pub schema: String,
}

#[cfg(feature = "testkit")]
impl Drop for SchemaGuard {
    fn drop(&mut self) {
        let (url, schema) = (self.url.clone(), self.schema.clone());
        // A thread of its own: this may run inside (or while shutting down) a runtime.
        let dropped = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                use sqlx::Connection;
                if let Ok(mut c) = sqlx::PgConnection::connect(&url).await {
                    // Bounded: a lock held by a connection still closing must not hang a test.
                    let _ = sqlx::query("SET lock_timeout = '5s'").execute(&mut c).await;
                    let _ = sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                        .execute(&mut c)
                        .await;
                    let _ = c.close().await;
                }
            });
        });
        let _ = dropped.join();
    }
}
