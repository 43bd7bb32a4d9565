//! The `/__testbed/*` control routes: manifest, login facts, request log, case toggles.

use crate::manifest;
use crate::state::Shared;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use http::StatusCode;
use serde::Deserialize;
use serde_json::json;

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route(
            "/__testbed/manifest",
            get(|| async { Json(manifest::manifest()) }),
        )
        .route(
            "/__testbed/login",
            get(|| async { Json(manifest::login_info()) }),
        )
        .route("/__testbed/requests", get(requests).delete(clear))
        .route("/__testbed/cases", get(cases))
        .route("/__testbed/cases/{id}/fixed", post(fix))
}

async fn requests(State(st): State<Shared>) -> Json<serde_json::Value> {
    let (count, requests) = st.requests();
    Json(json!({ "count": count, "requests": requests }))
}

async fn clear(State(st): State<Shared>) -> StatusCode {
    st.clear_requests();
    StatusCode::NO_CONTENT
}

async fn cases(State(st): State<Shared>) -> Json<serde_json::Value> {
    let list: Vec<_> = manifest::manifest()
        .into_iter()
        .map(|c| json!({ "id": c.id, "fixed": c.vulnerable && !st.vulnerable(&c.id) }))
        .collect();
    Json(json!(list))
}

#[derive(Deserialize)]
struct Fix {
    fixed: bool,
}

/// `POST /__testbed/cases/{id}/fixed` with an optional `{"fixed": false}` body to undo.
async fn fix(
    State(st): State<Shared>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    if !manifest::is_case(&id) {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": format!("unknown case id {id}") })),
        )
            .into_response();
    }
    let fixed = if body.is_empty() {
        true
    } else {
        match serde_json::from_slice::<Fix>(&body) {
            Ok(f) => f.fixed,
            Err(e) => {
                return (
                    StatusCode::BAD_REQUEST,
                    Json(json!({ "error": format!("bad body: {e}") })),
                )
                    .into_response()
            }
        }
    };
    st.set_fixed(&id, fixed);
    Json(json!({ "id": id, "fixed": fixed })).into_response()
}
