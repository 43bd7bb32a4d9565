//! `/identity-groups` (alias `/identity/groups`): groups, their members, and their grants
//! of app access by app and by app tag.

use super::{invalid, kind_str, problem, IdResult};
use crate::extract::{Auth, Body, Id, Ids};
use crate::routes::Deleted;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::Json;
use rampart_api_types::identity::{time, Grant, IdentityGroup, Member, MemberRef};
use rampart_api_types::oauth::ProblemBody;
use rampart_domain::{AppId, GroupSource, IdentityGroupId, PrincipalId};
use rampart_service::{GroupInput, ServiceError};
use rampart_store::GroupView;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(read, update, remove))
        .routes(routes!(add_member))
        .routes(routes!(remove_member))
        .routes(routes!(grant))
        .routes(routes!(revoke_app))
        .routes(routes!(revoke_tag))
}

/// The same handlers, relative, for the `/identity/groups` spelling.
pub fn alias_router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/", get(list).post(create))
        .route("/{id}", get(read).put(update).delete(remove))
        .route("/{id}/members", post(add_member))
        .route("/{id}/members/{member}", delete(remove_member))
        .route("/{id}/grants", post(grant))
        .route("/{id}/grants/applications/{app}", delete(revoke_app))
        .route("/{id}/grants/tags/{tag}", delete(revoke_tag))
}

fn wire(v: GroupView) -> IdentityGroup {
    let g = v.group;
    IdentityGroup {
        id: Some(g.id.0),
        name: Some(g.name),
        description: g.description,
        source: Some(g.source.as_str().to_string()),
        external_id: g.external_id,
        members: Some(v.members.iter().map(|m| m.id.0).collect()),
        member_count: Some(v.members.len() as u64),
        member_details: Some(
            v.members
                .into_iter()
                .map(|m| Member {
                    id: m.id.0,
                    kind: kind_str(m.kind).to_string(),
                    display: m.display,
                })
                .collect(),
        ),
        application_ids: Some(v.apps.into_iter().map(|a| a.0).collect()),
        application_tags: Some(v.tags.into_iter().map(|t| t.name).collect()),
        created_at: Some(time(g.created_at)),
        updated_at: Some(time(g.updated_at)),
    }
}

fn input(b: IdentityGroup) -> IdResult<GroupInput> {
    let source = match b.source.as_deref() {
        None => None,
        Some(s) => Some(
            GroupSource::parse(&s.to_ascii_lowercase())
                .ok_or_else(|| invalid("source", "must be local, scim, oidc, saml or ldap"))?,
        ),
    };
    Ok(GroupInput {
        name: b.name,
        description: b.description,
        source,
        external_id: b.external_id,
        members: b.members.map(|m| m.into_iter().map(PrincipalId).collect()),
        apps: b
            .application_ids
            .map(|a| a.into_iter().map(AppId).collect()),
        tags: b.application_tags,
    })
}

/// The organization's identity groups, by name (Product Admin).
#[utoipa::path(get, path = "/identity-groups", tag = "Identity",
    responses((status = 200, body = Vec<IdentityGroup>), (status = 403, body = ProblemBody, content_type = "application/problem+json")))]
async fn list(State(s): State<AppState>, Auth(p): Auth) -> IdResult<Json<Vec<IdentityGroup>>> {
    let groups = s.service.list_groups(&p).await?;
    Ok(Json(groups.into_iter().map(wire).collect()))
}

/// Creates a group; `members`, `applicationIds` and `applicationTags` may be given at once
/// (a new tag name is created as a tag).
#[utoipa::path(post, path = "/identity-groups", tag = "Identity", request_body = IdentityGroup,
    responses((status = 201, body = IdentityGroup), (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"), (status = 422, body = ProblemBody, content_type = "application/problem+json")))]
async fn create(
    State(s): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<IdentityGroup>,
) -> IdResult<(StatusCode, Json<IdentityGroup>)> {
    let g = s.service.create_group(&p, input(b)?).await?;
    Ok((StatusCode::CREATED, Json(wire(g))))
}

#[utoipa::path(get, path = "/identity-groups/{id}", tag = "Identity", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = IdentityGroup), (status = 403, body = ProblemBody, content_type = "application/problem+json"), (status = 404, body = ProblemBody, content_type = "application/problem+json")))]
async fn read(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<IdentityGroupId>,
) -> IdResult<Json<IdentityGroup>> {
    Ok(Json(wire(s.service.get_group(&p, id).await?)))
}

/// Changes the members given; a list given (`members`, `applicationIds`,
/// `applicationTags`) replaces the stored one.
#[utoipa::path(put, path = "/identity-groups/{id}", tag = "Identity", params(("id" = uuid::Uuid, Path)),
    request_body = IdentityGroup,
    responses((status = 200, body = IdentityGroup), (status = 403, body = ProblemBody, content_type = "application/problem+json"), (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"), (status = 422, body = ProblemBody, content_type = "application/problem+json")))]
async fn update(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<IdentityGroupId>,
    Body(b): Body<IdentityGroup>,
) -> IdResult<Json<IdentityGroup>> {
    Ok(Json(wire(s.service.update_group(&p, id, input(b)?).await?)))
}

/// Deletes the group, its memberships and its grants.
#[utoipa::path(delete, path = "/identity-groups/{id}", tag = "Identity", params(("id" = uuid::Uuid, Path)),
    responses((status = 204), (status = 403, body = ProblemBody, content_type = "application/problem+json"), (status = 404, body = ProblemBody, content_type = "application/problem+json")))]
async fn remove(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<IdentityGroupId>,
) -> IdResult<Deleted> {
    s.service.delete_group(&p, id).await?;
    Ok(Deleted)
}

/// Adds a member: `{"id": …}` (a user or service account) or `{"email": …}` (a user).
#[utoipa::path(post, path = "/identity-groups/{id}/members", tag = "Identity", params(("id" = uuid::Uuid, Path)),
    request_body = MemberRef,
    responses((status = 200, body = IdentityGroup), (status = 403, body = ProblemBody, content_type = "application/problem+json"), (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json")))]
async fn add_member(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<IdentityGroupId>,
    Body(b): Body<MemberRef>,
) -> IdResult<Json<IdentityGroup>> {
    // The group first: another tenant's group is 404 whatever the body names.
    s.service.get_group(&p, id).await?;
    let member = match (b.id, b.email) {
        (Some(m), _) => PrincipalId(m),
        (None, Some(email)) => match s.service.find_user(&p, &email).await {
            Ok(u) => u.id,
            Err(ServiceError::NotFound) => {
                return Err(invalid(
                    "email",
                    "no user with this email in this organization",
                ))
            }
            Err(e) => return Err(problem(e)),
        },
        (None, None) => return Err(invalid("id", "give the member's id or a user's email")),
    };
    s.service.add_group_member(&p, id, member).await?;
    Ok(Json(wire(s.service.get_group(&p, id).await?)))
}

/// Removes a member of a `local` group (422 for a group synchronised from an identity
/// provider).
#[utoipa::path(delete, path = "/identity-groups/{id}/members/{member}", tag = "Identity",
    params(("id" = uuid::Uuid, Path), ("member" = uuid::Uuid, Path)),
    responses((status = 204), (status = 403, body = ProblemBody, content_type = "application/problem+json"), (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json")))]
async fn remove_member(
    State(s): State<AppState>,
    Auth(p): Auth,
    Ids(id, member): Ids<IdentityGroupId, PrincipalId>,
) -> IdResult<Deleted> {
    s.service.remove_group_member(&p, id, member).await?;
    Ok(Deleted)
}

/// Grants the group's members an app (`applicationId`) or every app carrying a tag
/// (`tag`, a name or id; a new name is created as a tag), now and later.
#[utoipa::path(post, path = "/identity-groups/{id}/grants", tag = "Identity", params(("id" = uuid::Uuid, Path)),
    request_body = Grant,
    responses((status = 200, body = IdentityGroup), (status = 403, body = ProblemBody, content_type = "application/problem+json"), (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json")))]
async fn grant(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<IdentityGroupId>,
    Body(b): Body<Grant>,
) -> IdResult<Json<IdentityGroup>> {
    match (b.application_id, b.tag) {
        (Some(app), None) => s.service.grant_group_app(&p, id, AppId(app)).await?,
        (None, Some(tag)) => {
            s.service.grant_group_tag(&p, id, &tag).await?;
        }
        _ => return Err(invalid("body", "give one of applicationId or tag")),
    }
    Ok(Json(wire(s.service.get_group(&p, id).await?)))
}

#[utoipa::path(delete, path = "/identity-groups/{id}/grants/applications/{app}", tag = "Identity",
    params(("id" = uuid::Uuid, Path), ("app" = uuid::Uuid, Path)),
    responses((status = 204), (status = 403, body = ProblemBody, content_type = "application/problem+json"), (status = 404, body = ProblemBody, content_type = "application/problem+json")))]
async fn revoke_app(
    State(s): State<AppState>,
    Auth(p): Auth,
    Ids(id, app): Ids<IdentityGroupId, AppId>,
) -> IdResult<Deleted> {
    s.service.revoke_group_app(&p, id, app).await?;
    Ok(Deleted)
}

/// Removes a tag grant (`tag`: the tag's name or id).
#[utoipa::path(delete, path = "/identity-groups/{id}/grants/tags/{tag}", tag = "Identity",
    params(("id" = uuid::Uuid, Path), ("tag" = String, Path)),
    responses((status = 204), (status = 403, body = ProblemBody, content_type = "application/problem+json"), (status = 404, body = ProblemBody, content_type = "application/problem+json")))]
async fn revoke_tag(
    State(s): State<AppState>,
    Auth(p): Auth,
    Path((id, tag)): Path<(String, String)>,
) -> IdResult<Deleted> {
    let id: IdentityGroupId = id.parse().map_err(|_| problem(ServiceError::NotFound))?;
    s.service.revoke_group_tag(&p, id, &tag).await?;
    Ok(Deleted)
}
