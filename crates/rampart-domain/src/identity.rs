//! Identity beyond the key: principal status, service accounts, identity groups and the
//! grants that give a group access to apps (by app, or by app tag).

use crate::ids::*;
use crate::model::str_enum;
use crate::{PrincipalKind, Role};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

str_enum!(
    /// Whether a user or service account may act. A disabled principal's keys stop
    /// working on the next request.
    PrincipalStatus {
        Active = "ACTIVE",
        Disabled = "DISABLED",
    }
);

str_enum!(
    /// Where an identity group comes from (reference AppSec+ §3.6). Only `local` groups
    /// have members writable through the API; the others are synchronised from an IdP.
    GroupSource {
        Local = "local",
        Scim = "scim",
        Oidc = "oidc",
        Saml = "saml",
        Ldap = "ldap",
    }
);

/// A non-human principal (AppSec+): holds API keys (and, later, OAuth client credentials).
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceAccount {
    pub id: PrincipalId,
    pub org: OrgId,
    pub name: String,
    pub role: Role,
    pub status: PrincipalStatus,
    pub created_at: DateTime<Utc>,
}

/// A group of principals; its grants give every member access to apps.
#[derive(Clone, Debug, PartialEq)]
pub struct IdentityGroup {
    pub id: IdentityGroupId,
    pub org: OrgId,
    pub name: String,
    pub description: Option<String>,
    pub source: GroupSource,
    pub external_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A principal as a member of something: its id, kind and what to show for it (a user's
/// email, a service account's name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrincipalRef {
    pub id: PrincipalId,
    pub kind: PrincipalKind,
    pub display: String,
}

/// The role a key acts with: its own, capped by its owner's current role.
pub fn effective_role(key_role: Role, owner_role: Option<Role>) -> Role {
    match owner_role {
        Some(owner) if owner.rank() < key_role.rank() => owner,
        _ => key_role,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_never_exceeds_its_owner() {
        assert_eq!(
            effective_role(Role::ProductAdmin, Some(Role::ReadOnly)),
            Role::ReadOnly
        );
        assert_eq!(
            effective_role(Role::ReadOnly, Some(Role::ProductAdmin)),
            Role::ReadOnly
        );
        assert_eq!(effective_role(Role::ReadWrite, None), Role::ReadWrite);
    }
}
