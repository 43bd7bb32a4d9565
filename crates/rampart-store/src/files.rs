//! App files (reference §3.9): metadata rows with their content stored beside them.

use crate::{ListRequest, Page, StoreResult, Visibility};
use async_trait::async_trait;
use rampart_domain::file::AppFile;
use rampart_domain::*;

/// App files; reads honour the [`Visibility`] of their app. Names are unique per app
/// (`Conflict`); deleting an app deletes its files.
#[async_trait]
pub trait FileStore: Send + Sync {
    /// Creates the metadata (no content: `size` is ignored and stored as none).
    async fn create_file(&self, f: &AppFile) -> StoreResult<()>;
    async fn get_file(
        &self,
        org: OrgId,
        app: AppId,
        id: FileId,
        vis: &Visibility,
    ) -> StoreResult<AppFile>;
    /// Writes name, description, type, locked, last updated (by); not the content.
    async fn update_file(&self, f: &AppFile) -> StoreResult<()>;
    /// Replaces the content (and `size`, last updated by/at).
    async fn put_file_content(
        &self,
        org: OrgId,
        app: AppId,
        id: FileId,
        content: &[u8],
        by: PrincipalId,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()>;
    /// The content; `None` while none was uploaded.
    async fn get_file_content(
        &self,
        org: OrgId,
        app: AppId,
        id: FileId,
        vis: &Visibility,
    ) -> StoreResult<Option<Vec<u8>>>;
    async fn delete_file(&self, org: OrgId, app: AppId, id: FileId) -> StoreResult<()>;
    /// A page of files: of one app, or (`None`) of every visible app (search).
    async fn list_files(
        &self,
        org: OrgId,
        app: Option<AppId>,
        vis: &Visibility,
        req: &ListRequest,
    ) -> StoreResult<Page<AppFile>>;
    /// The app's files called `names`, with their content (admission).
    async fn files_named(
        &self,
        org: OrgId,
        app: AppId,
        names: &[String],
    ) -> StoreResult<Vec<(AppFile, Option<Vec<u8>>)>>;
    /// Every file of the app, metadata only (a config's `errors[]`).
    async fn app_files(&self, org: OrgId, app: AppId) -> StoreResult<Vec<AppFile>>;
}
