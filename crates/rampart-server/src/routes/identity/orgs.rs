//! `/organization` (the caller's own tenant: read by anyone, renamed by its Product
//! Admins) and `/organizations` (every tenant: the operator organization's administrators
//! create, rename and delete them; anyone else gets 403).

use super::IdResult;
use crate::extract::{Auth, Body, Id};
use crate::routes::Deleted;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use rampart_api_types::identity::{time, CreatedOrganization, Organization, OrganizationInput};
use rampart_api_types::oauth::ProblemBody;
use rampart_domain::OrgId;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(own, rename_own))
        .routes(routes!(list, create))
        .routes(routes!(get, rename, delete))
}

fn wire(o: rampart_domain::Organization) -> Organization {
    Organization {
        id: o.id.0,
        name: o.name,
        created_at: time(o.created_at),
        operator: o.operator,
    }
}

/// The caller's own organization (any authenticated caller).
#[utoipa::path(get, path = "/organization", tag = "Identity",
    responses((status = 200, body = Organization),
        (status = 401, body = ProblemBody, content_type = "application/problem+json")))]
async fn own(State(s): State<AppState>, Auth(p): Auth) -> IdResult<Json<Organization>> {
    Ok(Json(wire(s.service.organization(&p).await?)))
}

/// Renames the caller's organization (Product Admin).
#[utoipa::path(put, path = "/organization", tag = "Identity", request_body = OrganizationInput,
    responses((status = 200, body = Organization),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json")))]
async fn rename_own(
    State(s): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<OrganizationInput>,
) -> IdResult<Json<Organization>> {
    let name = b.name.unwrap_or_default();
    Ok(Json(wire(
        s.service.rename_organization(&p, p.org, &name).await?,
    )))
}

/// Every organization of the install, by name (operator organization's administrators).
#[utoipa::path(get, path = "/organizations", tag = "Identity",
    responses((status = 200, body = Vec<Organization>),
        (status = 403, body = ProblemBody, content_type = "application/problem+json")))]
async fn list(State(s): State<AppState>, Auth(p): Auth) -> IdResult<Json<Vec<Organization>>> {
    let all = s.service.list_organizations(&p).await?;
    Ok(Json(all.into_iter().map(wire).collect()))
}

/// Creates a tenant (operator): the answer carries its first organization key's secret,
/// shown once.
#[utoipa::path(post, path = "/organizations", tag = "Identity", request_body = OrganizationInput,
    responses((status = 201, body = CreatedOrganization),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json")))]
async fn create(
    State(s): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<OrganizationInput>,
) -> IdResult<(StatusCode, Json<CreatedOrganization>)> {
    let name = b.name.unwrap_or_default();
    let (org, key) = s.service.create_organization(&p, &name).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedOrganization {
            organization: wire(org),
            key_id: key.key.id.0,
            key_secret: key.token,
        }),
    ))
}

#[utoipa::path(get, path = "/organizations/{id}", tag = "Identity", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Organization),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json")))]
async fn get(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<OrgId>,
) -> IdResult<Json<Organization>> {
    Ok(Json(wire(s.service.get_organization(&p, id).await?)))
}

/// Renames a tenant (operator).
#[utoipa::path(put, path = "/organizations/{id}", tag = "Identity", params(("id" = uuid::Uuid, Path)),
    request_body = OrganizationInput,
    responses((status = 200, body = Organization),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json")))]
async fn rename(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<OrgId>,
    Body(b): Body<OrganizationInput>,
) -> IdResult<Json<Organization>> {
    let name = b.name.unwrap_or_default();
    Ok(Json(wire(
        s.service.rename_organization(&p, id, &name).await?,
    )))
}

/// Deletes a tenant and everything it owns: its keys and clients stop working at the next
/// request (operator; the operator organization cannot delete itself: 409).
#[utoipa::path(delete, path = "/organizations/{id}", tag = "Identity", params(("id" = uuid::Uuid, Path)),
    responses((status = 204),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json")))]
async fn delete(State(s): State<AppState>, Auth(p): Auth, Id(id): Id<OrgId>) -> IdResult<Deleted> {
    s.service.delete_organization(&p, id).await?;
    Ok(Deleted)
}
