//! `/scans`: submit, read, delete (FAILED only), state actions, execution details and
//! the engine and platform event logs (reference §3.5).

use super::self_link;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Body, Id};
use crate::paging::{PageQuery, Paging};
use crate::routes::{Created, Deleted, Updated};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use rampart_api_types::ias::{
    ErrorBody, IdRef, LogEvent, Page, Scan, ScanActionBody, ScanCoverage, ScanExecutionDetails,
    ScanValidation, SpecializedScanParameters, Submitter,
};
use rampart_api_types::ias_time;
use rampart_domain::job::{Coverage, EventKind, ExecutionDetails, JobEvent};
use rampart_domain::{AppId, ScanConfigId, ScanId, ScanType, VulnerabilityId};
use rampart_query::ResourceType;
use rampart_service::{Problem, ScanInput, ScanParent};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, submit))
        .routes(routes!(get, delete))
        .routes(routes!(get_action, put_action))
        .routes(routes!(execution_details))
        .routes(routes!(engine_events))
        .routes(routes!(platform_events))
}

/// Domain → wire: `submitter` and `links` always, `completion_time` and
/// `failure_reason` only once set.
pub fn wire(s: &AppState, x: rampart_domain::Scan) -> Scan {
    let specialized = !x.vulnerability_ids.is_empty();
    Scan {
        id: Some(x.id.0),
        app: Some(IdRef { id: x.app.0 }),
        scan_config: Some(IdRef {
            id: x.scan_config.0,
        }),
        submitter: Some(Submitter {
            kind: x.submitter.kind.as_str().to_string(),
            id: x.submitter.id,
        }),
        submit_time: Some(ias_time(x.submit_time)),
        completion_time: x.completion_time.map(ias_time),
        status: Some(x.status.as_str().to_string()),
        failure_reason: x.failure_reason.map(|f| f.as_str().to_string()),
        validation: x.parent.filter(|_| !specialized).map(|p| ScanValidation {
            parent_scan_id: Some(p.0),
        }),
        scan_type: Some(x.scan_type.as_str().to_string()),
        specialized_scan_parameters: x.parent.filter(|_| specialized).map(|p| {
            SpecializedScanParameters {
                id: None,
                scan_id: Some(x.id.0),
                parent_scan_id: Some(p.0),
                vulnerability_ids: x.vulnerability_ids.iter().map(|v| v.0).collect(),
            }
        }),
        links: self_link(s, format!("/scans/{}", x.id)),
    }
}

fn input(b: Scan) -> ApiResult<ScanInput> {
    let scan_type = match b.scan_type.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(t) => Some(ScanType::parse(&t.to_ascii_uppercase()).ok_or_else(|| {
            ApiError::property("scan_type", "must be REGULAR, VERIFICATION or INCREMENTAL")
        })?),
    };
    Ok(ScanInput {
        scan_config: b.scan_config.map(|c| ScanConfigId(c.id)),
        app: b.app.map(|a| AppId(a.id)),
        scan_type,
        validation: b.validation.map(|v| ScanParent {
            parent: v.parent_scan_id.map(ScanId),
            vulnerability_ids: Vec::new(),
        }),
        specialized: b.specialized_scan_parameters.map(|v| ScanParent {
            parent: v.parent_scan_id.map(ScanId),
            vulnerability_ids: v
                .vulnerability_ids
                .into_iter()
                .map(VulnerabilityId)
                .collect(),
        }),
    })
}

fn events(v: Vec<JobEvent>) -> Vec<LogEvent> {
    v.into_iter()
        .map(|e| LogEvent {
            time: ias_time(e.time),
            event: e.event,
        })
        .collect()
}

fn details(d: ExecutionDetails, c: Option<Coverage>) -> ScanExecutionDetails {
    ScanExecutionDetails {
        logged_in: d.logged_in,
        links_in_queue: d.links_in_queue,
        links_crawled: d.links_crawled,
        attacks_in_queue: d.attacks_in_queue,
        attacked: d.attacked,
        vulnerable: d.vulnerable,
        requests: d.requests,
        failed_requests: d.failed_requests,
        network_speed: d.network_speed,
        drip_delay: d.drip_delay,
        coverage: c.map(coverage),
    }
}

/// A scan's coverage as the API shows it.
pub fn coverage(c: Coverage) -> ScanCoverage {
    ScanCoverage {
        limits_reached: c.limits_reached,
        limit_details: c.limit_details,
        dropped: c.dropped,
        abandoned: c.abandoned,
    }
}

/// Lists the scans of the apps the caller may see (default sort `scan.submit_time` DESC).
#[utoipa::path(get, path = "/scans", tag = "Scans", params(PageQuery),
    responses((status = 200, body = Page<Scan>), (status = 401, body = ErrorBody)))]
async fn list(
    State(s): State<AppState>,
    Auth(p): Auth,
    paging: Paging,
) -> ApiResult<Json<Page<Scan>>> {
    let page = s
        .service
        .list_scans(&p, &paging.request(ResourceType::Scan)?)
        .await?;
    let data = page.items.into_iter().map(|x| wire(&s, x)).collect();
    Ok(Json(paging.envelope(&s, "/scans", data, page.total)))
}

/// Submits a scan of a scan config. Only `scan_config.id` is required; `app.id`, when
/// sent, must be the config's app. A VERIFICATION scan names its parent in
/// `validation.parent_scan_id`, or in `specialized_scan_parameters` with the subset of
/// the parent's `vulnerability_ids` to re-check (not both). The scan is created
/// `PENDING`, or `FAILED` at once with `CONFIGURATION_INVALID` when the config has
/// `errors[]`, or `TARGETS_INVALID` when a seed or scope URL is not under an enabled
/// target.
#[utoipa::path(post, path = "/scans", tag = "Scans", request_body = Scan,
    responses((status = 201, description = "Created; `Location` names the scan"), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn submit(
    State(s): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<Scan>,
) -> ApiResult<Created> {
    let id = s.service.submit_scan(&p, input(b)?).await?;
    Ok(Created(s.ias_url(&format!("/scans/{id}"))))
}

#[utoipa::path(get, path = "/scans/{id}", tag = "Scans", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Scan), (status = 404, body = ErrorBody)))]
async fn get(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<ScanId>,
) -> ApiResult<Json<Scan>> {
    Ok(Json(wire(&s, s.service.get_scan(&p, id).await?)))
}

/// Deletes a scan; only a `FAILED` scan can be deleted (409 otherwise).
#[utoipa::path(delete, path = "/scans/{id}", tag = "Scans", params(("id" = uuid::Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<ScanId>,
) -> ApiResult<Deleted> {
    s.service.delete_scan(&p, id).await?;
    Ok(Deleted)
}

/// 204 with no body, or 200 `{"action": …}`.
pub enum PendingAction {
    None,
    Some(ScanActionBody),
}

impl IntoResponse for PendingAction {
    fn into_response(self) -> Response {
        match self {
            PendingAction::None => StatusCode::NO_CONTENT.into_response(),
            PendingAction::Some(b) => Json(b).into_response(),
        }
    }
}

/// The action sent to the scan that its engine has not picked up yet: 204 when there
/// is none, 200 `{"action": …}` while one is pending.
#[utoipa::path(get, path = "/scans/{id}/action", tag = "Scans", params(("id" = uuid::Uuid, Path)),
    responses((status = 204, description = "No action is pending"), (status = 200, body = ScanActionBody), (status = 404, body = ErrorBody)))]
async fn get_action(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<ScanId>,
) -> ApiResult<PendingAction> {
    Ok(match s.service.pending_scan_action(&p, id).await? {
        None => PendingAction::None,
        Some(a) => PendingAction::Some(ScanActionBody {
            action: a.as_str().to_string(),
        }),
    })
}

/// Sends `PAUSE`, `RESUME`, `STOP`, `CANCEL` or `AUTHENTICATE` (any letter case). STOP
/// ends the scan early and it completes normally; CANCEL fails it (`CANCELED`), at once
/// when no engine started it. An action the current status does not allow is 409 (the
/// message names the status); an unknown action is 422.
#[utoipa::path(put, path = "/scans/{id}/action", tag = "Scans", params(("id" = uuid::Uuid, Path)),
    request_body = ScanActionBody,
    responses((status = 200), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_action(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<ScanId>,
    Body(b): Body<ScanActionBody>,
) -> ApiResult<Updated> {
    if b.action.trim().is_empty() {
        return Err(ApiError::Validation(
            "resource validation error".into(),
            vec![Problem::property("action", "is required")],
        ));
    }
    s.service.send_scan_action(&p, id, &b.action).await?;
    Ok(Updated)
}

/// The engine's latest counters (all zeros before it reports).
#[utoipa::path(get, path = "/scans/{id}/execution-details", tag = "Scans", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = ScanExecutionDetails), (status = 404, body = ErrorBody)))]
async fn execution_details(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<ScanId>,
) -> ApiResult<Json<ScanExecutionDetails>> {
    Ok(Json(details(
        s.service.scan_execution_details(&p, id).await?,
        s.service.scan_coverage(&p, id).await?,
    )))
}

/// The engine's log of the scan, oldest first.
#[utoipa::path(get, path = "/scans/{id}/engine-events", tag = "Scans", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Vec<LogEvent>), (status = 404, body = ErrorBody)))]
async fn engine_events(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<ScanId>,
) -> ApiResult<Json<Vec<LogEvent>>> {
    Ok(Json(events(
        s.service.scan_events(&p, id, EventKind::Engine).await?,
    )))
}

/// The platform's log of the scan (submission, actions sent, lease expiries,
/// completion), oldest first.
#[utoipa::path(get, path = "/scans/{id}/platform-events", tag = "Scans", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Vec<LogEvent>), (status = 404, body = ErrorBody)))]
async fn platform_events(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<ScanId>,
) -> ApiResult<Json<Vec<LogEvent>>> {
    Ok(Json(events(
        s.service.scan_events(&p, id, EventKind::Platform).await?,
    )))
}
