//! `/targets`: the allow-listed domains scans may reach.

use super::self_link;
use crate::error::ApiResult;
use crate::extract::{Auth, Body, Id};
use crate::paging::{PageQuery, Paging};
use crate::routes::{Created, Deleted, Updated};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use rampart_api_types::ias::{ErrorBody, Page, Target};
use rampart_domain::TargetId;
use rampart_query::ResourceType;
use rampart_service::TargetInput;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, update, delete))
}

pub fn wire(state: &AppState, t: rampart_domain::Target) -> Target {
    Target {
        id: Some(t.id.0),
        links: self_link(state, format!("/targets/{}", t.id)),
        domain: t.domain,
        enabled: Some(t.enabled),
        archived: Some(t.archived),
    }
}

fn input(t: Target) -> TargetInput {
    TargetInput {
        domain: t.domain,
        enabled: t.enabled.unwrap_or(true),
        archived: t.archived.unwrap_or(false),
    }
}

/// Lists targets (default sort `target.domain` ascending).
#[utoipa::path(get, path = "/targets", tag = "Targets", params(PageQuery),
    responses((status = 200, body = Page<Target>), (status = 401, body = ErrorBody)))]
async fn list(
    State(s): State<AppState>,
    Auth(p): Auth,
    paging: Paging,
) -> ApiResult<Json<Page<Target>>> {
    let page = s
        .service
        .list_targets(&p, &paging.request(ResourceType::Target)?)
        .await?;
    let data = page.items.into_iter().map(|t| wire(&s, t)).collect();
    Ok(Json(paging.envelope(&s, "/targets", data, page.total)))
}

/// Creates a target (Product Admin).
#[utoipa::path(post, path = "/targets", tag = "Targets", request_body = Target,
    responses((status = 201), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create(
    State(s): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<Target>,
) -> ApiResult<Created> {
    let id = s.service.create_target(&p, input(b)).await?;
    Ok(Created(s.ias_url(&format!("/targets/{id}"))))
}

#[utoipa::path(get, path = "/targets/{id}", tag = "Targets", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Target), (status = 404, body = ErrorBody)))]
async fn get(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<TargetId>,
) -> ApiResult<Json<Target>> {
    Ok(Json(wire(&s, s.service.get_target(&p, id).await?)))
}

#[utoipa::path(put, path = "/targets/{id}", tag = "Targets", params(("id" = uuid::Uuid, Path)), request_body = Target,
    responses((status = 200), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<TargetId>,
    Body(b): Body<Target>,
) -> ApiResult<Updated> {
    s.service.update_target(&p, id, input(b)).await?;
    Ok(Updated)
}

/// Deletes a target; a target that was scanned cannot be deleted (409): disable it.
#[utoipa::path(delete, path = "/targets/{id}", tag = "Targets", params(("id" = uuid::Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<TargetId>,
) -> ApiResult<Deleted> {
    s.service.delete_target(&p, id).await?;
    Ok(Deleted)
}
