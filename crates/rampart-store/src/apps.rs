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
    /// Every app `vis` lets see with its tags (by tag name), by app name then id — the
    /// AppSec+ list answers all of them at once. Two reads whatever the number of apps
    /// (pages of `list_apps` cost a `COUNT(*)` and an `OFFSET` walk each, and a read of
    /// tags per app was one query per app).
    async fn list_apps_with_tags(
        &self,
        org: OrgId,
        vis: &Visibility,
    ) -> StoreResult<Vec<(App, Vec<Tag>)>>;
    async fn add_app_tag(&self, org: OrgId, app: AppId, tag: TagId) -> StoreResult<()>;
    async fn remove_app_tag(&self, org: OrgId, app: AppId, tag: TagId) -> StoreResult<()>;
}
