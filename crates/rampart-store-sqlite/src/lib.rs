//! The SQLite adapter: rampart's embedded default.
//!
//! WAL mode, foreign keys on, a `REGEXP` function for the search language's `LIKE`,
//! migrations from `migrations/` applied on connect. The SQL itself is shared with the
//! PostgreSQL adapter (see `crates/sql-shared`).

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

type Db = sqlx::Sqlite;
const QB: sea_query::SqliteQueryBuilder = sea_query::SqliteQueryBuilder;
const DIALECT: rampart_query::Dialect = rampart_query::Dialect::Sqlite;

#[path = "../../sql-shared/mod.rs"]
mod shared;

pub use shared::SqlStore as SqliteStore;

/// Opens (creating if needed) the database at `url` (`sqlite://path`, `sqlite:path` or
/// `sqlite::memory:`) and applies the migrations.
pub async fn connect(url: &str) -> Result<SqliteStore, sqlx::Error> {
    let memory = url.contains(":memory:");
    let opts = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        .journal_mode(if memory {
            SqliteJournalMode::Memory
        } else {
            SqliteJournalMode::Wal
        })
        .synchronous(SqliteSynchronous::Normal)
        .with_regexp();
    // An in-memory database lives in one connection; a file serves readers in parallel.
    let pool = SqlitePoolOptions::new()
        .max_connections(if memory { 1 } else { 8 })
        .min_connections(if memory { 1 } else { 0 })
        .idle_timeout(if memory {
            None
        } else {
            Some(Duration::from_secs(600))
        })
        .max_lifetime(if memory {
            None
        } else {
            Some(Duration::from_secs(3600))
        })
        .connect_with(opts)
        .await?;
    sqlx::migrate!("./migrations").run(&pool).await?;
    Ok(SqliteStore::from_pool(pool))
}
