//! `/engine-groups` and `/engines` (§3.7): remote scan engines, their groups and
//! credentials.

use super::self_link;
use crate::error::ApiResult;
use crate::extract::{Auth, Body, Id};
use crate::paging::{PageQuery, Paging};
use crate::routes::{Created, Deleted, Updated};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use rampart_api_types::ias::{Engine, EngineCredential, EngineGroup, ErrorBody, IdRef, Page};
use rampart_domain::{EngineGroupId, EngineId};
use rampart_query::ResourceType;
use rampart_service::{EngineGroupInput, EngineInput, EngineView};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_groups, create_group))
        .routes(routes!(get_group, update_group, delete_group))
        .routes(routes!(group_engines))
        .routes(routes!(list, create))
        .routes(routes!(get, update, delete))
        .routes(routes!(
            credential,
            regenerate_credential,
            revoke_credential
        ))
        .routes(routes!(upgrade))
}

pub fn wire_group(s: &AppState, g: rampart_domain::EngineGroup) -> EngineGroup {
    EngineGroup {
        id: Some(g.id.0),
        links: self_link(s, format!("/engine-groups/{}", g.id)),
        name: g.name,
        description: g.description,
    }
}

pub fn wire(s: &AppState, v: EngineView) -> Engine {
    let e = v.engine;
    Engine {
        id: Some(e.id.0),
        links: self_link(s, format!("/engines/{}", e.id)),
        name: e.name,
        engine_group: e.group.map(|g| IdRef { id: g.0 }),
        status: Some(v.status.as_str().to_string()),
        failure_reason: e.failure_reason.map(|f| f.as_str().to_string()),
        latest_version: Some(v.latest_version),
        upgradeable: Some(v.upgradeable),
        auto_upgrade: Some(e.auto_upgrade),
    }
}

fn group_input(b: EngineGroup) -> EngineGroupInput {
    EngineGroupInput {
        name: b.name,
        description: b.description,
    }
}

fn engine_input(b: Engine) -> EngineInput {
    EngineInput {
        name: b.name,
        engine_group: b.engine_group.map(|g| EngineGroupId(g.id)),
        auto_upgrade: b.auto_upgrade,
    }
}

fn engines_page(
    s: &AppState,
    paging: &Paging,
    path: &str,
    page: rampart_store::Page<EngineView>,
) -> Page<Engine> {
    let data = page.items.into_iter().map(|v| wire(s, v)).collect();
    paging.envelope(s, path, data, page.total)
}

/// Lists engine groups (default sort `enginegroup.name`). The Default group is not listed.
#[utoipa::path(get, path = "/engine-groups", tag = "Engine Groups", params(PageQuery),
    responses((status = 200, body = Page<EngineGroup>), (status = 401, body = ErrorBody)))]
async fn list_groups(
    State(s): State<AppState>,
    Auth(p): Auth,
    paging: Paging,
) -> ApiResult<Json<Page<EngineGroup>>> {
    let page = s
        .service
        .list_engine_groups(&p, &paging.request(ResourceType::EngineGroup)?)
        .await?;
    let data = page.items.into_iter().map(|g| wire_group(&s, g)).collect();
    Ok(Json(paging.envelope(
        &s,
        "/engine-groups",
        data,
        page.total,
    )))
}

/// Creates an engine group (Product Admin); names are unique in the organization.
#[utoipa::path(post, path = "/engine-groups", tag = "Engine Groups", request_body = EngineGroup,
    responses((status = 201), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_group(
    State(s): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<EngineGroup>,
) -> ApiResult<Created> {
    let id = s.service.create_engine_group(&p, group_input(b)).await?;
    Ok(Created(s.ias_url(&format!("/engine-groups/{id}"))))
}

#[utoipa::path(get, path = "/engine-groups/{id}", tag = "Engine Groups", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = EngineGroup), (status = 404, body = ErrorBody)))]
async fn get_group(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<EngineGroupId>,
) -> ApiResult<Json<EngineGroup>> {
    Ok(Json(wire_group(
        &s,
        s.service.get_engine_group(&p, id).await?,
    )))
}

#[utoipa::path(put, path = "/engine-groups/{id}", tag = "Engine Groups", params(("id" = uuid::Uuid, Path)), request_body = EngineGroup,
    responses((status = 200), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_group(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<EngineGroupId>,
    Body(b): Body<EngineGroup>,
) -> ApiResult<Updated> {
    s.service
        .update_engine_group(&p, id, group_input(b))
        .await?;
    Ok(Updated)
}

/// Deletes an engine group. Refused (409) while engines are in it or scan configs are
/// assigned to it: move or delete them first.
#[utoipa::path(delete, path = "/engine-groups/{id}", tag = "Engine Groups", params(("id" = uuid::Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete_group(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<EngineGroupId>,
) -> ApiResult<Deleted> {
    s.service.delete_engine_group(&p, id).await?;
    Ok(Deleted)
}

/// The engines of a group (default sort `engine.name`).
#[utoipa::path(get, path = "/engine-groups/{id}/engines", tag = "Engine Groups", params(("id" = uuid::Uuid, Path), PageQuery),
    responses((status = 200, body = Page<Engine>), (status = 404, body = ErrorBody)))]
async fn group_engines(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<EngineGroupId>,
    paging: Paging,
) -> ApiResult<Json<Page<Engine>>> {
    let page = s
        .service
        .list_group_engines(&p, id, &paging.request(ResourceType::Engine)?)
        .await?;
    Ok(Json(engines_page(
        &s,
        &paging,
        &format!("/engine-groups/{id}/engines"),
        page,
    )))
}

/// Lists engines (default sort `engine.name`). `status` is derived from heartbeats: none
/// within 90 s → `OFFLINE` (also before the first one); a reported failure → `FAILED`;
/// an upgrade under way → `UPGRADING`; running scans → `SCANNING`; else `IDLE`.
#[utoipa::path(get, path = "/engines", tag = "Engines", params(PageQuery),
    responses((status = 200, body = Page<Engine>), (status = 401, body = ErrorBody)))]
async fn list(
    State(s): State<AppState>,
    Auth(p): Auth,
    paging: Paging,
) -> ApiResult<Json<Page<Engine>>> {
    let page = s
        .service
        .list_engines(&p, &paging.request(ResourceType::Engine)?)
        .await?;
    Ok(Json(engines_page(&s, &paging, "/engines", page)))
}

/// Registers an engine (Product Admin) and creates its credential (read it with
/// `GET /engines/{id}/credential`). Omit `engine_group` for the Default group.
#[utoipa::path(post, path = "/engines", tag = "Engines", request_body = Engine,
    responses((status = 201), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create(
    State(s): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<Engine>,
) -> ApiResult<Created> {
    let id = s.service.create_engine(&p, engine_input(b)).await?;
    Ok(Created(s.ias_url(&format!("/engines/{id}"))))
}

#[utoipa::path(get, path = "/engines/{id}", tag = "Engines", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Engine), (status = 404, body = ErrorBody)))]
async fn get(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<EngineId>,
) -> ApiResult<Json<Engine>> {
    Ok(Json(wire(&s, s.service.get_engine(&p, id).await?)))
}

/// Renames an engine, moves it to a group (omit `engine_group` for the Default group)
/// or sets `auto_upgrade` (omitted: unchanged).
#[utoipa::path(put, path = "/engines/{id}", tag = "Engines", params(("id" = uuid::Uuid, Path)), request_body = Engine,
    responses((status = 200), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<EngineId>,
    Body(b): Body<Engine>,
) -> ApiResult<Updated> {
    s.service.update_engine(&p, id, engine_input(b)).await?;
    Ok(Updated)
}

/// Deletes an engine and its credential (done when the response arrives).
#[utoipa::path(delete, path = "/engines/{id}", tag = "Engines", params(("id" = uuid::Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<EngineId>,
) -> ApiResult<Deleted> {
    s.service.delete_engine(&p, id).await?;
    Ok(Deleted)
}

/// The engine's key (Product Admin: it lets its holder run scan jobs). 404 after a
/// revocation; 409 when the server's secret key changed since it was issued (regenerate it).
#[utoipa::path(get, path = "/engines/{id}/credential", tag = "Engines", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = EngineCredential), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn credential(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<EngineId>,
) -> ApiResult<Json<EngineCredential>> {
    let api_key = s.service.engine_credential(&p, id).await?;
    Ok(Json(EngineCredential { api_key }))
}

/// Regenerates the key (also after a revocation) and returns it; the old key stops
/// working at once.
#[utoipa::path(put, path = "/engines/{id}/credential", tag = "Engines", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = EngineCredential), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn regenerate_credential(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<EngineId>,
) -> ApiResult<Json<EngineCredential>> {
    let api_key = s.service.regenerate_engine_credential(&p, id).await?;
    Ok(Json(EngineCredential { api_key }))
}

/// Revokes the key: the engine can no longer call in until a new one is issued (PUT).
#[utoipa::path(delete, path = "/engines/{id}/credential", tag = "Engines", params(("id" = uuid::Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn revoke_credential(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<EngineId>,
) -> ApiResult<Deleted> {
    s.service.revoke_engine_credential(&p, id).await?;
    Ok(Deleted)
}

/// Asks an `IDLE` engine that is not on the server's version to upgrade at its next
/// heartbeat (202). 409 when it is not IDLE; 422 when it already runs the latest version.
#[utoipa::path(post, path = "/engines/{id}/upgrade", tag = "Engines", params(("id" = uuid::Uuid, Path)),
    responses((status = 202), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn upgrade(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<EngineId>,
) -> ApiResult<StatusCode> {
    s.service.upgrade_engine(&p, id).await?;
    Ok(StatusCode::ACCEPTED)
}
