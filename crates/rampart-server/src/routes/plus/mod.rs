//! AppSec+ routes (served at the root and, identically, under `/v1`): the OAuth client
//! resource here, applications, scans (engine runs and imports) and vulnerabilities in
//! the submodules ([`resources`]). Errors are RFC 9457 problem+json (`crate::problem`).

mod applications;
mod connectors;
mod policies;
mod scans;
mod upload;
mod vulnerabilities;
mod webhooks;

use crate::extract::PlusAuth;
use crate::problem::Problem;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rampart_api_types::oauth::{OAuthClient, OAuthClientCreate, OAuthClientList, ProblemBody};
use rampart_domain::OAuthClientId;
use rampart_service::OAuthClientInput;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(delete))
}

/// Applications, scans and vulnerabilities (mounted at the root and under `/v1`).
pub fn resources() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(applications::router())
        .merge(scans::router())
        .merge(vulnerabilities::router())
        .merge(policies::router())
        .merge(webhooks::router())
        .merge(connectors::router())
}

/// RFC 3339, as AppSec+ writes times.
pub(crate) fn time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A JSON body in the AppSec+ shape of errors (a 422 names the member).
pub(crate) fn json_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    crate::extract::parse(bytes).map_err(Problem::from)
}

/// `201` with `Location` and a JSON body.
pub(crate) fn created<T: serde::Serialize>(s: &AppState, path: &str, body: T) -> Response {
    let mut res = (StatusCode::CREATED, Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&s.url(path)) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

/// The page sizes of the AppSec+ lists (`limit`: the vulnerabilities and the audit log),
/// and the size of a page when none is asked for. The document's bounds are these
/// (`openapi::plus_query`).
pub(crate) const LIMITS: std::ops::RangeInclusive<u64> = 1..=1000;
pub(crate) const DEFAULT_LIMIT: u64 = 100;

/// 422 naming `limit` when it is not one of [`LIMITS`].
pub(crate) fn limit_problem(limit: u64) -> Option<rampart_service::Problem> {
    (!LIMITS.contains(&limit)).then(|| {
        rampart_service::Problem::property(
            "limit",
            format!("must be between {} and {}", LIMITS.start(), LIMITS.end()),
        )
    })
}

/// The paging of the AppSec+ lists, one rule: `limit` one of [`LIMITS`] (default
/// [`DEFAULT_LIMIT`]) and `offset` at most `max_offset` (default 0); 422 naming the
/// parameter otherwise.
pub(crate) fn window(
    limit: Option<u64>,
    offset: Option<u64>,
    max_offset: u64,
) -> Result<(u64, u64), Problem> {
    let (limit, offset) = (limit.unwrap_or(DEFAULT_LIMIT), offset.unwrap_or(0));
    let mut problems: Vec<_> = limit_problem(limit).into_iter().collect();
    if offset > max_offset {
        problems.push(rampart_service::Problem::property(
            "offset",
            format!("must be at most {max_offset}: narrow the filters to reach further"),
        ));
    }
    if problems.is_empty() {
        Ok((limit, offset))
    } else {
        Err(rampart_service::ServiceError::invalid(problems).into())
    }
}

/// A UUID path id; anything else is 404.
pub(crate) fn uuid_of(raw: &str) -> Result<uuid::Uuid, Problem> {
    uuid::Uuid::parse_str(raw).map_err(|_| Problem::not_found())
}

fn wire(c: rampart_domain::oauth::OAuthClient, secret: Option<String>) -> OAuthClient {
    OAuthClient {
        id: c.id.0,
        client_id: c.client_id,
        client_secret: secret,
        name: c.name,
        principal_id: c.principal.0,
        principal_kind: c.kind.as_str().into(),
        role: c.role.as_str().into(),
        scopes: c.scopes.to_string(),
        created_at: c.created_at.to_rfc3339(),
    }
}

/// The tenant's OAuth clients (Product Admin; scope `identity:read`). Secrets are never
/// shown again.
#[utoipa::path(get, path = "/oauth/clients", tag = "OAuth clients",
    responses((status = 200, body = OAuthClientList), (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json")))]
async fn list(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
) -> Result<Json<OAuthClientList>, Problem> {
    let data = s
        .service
        .list_oauth_clients(&p)
        .await?
        .into_iter()
        .map(|c| wire(c, None))
        .collect();
    Ok(Json(OAuthClientList { data }))
}

/// Creates client credentials for a principal of the tenant (Product Admin; scope
/// `identity:write`). The answer carries `client_secret` once.
#[utoipa::path(post, path = "/oauth/clients", tag = "OAuth clients", request_body = OAuthClientCreate,
    responses((status = 201, body = OAuthClient), (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"), (status = 422, body = ProblemBody, content_type = "application/problem+json")))]
async fn create(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
    body: Bytes,
) -> Result<Response, Problem> {
    let b: OAuthClientCreate = serde_json::from_slice(&body).map_err(|e| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid_body",
            format!("the body is not a valid OAuth client: {e}"),
        )
    })?;
    let new = s
        .service
        .create_oauth_client(
            &p,
            OAuthClientInput {
                name: b.name,
                principal: b.principal_id.map(rampart_domain::PrincipalId),
                role: b.role,
                scopes: b.scopes,
            },
        )
        .await?;
    let location = s.url(&format!("/oauth/clients/{}", new.client.id));
    let mut res = (
        StatusCode::CREATED,
        Json(wire(new.client, Some(new.client_secret))),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// Deletes a client; every token it obtained stops working on the next request.
#[utoipa::path(delete, path = "/oauth/clients/{id}", tag = "OAuth clients",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 204), (status = 401, body = ProblemBody, content_type = "application/problem+json"), (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json")))]
async fn delete(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    let id = uuid::Uuid::parse_str(&id).map_err(|_| Problem::not_found())?;
    s.service.delete_oauth_client(&p, OAuthClientId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
