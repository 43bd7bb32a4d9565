//! Credentials: API keys (shown once, stored as a SHA-256 hash and a prefix),
//! authentication, organizations and the first-start bootstrap.

use crate::{Service, ServiceError, ServiceResult};
use base64::Engine as _;
use rampart_domain::*;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Every token starts with this, so leaked keys are easy to recognise in scans of code.
const TOKEN_PREFIX: &str = "rmp_";
/// How much of the token is kept in clear to tell keys apart.
const SHOWN_PREFIX_LEN: usize = 12;

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

/// What `rampart key create` asks for.
#[derive(Clone, Debug)]
pub struct KeyRequest {
    /// `None`: the default organization (the only one, or the first created).
    pub org: Option<OrgId>,
    pub role: Role,
    /// An organization key instead of a user key.
    pub organization_key: bool,
    /// The user the key acts as; created when missing.
    pub user_email: Option<String>,
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
    /// Resolves a token to its principal, or `Unauthorized`.
    pub async fn authenticate(&self, token: &str) -> ServiceResult<Principal> {
        let token = token.trim();
        if !token.starts_with(TOKEN_PREFIX) {
            return Err(ServiceError::Unauthorized);
        }
        let key = self.store.find_api_key_by_hash(&hash_token(token)).await?;
        let key = key.ok_or(ServiceError::Unauthorized)?;
        Ok(Principal {
            org: key.org,
            id: key.principal,
            kind: key.kind,
            role: key.role,
        })
    }

    /// Creates an organization with its system attack templates.
    pub async fn create_org(&self, name: &str) -> ServiceResult<Organization> {
        let org = Organization {
            id: OrgId::new(),
            name: name.to_string(),
            created_at: self.now(),
        };
        self.store.create_org(&org).await?;
        self.seed_system_templates(org.id).await?;
        Ok(org)
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
                organization_key: true,
                user_email: None,
                name: Some("bootstrap".into()),
            })
            .await?;
        Ok(Some(key))
    }

    async fn default_org(&self) -> ServiceResult<OrgId> {
        match self.store.find_org_by_name(DEFAULT_ORG).await? {
            Some(o) => Ok(o.id),
            None => Ok(self.create_org(DEFAULT_ORG).await?.id),
        }
    }

    /// Creates a key (and its user when needed).
    pub async fn create_key(&self, req: KeyRequest) -> ServiceResult<NewKey> {
        let org = match req.org {
            Some(o) => o,
            None => self.default_org().await?,
        };
        let (principal, kind) = match (req.organization_key, &req.user_email) {
            (true, None) => (PrincipalId(org.0), PrincipalKind::Organization),
            (false, Some(email)) => (self.ensure_user(org, email).await?.id, PrincipalKind::User),
            (true, Some(_)) => {
                return Err(ServiceError::invalid(vec![crate::Problem::object(
                    "key",
                    "an organization key belongs to no user: give --org or --user, not both",
                )]))
            }
            (false, None) => {
                return Err(ServiceError::invalid(vec![crate::Problem::object(
                    "key",
                    "say --org for an organization key or --user EMAIL for a user key",
                )]))
            }
        };
        let token = new_token();
        let key = ApiKey {
            id: ApiKeyId::new(),
            org,
            principal,
            kind,
            role: req.role,
            name: req.name.unwrap_or_else(|| "api key".into()),
            prefix: key_prefix(&token).unwrap_or_default(),
            hash: hash_token(&token),
            created_at: self.now(),
        };
        self.store.create_api_key(&key).await?;
        tracing::info!(key = %key.id, prefix = %key.prefix, role = key.role.as_str(), "api key created");
        Ok(NewKey { token, key })
    }

    async fn ensure_user(&self, org: OrgId, email: &str) -> ServiceResult<User> {
        let email = email.trim();
        if !email.contains('@') || email.len() > 320 {
            return Err(ServiceError::invalid(vec![crate::Problem::property(
                "user",
                "must be an email address",
            )]));
        }
        if let Some(u) = self.store.find_user_by_email(org, email).await? {
            return Ok(u);
        }
        let u = User {
            id: PrincipalId::new(),
            org,
            email: email.to_string(),
            created_at: self.now(),
        };
        self.store.create_user(&u).await?;
        Ok(u)
    }
}
