//! `/engine/v1`: the job protocol for remote engines (`rampart engine`), the server side
//! of `rampart_worker::http::HttpSource`; routes and headers are `rampart_protocol::routes`.
//!
//! Every call is authenticated by the engine credential (`Authorization: Bearer rmpe_…`;
//! unknown, revoked or replaced → 401) and names its worker slot in `Rampart-Worker`.
//! The lease owner is `engine/<engine id>/<worker>`, built here from the authenticated
//! engine, so an engine can act only on its own leases (another engine's scan answers
//! 409 like a lost lease). A remote engine claims only `ON_PREMISE` jobs of its
//! organization and engine group ([`ClaimScope::remote`]). Every call also records the
//! engine's heartbeat (its status reads `SCANNING` while it holds a lease, else `IDLE`).

use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, Id};
use crate::state::AppState;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use rampart_domain::{ClaimScope, Engine, ScanId};
use rampart_protocol::poll::long_poll;
use rampart_protocol::routes::{self, MAX_WAIT, VERSION_HEADER, WORKER_HEADER};
use rampart_protocol::wire::{ActionReply, FindingBatch, Heartbeat, JobEvent, JobOutcome};
use rampart_service::{EngineReport, JobError, Service, SERVER_VERSION};
use std::time::Duration;
use utoipa_axum::{router::OpenApiRouter, routes};

/// While long-polling a claim, the queue is also looked at this often (scans queued by
/// another replica do not signal this process).
const CLAIM_POLL: Duration = Duration::from_secs(1);

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(claim))
        .routes(routes!(heartbeat))
        .routes(routes!(action))
        .routes(routes!(events))
        .routes(routes!(findings))
        .routes(routes!(finish))
        .routes(routes!(release))
}

/// The calling engine and its lease-owner name.
pub struct EngineCaller {
    engine: Engine,
    worker: String,
    version: String,
}

impl FromRequestParts<AppState> for EngineCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .ok_or(ApiError::Unauthorized)?;
        let engine = state.service.authenticate_engine(token).await?;
        let worker = parts
            .headers
            .get(WORKER_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|w| !w.is_empty() && w.len() <= 200 && !w.chars().any(char::is_control))
            .ok_or_else(|| {
                ApiError::BadRequest(
                    "the Rampart-Worker header must name the worker slot (1-200 characters)".into(),
                )
            })?;
        let version = parts
            .headers
            .get(VERSION_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty() && v.len() <= 64)
            .unwrap_or_else(|| SERVER_VERSION.to_string());
        Ok(EngineCaller {
            worker: Service::engine_worker_id(&engine, worker),
            engine,
            version,
        })
    }
}

impl EngineCaller {
    /// Records the engine's heartbeat with the number of leases it holds now.
    async fn beat(&self, s: &Service) {
        let active = match s.engine_active_jobs(&self.engine).await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(engine = %self.engine.id, error = %e, "cannot count engine jobs");
                return;
            }
        };
        let report = EngineReport {
            version: self.version.clone(),
            active_scans: active,
            failure_reason: None,
        };
        if let Err(e) = s.record_engine_heartbeat(&self.engine, report).await {
            tracing::warn!(engine = %self.engine.id, error = %e, "cannot record engine heartbeat");
        }
    }
}

fn job_err(e: JobError) -> ApiError {
    match e {
        JobError::Refused(r) => ApiError::Conflict(format!("{r}")),
        JobError::Service(s) => s.into(),
    }
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
struct WaitQuery {
    /// Seconds to wait when nothing is there yet (long poll, at most 30).
    wait: Option<u64>,
}

impl WaitQuery {
    fn wait(&self) -> Duration {
        Duration::from_secs(self.wait.unwrap_or(0)).min(MAX_WAIT)
    }
}

/// Claims the next job of the engine's organization and engine group: 200 with its
/// `JobSpec`, or 204 when none came within `wait` seconds.
#[utoipa::path(post, path = routes::CLAIM, tag = "Engine", params(WaitQuery),
    responses((status = 200, description = "The leased job", body = crate::engine_schema::JobSpec),
        (status = 204, description = "No job within the wait"),
        (status = 401, description = "Unknown, revoked or replaced engine credential")))]
async fn claim(
    State(s): State<AppState>,
    caller: EngineCaller,
    Query(q): Query<WaitQuery>,
) -> ApiResult<Response> {
    let scope = ClaimScope::remote(&caller.engine);
    let signal = s.service.job_signal();
    caller.beat(&s.service).await;
    let claimed = long_poll(&signal, CLAIM_POLL, q.wait(), || {
        s.service.claim_job_in(&scope, &caller.worker)
    })
    .await
    .map_err(job_err)?;
    match claimed {
        Some(spec) => {
            caller.beat(&s.service).await;
            Ok(Json(spec).into_response())
        }
        None => Ok(StatusCode::NO_CONTENT.into_response()),
    }
}

/// Extends the lease; the reply carries the pending action (PAUSE, STOP, CANCEL, …).
#[utoipa::path(post, path = routes::HEARTBEAT, tag = "Engine",
    params(("id" = uuid::Uuid, Path)),
    request_body = crate::engine_schema::Heartbeat,
    responses((status = 200, description = "The pending action, if any", body = crate::engine_schema::ActionReply),
        (status = 401, description = "Credential refused"),
        (status = 409, description = "The lease is lost")))]
async fn heartbeat(
    State(s): State<AppState>,
    caller: EngineCaller,
    Id(scan): Id<ScanId>,
    Body(hb): Body<Heartbeat>,
) -> ApiResult<Response> {
    let r = s.service.job_heartbeat(scan, &caller.worker, &hb).await;
    caller.beat(&s.service).await;
    Ok(Json(r.map_err(job_err)?).into_response())
}

/// The action long-poll: answers as soon as a client asks for PAUSE, STOP, CANCEL, … on
/// the job (or with no action after `wait` seconds); the action is handed over once.
#[utoipa::path(post, path = routes::ACTION, tag = "Engine",
    params(("id" = uuid::Uuid, Path), WaitQuery),
    responses((status = 200, description = "The action, if one came within the wait", body = crate::engine_schema::ActionReply),
        (status = 401, description = "Credential refused"),
        (status = 409, description = "The lease is lost")))]
async fn action(
    State(s): State<AppState>,
    caller: EngineCaller,
    Id(scan): Id<ScanId>,
    Query(q): Query<WaitQuery>,
) -> ApiResult<Response> {
    let action = s
        .service
        .job_wait_action(scan, &caller.worker, q.wait())
        .await
        .map_err(job_err)?;
    Ok(Json(ActionReply { action }).into_response())
}

/// Hands an unfinished job back (a draining engine): it is queued again at once (or, out
/// of attempts, its scan fails `ENGINE_UNAVAILABLE`).
#[utoipa::path(post, path = routes::RELEASE, tag = "Engine",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 204), (status = 401, description = "Credential refused"),
        (status = 409, description = "The lease is lost")))]
async fn release(
    State(s): State<AppState>,
    caller: EngineCaller,
    Id(scan): Id<ScanId>,
) -> ApiResult<StatusCode> {
    let r = s.service.job_release(scan, &caller.worker).await;
    caller.beat(&s.service).await;
    r.map_err(job_err)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Appends engine events.
#[utoipa::path(post, path = routes::EVENTS, tag = "Engine",
    params(("id" = uuid::Uuid, Path)),
    request_body = Vec<crate::engine_schema::JobEvent>,
    responses((status = 204), (status = 401, description = "Credential refused"),
        (status = 409, description = "The lease is lost")))]
async fn events(
    State(s): State<AppState>,
    caller: EngineCaller,
    Id(scan): Id<ScanId>,
    Body(events): Body<Vec<JobEvent>>,
) -> ApiResult<StatusCode> {
    s.service
        .job_events(scan, &caller.worker, &events)
        .await
        .map_err(job_err)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Stores a batch of confirmed findings (a batch id seen before changes nothing).
#[utoipa::path(post, path = routes::FINDINGS, tag = "Engine",
    params(("id" = uuid::Uuid, Path)),
    request_body = crate::engine_schema::FindingBatch,
    responses((status = 204), (status = 401, description = "Credential refused"),
        (status = 409, description = "The lease is lost")))]
async fn findings(
    State(s): State<AppState>,
    caller: EngineCaller,
    Id(scan): Id<ScanId>,
    Body(batch): Body<FindingBatch>,
) -> ApiResult<StatusCode> {
    s.service
        .job_findings(scan, &caller.worker, &batch)
        .await
        .map_err(job_err)?;
    caller.beat(&s.service).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Ends the job with its outcome; the platform settles the scan's status.
#[utoipa::path(post, path = routes::FINISH, tag = "Engine",
    params(("id" = uuid::Uuid, Path)),
    request_body = crate::engine_schema::JobOutcome,
    responses((status = 204), (status = 401, description = "Credential refused"),
        (status = 409, description = "The lease is lost")))]
async fn finish(
    State(s): State<AppState>,
    caller: EngineCaller,
    Id(scan): Id<ScanId>,
    Body(outcome): Body<JobOutcome>,
) -> ApiResult<StatusCode> {
    let r = s.service.job_finish(scan, &caller.worker, &outcome).await;
    caller.beat(&s.service).await;
    r.map_err(job_err)?;
    Ok(StatusCode::NO_CONTENT)
}
