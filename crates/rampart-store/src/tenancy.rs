//! Tenancy: organizations, users, service accounts and API keys.

use crate::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rampart_domain::*;

/// A key that may authenticate (not revoked, owner active), with its owner's current
/// role (users and service accounts; `None` for the organization or a legacy user).
#[derive(Clone, Debug, PartialEq)]
pub struct LiveKey {
    pub key: ApiKey,
    pub owner_role: Option<Role>,
}

/// An API key as listed: the key and who owns it.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyListing {
    pub key: ApiKey,
    pub owner: PrincipalRef,
}

/// Organizations, their users and API keys. Tenant-scoped except the look-ups that
/// resolve a tenant (`find_org_by_name`, `find_live_key`, `count_orgs`, `list_orgs`).
#[async_trait]
pub trait TenancyStore: Send + Sync {
    /// Whether the database answers.
    async fn ping(&self) -> StoreResult<()>;
    /// Creates the organization and its organization principal (same id).
    async fn create_org(&self, org: &Organization) -> StoreResult<()>;
    async fn find_org_by_name(&self, name: &str) -> StoreResult<Option<Organization>>;
    async fn get_org(&self, id: OrgId) -> StoreResult<Organization>;
    /// Every organization, by name (an operator's view).
    async fn list_orgs(&self) -> StoreResult<Vec<Organization>>;
    async fn count_orgs(&self) -> StoreResult<u64>;
    /// Renames an organization (`NotFound`, `Conflict` on a taken name).
    async fn rename_org(&self, id: OrgId, name: &str) -> StoreResult<()>;
    /// Deletes an organization and, by cascade, everything it owns (principals, keys,
    /// clients, apps, scans, findings, audit log…) in one transaction (`NotFound`).
    async fn delete_org(&self, id: OrgId) -> StoreResult<()>;

    async fn create_user(&self, user: &User) -> StoreResult<()>;
    async fn get_user(&self, org: OrgId, id: PrincipalId) -> StoreResult<User>;
    async fn find_user_by_email(&self, org: OrgId, email: &str) -> StoreResult<Option<User>>;
    /// The tenant's users by email.
    async fn list_users(&self, org: OrgId) -> StoreResult<Vec<User>>;
    /// Writes display name, role and status.
    async fn update_user(&self, user: &User) -> StoreResult<()>;
    /// Sets (or clears) a user's password hash (a PHC string).
    async fn set_password_hash(
        &self,
        org: OrgId,
        user: PrincipalId,
        hash: Option<&str>,
    ) -> StoreResult<()>;
    /// A user and its password hash, by email.
    async fn find_password_hash(
        &self,
        org: OrgId,
        email: &str,
    ) -> StoreResult<Option<(User, Option<String>)>>;

    async fn create_service_account(&self, sa: &ServiceAccount) -> StoreResult<()>;
    async fn get_service_account(&self, org: OrgId, id: PrincipalId)
        -> StoreResult<ServiceAccount>;
    async fn list_service_accounts(&self, org: OrgId) -> StoreResult<Vec<ServiceAccount>>;
    /// Writes name, role and status.
    async fn update_service_account(&self, sa: &ServiceAccount) -> StoreResult<()>;
    /// Deletes a user or service account of the tenant (`kind`; `NotFound` otherwise) with
    /// its keys, OAuth clients, group memberships and app memberships, in one transaction.
    /// Audit entries keep its id (they have no foreign key on the actor).
    async fn delete_principal(
        &self,
        org: OrgId,
        id: PrincipalId,
        kind: PrincipalKind,
    ) -> StoreResult<()>;
    /// Any principal of the tenant (user, service account, the organization).
    async fn get_principal(&self, org: OrgId, id: PrincipalId) -> StoreResult<PrincipalRef>;

    async fn create_api_key(&self, key: &ApiKey) -> StoreResult<()>;
    /// Looks a key up by the hash of its token, across tenants: only a key that is not
    /// revoked and whose owner is not disabled. Always reads the database (no cache), so
    /// a revocation or a disabled owner holds on every replica at the next request.
    async fn find_live_key(&self, hash: &str) -> StoreResult<Option<LiveKey>>;
    /// Records a use: sets `last_used_at` to `at` unless it is already after `not_before`
    /// (so a busy key writes at most once per interval).
    async fn touch_api_key(
        &self,
        id: ApiKeyId,
        at: DateTime<Utc>,
        not_before: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// The tenant's keys that are not revoked (optionally one owner's), newest first.
    async fn list_api_keys(
        &self,
        org: OrgId,
        owner: Option<PrincipalId>,
    ) -> StoreResult<Vec<KeyListing>>;
    /// A key that is not revoked.
    async fn get_api_key(&self, org: OrgId, id: ApiKeyId) -> StoreResult<KeyListing>;
    /// Revokes a key (`NotFound` when it is unknown or already revoked).
    async fn revoke_api_key(&self, org: OrgId, id: ApiKeyId, at: DateTime<Utc>) -> StoreResult<()>;
    /// Revokes `old` and stores `new` in one transaction (`NotFound`: nothing written).
    async fn rotate_api_key(
        &self,
        org: OrgId,
        old: ApiKeyId,
        new: &ApiKey,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
}
