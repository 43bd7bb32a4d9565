//! AppSec+ integration connectors (agents are engines, `EngineStore`).

use crate::StoreResult;
use async_trait::async_trait;
use rampart_domain::*;

/// Integration connectors of a tenant; names are unique per tenant (`Conflict`).
#[async_trait]
pub trait ConnectorStore: Send + Sync {
    async fn create_connector(&self, c: &Connector) -> StoreResult<()>;
    async fn get_connector(&self, org: OrgId, id: ConnectorId) -> StoreResult<Connector>;
    /// By name.
    async fn list_connectors(&self, org: OrgId) -> StoreResult<Vec<Connector>>;
    /// Overwrites every field but `id`, `org` and `created_at`.
    async fn update_connector(&self, c: &Connector) -> StoreResult<()>;
    async fn delete_connector(&self, org: OrgId, id: ConnectorId) -> StoreResult<()>;
}
