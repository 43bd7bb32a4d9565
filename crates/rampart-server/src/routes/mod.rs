//! Route table: operational endpoints at the root, the InsightAppSec API under `/ias/v1`,
//! the remote engines' job protocol under `/engine/v1`, the OAuth authorization server
//! (`/oauth/*`, `/.well-known/*`), the identity routes, the audit log and the other AppSec+
//! routes (at the root and under `/v1`, see `identity::aliases`).

pub mod audit;
pub mod engine;
pub mod ias;
pub mod identity;
mod oauth;
mod ops;
pub(crate) mod plus;

use crate::state::AppState;
use axum::http::{header::LOCATION, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(crate::openapi::base())
        .merge(ops::router())
        .merge(identity::router())
        .merge(oauth::router())
        .merge(plus::router())
        .nest("/ias/v1", ias::router())
        // AppSec+ paths: as documented and, identically, under `/v1` (§5 decision 6).
        .merge(audit::router())
        .merge(plus::resources())
        .nest("/v1", audit::router().merge(plus::resources()))
        .nest(rampart_protocol::routes::PREFIX, engine::router())
}

/// 201 with an empty body and an absolute `Location`.
pub struct Created(pub String);

impl IntoResponse for Created {
    fn into_response(self) -> Response {
        let mut res = StatusCode::CREATED.into_response();
        if let Ok(v) = HeaderValue::from_str(&self.0) {
            res.headers_mut().insert(LOCATION, v);
        }
        res
    }
}

/// 200 with an empty body (PUT).
pub struct Updated;

impl IntoResponse for Updated {
    fn into_response(self) -> Response {
        StatusCode::OK.into_response()
    }
}

/// 204 (DELETE).
pub struct Deleted;

impl IntoResponse for Deleted {
    fn into_response(self) -> Response {
        StatusCode::NO_CONTENT.into_response()
    }
}
