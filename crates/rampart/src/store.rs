//! Picks the store from the database URL.

use anyhow::{bail, Context};
use rampart_store::Store;
use std::sync::Arc;

/// The default database: an SQLite file under `./rampart-data/`.
pub const DEFAULT_DATABASE: &str = "sqlite://./rampart-data/rampart.db";

/// Opens the database of a running (or stopped) server for an operator command (`key`,
/// `org`, `oauth-client` with `--database`): unlike [`open`], an SQLite file that does not
/// exist is an error, so a mistyped or relative path does not silently make a new database
/// and print a key the server will refuse.
pub async fn open_existing(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let path = rest.trim_start_matches("//");
        let file = path.split('?').next().unwrap_or(path);
        if !file.starts_with(":memory:") && !std::path::Path::new(file).is_file() {
            let cwd = std::env::current_dir()
                .map(|d| d.display().to_string())
                .unwrap_or_default();
            bail!(
                "no database at {file} (relative to {cwd}): pass the server's --database \
                 (start the server once to create it), e.g. sqlite://{cwd}/rampart-data/rampart.db"
            );
        }
    }
    open(url).await
}

/// Opens `sqlite://…` (creating its directory) or `postgres://…`, applying migrations.
pub async fn open(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let path = rest.trim_start_matches("//");
        if !path.starts_with(":memory:") {
            if let Some(dir) = std::path::Path::new(path.split('?').next().unwrap_or(path)).parent()
            {
                if !dir.as_os_str().is_empty() {
                    std::fs::create_dir_all(dir)
                        .with_context(|| format!("cannot create {}", dir.display()))?;
                }
            }
        }
        let s = rampart_store_sqlite::connect(url)
            .await
            .with_context(|| format!("cannot open {url}"))?;
        return Ok(Arc::new(s));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let s = rampart_store_postgres::connect(url, None)
            .await
            .context("cannot connect to PostgreSQL")?;
        return Ok(Arc::new(s));
    }
    bail!("unsupported database URL '{url}': use sqlite://PATH, sqlite::memory: or postgres://…")
}
