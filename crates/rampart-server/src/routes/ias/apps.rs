//! `/apps`, `/apps/{id}/users`, `/apps/{id}/tags`.

use super::self_link;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Body, Id, Ids};
use crate::paging::{PageQuery, Paging};
use crate::routes::{Created, Deleted, Updated};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use rampart_api_types::ias::{App, AppUser, ErrorBody, IdRef, Page, Tag};
use rampart_domain::{AppId, PrincipalId, PrincipalKind, TagId};
use rampart_query::ResourceType;
use rampart_service::{AppInput, MemberRef};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, update, delete))
        .routes(routes!(users, add_user))
        .routes(routes!(remove_user))
        .routes(routes!(tags, add_tag))
        .routes(routes!(remove_tag))
}

pub fn wire(state: &AppState, a: rampart_domain::App) -> App {
    App {
        id: Some(a.id.0),
        links: self_link(state, format!("/apps/{}", a.id)),
        name: a.name,
        description: a.description,
    }
}

fn input(a: App) -> AppInput {
    AppInput {
        name: a.name,
        description: a.description,
    }
}

/// Lists the apps the caller may see (default sort `app.name` ascending).
#[utoipa::path(get, path = "/apps", tag = "Apps", params(PageQuery),
    responses((status = 200, body = Page<App>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list(
    State(s): State<AppState>,
    Auth(p): Auth,
    paging: Paging,
) -> ApiResult<Json<Page<App>>> {
    let page = s
        .service
        .list_apps(&p, &paging.request(ResourceType::App)?)
        .await?;
    let data = page.items.into_iter().map(|a| wire(&s, a)).collect();
    Ok(Json(paging.envelope(&s, "/apps", data, page.total)))
}

/// Creates an app; a user key's user becomes its first member.
#[utoipa::path(post, path = "/apps", tag = "Apps", request_body = App,
    responses((status = 201, description = "created; `Location` names it"), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create(
    State(s): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<App>,
) -> ApiResult<Created> {
    let id = s.service.create_app(&p, input(b)).await?;
    Ok(Created(s.ias_url(&format!("/apps/{id}"))))
}

#[utoipa::path(get, path = "/apps/{id}", tag = "Apps", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = App), (status = 404, body = ErrorBody)))]
async fn get(State(s): State<AppState>, Auth(p): Auth, Id(id): Id<AppId>) -> ApiResult<Json<App>> {
    Ok(Json(wire(&s, s.service.get_app(&p, id).await?)))
}

#[utoipa::path(put, path = "/apps/{id}", tag = "Apps", params(("id" = uuid::Uuid, Path)), request_body = App,
    responses((status = 200), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<AppId>,
    Body(b): Body<App>,
) -> ApiResult<Updated> {
    s.service.update_app(&p, id, input(b)).await?;
    Ok(Updated)
}

/// Deletes the app and everything it owns (scan configs, and later schedules, scans, vulnerabilities).
#[utoipa::path(delete, path = "/apps/{id}", tag = "Apps", params(("id" = uuid::Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete(State(s): State<AppState>, Auth(p): Auth, Id(id): Id<AppId>) -> ApiResult<Deleted> {
    s.service.delete_app(&p, id).await?;
    Ok(Deleted)
}

/// The app's members: users (with their email) and service accounts, by id.
#[utoipa::path(get, path = "/apps/{id}/users", tag = "Apps", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Vec<AppUser>), (status = 404, body = ErrorBody)))]
async fn users(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<AppId>,
) -> ApiResult<Json<Vec<AppUser>>> {
    let users = s.service.app_users(&p, id).await?;
    Ok(Json(
        users
            .into_iter()
            .map(|u| AppUser {
                id: Some(u.id.0),
                email: (u.kind == PrincipalKind::User).then_some(u.display),
            })
            .collect(),
    ))
}

/// Adds a member by `{"id": …}` (a user or service account, as `GET /users` shows them) or
/// by a user's `{"email": …}`.
#[utoipa::path(post, path = "/apps/{id}/users", tag = "Apps", params(("id" = uuid::Uuid, Path)), request_body = AppUser,
    responses((status = 201), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_user(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<AppId>,
    Body(b): Body<AppUser>,
) -> ApiResult<Created> {
    let who = match (b.id, b.email) {
        (Some(u), _) => MemberRef::Id(PrincipalId(u)),
        (None, Some(e)) => MemberRef::Email(e),
        (None, None) => {
            return Err(ApiError::property(
                "id",
                "give the user's id (GET /users) or email",
            ))
        }
    };
    let user = s.service.add_app_user(&p, id, who).await?;
    Ok(Created(s.ias_url(&format!("/apps/{id}/users/{user}"))))
}

#[utoipa::path(delete, path = "/apps/{id}/users/{user_id}", tag = "Apps",
    params(("id" = uuid::Uuid, Path), ("user_id" = uuid::Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn remove_user(
    State(s): State<AppState>,
    Auth(p): Auth,
    Ids(id, user): Ids<AppId, PrincipalId>,
) -> ApiResult<Deleted> {
    s.service.remove_app_user(&p, id, user).await?;
    Ok(Deleted)
}

#[utoipa::path(get, path = "/apps/{id}/tags", tag = "Apps", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Vec<Tag>), (status = 404, body = ErrorBody)))]
async fn tags(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<AppId>,
) -> ApiResult<Json<Vec<Tag>>> {
    let tags = s.service.app_tags(&p, id).await?;
    Ok(Json(
        tags.into_iter().map(|t| super::tags::wire(&s, t)).collect(),
    ))
}

#[utoipa::path(post, path = "/apps/{id}/tags", tag = "Apps", params(("id" = uuid::Uuid, Path)), request_body = IdRef,
    responses((status = 201), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_tag(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<AppId>,
    Body(b): Body<IdRef>,
) -> ApiResult<Created> {
    s.service.add_app_tag(&p, id, TagId(b.id)).await?;
    Ok(Created(s.ias_url(&format!("/apps/{id}/tags/{}", b.id))))
}

#[utoipa::path(delete, path = "/apps/{id}/tags/{tag_id}", tag = "Apps",
    params(("id" = uuid::Uuid, Path), ("tag_id" = uuid::Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn remove_tag(
    State(s): State<AppState>,
    Auth(p): Auth,
    Ids(id, tag): Ids<AppId, TagId>,
) -> ApiResult<Deleted> {
    s.service.remove_app_tag(&p, id, tag).await?;
    Ok(Deleted)
}
