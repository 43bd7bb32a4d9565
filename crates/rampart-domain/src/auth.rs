//! Principals, roles and the permission table of the InsightAppSec contract (§5.3).
//!
//! A credential (API key today, OAuth client credentials later) resolves to a
//! [`Principal`]: the tenant, who acts, with which role. Authorization decisions are
//! pure functions of the principal and the resource, so they can be tested as a table.

use crate::ids::{OrgId, PrincipalId};
use serde::{Deserialize, Serialize};

pub use crate::scopes::{Scope, Scopes};

/// A role; the InsightAppSec product roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    ProductAdmin,
    ReadWrite,
    ReadOnly,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::ProductAdmin, Role::ReadWrite, Role::ReadOnly];

    /// The stored (and CLI) spelling: `product-admin`, `read-write`, `read-only`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::ProductAdmin => "product-admin",
            Role::ReadWrite => "read-write",
            Role::ReadOnly => "read-only",
        }
    }

    /// Product Admin 2, Read Write 1, Read Only 0.
    pub fn rank(self) -> u8 {
        match self {
            Role::ProductAdmin => 2,
            Role::ReadWrite => 1,
            Role::ReadOnly => 0,
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "product-admin" => Some(Role::ProductAdmin),
            "read-write" => Some(Role::ReadWrite),
            "read-only" => Some(Role::ReadOnly),
            _ => None,
        }
    }
}

/// What kind of principal a credential stands for.
///
/// `ServiceAccount` is the AppSec+ non-human principal holding OAuth client
/// credentials; `Organization` is the tenant itself (organization keys).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PrincipalKind {
    User,
    ServiceAccount,
    Organization,
}

impl PrincipalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::User => "USER",
            PrincipalKind::ServiceAccount => "SERVICE_ACCOUNT",
            PrincipalKind::Organization => "ORGANIZATION",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "USER" => Some(Self::User),
            "SERVICE_ACCOUNT" => Some(Self::ServiceAccount),
            "ORGANIZATION" => Some(Self::Organization),
            _ => None,
        }
    }
}

/// An authenticated caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub org: OrgId,
    pub id: PrincipalId,
    pub kind: PrincipalKind,
    pub role: Role,
    /// What the credential may do on top of the role: every scope for an `X-Api-Key`,
    /// the token's (narrowed) scopes for a bearer token.
    pub scopes: Scopes,
    /// The credential that authenticated the request (API key or OAuth client id), for
    /// per-credential rate limits; `None` for in-process callers.
    pub credential: Option<uuid::Uuid>,
}

impl Principal {
    /// A principal with every scope and no credential (in-process callers, tests).
    pub fn new(org: OrgId, id: PrincipalId, kind: PrincipalKind, role: Role) -> Self {
        Self {
            org,
            id,
            kind,
            role,
            scopes: Scopes::ALL,
            credential: None,
        }
    }

    /// Whether the credential carries `scope` (e.g. `"audit:read"`); unknown names are false.
    pub fn has_scope(&self, scope: &str) -> bool {
        Scope::parse(scope).is_some_and(|s| self.scopes.contains(s))
    }

    /// Organization keys and Product Admins see every app of the tenant; other principals
    /// see the apps they are members of, directly or through an identity group's grant
    /// (of the app, or of one of its tags).
    pub fn sees_all_apps(&self) -> bool {
        self.kind == PrincipalKind::Organization || self.role == Role::ProductAdmin
    }

    /// Whether this caller may read (and export) the tenant's audit log: Product Admins and
    /// organization keys whose credential carries the `audit:read` scope (its own scope,
    /// not part of `read`: appsecplus-api.md §5 decision 4). The one home of this rule.
    pub fn may_read_audit(&self) -> bool {
        self.role == Role::ProductAdmin && self.scopes.contains(Scope::AuditRead)
    }

    pub fn can(&self, resource: Resource, action: Action) -> bool {
        permission(self.role, resource).allows(action)
    }
}

/// The resources of the permission table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Resource {
    Apps,
    AttackTemplates,
    Targets,
    ScanConfigs,
    Scans,
    Vulnerabilities,
    VulnerabilityComments,
    Engines,
    EngineGroups,
    Schedules,
    Blackouts,
    GlobalBlackouts,
    Files,
    Tags,
    Reports,
    /// Users, service accounts, API keys, identity groups, the organization (rampart's
    /// own row: administration is Product Admin only).
    Identity,
    /// AppSec+ webhook subscriptions and their deliveries: an event carries data of every
    /// application of the tenant, so Product Admin only.
    Webhooks,
}

/// What a caller wants to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    Read,
    /// Create, update, delete own things.
    Manage,
    /// Change or delete what others created (e.g. other users' comments).
    Administer,
}

/// A cell of the permission table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Permission {
    None,
    Read,
    Manage,
    Administer,
}

impl Permission {
    pub fn allows(self, action: Action) -> bool {
        let needed = match action {
            Action::Read => Permission::Read,
            Action::Manage => Permission::Manage,
            Action::Administer => Permission::Administer,
        };
        self >= needed
    }
}

/// The table of reference §5.3. Attack templates: the table gives every role only
/// "Read"; rampart lets Product Admin and Read Write manage *custom* templates (system
/// templates stay read-only for everyone), as they manage scan configs.
pub fn permission(role: Role, resource: Resource) -> Permission {
    use Permission as P;
    use Resource as R;
    match (role, resource) {
        (Role::ProductAdmin, R::VulnerabilityComments) => P::Administer,
        (Role::ProductAdmin, _) => P::Manage,
        (_, R::Identity | R::Webhooks) => P::None,
        (Role::ReadWrite, R::Targets | R::Engines | R::EngineGroups) => P::Read,
        (Role::ReadWrite, R::GlobalBlackouts) => P::None,
        (Role::ReadWrite, _) => P::Manage,
        (Role::ReadOnly, R::GlobalBlackouts) => P::None,
        (Role::ReadOnly, _) => P::Read,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_audit_log_needs_product_admin_and_the_audit_read_scope() {
        let admin = Principal::new(
            OrgId::new(),
            PrincipalId::new(),
            PrincipalKind::ServiceAccount,
            Role::ProductAdmin,
        );
        assert!(admin.may_read_audit(), "an X-Api-Key carries every scope");
        let read = Principal {
            scopes: Scopes::parse("read identity:write").unwrap_or(Scopes::NONE),
            ..admin.clone()
        };
        assert!(!read.may_read_audit(), "decision 4: read is not audit:read");
        let audit = Principal {
            scopes: Scopes::parse("audit:read").unwrap_or(Scopes::NONE),
            ..admin.clone()
        };
        assert!(audit.may_read_audit());
        let rw = Principal {
            role: Role::ReadWrite,
            ..admin
        };
        assert!(!rw.may_read_audit());
    }

    #[test]
    fn table_matches_reference() {
        assert!(permission(Role::ProductAdmin, Resource::Targets).allows(Action::Manage));
        assert!(!permission(Role::ReadWrite, Resource::Targets).allows(Action::Manage));
        assert!(permission(Role::ReadWrite, Resource::Apps).allows(Action::Manage));
        assert!(!permission(Role::ReadOnly, Resource::Apps).allows(Action::Manage));
        assert!(permission(Role::ReadOnly, Resource::Apps).allows(Action::Read));
        assert!(!permission(Role::ReadWrite, Resource::GlobalBlackouts).allows(Action::Read));
        assert!(
            permission(Role::ProductAdmin, Resource::VulnerabilityComments)
                .allows(Action::Administer)
        );
        assert!(
            !permission(Role::ReadWrite, Resource::VulnerabilityComments)
                .allows(Action::Administer)
        );
    }

    #[test]
    fn role_spellings_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("PRODUCT_ADMIN"), Some(Role::ProductAdmin));
        assert_eq!(Role::parse("admin"), None);
    }
}
