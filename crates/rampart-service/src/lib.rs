//! rampart's use cases: every operation of both APIs, with its authorization.
//!
//! Invariants:
//! - every operation takes the authenticated [`Principal`] and checks the role table
//!   before changing anything;
//! - an object outside the caller's tenant or app visibility is [`ServiceError::NotFound`]
//!   (existence is never disclosed); [`ServiceError::Forbidden`] is only for an object
//!   the caller can see but may not change;
//! - validation problems are collected and reported together;
//! - no transport or storage crate is imported: the store is a trait object, time a
//!   [`Clock`].

mod apps;
mod auth;
mod error;
mod inventory;
mod modules;
mod scan_configs;
mod search;
mod templates;
mod vulns;

pub use apps::AppInput;
pub use auth::{hash_token, KeyRequest, NewKey};
pub use error::{Problem, ProblemKind, ServiceError, ServiceResult};
pub use inventory::{TagInput, TargetInput};
pub use modules::ModuleConfig;
pub use scan_configs::{OptionsWrite, ScanConfigInput, ScanConfigView};
pub use search::{query_problem, SearchResults};
pub use templates::{AttackModuleInput, AttackTemplateInput};
pub use vulns::{VarianceDoc, VarianceFilter, COMMENT_MAX};

use rampart_domain::catalogue::ModuleMeta;
use rampart_domain::time::Clock;
use rampart_domain::{Action, Principal, Resource};
use rampart_store::Store;
use std::sync::Arc;

/// The application core, shared by every request handler.
#[derive(Clone)]
pub struct Service {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    catalogue: &'static [ModuleMeta],
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("modules", &self.catalogue.len())
            .finish_non_exhaustive()
    }
}

impl Service {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        catalogue: &'static [ModuleMeta],
    ) -> Self {
        Self {
            store,
            clock,
            catalogue,
        }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn catalogue(&self) -> &'static [ModuleMeta] {
        self.catalogue
    }

    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Whether the database answers (readiness).
    pub async fn ready(&self) -> ServiceResult<()> {
        Ok(self.store.ping().await?)
    }
}

/// 403 unless the role allows `action` on `resource`.
pub(crate) fn require(p: &Principal, resource: Resource, action: Action) -> ServiceResult<()> {
    if p.can(resource, action) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(format!(
            "the {} role may not {} {}",
            p.role.as_str(),
            match action {
                Action::Read => "read",
                Action::Manage => "change",
                Action::Administer => "administer",
            },
            resource_name(resource)
        )))
    }
}

fn resource_name(r: Resource) -> &'static str {
    match r {
        Resource::Apps => "apps",
        Resource::AttackTemplates => "attack templates",
        Resource::Targets => "targets",
        Resource::ScanConfigs => "scan configs",
        Resource::Scans => "scans",
        Resource::Vulnerabilities => "vulnerabilities",
        Resource::VulnerabilityComments => "vulnerability comments",
        Resource::Engines => "engines",
        Resource::EngineGroups => "engine groups",
        Resource::Schedules => "schedules",
        Resource::Blackouts => "blackouts",
        Resource::GlobalBlackouts => "global blackouts",
        Resource::Files => "files",
        Resource::Tags => "tags",
        Resource::Reports => "reports",
    }
}
