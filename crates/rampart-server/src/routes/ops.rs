//! Operational endpoints: key validation, liveness, readiness.

use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use rampart_api_types::ias::Message;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(validate))
        .routes(routes!(healthz))
        .routes(routes!(readyz))
}

/// Checks an API key or a bearer token: 200 `{"message":"Authorized"}` or 401 `{"message":"Unauthorized"}`.
#[utoipa::path(get, path = "/validate", tag = "Platform",
    responses((status = 200, body = Message), (status = 401, body = Message)))]
async fn validate(State(s): State<AppState>, headers: HeaderMap) -> (StatusCode, Json<Message>) {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let valid = match (header("x-api-key"), header("authorization")) {
        (Some(key), _) => s.service.authenticate(key).await.is_ok(),
        (None, Some(auth)) => match auth.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => s
                .service
                .authenticate_bearer(s.issuer(), token.trim())
                .await
                .is_ok(),
            _ => false,
        },
        (None, None) => false,
    };
    match valid {
        true => (
            StatusCode::OK,
            Json(Message {
                message: "Authorized".into(),
            }),
        ),
        false => (
            StatusCode::UNAUTHORIZED,
            Json(Message {
                message: "Unauthorized".into(),
            }),
        ),
    }
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "Platform", responses((status = 200, body = Message)))]
async fn healthz() -> Json<Message> {
    Json(Message {
        message: "ok".into(),
    })
}

/// Readiness: the database answers.
#[utoipa::path(get, path = "/readyz", tag = "Platform",
    responses((status = 200, body = Message), (status = 503, body = Message)))]
async fn readyz(State(s): State<AppState>) -> Result<Json<Message>, (StatusCode, Json<Message>)> {
    match s.service.ready().await {
        Ok(()) => Ok(Json(Message {
            message: "ready".into(),
        })),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            Err((
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Message {
                    message: "database unreachable".into(),
                }),
            ))
        }
    }
}
