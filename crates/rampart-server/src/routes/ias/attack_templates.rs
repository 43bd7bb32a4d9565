//! `/attack-templates`, their modules, and `module-configs`.

use super::self_link;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Body, Id, Ids};
use crate::paging::{PageQuery, Paging};
use crate::routes::{Deleted, Updated};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header::LOCATION, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rampart_api_types::ias::{AttackModule, AttackTemplate, ErrorBody, ModuleConfig, Page};
use rampart_domain::{
    AttackModuleId, AttackPrioritization, AttackTemplateId, ModuleId, ParameterLocation, Severity,
};
use rampart_query::ResourceType;
use rampart_service::{AttackModuleInput, AttackTemplateInput, Problem};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(module_configs))
        .routes(routes!(get, update, delete))
        .routes(routes!(modules, create_module))
        .routes(routes!(update_module, delete_module))
}

/// The reference documents 200 (not 201) for these creations; `Location` still names the new id.
struct CreatedOk(String);

impl IntoResponse for CreatedOk {
    fn into_response(self) -> Response {
        let mut res = StatusCode::OK.into_response();
        if let Ok(v) = HeaderValue::from_str(&self.0) {
            res.headers_mut().insert(LOCATION, v);
        }
        res
    }
}

pub fn wire(state: &AppState, t: rampart_domain::AttackTemplate) -> AttackTemplate {
    AttackTemplate {
        id: Some(t.id.0),
        links: self_link(state, format!("/attack-templates/{}", t.id)),
        name: t.name,
        description: t.description,
        system_defined: Some(t.system_defined),
        browser_encoding_enabled: Some(t.browser_encoding_enabled),
        attack_prioritization: Some(t.attack_prioritization.as_str().to_string()),
        advanced_attacks_enabled: Some(t.advanced_attacks_enabled),
        false_positive_regex: t.false_positive_regex,
    }
}

fn input(t: AttackTemplate) -> ApiResult<AttackTemplateInput> {
    let attack_prioritization = match t.attack_prioritization.as_deref() {
        None => None,
        Some(s) => Some(AttackPrioritization::parse(s).ok_or_else(|| {
            ApiError::property(
                "attack_prioritization",
                "must be SEQUENTIAL, SMART or RANDOMIZED",
            )
        })?),
    };
    Ok(AttackTemplateInput {
        name: t.name,
        description: t.description,
        browser_encoding_enabled: t.browser_encoding_enabled,
        attack_prioritization,
        advanced_attacks_enabled: t.advanced_attacks_enabled,
        false_positive_regex: t.false_positive_regex,
    })
}

fn module_wire(state: &AppState, m: rampart_domain::AttackModule) -> AttackModule {
    AttackModule {
        id: Some(m.id.0),
        links: self_link(
            state,
            format!("/attack-templates/{}/modules/{}", m.template, m.id),
        ),
        module_config_id: Some(m.module.0),
        enabled: Some(m.enabled),
        parameter_locations: m
            .parameter_locations
            .iter()
            .map(|l| l.as_str().to_string())
            .collect(),
        severity: Some(m.severity.as_str().to_string()),
        max_findings: Some(m.max_findings),
    }
}

fn module_input(m: AttackModule) -> ApiResult<AttackModuleInput> {
    let mut problems = Vec::new();
    if m.module_config_id.is_none() {
        problems.push(Problem::property("module_config_id", "is required"));
    }
    let severity = match m.severity.as_deref().map(Severity::parse) {
        Some(Some(s)) => Some(s),
        Some(None) => {
            problems.push(Problem::property(
                "severity",
                "must be one of CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL, SAFE",
            ));
            None
        }
        None => {
            problems.push(Problem::property("severity", "is required"));
            None
        }
    };
    if m.max_findings.is_none() {
        problems.push(Problem::property("max_findings", "is required"));
    }
    let mut locations = Vec::new();
    for (i, l) in m.parameter_locations.iter().enumerate() {
        match ParameterLocation::parse(l) {
            Some(p) => locations.push(p),
            None => problems.push(Problem::property(
                format!("parameter_locations[{i}]"),
                format!("'{l}' is not a parameter location"),
            )),
        }
    }
    match (
        m.module_config_id,
        severity,
        m.max_findings,
        problems.is_empty(),
    ) {
        (Some(id), Some(severity), Some(max_findings), true) => Ok(AttackModuleInput {
            module_config_id: ModuleId(id),
            enabled: m.enabled.unwrap_or(true),
            parameter_locations: locations,
            severity,
            max_findings,
        }),
        _ => Err(ApiError::Validation(
            "resource validation error".into(),
            problems,
        )),
    }
}

/// Lists attack templates, system-defined and custom (default sort `attacktemplate.name`).
#[utoipa::path(get, path = "/attack-templates", tag = "Attack Templates", params(PageQuery),
    responses((status = 200, body = Page<AttackTemplate>), (status = 401, body = ErrorBody)))]
async fn list(
    State(s): State<AppState>,
    Auth(p): Auth,
    paging: Paging,
) -> ApiResult<Json<Page<AttackTemplate>>> {
    let page = s
        .service
        .list_attack_templates(&p, &paging.request(ResourceType::AttackTemplate)?)
        .await?;
    let data = page.items.into_iter().map(|t| wire(&s, t)).collect();
    Ok(Json(paging.envelope(
        &s,
        "/attack-templates",
        data,
        page.total,
    )))
}

/// Creates a custom attack template: **200** with `Location`, as the reference documents.
#[utoipa::path(post, path = "/attack-templates", tag = "Attack Templates", request_body = AttackTemplate,
    responses((status = 200), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create(
    State(s): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<AttackTemplate>,
) -> ApiResult<CreatedOk> {
    let id = s.service.create_attack_template(&p, input(b)?).await?;
    Ok(CreatedOk(s.ias_url(&format!("/attack-templates/{id}"))))
}

/// Every module's default settings.
#[utoipa::path(get, path = "/attack-templates/module-configs", tag = "Attack Templates",
    responses((status = 200, body = Vec<ModuleConfig>), (status = 401, body = ErrorBody)))]
async fn module_configs(State(s): State<AppState>, Auth(p): Auth) -> Json<Vec<ModuleConfig>> {
    Json(
        s.service
            .module_configs(&p)
            .into_iter()
            .map(|m| ModuleConfig {
                id: m.id.0,
                name: m.name.to_string(),
                description: m.description.to_string(),
                types: m.types.iter().map(|t| t.as_str().to_string()).collect(),
                max_findings: m.max_findings,
                severity: m.severity.as_str().to_string(),
                parameter_locations: m
                    .parameter_locations
                    .iter()
                    .map(|l| l.as_str().to_string())
                    .collect(),
            })
            .collect(),
    )
}

#[utoipa::path(get, path = "/attack-templates/{id}", tag = "Attack Templates", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = AttackTemplate), (status = 404, body = ErrorBody)))]
async fn get(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<AttackTemplateId>,
) -> ApiResult<Json<AttackTemplate>> {
    Ok(Json(wire(&s, s.service.get_attack_template(&p, id).await?)))
}

/// Updates a custom template; system-defined ones are read-only (403).
#[utoipa::path(put, path = "/attack-templates/{id}", tag = "Attack Templates", params(("id" = uuid::Uuid, Path)),
    request_body = AttackTemplate,
    responses((status = 200), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<AttackTemplateId>,
    Body(b): Body<AttackTemplate>,
) -> ApiResult<Updated> {
    s.service.update_attack_template(&p, id, input(b)?).await?;
    Ok(Updated)
}

/// Deletes a custom template (409 while a scan config uses it).
#[utoipa::path(delete, path = "/attack-templates/{id}", tag = "Attack Templates", params(("id" = uuid::Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<AttackTemplateId>,
) -> ApiResult<Deleted> {
    s.service.delete_attack_template(&p, id).await?;
    Ok(Deleted)
}

#[utoipa::path(get, path = "/attack-templates/{id}/modules", tag = "Attack Templates", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Vec<AttackModule>), (status = 404, body = ErrorBody)))]
async fn modules(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<AttackTemplateId>,
) -> ApiResult<Json<Vec<AttackModule>>> {
    let list = s.service.attack_modules(&p, id).await?;
    Ok(Json(list.into_iter().map(|m| module_wire(&s, m)).collect()))
}

/// Adds a module to a custom template: **200** with `Location`.
#[utoipa::path(post, path = "/attack-templates/{id}/modules", tag = "Attack Templates", params(("id" = uuid::Uuid, Path)),
    request_body = AttackModule,
    responses((status = 200), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_module(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<AttackTemplateId>,
    Body(b): Body<AttackModule>,
) -> ApiResult<CreatedOk> {
    let mid = s
        .service
        .create_attack_module(&p, id, module_input(b)?)
        .await?;
    Ok(CreatedOk(
        s.ias_url(&format!("/attack-templates/{id}/modules/{mid}")),
    ))
}

#[utoipa::path(put, path = "/attack-templates/{id}/modules/{module_id}", tag = "Attack Templates",
    params(("id" = uuid::Uuid, Path), ("module_id" = uuid::Uuid, Path)), request_body = AttackModule,
    responses((status = 200), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_module(
    State(s): State<AppState>,
    Auth(p): Auth,
    Ids(id, mid): Ids<AttackTemplateId, AttackModuleId>,
    Body(b): Body<AttackModule>,
) -> ApiResult<Updated> {
    s.service
        .update_attack_module(&p, id, mid, module_input(b)?)
        .await?;
    Ok(Updated)
}

#[utoipa::path(delete, path = "/attack-templates/{id}/modules/{module_id}", tag = "Attack Templates",
    params(("id" = uuid::Uuid, Path), ("module_id" = uuid::Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_module(
    State(s): State<AppState>,
    Auth(p): Auth,
    Ids(id, mid): Ids<AttackTemplateId, AttackModuleId>,
) -> ApiResult<Deleted> {
    s.service.delete_attack_module(&p, id, mid).await?;
    Ok(Deleted)
}
