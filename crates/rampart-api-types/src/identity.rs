//! Wire shapes of the identity routes (AppSec+ style: camelCase members, RFC 3339 times,
//! bare arrays): organization, users, service accounts, API keys, identity groups.
//! Read-only members are ignored on input; `password` and the key secret are never read
//! back (the secret is in the one answer that creates or rotates a key).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// An organization (tenant). `operator`: the install's operator organization, whose
/// administrators manage the other tenants (`/organizations`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub id: Uuid,
    pub name: String,
    pub created_at: String,
    #[serde(default)]
    pub operator: bool,
}

/// What `POST /organizations` and `PUT /organization[s/{id}]` take: the (unique) name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationInput {
    pub name: Option<String>,
}

/// The answer to `POST /organizations`: the tenant and its first organization key
/// (Product Admin), whose secret is shown this once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedOrganization {
    #[serde(flatten)]
    pub organization: Organization,
    /// The first organization key's id.
    pub key_id: Uuid,
    /// The token to send in `X-Api-Key`; never shown again.
    pub key_secret: String,
}

/// A user. `role`: `product-admin`, `read-write` or `read-only`; `status`: `active` or
/// `disabled` (a disabled user's keys stop working at the next request).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct User {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Write-only: sets the console password (at least 12 characters; stored as argon2id).
    #[serde(default, skip_serializing)]
    pub password: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
}

/// A service account: a non-human principal that holds API keys.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceAccount {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
}

/// Who a key acts as: `type` is `organization` (a super key: Product Admin, every app),
/// `user` or `service_account`; `display` is the user's email or the account's name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct KeyOwner {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

/// An API key as listed: never its secret nor its hash.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiKey {
    pub id: Uuid,
    pub name: String,
    /// The first characters of the secret, to recognise it.
    pub prefix: String,
    pub role: String,
    pub owner: KeyOwner,
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<String>,
}

/// `POST /api-keys`. Without `owner`, an organization key.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewApiKey {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<KeyOwner>,
}

/// The answer to creating or rotating a key: the key and its secret, shown this once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IssuedApiKey {
    #[serde(flatten)]
    pub key: ApiKey,
    /// The token to send in `X-Api-Key`; never shown again.
    pub secret: String,
}

/// A member of a group as shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub id: Uuid,
    /// `user` or `service_account`.
    #[serde(rename = "type")]
    pub kind: String,
    pub display: String,
}

/// A member named in a request: `{"id": …}` (a user or service account) or
/// `{"email": …}` (a user). Group `members` also accept bare id strings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MemberRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// An identity group (reference AppSec+ §1.4 and §1.5 C3: the superset). `members` is
/// writable only when `source` is `local`. `applicationIds` and `applicationTags` are
/// its grants: members see those apps, and every app carrying one of those tags.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IdentityGroup {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `local` (default), `scim`, `oidc`, `saml` or `ldap`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Member ids (users and service accounts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<Uuid>>,
    /// Read-only: each member's kind and display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_details: Option<Vec<Member>>,
    /// Read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_ids: Option<Vec<Uuid>>,
    /// Tag names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_tags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

/// `POST /identity-groups/{id}/grants`: one of `applicationId` or `tag` (a name or id).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Grant {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
}

/// The RFC 3339 UTC spelling of times on these routes (milliseconds, `Z`).
pub fn time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
