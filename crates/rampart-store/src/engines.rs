//! The engine half of the storage port: engine groups, engines, their credentials and
//! heartbeats.

use crate::{ListRequest, Page, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rampart_domain::*;

/// Engine groups, engines and engine credentials. Every method is tenant-scoped except
/// [`EngineStore::find_engine_by_token_hash`], which authenticates an engine across
/// tenants (as `find_api_key_by_hash` does for API keys).
///
/// Engine `status` is derived ([`Engine::status`]); the list method takes the instant
/// before which a last heartbeat means `OFFLINE` (`offline_before`) so that searching and
/// sorting on `engine.status` follow the same rules in SQL.
#[async_trait]
pub trait EngineStore: Send + Sync {
    /// `Conflict` when the organization has a group of that name.
    async fn create_engine_group(&self, g: &EngineGroup) -> StoreResult<()>;
    async fn get_engine_group(&self, org: OrgId, id: EngineGroupId) -> StoreResult<EngineGroup>;
    async fn update_engine_group(&self, g: &EngineGroup) -> StoreResult<()>;
    /// `Conflict` while engines are in the group or a scan config is assigned to it.
    async fn delete_engine_group(&self, org: OrgId, id: EngineGroupId) -> StoreResult<()>;
    async fn list_engine_groups(
        &self,
        org: OrgId,
        req: &ListRequest,
    ) -> StoreResult<Page<EngineGroup>>;

    /// Creates the engine and its credential in one transaction. `Conflict` when the
    /// organization has an engine of that name.
    async fn create_engine(&self, e: &Engine, credential: &EngineCredential) -> StoreResult<()>;
    async fn get_engine(&self, org: OrgId, id: EngineId) -> StoreResult<Engine>;
    /// Writes name, group and `auto_upgrade` (heartbeat fields are left alone).
    async fn update_engine(&self, e: &Engine) -> StoreResult<()>;
    /// Deletes the engine and its credential.
    async fn delete_engine(&self, org: OrgId, id: EngineId) -> StoreResult<()>;
    /// Engines of the organization (only those of `group` when given). `offline_before`:
    /// a last heartbeat before it (or none) makes an engine `OFFLINE` for `engine.status`.
    async fn list_engines(
        &self,
        org: OrgId,
        group: Option<EngineGroupId>,
        offline_before: DateTime<Utc>,
        req: &ListRequest,
    ) -> StoreResult<Page<Engine>>;
    /// How many engines of the group (`None`: the Default group) called in at or after
    /// `since`.
    async fn count_online_engines(
        &self,
        org: OrgId,
        group: Option<EngineGroupId>,
        since: DateTime<Utc>,
    ) -> StoreResult<u64>;
    /// Records a heartbeat: time, running scans, version, failure; clears the upgrade
    /// request when `beat.upgrade_settled`.
    async fn record_engine_heartbeat(
        &self,
        org: OrgId,
        id: EngineId,
        beat: &EngineBeat,
    ) -> StoreResult<()>;
    /// Marks (or clears) an upgrade request.
    async fn set_engine_upgrade_requested(
        &self,
        org: OrgId,
        id: EngineId,
        requested: bool,
    ) -> StoreResult<()>;

    /// The engine's credential; `NotFound` when it has none (revoked).
    async fn get_engine_credential(
        &self,
        org: OrgId,
        engine: EngineId,
    ) -> StoreResult<EngineCredential>;
    /// Replaces the engine's credential (or gives it one again after a revocation):
    /// the old token stops authenticating at once.
    async fn replace_engine_credential(&self, c: &EngineCredential) -> StoreResult<()>;
    /// Revokes the credential; `NotFound` when it has none.
    async fn delete_engine_credential(&self, org: OrgId, engine: EngineId) -> StoreResult<()>;
    /// The engine whose credential has this token hash, across tenants.
    async fn find_engine_by_token_hash(&self, hash: &str) -> StoreResult<Option<Engine>>;
}
