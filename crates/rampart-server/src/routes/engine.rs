//! `/engine/v1`: the job protocol for remote engines (`rampart engine`), the server side
//! of `rampart_worker::http::HttpSource` (whose module doc fixes the routes).
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
use rampart_domain::job::{FindingBatch, Heartbeat, JobEvent, JobOutcome};
use rampart_domain::{ClaimScope, Engine, ScanId};
use rampart_service::{EngineReport, JobError, Service, SERVER_VERSION};
use std::time::Duration;
use utoipa_axum::{router::OpenApiRouter, routes};

/// Header naming the worker slot (as `rampart_worker::http::WORKER_HEADER`).
pub const WORKER_HEADER: &str = "rampart-worker";
/// Header with the engine's version (optional; the server's version when absent).
pub const VERSION_HEADER: &str = "rampart-engine-version";
/// Longest claim long-poll.
pub const MAX_CLAIM_WAIT: Duration = Duration::from_secs(30);
/// While long-polling, the queue is also looked at this often (scans queued by another
/// replica do not signal this process).
const CLAIM_POLL: Duration = Duration::from_secs(1);

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(claim))
        .routes(routes!(heartbeat))
        .routes(routes!(events))
        .routes(routes!(findings))
        .routes(routes!(finish))
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
struct ClaimQuery {
    /// Seconds to wait for a job when none is queued (long poll, at most 30).
    wait: Option<u64>,
}

/// Claims the next job of the engine's organization and engine group: 200 with its
/// `JobSpec`, or 204 when none came within `wait` seconds.
#[utoipa::path(post, path = "/jobs/claim", tag = "Engine", params(ClaimQuery),
    responses((status = 200, description = "The leased job's `JobSpec`"),
        (status = 204, description = "No job within the wait"),
        (status = 401, description = "Unknown, revoked or replaced engine credential")))]
async fn claim(
    State(s): State<AppState>,
    caller: EngineCaller,
    Query(q): Query<ClaimQuery>,
) -> ApiResult<Response> {
    let wait = Duration::from_secs(q.wait.unwrap_or(0)).min(MAX_CLAIM_WAIT);
    let deadline = tokio::time::Instant::now() + wait;
    let scope = ClaimScope::remote(&caller.engine);
    let signal = s.service.job_signal();
    caller.beat(&s.service).await;
    loop {
        // Created before the attempt: a signal sent while claiming is not lost.
        let notified = signal.notified();
        if let Some(spec) = s
            .service
            .claim_job_in(&scope, &caller.worker)
            .await
            .map_err(job_err)?
        {
            caller.beat(&s.service).await;
            return Ok(Json(spec).into_response());
        }
        let now = tokio::time::Instant::now();
        if now >= deadline {
            return Ok(StatusCode::NO_CONTENT.into_response());
        }
        let nap = CLAIM_POLL.min(deadline - now);
        let _ = tokio::time::timeout(nap, notified).await;
    }
}

/// Extends the lease; the reply carries the pending action (PAUSE, STOP, CANCEL, …).
#[utoipa::path(post, path = "/jobs/{id}/heartbeat", tag = "Engine",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "`HeartbeatReply`"),
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

/// Appends engine events.
#[utoipa::path(post, path = "/jobs/{id}/events", tag = "Engine",
    params(("id" = uuid::Uuid, Path)),
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
#[utoipa::path(post, path = "/jobs/{id}/findings", tag = "Engine",
    params(("id" = uuid::Uuid, Path)),
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
#[utoipa::path(post, path = "/jobs/{id}/finish", tag = "Engine",
    params(("id" = uuid::Uuid, Path)),
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
