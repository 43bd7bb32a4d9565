//! `/modules`: the engine's check catalogue and attack documentation.

use crate::error::ApiResult;
use crate::extract::{Auth, Id};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use rampart_api_types::ias::{AttackDocumentation, AttackMetadata, ErrorBody, ModuleMetadata};
use rampart_domain::catalogue::ModuleMeta;
use rampart_domain::ModuleId;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(get))
        .routes(routes!(attack))
        .routes(routes!(documentation))
}

fn wire(s: &AppState, m: &ModuleMeta) -> ModuleMetadata {
    ModuleMetadata {
        id: m.id.0,
        name: m.name.to_string(),
        description: m.description.to_string(),
        links: super::self_link(s, format!("/modules/{}", m.id)),
    }
}

/// Every module of the engine; ids are stable across releases.
#[utoipa::path(get, path = "/modules", tag = "Modules", responses((status = 200, body = Vec<ModuleMetadata>), (status = 401, body = ErrorBody)))]
async fn list(State(s): State<AppState>, Auth(p): Auth) -> Json<Vec<ModuleMetadata>> {
    Json(s.service.modules(&p).iter().map(|m| wire(&s, m)).collect())
}

#[utoipa::path(get, path = "/modules/{id}", tag = "Modules", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = ModuleMetadata), (status = 404, body = ErrorBody)))]
async fn get(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<ModuleId>,
) -> ApiResult<Json<ModuleMetadata>> {
    Ok(Json(wire(&s, s.service.module(&p, id)?)))
}

fn module_id(raw: &str) -> ApiResult<ModuleId> {
    uuid::Uuid::parse_str(raw)
        .map(ModuleId)
        .map_err(|_| crate::error::ApiError::NotFound)
}

/// One attack of a module; attack ids are strings (percent-decoded from the path).
#[utoipa::path(get, path = "/modules/{id}/attacks/{attack_id}", tag = "Modules",
    params(("id" = uuid::Uuid, Path), ("attack_id" = String, Path)),
    responses((status = 200, body = AttackMetadata), (status = 404, body = ErrorBody)))]
async fn attack(
    State(s): State<AppState>,
    Auth(p): Auth,
    Path((id, attack)): Path<(String, String)>,
) -> ApiResult<Json<AttackMetadata>> {
    let (m, a) = s.service.attack(&p, module_id(&id)?, &attack)?;
    Ok(Json(AttackMetadata {
        id: a.id.to_string(),
        kind: a.kind.to_string(),
        class: a.class.to_string(),
        description: a.description.to_string(),
        links: super::self_link(&s, format!("/modules/{}/attacks/{}", m.id, a.id)),
    }))
}

/// What the attack finds, how to fix it, and references (keys like `CWE-89`).
#[utoipa::path(get, path = "/modules/{id}/attacks/{attack_id}/documentation", tag = "Modules",
    params(("id" = uuid::Uuid, Path), ("attack_id" = String, Path)),
    responses((status = 200, body = AttackDocumentation), (status = 404, body = ErrorBody)))]
async fn documentation(
    State(s): State<AppState>,
    Auth(p): Auth,
    Path((id, attack)): Path<(String, String)>,
) -> ApiResult<Json<AttackDocumentation>> {
    let (m, a) = s.service.attack(&p, module_id(&id)?, &attack)?;
    Ok(Json(AttackDocumentation {
        references: m.reference_map(),
        description: format!("{} {}", m.description, a.description),
        recommendation: m.recommendation.to_string(),
    }))
}
