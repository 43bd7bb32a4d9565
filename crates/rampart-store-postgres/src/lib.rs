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
