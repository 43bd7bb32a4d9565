//! Apps, their members and their tags.

use crate::{ListRequest, Page, StoreResult, Visibility};
use async_trait::async_trait;
use rampart_domain::*;

/// Apps and what hangs directly off them (members, tag links). App-scoped reads honour
/// [`Visibility`].
#[async_trait]
pub trait AppStore: Send + Sync {
    /// Creates the app; `member`, when given, becomes its first member.
    async fn create_app(&self, app: &App, member: Option<PrincipalId>) -> StoreResult<()>;
    async fn get_app(&self, org: OrgId, id: AppId, vis: &Visibility) -> StoreResult<App>;
    async fn update_app(&self, app: &App) -> StoreResult<()>;
    /// Deletes the app and everything it owns.
    async fn delete_app(&self, org: OrgId, id: AppId) -> StoreResult<()>;
    async fn list_apps(
        &self,
        org: OrgId,
        vis: &Visibility,
        req: &ListRequest,
    ) -> StoreResult<Page<App>>;
    /// The principals (users, service accounts) that are members of the app, by id; the
    /// identity groups granted the app are not listed here (see `IdentityStore`).
    async fn list_app_members(&self, org: OrgId, app: AppId) -> StoreResult<Vec<PrincipalRef>>;
    /// Adds a member; adding an existing member is a no-op.
    async fn add_app_member(
        &self,
        org: OrgId,
        app: AppId,
        principal: PrincipalId,
    ) -> StoreResult<()>;
    /// `NotFound` when the principal is not a member.
    async fn remove_app_member(
        &self,
        org: OrgId,
        app: AppId,
        principal: PrincipalId,
    ) -> StoreResult<()>;
    async fn list_app_tags(&self, org: OrgId, app: AppId) -> StoreResult<Vec<Tag>>;
    /// The tags of each of `apps` in one read (a list of applications shows them all), by
    /// app then tag name; an app without tags has no pair.
    async fn list_tags_of_apps(&self, org: OrgId, apps: &[AppId])
        -> StoreResult<Vec<(AppId, Tag)>>;
    async fn add_app_tag(&self, org: OrgId, app: AppId, tag: TagId) -> StoreResult<()>;
    async fn remove_app_tag(&self, org: OrgId, app: AppId, tag: TagId) -> StoreResult<()>;
}
