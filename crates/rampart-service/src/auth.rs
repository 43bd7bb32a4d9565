//! Credentials: API keys (shown once, stored as a SHA-256 hash and a prefix),
//! authentication, key administration (list, create, revoke, rotate), organizations and
//! the first-start bootstrap.

use crate::{require, Problem, Service, ServiceError, ServiceResult};
use base64::Engine as _;
use rampart_domain::*;
use rampart_store::{KeyListing, StoreError};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Every token starts with this, so leaked keys are easy to recognise in scans of code.
const TOKEN_PREFIX: &str = "rmp_";
/// How much of the token is kept in clear to tell keys apart.
const SHOWN_PREFIX_LEN: usize = 12;
/// `last_used_at` is written at most this often per key (one write a minute, not one a
/// request).
const LAST_USED_RESOLUTION_SECONDS: i64 = 60;

/// The SHA-256 of a token, hex-encoded: what the database keeps.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The shown prefix of an API key token (what `rampart key list` and the audit log show),
/// `None` for anything that is not one.
pub fn key_prefix(token: &str) -> Option<String> {
    let token = token.trim();
    token
        .starts_with(TOKEN_PREFIX)
        .then(|| token.chars().take(SHOWN_PREFIX_LEN).collect())
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!(
        "{TOKEN_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// Who a new key acts as.
#[derive(Clone, Debug, PartialEq)]
pub enum KeyOwner {
    /// The organization itself: a "super key" (Product Admin, every app).
    Organization,
    /// A user by email, created (with the key's role) when missing: the CLI's bootstrap
    /// path (`rampart key create --database`).
    UserEmail(String),
    /// An existing user or service account of the tenant.
    Principal(PrincipalId),
}

/// What `rampart key create` and `POST /api-keys` ask for.
#[derive(Clone, Debug)]
pub struct KeyRequest {
    /// `None`: the default organization (the only one, or the first created).
    pub org: Option<OrgId>,
    pub role: Role,
    pub owner: KeyOwner,
    pub name: Option<String>,
}

/// A freshly created key: the token is shown once and never stored.
#[derive(Clone, Debug)]
pub struct NewKey {
    pub token: String,
    pub key: ApiKey,
}

/// The name of the organization created on first start.
pub const DEFAULT_ORG: &str = "default";

impl Service {
    /// Resolves a token to its principal, or `Unauthorized`. Reads the database on every
    /// call (no cache): a revoked key, or a key of a disabled owner, is refused at the next
    /// request on every replica. A user or service account key acts with its own role
    /// capped by its owner's current role.
    pub async fn authenticate(&self, token: &str) -> ServiceResult<Principal> {
        let token = token.trim();
        if !token.starts_with(TOKEN_PREFIX) {
            return Err(ServiceError::Unauthorized);
        }
        let live = self.store.find_live_key(&hash_token(token)).await?;
        let live = live.ok_or(ServiceError::Unauthorized)?;
        self.record_use(&live.key).await;
        Ok(Principal {
            credential: Some(live.key.id.0),
            ..Principal::new(
                live.key.org,
                live.key.principal,
                live.key.kind,
                effective_role(live.key.role, live.owner_role),
            )
        })
    }

    /// Writes `last_used_at` when the stored value is older than the resolution; a
    /// failure is logged, never a refused request.
    async fn record_use(&self, key: &ApiKey) {
        let now = self.now();
        let resolution = chrono::Duration::seconds(LAST_USED_RESOLUTION_SECONDS);
        let not_before = now - resolution;
        if key.last_used_at.is_some_and(|t| t >= not_before) {
            return;
        }
        if let Err(e) = self.store.touch_api_key(key.id, now, not_before).await {
            tracing::warn!(key = %key.id, error = %e, "cannot record the key's use");
        }
    }

    /// Creates an organization with its system attack templates (an operator action:
    /// `rampart org create`, `POST /organizations`). The first organization of an install
    /// is the operator organization.
    pub async fn create_org(&self, name: &str) -> ServiceResult<Organization> {
        let name = crate::orgs::org_name(name)?;
        let org = Organization {
            id: OrgId::new(),
            name: name.clone(),
            created_at: self.now(),
            operator: self.store.count_orgs().await? == 0,
        };
        self.store
            .create_org(&org)
            .await
            .map_err(crate::orgs::name_taken(&name))?;
        self.seed_system_templates(org.id).await?;
        Ok(org)
    }

    /// Every organization (an operator action: `rampart org list`).
    pub async fn list_orgs(&self) -> ServiceResult<Vec<Organization>> {
        Ok(self.store.list_orgs().await?)
    }

    /// The caller's own organization.
    pub async fn organization(&self, p: &Principal) -> ServiceResult<Organization> {
        Ok(self.store.get_org(p.org).await?)
    }

    /// An organization by name or id (operator commands).
    pub async fn find_org(&self, name_or_id: &str) -> ServiceResult<Organization> {
        if let Ok(id) = name_or_id.parse::<OrgId>() {
            if let Ok(o) = self.store.get_org(id).await {
                return Ok(o);
            }
        }
        self.store
            .find_org_by_name(name_or_id)
            .await?
            .ok_or(ServiceError::NotFound)
    }

    /// On an empty database: creates the default organization and an organization key
    /// (Product Admin) and returns its token. `None` when organizations exist.
    pub async fn bootstrap(&self) -> ServiceResult<Option<NewKey>> {
        if self.store.count_orgs().await? > 0 {
            return Ok(None);
        }
        let org = self.create_org(DEFAULT_ORG).await?;
        let key = self
            .create_key(KeyRequest {
                org: Some(org.id),
                role: Role::ProductAdmin,
                owner: KeyOwner::Organization,
                name: Some("bootstrap".into()),
            })
            .await?;
        Ok(Some(key))
    }

    pub(crate) async fn default_org(&self) -> ServiceResult<OrgId> {
        match self.store.find_org_by_name(DEFAULT_ORG).await? {
            Some(o) => Ok(o.id),
            None => Ok(self.create_org(DEFAULT_ORG).await?.id),
        }
    }

    /// Creates a key (and its user when asked by email): the operator's path, no caller.
    pub async fn create_key(&self, req: KeyRequest) -> ServiceResult<NewKey> {
        let org = match req.org {
            Some(o) => o,
            None => self.default_org().await?,
        };
        let (principal, kind) = match &req.owner {
            KeyOwner::Organization => (PrincipalId(org.0), PrincipalKind::Organization),
            KeyOwner::UserEmail(email) => {
                let u = self.ensure_user(org, email, req.role).await?;
                cap(req.role, u.role)?;
                (u.id, PrincipalKind::User)
            }
            KeyOwner::Principal(id) => self.key_owner(org, *id, req.role).await?,
        };
        let name = req.name.unwrap_or_else(|| "api key".into());
        let mut c = crate::error::Checks::default();
        c.text("name", &name, 1, 200);
        c.finish()?;
        let token = new_token();
        let key = ApiKey {
            id: ApiKeyId::new(),
            org,
            principal,
            kind,
            role: req.role,
            name,
            prefix: key_prefix(&token).unwrap_or_default(),
            hash: hash_token(&token),
            created_at: self.now(),
            last_used_at: None,
        };
        self.store.create_api_key(&key).await?;
        tracing::info!(key = %key.id, prefix = %key.prefix, role = key.role.as_str(), "api key created");
        Ok(NewKey { token, key })
    }

    /// A user or service account that may own a key of `role`.
    async fn key_owner(
        &self,
        org: OrgId,
        id: PrincipalId,
        role: Role,
    ) -> ServiceResult<(PrincipalId, PrincipalKind)> {
        let owner = match self.store.get_principal(org, id).await {
            Ok(o) => o,
            Err(StoreError::NotFound) => {
                return Err(ServiceError::invalid(vec![Problem::property(
                    "owner.id",
                    "no such user or service account in this organization",
                )]))
            }
            Err(e) => return Err(e.into()),
        };
        let owner_role = match owner.kind {
            PrincipalKind::User => self.store.get_user(org, id).await?.role,
            PrincipalKind::ServiceAccount => {
                Some(self.store.get_service_account(org, id).await?.role)
            }
            PrincipalKind::Organization => None,
        };
        cap(role, owner_role)?;
        Ok((owner.id, owner.kind))
    }

    /// `POST /api-keys`: a key of the caller's tenant (Product Admin only).
    pub async fn issue_key(&self, p: &Principal, mut req: KeyRequest) -> ServiceResult<NewKey> {
        require(p, Resource::Identity, Action::Manage)?;
        req.org = Some(p.org);
        if let KeyOwner::UserEmail(_) = req.owner {
            return Err(ServiceError::invalid(vec![Problem::property(
                "owner",
                "name the owner by id (GET /users, GET /service-accounts)",
            )]));
        }
        self.create_key(req).await
    }

    /// The tenant's live keys (optionally one owner's): never a secret nor a hash.
    pub async fn list_keys(
        &self,
        p: &Principal,
        owner: Option<PrincipalId>,
    ) -> ServiceResult<Vec<KeyListing>> {
        require(p, Resource::Identity, Action::Manage)?;
        Ok(self.store.list_api_keys(p.org, owner).await?)
    }

    pub async fn get_key(&self, p: &Principal, id: ApiKeyId) -> ServiceResult<KeyListing> {
        require(p, Resource::Identity, Action::Manage)?;
        Ok(self.store.get_api_key(p.org, id).await?)
    }

    /// Revokes a key: refused from the next request on, on every replica.
    pub async fn revoke_key(&self, p: &Principal, id: ApiKeyId) -> ServiceResult<()> {
        require(p, Resource::Identity, Action::Manage)?;
        self.store.revoke_api_key(p.org, id, self.now()).await?;
        tracing::info!(key = %id, "api key revoked");
        Ok(())
    }

    /// A new secret for the same name, role and owner; the old key is revoked in the same
    /// transaction.
    pub async fn rotate_key(&self, p: &Principal, id: ApiKeyId) -> ServiceResult<NewKey> {
        require(p, Resource::Identity, Action::Manage)?;
        let old = self.store.get_api_key(p.org, id).await?.key;
        let token = new_token();
        let now = self.now();
        let key = ApiKey {
            id: ApiKeyId::new(),
            prefix: token.chars().take(SHOWN_PREFIX_LEN).collect(),
            hash: hash_token(&token),
            created_at: now,
            last_used_at: None,
            ..old
        };
        self.store.rotate_api_key(p.org, id, &key, now).await?;
        tracing::info!(old = %id, key = %key.id, prefix = %key.prefix, "api key rotated");
        Ok(NewKey { token, key })
    }

    pub(crate) async fn ensure_user(
        &self,
        org: OrgId,
        email: &str,
        role: Role,
    ) -> ServiceResult<User> {
        let email = email.trim();
        crate::users::check_email(email)?;
        if let Some(u) = self.store.find_user_by_email(org, email).await? {
            return Ok(u);
        }
        let u = User {
            id: PrincipalId::new(),
            org,
            email: email.to_string(),
            display_name: None,
            role: Some(role),
            status: PrincipalStatus::Active,
            created_at: self.now(),
        };
        self.store.create_user(&u).await?;
        Ok(u)
    }
}

/// A key never carries more than its owner's role.
fn cap(role: Role, owner: Option<Role>) -> ServiceResult<()> {
    match owner {
        Some(o) if o.rank() < role.rank() => Err(ServiceError::invalid(vec![Problem::property(
            "role",
            format!(
                "the owner's role is {}: a key may not carry more",
                o.as_str()
            ),
        )])),
        _ => Ok(()),
    }
}
