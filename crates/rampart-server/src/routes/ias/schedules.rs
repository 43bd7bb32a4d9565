//! `/schedules`: recurring scans of a scan config.

use super::self_link;
use crate::error::ApiResult;
use crate::extract::{Auth, Body, Id};
use crate::paging::{PageQuery, Paging};
use crate::routes::{Created, Deleted, Updated};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use rampart_api_types::ias::{ErrorBody, Frequency, IdRef, Page, Schedule};
use rampart_domain::recurrence::format_time;
use rampart_domain::ScheduleId;
use rampart_query::ResourceType;
use rampart_service::ScheduleInput;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, update, delete))
}

pub fn wire(state: &AppState, x: rampart_domain::Schedule) -> Schedule {
    let r = x.recurrence.spec();
    let zone = x.recurrence.zone();
    let utc = |t| format_time(t, None);
    Schedule {
        id: Some(x.id.0),
        links: self_link(state, format!("/schedules/{}", x.id)),
        name: x.name,
        enabled: Some(x.enabled),
        scan_config: x.scan_config.map(|c| IdRef { id: c.0 }),
        app: Some(IdRef { id: x.app.0 }),
        first_start: Some(format_time(r.first_start, zone)),
        last_start: r.last_start.map(|t| format_time(t, zone)),
        frequency: r.frequency.map(|f| Frequency {
            kind: Some(f.kind.as_str().into()),
            interval: Some(f.interval.into()),
        }),
        rrule: r.rrule.clone(),
        next_run_time: x.next_run_at.map(utc),
        last_run_time: x.last_fired_at.map(utc),
        disabled_reason: x.disabled_reason,
    }
}

fn input(b: Schedule) -> ScheduleInput {
    ScheduleInput {
        name: b.name,
        enabled: b.enabled,
        scan_config: b.scan_config.map(|c| c.id.into()),
        first_start: b.first_start,
        last_start: b.last_start,
        frequency: b.frequency.map(|f| (f.kind, f.interval)),
        rrule: b.rrule,
    }
}

/// Lists schedules (default sort `schedule.name` ascending).
#[utoipa::path(get, path = "/schedules", tag = "Schedules", params(PageQuery),
    responses((status = 200, body = Page<Schedule>), (status = 401, body = ErrorBody)))]
async fn list(
    State(s): State<AppState>,
    Auth(p): Auth,
    paging: Paging,
) -> ApiResult<Json<Page<Schedule>>> {
    let page = s
        .service
        .list_schedules(&p, &paging.request(ResourceType::Schedule)?)
        .await?;
    let data = page.items.into_iter().map(|x| wire(&s, x)).collect();
    Ok(Json(paging.envelope(&s, "/schedules", data, page.total)))
}

/// Creates a schedule; an invalid recurrence is 422 naming the field.
#[utoipa::path(post, path = "/schedules", tag = "Schedules", request_body = Schedule,
    responses((status = 201), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create(
    State(s): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<Schedule>,
) -> ApiResult<Created> {
    let id = s.service.create_schedule(&p, input(b)).await?;
    Ok(Created(s.ias_url(&format!("/schedules/{id}"))))
}

#[utoipa::path(get, path = "/schedules/{id}", tag = "Schedules", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Schedule), (status = 404, body = ErrorBody)))]
async fn get(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<ScheduleId>,
) -> ApiResult<Json<Schedule>> {
    Ok(Json(wire(&s, s.service.get_schedule(&p, id).await?)))
}

#[utoipa::path(put, path = "/schedules/{id}", tag = "Schedules", params(("id" = uuid::Uuid, Path)), request_body = Schedule,
    responses((status = 200), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<ScheduleId>,
    Body(b): Body<Schedule>,
) -> ApiResult<Updated> {
    s.service.update_schedule(&p, id, input(b)).await?;
    Ok(Updated)
}

#[utoipa::path(delete, path = "/schedules/{id}", tag = "Schedules", params(("id" = uuid::Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<ScheduleId>,
) -> ApiResult<Deleted> {
    s.service.delete_schedule(&p, id).await?;
    Ok(Deleted)
}
