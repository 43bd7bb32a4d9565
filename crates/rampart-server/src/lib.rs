//! rampart's HTTP edge: the `/ias/v1` router, authentication, the error table, paging,
//! OpenAPI, operational endpoints, and an HTTP/1 server with title-case headers.
//!
//! Invariants: handlers are thin (parse → service → convert → respond) and contain no
//! SQL; every response carries `r7-correlation-id`; every error has the body of
//! reference §10.1; paths are normalised (`//`, one trailing `/`) before routing and
//! absolute-form request targets route by path.

#![deny(clippy::unwrap_used, clippy::expect_used)]

mod audit;
mod engine_schema;
mod error;
mod extract;
mod gate;
mod middleware;
mod openapi;
mod paging;
mod problem;
pub mod report_gen;
mod routes;
mod serve;
mod state;
pub mod webhook_out;

pub use openapi::openapi;
pub use report_gen::GeneratorSettings;
pub use serve::serve;
pub use state::{AppState, ServerConfig, DEFAULT_MAX_FILE_BYTES};
pub use webhook_out::DelivererSettings;

use axum::Router;

/// The whole HTTP application: routes, fallbacks and middleware.
pub fn app(state: AppState) -> Router {
    build(state, true)
}

/// The application without the audit layer: only for measuring the layer's cost
/// (`examples/audit_bench.rs`); a server never serves it.
#[doc(hidden)]
pub fn unaudited_app_for_benchmarks(state: AppState) -> Router {
    build(state, false)
}

fn build(state: AppState, audited: bool) -> Router {
    let (router, api) = routes::router().split_for_parts();
    let api = std::sync::Arc::new(openapi::finish(api));
    let serve_doc = move || {
        let api = api.clone();
        async move { axum::Json(api.as_ref().clone()) }
    };
    let routed = router
        .merge(routes::identity::aliases())
        // One document for both APIs, at each API's root.
        .route(
            "/ias/v1/openapi.json",
            axum::routing::get(serve_doc.clone()),
        )
        .route("/v1/openapi.json", axum::routing::get(serve_doc.clone()))
        .route("/openapi.json", axum::routing::get(serve_doc))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            gate::gate,
        ))
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .with_state(state.clone());
    // Every mutation of every route is recorded by one layer (see `audit`); its state
    // reads go through the same routes without it.
    let recorder = audit::Recorder {
        state,
        inner: routed.clone(),
    };
    let routed = if audited {
        routed.route_layer(axum::middleware::from_fn_with_state(
            recorder,
            audit::record,
        ))
    } else {
        routed
    };
    routed
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            error::panicked,
        ))
        .layer(axum::middleware::from_fn(middleware::no_nul))
        .layer(axum::middleware::from_fn(middleware::correlation))
}
