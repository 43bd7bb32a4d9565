//! Leadership of background duties among server replicas.

use crate::StoreResult;
use async_trait::async_trait;

/// Which replica runs a background duty. Each adapter implements it itself: it is the
/// one area where the databases differ in kind, not in syntax.
#[async_trait]
pub trait LeaderStore: Send + Sync {
    /// Whether this process leads the background `duty` (the lease reaper) among the
    /// replicas sharing the database: PostgreSQL holds a session advisory lock per duty
    /// (kept while its connection lives, so one replica leads until it dies); SQLite
    /// always leads.
    async fn try_lead(&self, duty: &str) -> StoreResult<bool>;
}
