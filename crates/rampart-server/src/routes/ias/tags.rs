//! `/tags`.

use super::self_link;
use crate::error::ApiResult;
use crate::extract::{Auth, Body, Id};
use crate::paging::{PageQuery, Paging};
use crate::routes::{Created, Deleted, Updated};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::Json;
use rampart_api_types::ias::{ErrorBody, IdRef, Page, Tag};
use rampart_api_types::ias_time;
use rampart_domain::TagId;
use rampart_query::ResourceType;
use rampart_service::TagInput;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, update, delete))
}

pub fn wire(state: &AppState, t: rampart_domain::Tag) -> Tag {
    Tag {
        id: Some(t.id.0),
        links: self_link(state, format!("/tags/{}", t.id)),
        name: t.name,
        creator: Some(IdRef { id: t.creator.0 }),
        create_time: Some(ias_time(t.created_at)),
    }
}

/// Lists tags (default sort `tag.name` ascending). `root` is accepted and ignored: tags are flat.
#[utoipa::path(get, path = "/tags", tag = "Tags", params(PageQuery),
    responses((status = 200, body = Page<Tag>), (status = 401, body = ErrorBody)))]
async fn list(
    State(s): State<AppState>,
    Auth(p): Auth,
    paging: Paging,
) -> ApiResult<Json<Page<Tag>>> {
    let page = s
        .service
        .list_tags(&p, &paging.request(ResourceType::Tag)?)
        .await?;
    let data = page.items.into_iter().map(|t| wire(&s, t)).collect();
    Ok(Json(paging.envelope(&s, "/tags", data, page.total)))
}

#[utoipa::path(post, path = "/tags", tag = "Tags", request_body = Tag,
    responses((status = 201), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create(
    State(s): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<Tag>,
) -> ApiResult<Created> {
    let id = s.service.create_tag(&p, TagInput { name: b.name }).await?;
    Ok(Created(s.ias_url(&format!("/tags/{id}"))))
}

#[utoipa::path(get, path = "/tags/{id}", tag = "Tags", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Tag), (status = 404, body = ErrorBody)))]
async fn get(State(s): State<AppState>, Auth(p): Auth, Id(id): Id<TagId>) -> ApiResult<Json<Tag>> {
    Ok(Json(wire(&s, s.service.get_tag(&p, id).await?)))
}

#[utoipa::path(put, path = "/tags/{id}", tag = "Tags", params(("id" = uuid::Uuid, Path)), request_body = Tag,
    responses((status = 200), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<TagId>,
    Body(b): Body<Tag>,
) -> ApiResult<Updated> {
    s.service
        .update_tag(&p, id, TagInput { name: b.name })
        .await?;
    Ok(Updated)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct DeleteQuery {
    /// Also remove the tag from the apps it is applied to (default false: 409 if applied).
    cascade: Option<String>,
}

#[utoipa::path(delete, path = "/tags/{id}", tag = "Tags", params(("id" = uuid::Uuid, Path), DeleteQuery),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<TagId>,
    Query(q): Query<DeleteQuery>,
) -> ApiResult<Deleted> {
    let cascade = q.cascade.is_some_and(|c| c.eq_ignore_ascii_case("true"));
    s.service.delete_tag(&p, id, cascade).await?;
    Ok(Deleted)
}
