//! The organization's inventory: targets and tags.

use crate::{ListRequest, Page, StoreResult};
use async_trait::async_trait;
use rampart_domain::*;

/// Targets and tags of an organization.
#[async_trait]
pub trait InventoryStore: Send + Sync {
    async fn create_target(&self, t: &Target) -> StoreResult<()>;
    async fn get_target(&self, org: OrgId, id: TargetId) -> StoreResult<Target>;
    async fn update_target(&self, t: &Target) -> StoreResult<()>;
    /// `Conflict` when the target was scanned.
    async fn delete_target(&self, org: OrgId, id: TargetId) -> StoreResult<()>;
    async fn list_targets(&self, org: OrgId, req: &ListRequest) -> StoreResult<Page<Target>>;

    async fn create_tag(&self, t: &Tag) -> StoreResult<()>;
    async fn get_tag(&self, org: OrgId, id: TagId) -> StoreResult<Tag>;
    async fn find_tag_by_name(&self, org: OrgId, name: &str) -> StoreResult<Option<Tag>>;
    async fn update_tag(&self, t: &Tag) -> StoreResult<()>;
    /// `Conflict` when the tag is applied to an app and `cascade` is false.
    async fn delete_tag(&self, org: OrgId, id: TagId, cascade: bool) -> StoreResult<()>;
    async fn list_tags(&self, org: OrgId, req: &ListRequest) -> StoreResult<Page<Tag>>;
}
