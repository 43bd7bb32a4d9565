//! Typed ids: one newtype per resource over a UUID.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($($(#[$m:meta])* $name:ident),* $(,)?) => {$(
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh random id.
            pub fn new() -> Self {
                Self(Uuid::new_v4())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                Self(u)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    )*};
}

id_type!(
    /// An organization (tenant).
    OrgId,
    /// A user, service account or the organization's own principal.
    PrincipalId,
    /// An API key.
    ApiKeyId,
    /// An identity group (AppSec+): principals that share app access.
    IdentityGroupId,
    /// An OAuth client (client credentials of a principal).
    OAuthClientId,
    AppId,
    TargetId,
    TagId,
    AttackTemplateId,
    AttackModuleId,
    /// A module of the engine's catalogue (stable across releases).
    ModuleId,
    ScanConfigId,
    ScanId,
    VulnerabilityId,
    EngineGroupId,
    EngineId,
    /// A recurring scan of a scan config.
    ScheduleId,
    BlackoutId,
    /// A file of an app (reference §3.9).
    FileId,
    /// An audit log entry.
    AuditId,
    /// An export of the audit log.
    AuditExportId,
    /// A server-side report (reference §3.10).
    ReportId,
    /// An AppSec+ scan of imported results (sast, sca, container).
    PlusScanId,
    /// An AppSec+ finding imported from a tool's output.
    PlusFindingId,
    /// An AppSec+ gate policy.
    PolicyId,
    /// An AppSec+ webhook subscription.
    WebhookId,
    /// One delivery of one event to one webhook (a row of the outbox).
    WebhookDeliveryId,
    /// An AppSec+ integration connector (agents are engines: `EngineId`).
    ConnectorId,
);
