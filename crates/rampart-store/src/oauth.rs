//! OAuth: clients, token signing keys, revoked token ids, and the rate-limit windows
//! (counters shared by every replica).

use crate::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rampart_domain::oauth::{OAuthClient, SigningKey};
use rampart_domain::*;

/// Cross-tenant look-ups (`find_oauth_client`, `find_token_client`) resolve a tenant from
/// a credential; the rest is tenant-scoped.
#[async_trait]
pub trait OAuthStore: Send + Sync {
    /// The kind of a principal of the tenant, `None` when there is none.
    async fn find_principal_kind(
        &self,
        org: OrgId,
        principal: PrincipalId,
    ) -> StoreResult<Option<PrincipalKind>>;
    async fn create_oauth_client(&self, client: &OAuthClient) -> StoreResult<()>;
    /// The tenant's live clients, oldest first.
    async fn list_oauth_clients(&self, org: OrgId) -> StoreResult<Vec<OAuthClient>>;
    /// Deletes a client: its tokens stop authenticating at once. `NotFound` if absent.
    async fn delete_oauth_client(&self, org: OrgId, id: OAuthClientId) -> StoreResult<()>;
    /// A live client by its public `client_id`, across tenants.
    async fn find_oauth_client(&self, client_id: &str) -> StoreResult<Option<OAuthClient>>;
    /// The live client of a token, `None` when the client is gone or `jti` was revoked:
    /// the one query a bearer request costs.
    async fn find_token_client(
        &self,
        client_id: &str,
        jti: &str,
    ) -> StoreResult<Option<OAuthClient>>;
    /// Remembers a revoked token id until the token would have expired (idempotent).
    async fn revoke_token(
        &self,
        org: OrgId,
        jti: &str,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Forgets revoked token ids whose token expired before `now` (an expired token is
    /// refused anyway); returns how many rows went.
    async fn prune_revoked_tokens(&self, now: DateTime<Utc>) -> StoreResult<u64>;
    async fn create_signing_key(&self, key: &SigningKey) -> StoreResult<()>;
    /// Keys that still verify at `now` (`verify_until > now`), newest first.
    async fn list_signing_keys(&self, now: DateTime<Utc>) -> StoreResult<Vec<SigningKey>>;
    /// Counts one hit in each bucket's fixed window starting at `window_start`
    /// (microseconds; a row of an older window restarts at 1) and returns the counts, in
    /// order. One atomic statement, so replicas on one database share the counters.
    async fn hit_rate_windows(
        &self,
        buckets: &[String],
        window_start: i64,
    ) -> StoreResult<Vec<u64>>;
    /// The hits of a bucket in the window starting at `window_start`, without counting
    /// one (0 when its row belongs to an older window or does not exist).
    async fn rate_window_hits(&self, bucket: &str, window_start: i64) -> StoreResult<u64>;
}
