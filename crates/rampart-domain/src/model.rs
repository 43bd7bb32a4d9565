//! The entities of the inventory. Times are UTC; every entity carries its tenant.

use crate::ids::*;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

macro_rules! str_enum {
    ($(#[$m:meta])* $name:ident { $($var:ident = $s:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $s)] $var),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$var),*];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$var => $s),* }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some($name::$var),)* _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use str_enum;

str_enum!(
    /// Vulnerability and module severity, lowest first.
    Severity {
        Safe = "SAFE",
        Informational = "INFORMATIONAL",
        Low = "LOW",
        Medium = "MEDIUM",
        High = "HIGH",
        Critical = "CRITICAL",
    }
);

str_enum!(
    /// Where an attack module injects.
    ParameterLocation {
        Directory = "DIRECTORY",
        File = "FILE",
        Path = "PATH",
        Query = "QUERY",
        Fragment = "FRAGMENT",
        Post = "POST",
        HttpHeader = "HTTP_HEADER",
        Cookie = "COOKIE",
        Referer = "REFERER",
    }
);

str_enum!(
    AttackPrioritization {
        Sequential = "SEQUENTIAL",
        Smart = "SMART",
        Randomized = "RANDOMIZED",
    }
);

str_enum!(
    /// Whether a module sends attacks or only reads traffic.
    ModuleType {
        Active = "ACTIVE",
        Passive = "PASSIVE",
    }
);

str_enum!(
    AssignmentType { EngineGroup = "ENGINE_GROUP" }
);

str_enum!(
    Environment {
        Cloud = "CLOUD",
        OnPremise = "ON_PREMISE",
    }
);

#[derive(Clone, Debug, PartialEq)]
pub struct Organization {
    pub id: OrgId,
    pub name: String,
    pub created_at: DateTime<Utc>,
    /// The operator organization (the first of an install): its Product Admins and
    /// organization keys administer the other tenants (`/organizations`).
    pub operator: bool,
}

/// A human principal. A user key acts with at most the user's role (`None`: users made
/// before roles were kept on the user; each key's own role applies).
#[derive(Clone, Debug, PartialEq)]
pub struct User {
    pub id: PrincipalId,
    pub org: OrgId,
    pub email: String,
    pub display_name: Option<String>,
    pub role: Option<crate::Role>,
    pub status: crate::identity::PrincipalStatus,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct App {
    pub id: AppId,
    pub org: OrgId,
    pub name: String,
    pub description: Option<String>,
    /// The AppSec+ fields (same row).
    pub profile: crate::plus::AppProfile,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub id: TargetId,
    pub org: OrgId,
    pub domain: String,
    pub enabled: bool,
    pub archived: bool,
    /// Set once a scan has used it; a scanned target can no longer be deleted.
    pub scanned: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Tag {
    pub id: TagId,
    pub org: OrgId,
    pub name: String,
    pub creator: PrincipalId,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AttackTemplate {
    pub id: AttackTemplateId,
    pub org: OrgId,
    pub name: String,
    pub description: Option<String>,
    pub system_defined: bool,
    pub browser_encoding_enabled: bool,
    pub attack_prioritization: AttackPrioritization,
    pub advanced_attacks_enabled: bool,
    pub false_positive_regex: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// One module's settings inside an attack template.
#[derive(Clone, Debug, PartialEq)]
pub struct AttackModule {
    pub id: AttackModuleId,
    pub template: AttackTemplateId,
    pub module: ModuleId,
    pub enabled: bool,
    pub parameter_locations: Vec<ParameterLocation>,
    pub severity: Severity,
    pub max_findings: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Assignment {
    pub kind: AssignmentType,
    pub engine_group: Option<EngineGroupId>,
    pub environment: Environment,
}

impl Default for Assignment {
    fn default() -> Self {
        Self {
            kind: AssignmentType::EngineGroup,
            engine_group: None,
            environment: Environment::Cloud,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ScanConfig {
    pub id: ScanConfigId,
    pub org: OrgId,
    pub app: AppId,
    pub name: String,
    pub description: Option<String>,
    pub attack_template: AttackTemplateId,
    pub incremental: bool,
    pub assignment: Assignment,
    /// The options document (`ScanConfigOptions`), stored as given after validation.
    pub options: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An API key as stored: never the token itself.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiKey {
    pub id: ApiKeyId,
    pub org: OrgId,
    pub principal: PrincipalId,
    pub kind: crate::PrincipalKind,
    pub role: crate::Role,
    pub name: String,
    pub prefix: String,
    pub hash: String,
    pub created_at: DateTime<Utc>,
    /// When the key last authenticated a request (kept to the minute).
    pub last_used_at: Option<DateTime<Utc>>,
}
