//! The SQLite adapter: rampart's embedded default.
//!
//! WAL mode, foreign keys on, a `REGEXP` function for the search language's `LIKE`,
//! migrations from `migrations/` applied on connect. The SQL itself is shared with the
//! PostgreSQL adapter (see `crates/sql-shared`).

#![deny(clippy::unwrap_used, clippy::expect_used)]

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

type Db = sqlx::Sqlite;
const QB: sea_query::SqliteQueryBuilder = sea_query::SqliteQueryBuilder;
const DIALECT: rampart_query::Dialect = rampart_query::Dialect::Sqlite;

#[path = "../../sql-shared/mod.rs"]
mod shared;

pub use shared::SqlStore as SqliteStore;

/// What the PostgreSQL adapter runs before a write whose loss in a crash is harmless; SQLite
/// needs nothing: in WAL mode with `synchronous = NORMAL` no commit waits for the disk.
const RELAXED_COMMIT: Option<&str> = None;

/// Whether a database error means "not now" (the client gets 503 and may retry), and
/// what to tell the client. SQLite reports extended result codes: the primary code is the
/// low byte; 13 is `SQLITE_FULL` (the disk, or the quota, is exhausted: SQLite maps
/// `ENOSPC` to it), 10 is `SQLITE_IOERR` (a read or write of the file failed).
fn unavailable(db: &dyn sqlx::error::DatabaseError) -> Option<&'static str> {
    let code: i32 = db.code()?.parse().ok()?;
    match code & 0xff {
        13 => Some(rampart_store::DATABASE_FULL),
        10 => Some("the database cannot read or write its file; check its volume, then retry"),
        _ => None,
    }
}

/// The bytes of heap SQLite may keep in this process, all connections together, before it
/// reuses its least recently used cached pages instead of allocating (`PRAGMA
/// soft_heap_limit`), unless `RAMPART_SQLITE_HEAP_MIB` says otherwise. Reads of the database
/// file go through the memory map, which is not heap, so the page cache mostly holds the pages
/// written and the pages read back from the WAL; measured under mixed API load with scans,
/// a 32 MiB budget kept filling for more than ten minutes (docs/BENCHMARKS.md, "Load").
pub const SOFT_HEAP_LIMIT: i64 = 8 << 20;

/// The heap budget of SQLite in bytes: `RAMPART_SQLITE_HEAP_MIB` (a whole number of MiB, at
/// least 1) when it is set, SOFT_HEAP_LIMIT otherwise.
pub fn heap_limit() -> Result<i64, sqlx::Error> {
    heap_limit_of(std::env::var("RAMPART_SQLITE_HEAP_MIB").ok().as_deref())
}

fn heap_limit_of(setting: Option<&str>) -> Result<i64, sqlx::Error> {
    match setting {
        None => Ok(SOFT_HEAP_LIMIT),
        Some(v) => match v.trim().parse::<i64>() {
            Ok(mib) if (1..=1 << 20).contains(&mib) => Ok(mib << 20),
            _ => Err(sqlx::Error::Configuration(
                format!("RAMPART_SQLITE_HEAP_MIB must be a whole number of MiB from 1 to 1048576, not {v:?}").into(),
            )),
        },
    }
}

/// Opens (creating if needed) the database at `url` (`sqlite://path`, `sqlite:path` or
/// `sqlite::memory:`) and applies the migrations.
pub async fn connect(url: &str) -> Result<SqliteStore, sqlx::Error> {
    let memory = url.contains(":memory:");
    let heap = heap_limit()?;
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
        // Reads through a memory map of up to 1 GiB, so large vulnerability tables are not
        // re-read through `read()` on every page (docs/BENCHMARKS.md, "Vulnerabilities at
        // 1M"), and a page cache that may take the whole heap budget on one connection ...
        .pragma("cache_size", (-(heap >> 10)).to_string())
        .pragma("mmap_size", "1073741824")
        // ... while all connections together (the writer and up to 8 readers, each caching
        // the pages it read from the WAL and wrote) keep at most that budget: near it,
        // SQLite reuses its least recently used pages instead of allocating, so the server's
        // memory stops at a bound instead of growing with every page ever touched
        // (docs/BENCHMARKS.md, "Load"). Process-wide: the same value on every connection.
        .pragma("soft_heap_limit", heap.to_string())
        .with_regexp();
    if !memory {
        private_files(opts.get_filename())?;
    }
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
        .connect_with(opts.clone())
        .await?;
    sqlx::migrate!("./migrations").run(&pool).await?;
    if memory {
        return Ok(SqliteStore::from_pool(pool));
    }
    // SQLite has one writer at a time. Writers queue for this single connection in
    // order instead of sleeping in SQLite's busy handler, which gave long write tails.
    let writer = SqlitePoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(30))
        .idle_timeout(None)
        .connect_with(opts)
        .await?;
    Ok(SqliteStore::with_writer(pool, writer))
}

/// The database holds sealed secrets, hashes and findings: it is created 0600 (SQLite gives
/// its `-wal` and `-shm` files the database's mode), and an existing one is made 0600.
fn private_files(path: &std::path::Path) -> Result<(), sqlx::Error> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.exists() {
            std::fs::create_dir_all(dir)?;
        }
    }
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e.into()),
    }
    let mut names = vec![path.to_path_buf()];
    for suffix in ["-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        names.push(p.into());
    }
    for p in names.iter().filter(|p| p.exists()) {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

impl SqliteStore {
    /// Leases the oldest claimable job in one statement: SQLite has no `SKIP LOCKED`, but
    /// a single `UPDATE` holds the write lock throughout, and the outer condition repeats
    /// the claimable test, so a job is never leased twice.
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
            (Some(_), Some(_)) => "org_id = ?5 AND engine_group_id = ?6",
        };
        // An expired lease is taken over only while attempts remain.
        let claimable = format!(
            "((state = 'QUEUED' OR (state = 'LEASED' AND lease_expires_at < ?1 \
             AND attempts < ?4)) AND {scoped})"
        );
        let sql = format!(
            "UPDATE scan_jobs SET state = 'LEASED', lease_owner = ?2, lease_expires_at = ?3, \
             heartbeat_at = ?1, attempts = attempts + 1 \
             WHERE {claimable} AND scan_id = (SELECT scan_id FROM scan_jobs WHERE {claimable} \
             ORDER BY enqueued_at, scan_id LIMIT 1) RETURNING scan_id"
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
impl rampart_store::LeaderStore for SqliteStore {
    /// One SQLite file has one server: it always leads.
    async fn try_lead(&self, _duty: &str) -> rampart_store::StoreResult<bool> {
        Ok(true)
    }
}

#[cfg(test)]
mod heap_tests {
    use super::*;

    #[test]
    fn the_heap_budget_is_the_default_or_a_whole_number_of_mib() {
        assert_eq!(heap_limit_of(None).unwrap(), SOFT_HEAP_LIMIT);
        assert_eq!(heap_limit_of(Some("64")).unwrap(), 64 << 20);
        assert_eq!(heap_limit_of(Some(" 1 ")).unwrap(), 1 << 20);
        for bad in ["0", "-3", "1.5", "", "lots", "1048577"] {
            let e = heap_limit_of(Some(bad)).unwrap_err().to_string();
            assert!(e.contains("RAMPART_SQLITE_HEAP_MIB"), "{bad:?}: {e}");
        }
    }
}
