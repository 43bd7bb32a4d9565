//! `/scan-configs` and their options.

use super::self_link;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Body, Id};
use crate::paging::{PageQuery, Paging};
use crate::routes::{Created, Deleted, Updated};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::Json;
use rampart_api_types::ias::{
    EngineAssignment, ErrorBody, IdRef, Page, ScanConfig, ScanConfigOptions,
};
use rampart_domain::{
    AppId, Assignment, AssignmentType, AttackTemplateId, EngineGroupId, Environment, ScanConfigId,
};
use rampart_query::ResourceType;
use rampart_service::{OptionsWrite, Problem, ScanConfigInput, ScanConfigView};
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(default_options))
        .routes(routes!(get, update, delete))
        .routes(routes!(options, put_options, patch_options))
}

pub fn wire(s: &AppState, v: ScanConfigView, with_errors: bool) -> ScanConfig {
    let c = v.config;
    ScanConfig {
        id: Some(c.id.0),
        links: self_link(s, format!("/scan-configs/{}", c.id)),
        name: c.name,
        description: c.description,
        app: Some(IdRef { id: c.app.0 }),
        attack_template: Some(IdRef {
            id: c.attack_template.0,
        }),
        incremental: Some(c.incremental),
        assignment: Some(EngineAssignment {
            kind: c.assignment.kind.as_str().to_string(),
            id: c.assignment.engine_group.map(|g| g.0),
            environment: c.assignment.environment.as_str().to_string(),
        }),
        errors: with_errors.then_some(v.errors),
    }
}

fn input(c: ScanConfig) -> ApiResult<ScanConfigInput> {
    let mut problems = Vec::new();
    if c.app.is_none() {
        problems.push(Problem::property("app.id", "is required"));
    }
    if c.attack_template.is_none() {
        problems.push(Problem::property("attack_template.id", "is required"));
    }
    let assignment = match c.assignment {
        None => None,
        Some(a) => {
            if AssignmentType::parse(&a.kind).is_none() {
                problems.push(Problem::property("assignment.type", "must be ENGINE_GROUP"));
            }
            let environment = match Environment::parse(&a.environment) {
                Some(e) => e,
                None => {
                    problems.push(Problem::property(
                        "assignment.environment",
                        "must be CLOUD or ON_PREMISE",
                    ));
                    Environment::Cloud
                }
            };
            Some(Assignment {
                kind: AssignmentType::EngineGroup,
                engine_group: a.id.map(EngineGroupId),
                environment,
            })
        }
    };
    match (c.app, c.attack_template, problems.is_empty()) {
        (Some(app), Some(tpl), true) => Ok(ScanConfigInput {
            name: c.name,
            description: c.description,
            app: AppId(app.id),
            attack_template: AttackTemplateId(tpl.id),
            incremental: c.incremental,
            assignment,
        }),
        _ => Err(ApiError::Validation(
            "resource validation error".into(),
            problems,
        )),
    }
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// Include each config's validation `errors[]` (default true).
    #[serde(rename = "include-errors")]
    #[param(rename = "include-errors")]
    include_errors: Option<String>,
}

/// Lists scan configs of the apps the caller may see (default sort `scanconfig.name`).
#[utoipa::path(get, path = "/scan-configs", tag = "Scan Configs", params(PageQuery, ListQuery),
    responses((status = 200, body = Page<ScanConfig>), (status = 401, body = ErrorBody)))]
async fn list(
    State(s): State<AppState>,
    Auth(p): Auth,
    paging: Paging,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Page<ScanConfig>>> {
    let with_errors = !q
        .include_errors
        .is_some_and(|v| v.eq_ignore_ascii_case("false"));
    let page = s
        .service
        .list_scan_configs(&p, &paging.request(ResourceType::ScanConfig)?)
        .await?;
    let data = page
        .items
        .into_iter()
        .map(|c| wire(&s, c, with_errors))
        .collect();
    Ok(Json(paging.envelope(&s, "/scan-configs", data, page.total)))
}

/// Creates a scan config; its options start as the defaults (so `errors[]` lists the
/// missing seed URLs and scope until options are set).
#[utoipa::path(post, path = "/scan-configs", tag = "Scan Configs", request_body = ScanConfig,
    responses((status = 201), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create(
    State(s): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<ScanConfig>,
) -> ApiResult<Created> {
    let id = s.service.create_scan_config(&p, input(b)?).await?;
    Ok(Created(s.ias_url(&format!("/scan-configs/{id}"))))
}

#[utoipa::path(get, path = "/scan-configs/{id}", tag = "Scan Configs", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = ScanConfig), (status = 404, body = ErrorBody)))]
async fn get(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<ScanConfigId>,
) -> ApiResult<Json<ScanConfig>> {
    Ok(Json(wire(
        &s,
        s.service.get_scan_config(&p, id).await?,
        true,
    )))
}

#[utoipa::path(put, path = "/scan-configs/{id}", tag = "Scan Configs", params(("id" = uuid::Uuid, Path)), request_body = ScanConfig,
    responses((status = 200), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<ScanConfigId>,
    Body(b): Body<ScanConfig>,
) -> ApiResult<Updated> {
    s.service.update_scan_config(&p, id, input(b)?).await?;
    Ok(Updated)
}

#[utoipa::path(delete, path = "/scan-configs/{id}", tag = "Scan Configs", params(("id" = uuid::Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<ScanConfigId>,
) -> ApiResult<Deleted> {
    s.service.delete_scan_config(&p, id).await?;
    Ok(Deleted)
}

#[utoipa::path(get, path = "/scan-configs/{id}/options", tag = "Scan Configs", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = ScanConfigOptions), (status = 404, body = ErrorBody)))]
async fn options(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<ScanConfigId>,
) -> ApiResult<Json<ScanConfigOptions>> {
    Ok(Json(ScanConfigOptions(
        s.service.scan_config_options(&p, id).await?,
    )))
}

/// Replaces the options; omitted members take their defaults (a partial document is fine).
#[utoipa::path(put, path = "/scan-configs/{id}/options", tag = "Scan Configs", params(("id" = uuid::Uuid, Path)),
    request_body = ScanConfigOptions,
    responses((status = 200), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_options(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<ScanConfigId>,
    Body(b): Body<serde_json::Value>,
) -> ApiResult<Updated> {
    s.service
        .write_scan_config_options(&p, id, b, OptionsWrite::Replace)
        .await?;
    Ok(Updated)
}

/// Merges the document into the options (JSON Merge Patch: `null` removes a member).
#[utoipa::path(patch, path = "/scan-configs/{id}/options", tag = "Scan Configs", params(("id" = uuid::Uuid, Path)),
    request_body = ScanConfigOptions,
    responses((status = 200), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn patch_options(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<ScanConfigId>,
    Body(b): Body<serde_json::Value>,
) -> ApiResult<Updated> {
    s.service
        .write_scan_config_options(&p, id, b, OptionsWrite::Merge)
        .await?;
    Ok(Updated)
}

/// The default options document.
#[utoipa::path(get, path = "/scan-configs/options/default", tag = "Scan Configs",
    responses((status = 200, body = ScanConfigOptions), (status = 401, body = ErrorBody)))]
async fn default_options(State(s): State<AppState>, Auth(p): Auth) -> Json<ScanConfigOptions> {
    Json(ScanConfigOptions(s.service.default_scan_config_options(&p)))
}
