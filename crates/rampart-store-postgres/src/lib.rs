//! The PostgreSQL adapter: shared state for many server replicas.
//!
//! Migrations from `migrations/` are applied on connect (sqlx takes an advisory lock, so
//! replicas starting together apply them once). The SQL itself is shared with the
//! SQLite adapter (see `crates/sql-shared`).

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
        worker: &str,
        now: i64,
        until: i64,
    ) -> rampart_store::StoreResult<Option<uuid::Uuid>> {
        sqlx::query_scalar(
            "UPDATE scan_jobs SET state = 'LEASED', lease_owner = $2, lease_expires_at = $3, \
             heartbeat_at = $1, attempts = attempts + 1 \
             WHERE scan_id = (SELECT scan_id FROM scan_jobs \
                 WHERE state = 'QUEUED' OR (state = 'LEASED' AND lease_expires_at < $1) \
                 ORDER BY enqueued_at, scan_id LIMIT 1 FOR UPDATE SKIP LOCKED) \
             RETURNING scan_id",
        )
        .bind(now)
        .bind(worker)
        .bind(until)
        .fetch_optional(self.writer())
        .await
        .map_err(shared::map_err)
    }
}
