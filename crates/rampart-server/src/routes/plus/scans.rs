//! `/scans` and `/applications/{id}/scans`: `dast` scans run the engine (they are
//! `/ias/v1` scans); `sast`, `sca` and `container` scans import a SARIF or CycloneDX
//! document sent as the request body (see `upload`), with `?dryRun=true` answering the
//! delta without writing.

use super::{created, json_body, upload, uuid_of};
use crate::extract::{PlusAuth, Query};
use crate::problem::Problem;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rampart_api_types::oauth::ProblemBody;
use rampart_api_types::plus::{
    ImportPreview, PolicyViolation, Scan, ScanPolicyEvaluation, ScanSummary, ScanTrigger,
};
use rampart_domain as d;
use rampart_domain::{AppId, PlusScanType, ScanConfigId};
use rampart_ingest::Format;
use rampart_service::{Problem as Invalid, ServiceError, DAST_LIST_MAX};
use rampart_store::ListRequest;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, trigger))
        .routes(routes!(get))
        .routes(routes!(app_list, app_trigger))
}

fn count(v: &serde_json::Value, k: &str) -> u64 {
    v.get(k).and_then(serde_json::Value::as_u64).unwrap_or(0)
}

pub(crate) fn imported(s: d::PlusScan) -> Scan {
    let m = &s.summary;
    Scan {
        id: s.id.0,
        application_id: s.app.0,
        scan_type: s.scan_type.as_str().into(),
        status: "completed".into(),
        triggered_by: s.triggered_by,
        source: "import".into(),
        format: Some(s.format),
        tools: s.tools,
        started_at: Some(super::time(s.created_at)),
        completed_at: Some(super::time(s.created_at)),
        summary: ScanSummary {
            total_findings: count(m, "totalFindings"),
            critical: count(m, "critical"),
            high: count(m, "high"),
            medium: count(m, "medium"),
            low: count(m, "low"),
            info: count(m, "info"),
            new: count(m, "new"),
            unchanged: count(m, "unchanged"),
            reopened: count(m, "reopened"),
            closed: count(m, "closed"),
        },
        policy_evaluation: None,
    }
}

/// A scan's recorded gate verdict as the API shows it.
pub(crate) fn evaluation(e: &d::ScanEvaluation) -> ScanPolicyEvaluation {
    ScanPolicyEvaluation {
        result: e.verdict.as_str().into(),
        evaluated_at: super::time(e.evaluated_at),
        evaluated_policies: e.policies.len() as u64,
        violations: e
            .policies
            .iter()
            .filter(|v| v.verdict != d::Verdict::Pass)
            .map(|v| PolicyViolation {
                policy_id: v.policy.0,
                policy_name: v.name.clone(),
                action: v.action.as_str().into(),
                result: v.verdict.as_str().into(),
                matched: v.matched,
                vulnerability_ids: v.deciding.clone(),
                reason: format!(
                    "{} finding{} matched its conditions (action {})",
                    v.matched,
                    if v.matched == 1 { "" } else { "s" },
                    v.action
                ),
            })
            .collect(),
    }
}

/// Fills in the recorded gate verdicts of `scans`.
async fn with_evaluations(
    s: &AppState,
    p: &d::Principal,
    mut scans: Vec<Scan>,
) -> Result<Vec<Scan>, Problem> {
    let ids: Vec<uuid::Uuid> = scans.iter().map(|x| x.id).collect();
    let found = s.service.scan_policy_evaluations(p, &ids).await?;
    for x in &mut scans {
        x.policy_evaluation = found.get(&x.id).map(evaluation);
    }
    Ok(scans)
}

async fn one_with_evaluation(s: &AppState, p: &d::Principal, scan: Scan) -> Result<Scan, Problem> {
    let mut v = with_evaluations(s, p, vec![scan]).await?;
    Ok(v.remove(0))
}

/// The AppSec+ status of an engine scan.
fn engine_status(s: d::ScanStatus) -> &'static str {
    use d::ScanStatus as S;
    match s {
        S::Pending | S::Queued | S::Provisioning => "queued",
        S::Complete => "completed",
        S::Failed => "failed",
        _ => "running",
    }
}

pub(crate) fn engine(s: d::Scan) -> Scan {
    Scan {
        id: s.id.0,
        application_id: s.app.0,
        scan_type: "dast".into(),
        status: engine_status(s.status).into(),
        triggered_by: None,
        source: "engine".into(),
        format: None,
        tools: vec!["rampart".into()],
        started_at: Some(super::time(s.submit_time)),
        completed_at: s.completion_time.map(super::time),
        summary: ScanSummary::default(),
        policy_evaluation: None,
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct ListParams {
    application_id: Option<uuid::Uuid>,
    /// `queued`, `running`, `completed` or `failed`.
    status: Option<String>,
    scan_type: Option<String>,
}

async fn scans_of(
    s: &AppState,
    p: &d::Principal,
    app: Option<AppId>,
    q: &ListParams,
) -> Result<Vec<Scan>, Problem> {
    let mut out: Vec<Scan> = s
        .service
        .list_plus_scans(p, app)
        .await?
        .into_iter()
        .map(imported)
        .collect();
    // The newest engine scans of the application (filtered in the database).
    let query = |e: rampart_query::QueryError| Problem::from(ServiceError::Internal(e.message));
    let mut req = ListRequest::first(DAST_LIST_MAX);
    req.sort =
        rampart_query::parse_sort(rampart_query::ResourceType::Scan, "scan.submit_time,DESC")
            .map_err(query)?;
    if let Some(a) = app {
        req.filter = Some(
            rampart_query::parse_query(
                rampart_query::ResourceType::Scan,
                &format!("scan.app.id = '{}'", a.0),
            )
            .map_err(query)?,
        );
    }
    let engine_scans = s.service.list_scans(p, &req).await?;
    out.extend(engine_scans.items.into_iter().map(engine));
    out.retain(|x| {
        q.status.as_ref().is_none_or(|st| &x.status == st)
            && q.scan_type.as_ref().is_none_or(|t| &x.scan_type == t)
    });
    out.sort_by(|a, b| b.started_at.cmp(&a.started_at));
    with_evaluations(s, p, out).await
}

/// Imported scans and engine scans, newest first (a bare array).
#[utoipa::path(get, path = "/scans", tag = "Scans", params(ListParams),
    responses((status = 200, body = Vec<Scan>),
        (status = 401, body = ProblemBody, content_type = "application/problem+json")))]
async fn list(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
    Query(q): Query<ListParams>,
) -> Result<Json<Vec<Scan>>, Problem> {
    let app = q.application_id.map(AppId);
    Ok(Json(scans_of(&s, &p, app, &q).await?))
}

#[utoipa::path(get, path = "/applications/{id}/scans", tag = "Scans", params(("id" = uuid::Uuid, Path), ListParams),
    responses((status = 200, body = Vec<Scan>),
        (status = 404, body = ProblemBody, content_type = "application/problem+json")))]
async fn app_list(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
    Path(id): Path<String>,
    Query(q): Query<ListParams>,
) -> Result<Json<Vec<Scan>>, Problem> {
    let app = AppId(uuid_of(&id)?);
    s.service.get_app(&p, app).await?;
    Ok(Json(scans_of(&s, &p, Some(app), &q).await?))
}

#[utoipa::path(get, path = "/scans/{id}", tag = "Scans", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Scan),
        (status = 404, body = ProblemBody, content_type = "application/problem+json")))]
async fn get(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
    Path(id): Path<String>,
) -> Result<Json<Scan>, Problem> {
    let id = uuid_of(&id)?;
    match s.service.get_plus_scan(&p, d::PlusScanId(id)).await {
        Ok(x) => return Ok(Json(one_with_evaluation(&s, &p, imported(x)).await?)),
        Err(ServiceError::NotFound) => {}
        Err(e) => return Err(e.into()),
    }
    let scan = engine(s.service.get_scan(&p, d::ScanId(id)).await?);
    Ok(Json(one_with_evaluation(&s, &p, scan).await?))
}

/// How an import is described: query parameters (the body is the document).
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct TriggerParams {
    /// Required on `POST /scans` for an import.
    application_id: Option<uuid::Uuid>,
    /// `sast`, `sca` or `container` with a document body; `dast` (or a JSON trigger
    /// body) runs the engine.
    scan_type: Option<String>,
    /// `sarif`, `cyclonedx` (JSON or XML, told apart by the first byte) or `spdx` (SPDX
    /// 2.2/2.3 JSON); default from the `Content-Type` (`application/sarif+json`,
    /// `application/vnd.cyclonedx+json`, `application/vnd.cyclonedx+xml`,
    /// `application/spdx+json`), else `sarif` for `sast` and `container`, `cyclonedx` for
    /// `sca`.
    format: Option<String>,
    /// Answer the delta (`new`, `unchanged`, `reopened`, `closed`) without writing.
    dry_run: Option<bool>,
    triggered_by: Option<String>,
}

fn bad(field: &str, why: &str) -> Problem {
    ServiceError::invalid(vec![Invalid::property(field, why)]).into()
}

fn scan_type(s: &str) -> Result<PlusScanType, Problem> {
    PlusScanType::parse(&s.to_ascii_lowercase())
        .ok_or_else(|| bad("scanType", "must be one of sast, dast, sca, container"))
}

async fn run(
    s: AppState,
    p: d::Principal,
    app: Option<AppId>,
    q: TriggerParams,
    req: Request,
) -> Result<Response, Problem> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let by_type = content_type.as_deref().and_then(Format::parse);
    let import_type = match q.scan_type.as_deref().map(scan_type).transpose()? {
        Some(PlusScanType::Dast) => None,
        Some(t) => Some(t),
        None if by_type.is_some() || q.format.is_some() => Some(match by_type {
            Some(Format::CycloneDx | Format::Spdx) => PlusScanType::Sca,
            _ => PlusScanType::Sast,
        }),
        None => None,
    };
    let Some(st) = import_type else {
        // The documented JSON trigger: a dast scan.
        let bytes = axum::body::to_bytes(req.into_body(), 64 * 1024)
            .await
            .map_err(|_| bad("body", "a scan trigger is a small JSON object"))?;
        let t: ScanTrigger = if bytes.iter().all(u8::is_ascii_whitespace) {
            ScanTrigger {
                scan_type: q.scan_type.unwrap_or_default(),
                ..Default::default()
            }
        } else {
            json_body(&bytes)?
        };
        let app = app
            .or(t.application_id.map(AppId))
            .ok_or_else(|| bad("applicationId", "is required"))?;
        if scan_type(&t.scan_type)? != PlusScanType::Dast {
            return Err(bad(
                "scanType",
                "sast, sca and container scans import a document: send it as the body with ?scanType=",
            ));
        }
        let scan = s
            .service
            .start_dast_scan(&p, app, t.scan_config_id.map(ScanConfigId))
            .await?;
        let mut res = (StatusCode::ACCEPTED, Json(engine(scan.clone()))).into_response();
        if let Ok(v) = s.url(&format!("/scans/{}", scan.id)).parse() {
            res.headers_mut().insert(header::LOCATION, v);
        }
        return Ok(res);
    };
    let app = app
        .or(q.application_id.map(AppId))
        .ok_or_else(|| bad("applicationId", "is required"))?;
    let format = match q.format.as_deref() {
        Some(f) => {
            Format::parse(f).ok_or_else(|| bad("format", &format!("must be {}", Format::NAMES)))?
        }
        None => by_type.unwrap_or(match st {
            PlusScanType::Sca => Format::CycloneDx,
            _ => Format::Sarif,
        }),
    };
    // Refuse an invisible app before reading a large body.
    s.service.get_app(&p, app).await?;
    let report = upload::parse_body(req.into_body(), format).await?;
    let dry_run = q.dry_run.unwrap_or(false);
    let out = s
        .service
        .import_results(&p, app, st, format, report, q.triggered_by, dry_run)
        .await?;
    match out.scan {
        Some(scan) => {
            let path = format!("/scans/{}", scan.id);
            let scan = one_with_evaluation(&s, &p, imported(scan)).await?;
            Ok(created(&s, &path, scan))
        }
        None => Ok(Json(ImportPreview {
            dry_run: true,
            total_findings: out.findings as u64,
            new: out.delta.new as u64,
            unchanged: out.delta.unchanged as u64,
            reopened: out.delta.reopened as u64,
            closed: out.delta.closed as u64,
        })
        .into_response()),
    }
}

/// Triggers a scan. With a SARIF or CycloneDX body (and `scanType` `sast`, `sca` or
/// `container`) the document is imported: 201 with the scan; with `dryRun=true`, 200
/// with the delta and nothing written. Without a document (JSON `{applicationId,
/// scanType: "dast"}`) the engine scans the application: 202.
#[utoipa::path(post, path = "/scans", tag = "Scans", params(TriggerParams),
    request_body(content = ScanTrigger, description = "a JSON trigger, or the SARIF, CycloneDX (JSON or XML) or SPDX document to import"),
    responses((status = 201, body = Scan), (status = 200, body = ImportPreview), (status = 202, body = Scan),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
        (status = 413, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json")))]
async fn trigger(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
    Query(q): Query<TriggerParams>,
    req: Request<Body>,
) -> Result<Response, Problem> {
    run(s, p, None, q, req).await
}

/// `POST /scans` for this application.
#[utoipa::path(post, path = "/applications/{id}/scans", tag = "Scans", params(("id" = uuid::Uuid, Path), TriggerParams),
    request_body(content = ScanTrigger, description = "a JSON trigger, or the SARIF, CycloneDX (JSON or XML) or SPDX document to import"),
    responses((status = 201, body = Scan), (status = 200, body = ImportPreview), (status = 202, body = Scan),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json")))]
async fn app_trigger(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
    Path(id): Path<String>,
    Query(q): Query<TriggerParams>,
    req: Request<Body>,
) -> Result<Response, Problem> {
    let app = AppId(uuid_of(&id)?);
    run(s, p, Some(app), q, req).await
}
