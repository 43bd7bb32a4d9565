//! `/applications`: AppSec+ applications, the same apps as `/ias/v1/apps`.

use super::{created, json_body, time, uuid_of};
use crate::extract::{PlusAuth, Query};
use crate::problem::Problem;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use rampart_api_types::oauth::ProblemBody;
use rampart_api_types::plus::{Application, ApplicationWrite};
use rampart_domain::{AppId, AppProfile, Criticality};
use rampart_service::{PlusAppFilter, PlusAppInput, PlusAppView, Problem as Invalid, ServiceError};
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, update, delete))
        .routes(routes!(archive))
        .routes(routes!(unarchive))
}

pub(crate) fn wire(v: PlusAppView) -> Application {
    let a = v.app;
    Application {
        id: a.id.0,
        name: a.name,
        description: a.description,
        criticality: a.profile.criticality.as_str().into(),
        owner: a.profile.owner,
        repo_url: a.profile.repo_url,
        service_url: a.profile.service_url,
        language: a.profile.language,
        business_unit: a.profile.business_unit,
        tags: v.tags,
        archived: a.profile.archived,
        created_at: time(a.created_at),
        updated_at: time(a.updated_at),
    }
}

fn criticality(s: Option<&str>) -> Result<Criticality, Problem> {
    match s {
        None => Ok(Criticality::default()),
        Some(c) => Criticality::parse(&c.to_ascii_lowercase()).ok_or_else(|| {
            ServiceError::invalid(vec![Invalid::property(
                "criticality",
                "must be one of low, medium, high, critical",
            )])
            .into()
        }),
    }
}

fn input(body: &[u8]) -> Result<PlusAppInput, Problem> {
    let b: ApplicationWrite = json_body(body)?;
    Ok(PlusAppInput {
        profile: AppProfile {
            criticality: criticality(b.criticality.as_deref())?,
            owner: b.owner,
            repo_url: b.repo_url,
            service_url: b.service_url,
            language: b.language,
            business_unit: b.business_unit,
            archived: false,
        },
        name: b.name,
        description: b.description,
        tags: b.tags,
    })
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    owner: Option<String>,
    /// `low`, `medium`, `high` or `critical`.
    criticality: Option<String>,
    tag: Option<String>,
    /// `true`: only archived applications; `false`: only active ones; absent: both.
    archived: Option<bool>,
}

/// The applications the caller may see, by name (a bare array, as documented).
#[utoipa::path(get, path = "/applications", tag = "Applications", params(ListParams),
    responses((status = 200, body = Vec<Application>),
        (status = 400, body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json")))]
async fn list(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
    Query(q): Query<ListParams>,
) -> Result<Json<Vec<Application>>, Problem> {
    let filter = PlusAppFilter {
        owner: q.owner,
        criticality: match q.criticality {
            Some(c) => Some(criticality(Some(c.as_str()))?),
            None => None,
        },
        tag: q.tag,
        archived: q.archived,
    };
    let apps = s.service.list_plus_apps(&p, &filter).await?;
    Ok(Json(apps.into_iter().map(wire).collect()))
}

/// Creates an application (it is also an `/ias/v1` app); 409 when the name is taken.
#[utoipa::path(post, path = "/applications", tag = "Applications", request_body = ApplicationWrite,
    responses((status = 201, body = Application),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json")))]
async fn create(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
    body: Bytes,
) -> Result<Response, Problem> {
    let v = s.service.create_plus_app(&p, input(&body)?).await?;
    let path = format!("/applications/{}", v.app.id);
    Ok(created(&s, &path, wire(v)))
}

#[utoipa::path(get, path = "/applications/{id}", tag = "Applications",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Application),
        (status = 404, body = ProblemBody, content_type = "application/problem+json")))]
async fn get(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
    Path(id): Path<String>,
) -> Result<Json<Application>, Problem> {
    let id = AppId(uuid_of(&id)?);
    Ok(Json(wire(s.service.get_plus_app(&p, id).await?)))
}

/// Overwrites the application (absent optional members are cleared; `archived` stays).
#[utoipa::path(put, path = "/applications/{id}", tag = "Applications",
    params(("id" = uuid::Uuid, Path)), request_body = ApplicationWrite,
    responses((status = 200, body = Application),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json")))]
async fn update(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Application>, Problem> {
    let id = AppId(uuid_of(&id)?);
    let v = s.service.update_plus_app(&p, id, input(&body)?).await?;
    Ok(Json(wire(v)))
}

/// Deletes the application and everything it owns (scans, findings, scan configs).
#[utoipa::path(delete, path = "/applications/{id}", tag = "Applications",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 204),
        (status = 404, body = ProblemBody, content_type = "application/problem+json")))]
async fn delete(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    let id = AppId(uuid_of(&id)?);
    s.service.delete_app(&p, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Archives the application: it stays readable and takes no new scan or import.
#[utoipa::path(post, path = "/applications/{id}/archive", tag = "Applications",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Application),
        (status = 404, body = ProblemBody, content_type = "application/problem+json")))]
async fn archive(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
    Path(id): Path<String>,
) -> Result<Json<Application>, Problem> {
    let id = AppId(uuid_of(&id)?);
    Ok(Json(wire(s.service.set_app_archived(&p, id, true).await?)))
}

#[utoipa::path(post, path = "/applications/{id}/unarchive", tag = "Applications",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Application),
        (status = 404, body = ProblemBody, content_type = "application/problem+json")))]
async fn unarchive(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
    Path(id): Path<String>,
) -> Result<Json<Application>, Problem> {
    let id = AppId(uuid_of(&id)?);
    Ok(Json(wire(s.service.set_app_archived(&p, id, false).await?)))
}
