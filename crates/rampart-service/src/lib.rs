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

#![deny(clippy::unwrap_used, clippy::expect_used)]

mod apps;
mod audit;
mod auth;
mod blackouts;
mod compare;
mod config_secrets;
mod connectors;
mod console;
mod engines;
mod error;
mod file_content;
mod files;
mod groups;
mod inventory;
mod jobs;
mod local_source;
mod login_test;
mod modules;
mod oauth;
mod orgs;
mod plus;
mod policies;
mod progress;
mod reports;
mod scan_configs;
mod scan_policies;
mod scans;
mod schedules;
mod search;
mod secret;
mod templates;
mod users;
mod vulns;
mod webhooks;

pub use apps::{AppInput, MemberRef};
pub use audit::{EXPORT_MAX_ENTRIES, EXPORT_TTL_HOURS};
pub use auth::key_prefix;
pub use auth::{hash_token, KeyOwner, KeyRequest, NewKey, DEFAULT_ORG};
pub use blackouts::{BlackoutInput, BlackoutView, EnforceReport};
pub use compare::{diff, ScanComparison, ScanDiff, TrendEntry};
pub use connectors::{
    agent_health, agent_status, ConnectorInput, ConnectorProbe, ConnectorView, NewConnector,
};
pub use console::{random_token, ConsoleCaller, NewConsoleSession, CONSOLE_SESSION_HOURS};
pub use engines::{
    Availability, EngineDirective, EngineGroupInput, EngineInput, EngineReport, EngineView,
    ENGINE_OFFLINE_AFTER_SECONDS, ENGINE_TOKEN_PREFIX, SERVER_VERSION,
};
pub use error::{Problem, ProblemKind, ServiceError, ServiceResult};
pub use file_content::content_problem;
pub use files::FileInput;
pub use groups::GroupInput;
pub use inventory::{normalize_domain, TagInput, TargetInput};
pub use jobs::{JobError, JobResult, JobSettings, ReaperReport};
pub use local_source::LocalSource;
pub use login_test::{LoginProbe, LoginTest};
pub use modules::ModuleConfig;
pub use oauth::keys::OAuthSettings;
pub use oauth::rate_limit::{RateDecision, RateLimitConfig, RatePolicy};
pub use oauth::{BearerError, IssuedToken, NewOAuthClient, OAuthClientInput, OAuthError, AUDIENCE};
pub use plus::{
    AnyVulnerability, ImportDelta, ImportOutcome, PlusAppFilter, PlusAppInput, PlusAppView,
    DAST_LIST_MAX,
};
pub use policies::{DutyReport, PolicyInput, PolicyOutcome, DECIDING_MAX, EVALUATION_MAX};
pub use progress::PROGRESS_POLL;
pub use reports::{ReportInput, ReportKindRules, ReportSection, TrendData, TrendPoint};
pub use scan_configs::{OptionsWrite, ScanConfigInput, ScanConfigView};
pub use scans::{ScanInput, ScanParent};
pub use schedules::{FireReport, ScheduleInput};
pub use search::{query_problem, SearchResults};
pub use secret::SecretKey;
pub use templates::{AttackModuleInput, AttackTemplateInput};
pub use users::{ServiceAccountInput, UserInput, EMAIL_PATTERN, MAX_EMAIL, MIN_PASSWORD};
pub use vulns::{VarianceDoc, VarianceFilter, COMMENT_MAX};
pub use webhooks::{
    literal_class, webhook_signature, NewWebhook, OutgoingDelivery, RetryBounds, WebhookInput,
    SIGNATURE_HEADERS,
};

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
    /// Seals engine credentials; see [`Service::with_secret_key`].
    secret_key: Arc<SecretKey>,
    engine_offline_after: chrono::Duration,
    jobs: Arc<jobs::JobQueue>,
    /// Token settings and the cached signing key ring.
    oauth: Arc<oauth::keys::OAuthState>,
    /// Notified when a report is requested (the generator waits on it).
    report_wake: Arc<tokio::sync::Notify>,
    /// Notified when webhook deliveries are written (the deliverer waits on it).
    webhook_wake: Arc<tokio::sync::Notify>,
    /// Whether webhook URLs may be plain `http` (tests and local receivers); default no.
    webhook_http: bool,
    /// Whether webhook receivers may be loopback, private or link-local addresses (tests
    /// and receivers inside the network); default no (an SSRF guard).
    webhook_private: bool,
    /// Runs the engine's login for "test login" (`login_test.rs`); plugged in by the binary.
    login_probe: Option<login_test::LoginProbe>,
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
            secret_key: Arc::new(SecretKey::generate()),
            engine_offline_after: chrono::Duration::seconds(ENGINE_OFFLINE_AFTER_SECONDS),
            jobs: Arc::default(),
            oauth: Arc::default(),
            report_wake: Arc::default(),
            webhook_wake: Arc::default(),
            webhook_http: false,
            webhook_private: false,
            login_probe: None,
        }
    }

    /// Access-token lifetime and signing-key rotation.
    pub fn with_oauth_settings(mut self, settings: OAuthSettings) -> Self {
        self.oauth = Arc::new(oauth::keys::OAuthState::new(settings));
        self
    }

    /// The access-token settings in force.
    pub fn oauth_settings(&self) -> &OAuthSettings {
        &self.oauth.settings
    }

    /// The server's secret key (from the configuration or a key file). Without one, a
    /// process-local key is used and engine credentials cannot be shown again after a
    /// restart (they still authenticate; `PUT /engines/{id}/credential` issues new ones).
    pub fn with_secret_key(mut self, key: SecretKey) -> Self {
        self.secret_key = Arc::new(key);
        self
    }

    /// How long without a heartbeat makes an engine `OFFLINE`.
    pub fn with_engine_offline_after(mut self, d: chrono::Duration) -> Self {
        self.engine_offline_after = d;
        self
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn catalogue(&self) -> &'static [ModuleMeta] {
        self.catalogue
    }

    /// The clock every use case reads (background duties such as the scheduler read it too).
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
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
        Resource::Identity => "users, service accounts, keys and identity groups",
        Resource::Webhooks => "webhooks",
    }
}
