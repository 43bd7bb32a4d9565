//! OAuth 2.0 client credentials (RFC 6749 §4.4): clients attached to a principal, the
//! token endpoint's rules, RFC 9068 access tokens, introspection (RFC 7662), revocation
//! (RFC 7009) and bearer authentication resolving to the same [`Principal`] an
//! `X-Api-Key` does (decision 1).

pub(crate) mod jwt;
pub(crate) mod keys;
pub(crate) mod rate_limit;

use crate::auth::hash_token;
use crate::{Problem, Service, ServiceError, ServiceResult};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jwt::Claims;
use rampart_domain::oauth::OAuthClient;
use rampart_domain::*;
use rand::RngCore;

/// The `aud` of every access token: this API.
pub const AUDIENCE: &str = "rampart";
/// Client ids start with this; client secrets with [`SECRET_PREFIX`].
const CLIENT_PREFIX: &str = "rmpc_";
const SECRET_PREFIX: &str = "rmps_";

fn random(prefix: &str, bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut b);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(b))
}

/// What `POST /oauth/clients` asks for.
#[derive(Clone, Debug, Default)]
pub struct OAuthClientInput {
    pub name: Option<String>,
    /// The principal the client acts as (a service account, a user, or the organization);
    /// default: the caller's own principal.
    pub principal: Option<PrincipalId>,
    /// Default: read-only.
    pub role: Option<String>,
    /// The most a token may carry, space-separated (aliases `read`, `admin`); default `read`.
    pub scopes: Option<String>,
}

/// A created client: the secret is shown once and never stored.
#[derive(Clone, Debug)]
pub struct NewOAuthClient {
    pub client: OAuthClient,
    pub client_secret: String,
}

/// The RFC 6749 §5.2 / RFC 7009 errors of the token, introspection and revocation
/// endpoints.
#[derive(Debug, PartialEq, Eq)]
pub enum OAuthError {
    InvalidRequest(String),
    InvalidClient,
    UnauthorizedClient(String),
    UnsupportedGrantType,
    InvalidScope(String),
    Internal(String),
    /// The database is away or full: 503 `temporarily_unavailable`, retry later.
    Unavailable(String),
}

impl From<ServiceError> for OAuthError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Unavailable(m) => OAuthError::Unavailable(m),
            e => OAuthError::Internal(e.to_string()),
        }
    }
}

impl From<rampart_store::StoreError> for OAuthError {
    fn from(e: rampart_store::StoreError) -> Self {
        ServiceError::from(e).into()
    }
}

/// A token endpoint answer (RFC 6749 §5.1).
#[derive(Clone, Debug)]
pub struct IssuedToken {
    pub access_token: String,
    pub expires_in: i64,
    pub scope: String,
}

/// Why a bearer token was refused (RFC 6750 §3.1).
#[derive(Debug)]
pub enum BearerError {
    /// `invalid_token` with a description.
    Invalid(&'static str),
    Internal(ServiceError),
}

impl From<ServiceError> for BearerError {
    fn from(e: ServiceError) -> Self {
        BearerError::Internal(e)
    }
}

impl From<rampart_store::StoreError> for BearerError {
    fn from(e: rampart_store::StoreError) -> Self {
        BearerError::Internal(e.into())
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl Service {
    fn require_admin(p: &Principal) -> ServiceResult<()> {
        if p.role == Role::ProductAdmin {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(format!(
                "the {} role may not manage OAuth clients",
                p.role.as_str()
            )))
        }
    }

    /// Creates client credentials for a principal of the caller's tenant (Product Admin).
    pub async fn create_oauth_client(
        &self,
        p: &Principal,
        input: OAuthClientInput,
    ) -> ServiceResult<NewOAuthClient> {
        Self::require_admin(p)?;
        let mut problems = Vec::new();
        let role = match input.role.as_deref() {
            None => Some(Role::ReadOnly),
            Some(r) => Role::parse(r),
        };
        if role.is_none() {
            problems.push(Problem::property(
                "role",
                "must be product-admin, read-write or read-only",
            ));
        }
        let scopes = match Scopes::parse(input.scopes.as_deref().unwrap_or("read")) {
            Ok(s) if !s.is_empty() => Some(s),
            Ok(_) => {
                problems.push(Problem::property("scopes", "name at least one scope"));
                None
            }
            Err(bad) => {
                problems.push(Problem::property(
                    "scopes",
                    format!("unknown scope '{bad}'"),
                ));
                None
            }
        };
        let name = input.name.unwrap_or_else(|| "oauth client".into());
        // The one-line text rule every name follows (length, no control character).
        let mut c = crate::error::Checks::default();
        c.text("name", &name, 1, 255);
        problems.extend(c.0);
        let principal = input.principal.unwrap_or(p.id);
        let kind = self.store.find_principal_kind(p.org, principal).await?;
        if kind.is_none() {
            problems.push(Problem::property(
                "principal",
                "no such principal in this organization",
            ));
        }
        let (Some(role), Some(scopes), Some(kind), true) =
            (role, scopes, kind, problems.is_empty())
        else {
            return Err(ServiceError::invalid(problems));
        };
        let secret = random(SECRET_PREFIX, 32);
        let client = OAuthClient {
            id: OAuthClientId::new(),
            org: p.org,
            principal,
            kind,
            role,
            name,
            client_id: random(CLIENT_PREFIX, 12),
            secret_hash: hash_token(&secret),
            scopes,
            created_at: self.now(),
        };
        self.store.create_oauth_client(&client).await?;
        tracing::info!(client_id = %client.client_id, role = role.as_str(), "oauth client created");
        Ok(NewOAuthClient {
            client,
            client_secret: secret,
        })
    }

    pub async fn list_oauth_clients(&self, p: &Principal) -> ServiceResult<Vec<OAuthClient>> {
        Self::require_admin(p)?;
        Ok(self.store.list_oauth_clients(p.org).await?)
    }

    /// Deletes a client; tokens it obtained stop working on the next request.
    pub async fn delete_oauth_client(&self, p: &Principal, id: OAuthClientId) -> ServiceResult<()> {
        Self::require_admin(p)?;
        Ok(self.store.delete_oauth_client(p.org, id).await?)
    }

    /// The client whose credentials these are, or `InvalidClient`.
    pub async fn authenticate_client(
        &self,
        client_id: &str,
        secret: &str,
    ) -> Result<OAuthClient, OAuthError> {
        let client = self
            .store
            .find_oauth_client(client_id)
            .await?
            .ok_or(OAuthError::InvalidClient)?;
        if constant_time_eq(hash_token(secret).as_bytes(), client.secret_hash.as_bytes()) {
            Ok(client)
        } else {
            Err(OAuthError::InvalidClient)
        }
    }

    /// `grant_type=client_credentials` for an authenticated client, with the requested
    /// `scope` (default: all the client may have; more than that is `invalid_scope`).
    pub async fn issue_token(
        &self,
        issuer: &str,
        client: &OAuthClient,
        grant_type: Option<&str>,
        scope: Option<&str>,
    ) -> Result<IssuedToken, OAuthError> {
        match grant_type {
            None => return Err(OAuthError::InvalidRequest("grant_type is required".into())),
            Some("client_credentials") => {}
            Some(_) => return Err(OAuthError::UnsupportedGrantType),
        }
        let scopes = match scope {
            None => client.scopes,
            Some(s) => {
                let wanted = Scopes::parse(s)
                    .map_err(|bad| OAuthError::InvalidScope(format!("unknown scope '{bad}'")))?;
                if wanted.is_empty() {
                    return Err(OAuthError::InvalidScope("the scope list is empty".into()));
                }
                if !wanted.is_subset_of(client.scopes) {
                    return Err(OAuthError::InvalidScope(format!(
                        "this client may ask for at most: {}",
                        client.scopes
                    )));
                }
                wanted
            }
        };
        let now = self.now();
        let ttl = self.oauth.settings.token_ttl;
        let claims = Claims {
            iss: issuer.to_string(),
            sub: client.client_id.clone(),
            aud: AUDIENCE.into(),
            exp: (now + ttl).timestamp(),
            iat: now.timestamp(),
            jti: uuid::Uuid::new_v4().to_string(),
            client_id: client.client_id.clone(),
            scope: scopes.to_string(),
            tenant_id: client.org.to_string(),
        };
        let signer = self.signer().await?;
        Ok(IssuedToken {
            access_token: signer.sign(&claims),
            expires_in: ttl.num_seconds(),
            scope: claims.scope,
        })
    }

    /// The verified claims of a token that is well formed, signed by a key that still
    /// verifies, for us, and not expired. Revocation is checked by the callers.
    async fn verified_claims(&self, issuer: &str, token: &str) -> Result<Claims, BearerError> {
        let kid = jwt::kid(token).map_err(|_| BearerError::Invalid("the token is malformed"))?;
        let Some(public) = self.verifying_key(&kid).await? else {
            return Err(BearerError::Invalid(
                "the token's signing key is unknown or retired",
            ));
        };
        let claims = jwt::verify(token, &public)
            .map_err(|_| BearerError::Invalid("the token's signature does not verify"))?;
        if claims.iss != issuer || claims.aud != AUDIENCE {
            return Err(BearerError::Invalid(
                "the token was not issued for this server",
            ));
        }
        if claims.exp <= self.now().timestamp() {
            return Err(BearerError::Invalid("the token has expired"));
        }
        Ok(claims)
    }

    /// Resolves `Authorization: Bearer <token>` to the principal of its client, with the
    /// token's scopes (never more than the client's current ones). One database query:
    /// the client still exists and the token id is not revoked.
    pub async fn authenticate_bearer(
        &self,
        issuer: &str,
        token: &str,
    ) -> Result<Principal, BearerError> {
        let claims = self.verified_claims(issuer, token).await?;
        let client = self
            .store
            .find_token_client(&claims.client_id, &claims.jti)
            .await?
            .ok_or(BearerError::Invalid("the token was revoked"))?;
        if client.org.to_string() != claims.tenant_id {
            return Err(BearerError::Invalid(
                "the token was not issued for this tenant",
            ));
        }
        let scopes = Scopes::parse(&claims.scope)
            .map_err(|_| BearerError::Invalid("the token names an unknown scope"))?;
        Ok(Principal {
            scopes: scopes.intersect(client.scopes),
            credential: Some(client.id.0),
            ..Principal::new(client.org, client.principal, client.kind, client.role)
        })
    }

    /// RFC 7662: what an authenticated client learns about a token of its tenant.
    /// Inactive, foreign or unknown tokens are just `{"active": false}`.
    pub async fn introspect(
        &self,
        issuer: &str,
        caller: &OAuthClient,
        token: &str,
    ) -> Result<serde_json::Value, OAuthError> {
        let inactive = serde_json::json!({"active": false});
        let claims = match self.verified_claims(issuer, token).await {
            Ok(c) => c,
            Err(BearerError::Invalid(_)) => return Ok(inactive),
            Err(BearerError::Internal(e)) => return Err(e.into()),
        };
        if claims.tenant_id != caller.org.to_string() {
            return Ok(inactive);
        }
        let live = self
            .store
            .find_token_client(&claims.client_id, &claims.jti)
            .await?;
        let Some(client) = live else {
            return Ok(inactive);
        };
        let scope = Scopes::parse(&claims.scope)
            .map(|s| s.intersect(client.scopes).to_string())
            .unwrap_or_default();
        Ok(serde_json::json!({
            "active": true, "scope": scope, "client_id": claims.client_id,
            "token_type": "Bearer", "exp": claims.exp, "iat": claims.iat, "sub": claims.sub,
            "aud": claims.aud, "iss": claims.iss, "jti": claims.jti, "tenant_id": claims.tenant_id,
        }))
    }

    /// RFC 7009: revokes a token the caller obtained; every replica refuses it on its next
    /// request. Unknown, invalid or expired tokens are not an error.
    pub async fn revoke(
        &self,
        issuer: &str,
        caller: &OAuthClient,
        token: &str,
    ) -> Result<(), OAuthError> {
        let claims = match self.verified_claims(issuer, token).await {
            Ok(c) => c,
            Err(BearerError::Invalid(_)) => return Ok(()),
            Err(BearerError::Internal(e)) => return Err(e.into()),
        };
        if claims.client_id != caller.client_id {
            return Err(OAuthError::UnauthorizedClient(
                "a client may revoke only its own tokens".into(),
            ));
        }
        let expires = chrono::DateTime::from_timestamp(claims.exp, 0).unwrap_or_else(|| self.now());
        self.store
            .revoke_token(caller.org, &claims.jti, expires)
            .await?;
        // The deny-list only needs ids of tokens that have not expired: prune on insert.
        let pruned = self.store.prune_revoked_tokens(self.now()).await?;
        if pruned > 0 {
            tracing::debug!(pruned, "expired revoked-token ids removed");
        }
        tracing::info!(client_id = %caller.client_id, jti = %claims.jti, "access token revoked");
        Ok(())
    }
}
