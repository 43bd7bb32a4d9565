//! Identity groups: their members and their grants of app access (by app, by tag).

use crate::StoreResult;
use async_trait::async_trait;
use rampart_domain::*;

/// A group with what it holds.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupView {
    pub group: IdentityGroup,
    pub members: Vec<PrincipalRef>,
    pub apps: Vec<AppId>,
    pub tags: Vec<Tag>,
}

/// Identity groups of a tenant. Visibility of app-scoped reads follows these grants
/// (see `Visibility`): a member of a group sees the apps granted to the group and every
/// app carrying a tag granted to it.
#[async_trait]
pub trait IdentityStore: Send + Sync {
    /// `Conflict` when the name is taken in the tenant.
    async fn create_group(&self, group: &IdentityGroup) -> StoreResult<()>;
    async fn get_group(&self, org: OrgId, id: IdentityGroupId) -> StoreResult<GroupView>;
    async fn find_group_by_name(
        &self,
        org: OrgId,
        name: &str,
    ) -> StoreResult<Option<IdentityGroup>>;
    /// The tenant's groups by name.
    async fn list_groups(&self, org: OrgId) -> StoreResult<Vec<GroupView>>;
    /// Writes name, description, source, external id and `updated_at`.
    async fn update_group(&self, group: &IdentityGroup) -> StoreResult<()>;
    /// Deletes the group, its memberships and its grants.
    async fn delete_group(&self, org: OrgId, id: IdentityGroupId) -> StoreResult<()>;
    /// Adds a member (no-op when it is one already). The caller checks both are of `org`.
    async fn add_group_member(
        &self,
        org: OrgId,
        group: IdentityGroupId,
        member: PrincipalId,
    ) -> StoreResult<()>;
    async fn remove_group_member(
        &self,
        org: OrgId,
        group: IdentityGroupId,
        member: PrincipalId,
    ) -> StoreResult<()>;
    /// Grants the group access to an app (no-op when granted already).
    async fn grant_group_app(
        &self,
        org: OrgId,
        group: IdentityGroupId,
        app: AppId,
    ) -> StoreResult<()>;
    async fn revoke_group_app(
        &self,
        org: OrgId,
        group: IdentityGroupId,
        app: AppId,
    ) -> StoreResult<()>;
    /// Grants the group every app carrying `tag`, now and later.
    async fn grant_group_tag(
        &self,
        org: OrgId,
        group: IdentityGroupId,
        tag: TagId,
    ) -> StoreResult<()>;
    async fn revoke_group_tag(
        &self,
        org: OrgId,
        group: IdentityGroupId,
        tag: TagId,
    ) -> StoreResult<()>;
}
