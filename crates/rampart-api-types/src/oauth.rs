//! Wire shapes of the OAuth endpoints (RFC 6749 §5.1/§5.2, RFC 8414) and of the AppSec+
//! OAuth client resource, plus the RFC 9457 problem body of the AppSec+ routes.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A token endpoint success (RFC 6749 §5.1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TokenResponse {
    /// An RFC 9068 JWT (`typ: at+jwt`, EdDSA).
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    pub expires_in: i64,
    /// The granted scopes, space-separated.
    pub scope: String,
}

/// An OAuth error (RFC 6749 §5.2).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OAuthErrorBody {
    /// `invalid_request`, `invalid_client`, `unsupported_grant_type`, `invalid_scope`,
    /// `unauthorized_client`, `rate_limited` or `server_error`.
    pub error: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}

/// `POST /oauth/clients`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OAuthClientCreate {
    pub name: Option<String>,
    /// The principal (service account, user or the organization) the client acts as;
    /// default: the caller's own.
    pub principal_id: Option<uuid::Uuid>,
    /// `product-admin`, `read-write` or `read-only` (default).
    pub role: Option<String>,
    /// The most a token may carry, space-separated; aliases `read` (default) and `admin`.
    pub scopes: Option<String>,
}

/// An OAuth client; `client_secret` only in the answer that created it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OAuthClient {
    pub id: uuid::Uuid,
    pub client_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    pub name: String,
    pub principal_id: uuid::Uuid,
    /// `USER`, `SERVICE_ACCOUNT` or `ORGANIZATION`.
    pub principal_kind: String,
    pub role: String,
    pub scopes: String,
    /// RFC 3339.
    pub created_at: String,
}

/// `GET /oauth/clients`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OAuthClientList {
    pub data: Vec<OAuthClient>,
}

/// An RFC 9457 problem with the AppSec+ members (decision 5).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProblemBody {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub code: String,
    pub message: String,
    pub details: serde_json::Value,
    pub request_id: Option<String>,
}
