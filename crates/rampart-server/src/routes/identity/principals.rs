//! `/users`, `/service-accounts`.

use super::{role, status, status_str, IdResult};
use crate::extract::{Auth, Body, Id};
use crate::routes::Deleted;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use rampart_api_types::identity::{time, ServiceAccount, User};
use rampart_api_types::oauth::ProblemBody;
use rampart_domain::PrincipalId;
use rampart_service::{ServiceAccountInput, UserInput};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, update_user, delete_user))
        .routes(routes!(list_accounts, create_account))
        .routes(routes!(get_account, update_account, delete_account))
}

fn user_wire(u: rampart_domain::User) -> User {
    User {
        id: Some(u.id.0),
        email: Some(u.email),
        display_name: u.display_name,
        role: u.role.map(|r| r.as_str().to_string()),
        status: Some(status_str(u.status)),
        password: None,
        created_at: Some(time(u.created_at)),
    }
}

fn user_input(u: User) -> IdResult<UserInput> {
    Ok(UserInput {
        email: u.email,
        display_name: u.display_name,
        role: role(u.role.as_deref())?,
        status: status(u.status.as_deref())?,
        password: u.password,
    })
}

fn account_wire(a: rampart_domain::ServiceAccount) -> ServiceAccount {
    ServiceAccount {
        id: Some(a.id.0),
        name: Some(a.name),
        role: Some(a.role.as_str().to_string()),
        status: Some(status_str(a.status)),
        created_at: Some(time(a.created_at)),
    }
}

fn account_input(a: ServiceAccount) -> IdResult<ServiceAccountInput> {
    Ok(ServiceAccountInput {
        name: a.name,
        role: role(a.role.as_deref())?,
        status: status(a.status.as_deref())?,
    })
}

/// The organization's users (Product Admin): their ids name them in groups and app members.
#[utoipa::path(get, path = "/users", tag = "Identity",
    responses((status = 200, body = Vec<User>), (status = 403, body = ProblemBody, content_type = "application/problem+json")))]
async fn list_users(State(s): State<AppState>, Auth(p): Auth) -> IdResult<Json<Vec<User>>> {
    let users = s.service.list_users(&p).await?;
    Ok(Json(users.into_iter().map(user_wire).collect()))
}

/// Creates a user (`email` and `role` required; `password` optional, write-only).
#[utoipa::path(post, path = "/users", tag = "Identity", request_body = User,
    responses((status = 201, body = User), (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"), (status = 422, body = ProblemBody, content_type = "application/problem+json")))]
async fn create_user(
    State(s): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<User>,
) -> IdResult<(StatusCode, Json<User>)> {
    let u = s.service.create_user(&p, user_input(b)?).await?;
    Ok((StatusCode::CREATED, Json(user_wire(u))))
}

#[utoipa::path(get, path = "/users/{id}", tag = "Identity", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = User), (status = 403, body = ProblemBody, content_type = "application/problem+json"), (status = 404, body = ProblemBody, content_type = "application/problem+json")))]
async fn get_user(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<PrincipalId>,
) -> IdResult<Json<User>> {
    Ok(Json(user_wire(s.service.get_user(&p, id).await?)))
}

/// Changes the members given (`displayName`, `role`, `status`, `password`); `status:
/// disabled` stops the user's keys at the next request.
#[utoipa::path(put, path = "/users/{id}", tag = "Identity", params(("id" = uuid::Uuid, Path)), request_body = User,
    responses((status = 200, body = User), (status = 403, body = ProblemBody, content_type = "application/problem+json"), (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json")))]
async fn update_user(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<PrincipalId>,
    Body(b): Body<User>,
) -> IdResult<Json<User>> {
    let u = s.service.update_user(&p, id, user_input(b)?).await?;
    Ok(Json(user_wire(u)))
}

#[utoipa::path(get, path = "/service-accounts", tag = "Identity",
    responses((status = 200, body = Vec<ServiceAccount>), (status = 403, body = ProblemBody, content_type = "application/problem+json")))]
async fn list_accounts(
    State(s): State<AppState>,
    Auth(p): Auth,
) -> IdResult<Json<Vec<ServiceAccount>>> {
    let all = s.service.list_service_accounts(&p).await?;
    Ok(Json(all.into_iter().map(account_wire).collect()))
}

/// Creates a service account (`name` and `role` required).
#[utoipa::path(post, path = "/service-accounts", tag = "Identity", request_body = ServiceAccount,
    responses((status = 201, body = ServiceAccount), (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"), (status = 422, body = ProblemBody, content_type = "application/problem+json")))]
async fn create_account(
    State(s): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<ServiceAccount>,
) -> IdResult<(StatusCode, Json<ServiceAccount>)> {
    let a = s
        .service
        .create_service_account(&p, account_input(b)?)
        .await?;
    Ok((StatusCode::CREATED, Json(account_wire(a))))
}

#[utoipa::path(get, path = "/service-accounts/{id}", tag = "Identity", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = ServiceAccount), (status = 403, body = ProblemBody, content_type = "application/problem+json"), (status = 404, body = ProblemBody, content_type = "application/problem+json")))]
async fn get_account(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<PrincipalId>,
) -> IdResult<Json<ServiceAccount>> {
    Ok(Json(account_wire(
        s.service.get_service_account(&p, id).await?,
    )))
}

#[utoipa::path(put, path = "/service-accounts/{id}", tag = "Identity", params(("id" = uuid::Uuid, Path)),
    request_body = ServiceAccount,
    responses((status = 200, body = ServiceAccount), (status = 403, body = ProblemBody, content_type = "application/problem+json"), (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json")))]
async fn update_account(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<PrincipalId>,
    Body(b): Body<ServiceAccount>,
) -> IdResult<Json<ServiceAccount>> {
    let a = s
        .service
        .update_service_account(&p, id, account_input(b)?)
        .await?;
    Ok(Json(account_wire(a)))
}

/// Deletes a user: its keys, OAuth clients, group and app memberships go with it and stop
/// working at the next request; audit entries keep its id. Deleting oneself is 409.
#[utoipa::path(delete, path = "/users/{id}", tag = "Identity", params(("id" = uuid::Uuid, Path)),
    responses((status = 204), (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json")))]
async fn delete_user(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<PrincipalId>,
) -> IdResult<Deleted> {
    s.service.delete_user(&p, id).await?;
    Ok(Deleted)
}

/// Deletes a service account (as `DELETE /users/{id}`).
#[utoipa::path(delete, path = "/service-accounts/{id}", tag = "Identity", params(("id" = uuid::Uuid, Path)),
    responses((status = 204), (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json")))]
async fn delete_account(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<PrincipalId>,
) -> IdResult<Deleted> {
    s.service.delete_service_account(&p, id).await?;
    Ok(Deleted)
}
