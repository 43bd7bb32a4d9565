//! The storage traits and their supporting types.

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
    /// The database cannot serve the request now, but may later: the connection broke or
    /// the server is restarting, or its disk is full. The message is for the client (it
    /// says what is wrong and what to do); retrying the same request later may succeed.
    #[error("{0}")]
    Unavailable(String),
}

/// The message of [`StoreError::Unavailable`] when the database cannot be reached.
pub const DATABASE_AWAY: &str =
    "the database is unavailable (connection lost or server restarting); retry later";

/// The message of [`StoreError::Unavailable`] when the database's disk is full.
pub const DATABASE_FULL: &str =
    "the database is out of disk space; free space on its volume, then retry";

pub type StoreResult<T> = Result<T, StoreError>;

/// Which apps a caller may see.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Visibility {
    /// Organization keys and Product Admins.
    All,
    /// Only apps the principal may see: it is a member of the app, or one of its
    /// identity groups is (a grant of the app), or one of its groups is granted a tag the
    /// app carries. Resolved in SQL on every app-scoped read.
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

/// The whole storage port: every area's trait. Implemented for every type that implements
/// them all, so an adapter implements the areas and callers hold one `Arc<dyn Store>`.
pub trait Store:
    crate::TenancyStore
    + crate::IdentityStore
    + crate::AppStore
    + crate::InventoryStore
    + crate::TemplateStore
    + crate::ScanConfigStore
    + crate::ScanStore
    + crate::CoverageStore
    + crate::JobStore
    + crate::VulnStore
    + crate::EngineStore
    + crate::FileStore
    + crate::LeaderStore
    + crate::ScheduleStore
    + crate::BlackoutStore
    + crate::OAuthStore
    + crate::AuditStore
    + crate::ReportStore
    + crate::PlusStore
    + crate::ConsoleStore
    + crate::WebhookStore
    + crate::ConnectorStore
    + Send
    + Sync
    + 'static
{
}

impl<T> Store for T where
    T: crate::TenancyStore
        + crate::IdentityStore
        + crate::AppStore
        + crate::InventoryStore
        + crate::TemplateStore
        + crate::ScanConfigStore
        + crate::ScanStore
        + crate::CoverageStore
        + crate::JobStore
        + crate::VulnStore
        + crate::EngineStore
        + crate::FileStore
        + crate::LeaderStore
        + crate::ScheduleStore
        + crate::BlackoutStore
        + crate::OAuthStore
        + crate::AuditStore
        + crate::ReportStore
        + crate::PlusStore
        + crate::ConsoleStore
        + crate::WebhookStore
        + crate::ConnectorStore
        + Send
        + Sync
        + 'static
{
}
