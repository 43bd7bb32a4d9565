//! OAuth 2.0 client credentials and the access-token signing keys (reference
//! appsecplus §2.1–§2.3).

use crate::auth::{PrincipalKind, Role};
use crate::ids::{OAuthClientId, OrgId, PrincipalId};
use crate::scopes::Scopes;
use chrono::{DateTime, Utc};

/// Client credentials attached to a principal: the public `client_id` and a secret
/// stored as a SHA-256 hash (shown once). Tokens it obtains carry at most `scopes` and act
/// with `role`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthClient {
    pub id: OAuthClientId,
    pub org: OrgId,
    pub principal: PrincipalId,
    pub kind: PrincipalKind,
    pub role: Role,
    pub name: String,
    pub client_id: String,
    pub secret_hash: String,
    pub scopes: Scopes,
    pub created_at: DateTime<Utc>,
}

/// An Ed25519 access-token signing key. It signs until `sign_until` and verifies until
/// `verify_until` (the last token it signed has expired by then); after that it is retired.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigningKey {
    pub kid: String,
    /// The raw 32-byte public key, base64url.
    pub public_key: String,
    /// The PKCS#8 private key sealed with the server's secret key.
    pub private_sealed: String,
    pub created_at: DateTime<Utc>,
    pub sign_until: DateTime<Utc>,
    pub verify_until: DateTime<Utc>,
}
