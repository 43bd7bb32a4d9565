//! `POST /search`: the InsightAppSec search language over every existing resource type.

use crate::error::ApiResult;
use crate::extract::{Auth, Body};
use crate::paging::{PageQuery, Paging};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use rampart_api_types::ias::{ErrorBody, Page, SearchRequest};
use rampart_query::ResourceType;
use rampart_service::{Problem, SearchResults, ServiceError};
use serde::Serialize;
use serde_json::Value;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search))
}

fn values<T: Serialize>(items: Vec<T>) -> Vec<Value> {
    items
        .into_iter()
        .filter_map(|i| serde_json::to_value(i).ok())
        .collect()
}

/// Searches one resource type. The query language: dotted fields (`app.name`), values
/// in single quotes (`''` is a quote inside a value), operators `= != > >= < <=
/// CONTAINS`, `STARTS WITH`, `ENDS WITH`, `LIKE` (whole-value regular expression),
/// `IS NULL`, `IS NOT NULL`, `BETWEEN 'a' AND 'b'`, `&&` binding tighter than `||`,
/// and parentheses. The `next` link accepts the same POST body again. Items link to
/// their canonical resource URL.
#[utoipa::path(post, path = "/search", tag = "Search", params(PageQuery), request_body = SearchRequest,
    responses((status = 200, body = Page<Object>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn search(
    State(s): State<AppState>,
    Auth(p): Auth,
    paging: Paging,
    Body(b): Body<SearchRequest>,
) -> ApiResult<Json<Page<Value>>> {
    let ty = ResourceType::parse(&b.kind).ok_or_else(|| {
        ServiceError::invalid(vec![Problem::property(
            "type",
            format!("unknown search type '{}'", b.kind),
        )])
    })?;
    let need = rampart_domain::scopes::search_scope(&b.kind);
    if !p.scopes.contains(need) {
        return Err(crate::error::ApiError::InsufficientScope(need));
    }
    let req = paging.request(ty)?;
    let (data, total) = match s.service.search(&p, ty, &b.query, req).await? {
        SearchResults::Apps(pg) => (
            values(
                pg.items
                    .into_iter()
                    .map(|x| super::apps::wire(&s, x))
                    .collect(),
            ),
            pg.total,
        ),
        SearchResults::Targets(pg) => (
            values(
                pg.items
                    .into_iter()
                    .map(|x| super::targets::wire(&s, x))
                    .collect(),
            ),
            pg.total,
        ),
        SearchResults::Files(pg) => (
            values(
                pg.items
                    .into_iter()
                    .map(|x| super::files::wire(&s, x))
                    .collect(),
            ),
            pg.total,
        ),
        SearchResults::Tags(pg) => (
            values(
                pg.items
                    .into_iter()
                    .map(|x| super::tags::wire(&s, x))
                    .collect(),
            ),
            pg.total,
        ),
        SearchResults::AttackTemplates(pg) => (
            values(
                pg.items
                    .into_iter()
                    .map(|x| super::attack_templates::wire(&s, x))
                    .collect(),
            ),
            pg.total,
        ),
        SearchResults::ScanConfigs(pg) => (
            values(
                pg.items
                    .into_iter()
                    .map(|x| super::scan_configs::wire(&s, x, true))
                    .collect(),
            ),
            pg.total,
        ),
        SearchResults::Engines(pg) => (
            values(
                pg.items
                    .into_iter()
                    .map(|x| super::engines::wire(&s, x))
                    .collect(),
            ),
            pg.total,
        ),
        SearchResults::Vulnerabilities(pg) => (
            values(
                pg.items
                    .into_iter()
                    .map(|x| super::vulnerabilities::wire(&s, x))
                    .collect(),
            ),
            pg.total,
        ),
        SearchResults::EngineGroups(pg) => (
            values(
                pg.items
                    .into_iter()
                    .map(|x| super::engines::wire_group(&s, x))
                    .collect(),
            ),
            pg.total,
        ),
        SearchResults::Scans(pg) => (
            values(
                pg.items
                    .into_iter()
                    .map(|x| super::scans::wire(&s, x))
                    .collect(),
            ),
            pg.total,
        ),
        SearchResults::VulnerabilityDiscoveries(pg) => (
            values(
                pg.items
                    .into_iter()
                    .map(|x| super::vulnerabilities::wire_discovery(&s, x))
                    .collect(),
            ),
            pg.total,
        ),
        SearchResults::Schedules(pg) => (
            values(
                pg.items
                    .into_iter()
                    .map(|x| super::schedules::wire(&s, x))
                    .collect(),
            ),
            pg.total,
        ),
        SearchResults::Blackouts(pg) => (
            values(
                pg.items
                    .into_iter()
                    .map(|x| super::blackouts::wire(&s, x))
                    .collect(),
            ),
            pg.total,
        ),
        SearchResults::Reports(pg) => (
            values(
                pg.items
                    .into_iter()
                    .map(|x| super::reports::wire(&s, x))
                    .collect(),
            ),
            pg.total,
        ),
    };
    Ok(Json(paging.envelope(&s, "/search", data, total)))
}
