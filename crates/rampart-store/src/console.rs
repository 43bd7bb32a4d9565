//! Web console sessions: a cookie's token resolves to a principal until it expires.

use crate::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rampart_domain::*;

/// A signed-in console session. The cookie's token is never stored: `hash` is its
/// SHA-256. `key_hash` is the hash of the API key the session was opened with (none for a
/// password sign-in): the key must still be live at every request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsoleSession {
    pub hash: String,
    pub org: OrgId,
    pub principal: PrincipalId,
    pub key_hash: Option<String>,
    /// The token every state-changing request of this session must carry.
    pub csrf: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Console sessions. Looked up by hash before a tenant is known (like `find_live_key`).
#[async_trait]
pub trait ConsoleStore: Send + Sync {
    async fn create_console_session(&self, s: &ConsoleSession) -> StoreResult<()>;
    /// The session with this hash unless it expired at `now`.
    async fn find_console_session(
        &self,
        hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<ConsoleSession>>;
    /// Ends a session (no error when it is already gone).
    async fn delete_console_session(&self, hash: &str) -> StoreResult<()>;
    /// Removes the sessions expired at `now`; returns how many.
    async fn purge_console_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64>;
}
