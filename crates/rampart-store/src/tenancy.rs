//! Tenancy: organizations, users and API keys.

use crate::StoreResult;
use async_trait::async_trait;
use rampart_domain::*;

/// Organizations, their users and API keys. Tenant-scoped except the look-ups that
/// resolve a tenant (`find_org_by_name`, `find_api_key_by_hash`, `count_orgs`).
#[async_trait]
pub trait TenancyStore: Send + Sync {
    /// Whether the database answers.
    async fn ping(&self) -> StoreResult<()>;
    /// Creates the organization and its organization principal (same id).
    async fn create_org(&self, org: &Organization) -> StoreResult<()>;
    async fn find_org_by_name(&self, name: &str) -> StoreResult<Option<Organization>>;
    async fn count_orgs(&self) -> StoreResult<u64>;
    async fn create_user(&self, user: &User) -> StoreResult<()>;
    async fn get_user(&self, org: OrgId, id: PrincipalId) -> StoreResult<User>;
    async fn find_user_by_email(&self, org: OrgId, email: &str) -> StoreResult<Option<User>>;
    async fn create_api_key(&self, key: &ApiKey) -> StoreResult<()>;
    /// Looks a key up by the hash of its token, across tenants.
    async fn find_api_key_by_hash(&self, hash: &str) -> StoreResult<Option<ApiKey>>;
}
