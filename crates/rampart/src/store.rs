//! Picks the store from the database URL.

use anyhow::{bail, Context};
use rampart_store::Store;
use std::sync::Arc;

/// The default database: an SQLite file under `./rampart-data/`.
pub const DEFAULT_DATABASE: &str = "sqlite://./rampart-data/rampart.db";

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
