//! `/blackouts`: quiet windows of one app or of the whole organization (reference §3.8).

use super::self_link;
use crate::error::ApiResult;
use crate::extract::{Auth, Body, Id};
use crate::paging::{PageQuery, Paging};
use crate::routes::{Created, Deleted, Updated};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use rampart_api_types::ias::{Blackout, ErrorBody, Frequency, IdRef, Page};
use rampart_domain::blackout::FrequencySpec;
use rampart_domain::{AppId, BlackoutId};
use rampart_query::ResourceType;
use rampart_service::{BlackoutInput, BlackoutView};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, update, delete))
}

pub fn wire(state: &AppState, v: BlackoutView) -> Blackout {
    let b = v.blackout;
    Blackout {
        id: Some(b.id.0),
        links: self_link(state, format!("/blackouts/{}", b.id)),
        scope: Some(b.scope().as_str().to_string()),
        name: b.name,
        enabled: Some(b.enabled),
        active: Some(v.active),
        app: b.app.map(|a| IdRef { id: a.0 }),
        first_start: Some(b.first_start),
        first_end: Some(b.first_end),
        last_start: b.last_start,
        frequency: b.frequency.map(|f| Frequency {
            kind: Some(f.kind),
            interval: f.interval,
        }),
        rrule: b.rrule,
    }
}

fn input(b: Blackout) -> BlackoutInput {
    BlackoutInput {
        name: b.name,
        enabled: b.enabled,
        app: b.app.map(|a| AppId(a.id)),
        first_start: b.first_start,
        first_end: b.first_end,
        last_start: b.last_start,
        frequency: b.frequency.map(|f| FrequencySpec {
            kind: f.kind.unwrap_or_default().trim().to_ascii_uppercase(),
            interval: f.interval,
        }),
        rrule: b.rrule,
    }
}

/// Lists the blackouts the caller may see (default sort `blackout.name`); global ones
/// only with Manage Global Blackouts. `active` is computed when read.
#[utoipa::path(get, path = "/blackouts", tag = "Blackouts", params(PageQuery),
    responses((status = 200, body = Page<Blackout>), (status = 401, body = ErrorBody)))]
async fn list(
    State(s): State<AppState>,
    Auth(p): Auth,
    paging: Paging,
) -> ApiResult<Json<Page<Blackout>>> {
    let page = s
        .service
        .list_blackouts(&p, &paging.request(ResourceType::Blackout)?)
        .await?;
    let data = page.items.into_iter().map(|b| wire(&s, b)).collect();
    Ok(Json(paging.envelope(&s, "/blackouts", data, page.total)))
}

/// Creates a blackout: with `app.id` for that app, without for the whole organization
/// (Manage Global Blackouts: Product Admin). Exactly one of `frequency` and `rrule`.
#[utoipa::path(post, path = "/blackouts", tag = "Blackouts", request_body = Blackout,
    responses((status = 201), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create(
    State(s): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<Blackout>,
) -> ApiResult<Created> {
    let id = s.service.create_blackout(&p, input(b)).await?;
    Ok(Created(s.ias_url(&format!("/blackouts/{id}"))))
}

#[utoipa::path(get, path = "/blackouts/{id}", tag = "Blackouts", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Blackout), (status = 404, body = ErrorBody)))]
async fn get(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<BlackoutId>,
) -> ApiResult<Json<Blackout>> {
    Ok(Json(wire(&s, s.service.get_blackout(&p, id).await?)))
}

#[utoipa::path(put, path = "/blackouts/{id}", tag = "Blackouts", params(("id" = uuid::Uuid, Path)), request_body = Blackout,
    responses((status = 200), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<BlackoutId>,
    Body(b): Body<Blackout>,
) -> ApiResult<Updated> {
    s.service.update_blackout(&p, id, input(b)).await?;
    Ok(Updated)
}

#[utoipa::path(delete, path = "/blackouts/{id}", tag = "Blackouts", params(("id" = uuid::Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<BlackoutId>,
) -> ApiResult<Deleted> {
    s.service.delete_blackout(&p, id).await?;
    Ok(Deleted)
}
