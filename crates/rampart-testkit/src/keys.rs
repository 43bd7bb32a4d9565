//! API keys: one per role, the bootstrap organization key, and a second tenant's key.

use rampart_domain::{OrgId, Principal, PrincipalId, PrincipalKind, Role};
use rampart_service::{KeyOwner, KeyRequest, Service};

/// An API key and who it acts as.
#[derive(Clone, Debug)]
pub struct Key {
    /// The secret sent in `X-Api-Key`.
    pub token: String,
    /// The authenticated principal (tenant, who, kind, role).
    pub principal: Principal,
    /// A short label for failure messages (`product-admin user`, `other tenant`…).
    pub label: &'static str,
}

impl Key {
    pub fn id(&self) -> PrincipalId {
        self.principal.id
    }
    pub fn org(&self) -> OrgId {
        self.principal.org
    }
}

/// One key per kind of caller the authorization matrix distinguishes.
#[derive(Clone, Debug)]
pub struct Keys {
    /// A Product Admin *user* key.
    pub admin: Key,
    /// A Read Write user key.
    pub read_write: Key,
    /// A Read Only user key.
    pub read_only: Key,
    /// The organization key made by `bootstrap()` (Product Admin).
    pub org: Key,
    /// An organization key of a second tenant (`other`): sees nothing of the first.
    pub other: Key,
}

async fn key(
    service: &Service,
    org: OrgId,
    role: Role,
    email: Option<&str>,
    label: &'static str,
) -> Key {
    let new = service
        .create_key(KeyRequest {
            org: Some(org),
            role,
            owner: match email {
                Some(e) => KeyOwner::UserEmail(e.to_string()),
                None => KeyOwner::Organization,
            },
            name: Some(label.to_string()),
        })
        .await
        .expect("create key");
    let principal = service
        .authenticate(&new.token)
        .await
        .expect("a fresh key authenticates");
    Key {
        token: new.token,
        principal,
        label,
    }
}

pub(crate) async fn make_keys(service: &Service) -> Keys {
    let boot = service
        .bootstrap()
        .await
        .expect("bootstrap")
        .expect("a fresh database bootstraps");
    let principal = service
        .authenticate(&boot.token)
        .await
        .expect("the bootstrap key authenticates");
    assert_eq!(principal.kind, PrincipalKind::Organization);
    let org = principal.org;
    let org_key = Key {
        token: boot.token,
        principal,
        label: "organization key",
    };
    let other_org = service
        .create_org("other")
        .await
        .expect("create the second tenant");
    Keys {
        admin: key(
            service,
            org,
            Role::ProductAdmin,
            Some("admin@example.test"),
            "product-admin user",
        )
        .await,
        read_write: key(
            service,
            org,
            Role::ReadWrite,
            Some("writer@example.test"),
            "read-write user",
        )
        .await,
        read_only: key(
            service,
            org,
            Role::ReadOnly,
            Some("reader@example.test"),
            "read-only user",
        )
        .await,
        org: org_key,
        other: key(
            service,
            other_org.id,
            Role::ProductAdmin,
            None,
            "other tenant",
        )
        .await,
    }
}
