//! `/api-keys`: list (never a secret), create, revoke, rotate.

use super::{invalid, kind_str, role, IdResult};
use crate::extract::Query;
use crate::extract::{Auth, Body, Id};
use crate::routes::Deleted;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use rampart_api_types::identity::{time, ApiKey, IssuedApiKey, KeyOwner, NewApiKey};
use rampart_api_types::oauth::ProblemBody;
use rampart_domain::{ApiKeyId, PrincipalId};
use rampart_service::{KeyRequest, NewKey};
use rampart_store::KeyListing;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, revoke))
        .routes(routes!(rotate))
}

pub(crate) fn wire(l: KeyListing) -> ApiKey {
    ApiKey {
        id: l.key.id.0,
        name: l.key.name,
        prefix: l.key.prefix,
        role: l.key.role.as_str().to_string(),
        owner: KeyOwner {
            kind: kind_str(l.owner.kind).to_string(),
            id: Some(l.owner.id.0),
            display: Some(l.owner.display),
        },
        created_at: time(l.key.created_at),
        last_used_at: l.key.last_used_at.map(time),
    }
}

async fn issued(s: &AppState, p: &rampart_domain::Principal, k: NewKey) -> IdResult<IssuedApiKey> {
    let listing = s.service.get_key(p, k.key.id).await?;
    Ok(IssuedApiKey {
        key: wire(listing),
        secret: k.token,
    })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// Only the keys of this user or service account.
    owner: Option<uuid::Uuid>,
}

/// The organization's keys that are not revoked, newest first: prefix, name, owner, role,
/// created, last used (to the minute) — never the secret nor its hash.
#[utoipa::path(get, path = "/api-keys", tag = "Identity", params(ListQuery),
    responses((status = 200, body = Vec<ApiKey>), (status = 403, body = ProblemBody, content_type = "application/problem+json")))]
async fn list(
    State(s): State<AppState>,
    Auth(p): Auth,
    Query(q): Query<ListQuery>,
) -> IdResult<Json<Vec<ApiKey>>> {
    let keys = s.service.list_keys(&p, q.owner.map(PrincipalId)).await?;
    Ok(Json(keys.into_iter().map(wire).collect()))
}

/// Creates a key; the answer carries its `secret`, shown this once. Without `owner` it is an
/// organization key ("super key": Product Admin, every app); `owner: {type: user |
/// service_account, id}` makes a key acting as that principal, never above its role.
#[utoipa::path(post, path = "/api-keys", tag = "Identity", request_body = NewApiKey,
    responses((status = 201, body = IssuedApiKey), (status = 403, body = ProblemBody, content_type = "application/problem+json"), (status = 422, body = ProblemBody, content_type = "application/problem+json")))]
async fn create(
    State(s): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<NewApiKey>,
) -> IdResult<(StatusCode, Json<IssuedApiKey>)> {
    let role = role(Some(&b.role))?.ok_or_else(|| invalid("role", "give a role"))?;
    let owner = match b.owner {
        None => rampart_service::KeyOwner::Organization,
        Some(o) if o.kind == "organization" => rampart_service::KeyOwner::Organization,
        Some(KeyOwner { id: Some(id), kind, .. }) if kind == "user" || kind == "service_account" => {
            rampart_service::KeyOwner::Principal(PrincipalId(id))
        }
        Some(_) => {
            return Err(invalid(
                "owner",
                "give {\"type\": \"user\" or \"service_account\", \"id\": …}, or no owner for an organization key",
            ))
        }
    };
    let req = KeyRequest {
        org: None,
        role,
        owner,
        name: b.name,
    };
    let k = s.service.issue_key(&p, req).await?;
    Ok((StatusCode::CREATED, Json(issued(&s, &p, k).await?)))
}

#[utoipa::path(get, path = "/api-keys/{id}", tag = "Identity", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = ApiKey), (status = 403, body = ProblemBody, content_type = "application/problem+json"), (status = 404, body = ProblemBody, content_type = "application/problem+json")))]
async fn get(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<ApiKeyId>,
) -> IdResult<Json<ApiKey>> {
    Ok(Json(wire(s.service.get_key(&p, id).await?)))
}

/// Revokes the key: every replica refuses it from the next request on.
#[utoipa::path(delete, path = "/api-keys/{id}", tag = "Identity", params(("id" = uuid::Uuid, Path)),
    responses((status = 204), (status = 403, body = ProblemBody, content_type = "application/problem+json"), (status = 404, body = ProblemBody, content_type = "application/problem+json")))]
async fn revoke(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<ApiKeyId>,
) -> IdResult<Deleted> {
    s.service.revoke_key(&p, id).await?;
    Ok(Deleted)
}

/// A new secret for the key's name, role and owner; the old secret is revoked at once.
#[utoipa::path(post, path = "/api-keys/{id}/rotate", tag = "Identity", params(("id" = uuid::Uuid, Path)),
    responses((status = 201, body = IssuedApiKey), (status = 403, body = ProblemBody, content_type = "application/problem+json"), (status = 404, body = ProblemBody, content_type = "application/problem+json")))]
async fn rotate(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<ApiKeyId>,
) -> IdResult<(StatusCode, Json<IssuedApiKey>)> {
    let k = s.service.rotate_key(&p, id).await?;
    Ok((StatusCode::CREATED, Json(issued(&s, &p, k).await?)))
}
