//! The storage traits and their supporting types.

use async_trait::async_trait;
use rampart_domain::*;
use rampart_query::{Query, SortKey};

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("storage backend error: {0}")]
    Backend(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Which apps a caller may see.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Visibility {
    /// Organization keys and Product Admins.
    All,
    /// Only apps the principal is a member of.
    MemberOf(PrincipalId),
}

impl Visibility {
    pub fn of(p: &Principal) -> Self {
        if p.sees_all_apps() {
            Visibility::All
        } else {
            Visibility::MemberOf(p.id)
        }
    }
}

/// A page request: 0-based index, size, sort terms and an optional search filter.
#[derive(Clone, Debug)]
pub struct ListRequest {
    pub index: u64,
    pub size: u64,
    pub sort: Vec<SortKey>,
    pub filter: Option<Query>,
}

impl ListRequest {
    pub fn first(size: u64) -> Self {
        Self {
            index: 0,
            size,
            sort: Vec::new(),
            filter: None,
        }
    }
}

/// One page of results and the total number of matching rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
}

/// The storage port. All methods are tenant-scoped by `org`.
#[async_trait]
pub trait Store: crate::ScanStore + crate::EngineStore + Send + Sync + 'static {
    /// Whether the database answers.
    async fn ping(&self) -> StoreResult<()>;

    // --- tenancy and credentials ---
    /// Creates the organization and its organization principal (same id).
    async fn create_org(&self, org: &Organization) -> StoreResult<()>;
    async fn get_org(&self, id: OrgId) -> StoreResult<Organization>;
    async fn find_org_by_name(&self, name: &str) -> StoreResult<Option<Organization>>;
    async fn count_orgs(&self) -> StoreResult<u64>;
    async fn create_user(&self, user: &User) -> StoreResult<()>;
    async fn get_user(&self, org: OrgId, id: PrincipalId) -> StoreResult<User>;
    async fn find_user_by_email(&self, org: OrgId, email: &str) -> StoreResult<Option<User>>;
    async fn create_api_key(&self, key: &ApiKey) -> StoreResult<()>;
    /// Looks a key up by the hash of its token, across tenants.
    async fn find_api_key_by_hash(&self, hash: &str) -> StoreResult<Option<ApiKey>>;

    // --- apps ---
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
    async fn list_app_members(&self, org: OrgId, app: AppId) -> StoreResult<Vec<PrincipalId>>;
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
    async fn add_app_tag(&self, org: OrgId, app: AppId, tag: TagId) -> StoreResult<()>;
    async fn remove_app_tag(&self, org: OrgId, app: AppId, tag: TagId) -> StoreResult<()>;

    // --- targets ---
    async fn create_target(&self, t: &Target) -> StoreResult<()>;
    async fn get_target(&self, org: OrgId, id: TargetId) -> StoreResult<Target>;
    async fn update_target(&self, t: &Target) -> StoreResult<()>;
    /// `Conflict` when the target was scanned.
    async fn delete_target(&self, org: OrgId, id: TargetId) -> StoreResult<()>;
    async fn list_targets(&self, org: OrgId, req: &ListRequest) -> StoreResult<Page<Target>>;

    // --- tags ---
    async fn create_tag(&self, t: &Tag) -> StoreResult<()>;
    async fn get_tag(&self, org: OrgId, id: TagId) -> StoreResult<Tag>;
    async fn update_tag(&self, t: &Tag) -> StoreResult<()>;
    /// `Conflict` when the tag is applied to an app and `cascade` is false.
    async fn delete_tag(&self, org: OrgId, id: TagId, cascade: bool) -> StoreResult<()>;
    async fn list_tags(&self, org: OrgId, req: &ListRequest) -> StoreResult<Page<Tag>>;

    // --- attack templates ---
    async fn create_attack_template(
        &self,
        t: &AttackTemplate,
        modules: &[AttackModule],
    ) -> StoreResult<()>;
    async fn get_attack_template(
        &self,
        org: OrgId,
        id: AttackTemplateId,
    ) -> StoreResult<AttackTemplate>;
    async fn update_attack_template(&self, t: &AttackTemplate) -> StoreResult<()>;
    /// `Conflict` while a scan config uses it.
    async fn delete_attack_template(&self, org: OrgId, id: AttackTemplateId) -> StoreResult<()>;
    async fn list_attack_templates(
        &self,
        org: OrgId,
        req: &ListRequest,
    ) -> StoreResult<Page<AttackTemplate>>;
    async fn list_attack_modules(
        &self,
        org: OrgId,
        template: AttackTemplateId,
    ) -> StoreResult<Vec<AttackModule>>;
    async fn get_attack_module(
        &self,
        org: OrgId,
        template: AttackTemplateId,
        id: AttackModuleId,
    ) -> StoreResult<AttackModule>;
    async fn create_attack_module(&self, org: OrgId, m: &AttackModule) -> StoreResult<()>;
    async fn update_attack_module(&self, org: OrgId, m: &AttackModule) -> StoreResult<()>;
    async fn delete_attack_module(
        &self,
        org: OrgId,
        template: AttackTemplateId,
        id: AttackModuleId,
    ) -> StoreResult<()>;

    // --- scan configs ---
    async fn create_scan_config(&self, c: &ScanConfig) -> StoreResult<()>;
    async fn get_scan_config(
        &self,
        org: OrgId,
        id: ScanConfigId,
        vis: &Visibility,
    ) -> StoreResult<ScanConfig>;
    async fn update_scan_config(&self, c: &ScanConfig) -> StoreResult<()>;
    async fn delete_scan_config(&self, org: OrgId, id: ScanConfigId) -> StoreResult<()>;
    async fn list_scan_configs(
        &self,
        org: OrgId,
        vis: &Visibility,
        req: &ListRequest,
    ) -> StoreResult<Page<ScanConfig>>;
}
