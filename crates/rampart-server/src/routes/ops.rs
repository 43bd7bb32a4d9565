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

/// Checks an API key: 200 `{"message":"Authorized"}` or 401 `{"message":"Unauthorized"}`.
#[utoipa::path(get, path = "/validate", tag = "Platform",
    responses((status = 200, body = Message), (status = 401, body = Message)))]
async fn validate(State(s): State<AppState>, headers: HeaderMap) -> (StatusCode, Json<Message>) {
    let token = headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match s.service.authenticate(token).await {
        Ok(_) => (
            StatusCode::OK,
            Json(Message {
                message: "Authorized".into(),
            }),
        ),
        Err(_) => (
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
