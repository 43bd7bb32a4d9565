//! Error pages: what a refused or failed request shows.

use crate::layout;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::html;
use rampart_service::ServiceError;

/// `303 See Other` to `to` (after a POST, the browser GETs the next page).
pub fn redirect(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

/// A page saying what went wrong, with `status`.
pub fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    let body = html! { p.notice role="alert" { (message) } p { a href="/console" { "Back to the dashboard" } } };
    (status, layout::bare(title, body)).into_response()
}

/// The page of a service error; validation problems are listed.
pub fn service_error(e: ServiceError) -> Response {
    match e {
        ServiceError::Unauthorized => redirect("/console/sign-in"),
        ServiceError::Forbidden(m) => error_page(StatusCode::FORBIDDEN, "Not allowed", &m),
        ServiceError::NotFound => error_page(
            StatusCode::NOT_FOUND,
            "Not found",
            "It does not exist, or you may not see it.",
        ),
        ServiceError::Conflict(m) => error_page(StatusCode::CONFLICT, "Conflict", &m),
        ServiceError::Validation { message, problems } => {
            let body = html! {
                p.notice role="alert" { (message) }
                ul { @for p in &problems { li { code { (p.context) } " " (p.explanation) } } }
                p { "Go back, correct the form and send it again." }
            };
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                layout::bare("Not valid", body),
            )
                .into_response()
        }
        ServiceError::Unavailable(m) => {
            tracing::warn!(error = %m, "console: database unavailable");
            error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Unavailable",
                "The database is unavailable right now; reload this page in a few seconds.",
            )
        }
        ServiceError::Internal(m) => {
            tracing::error!(error = %m, "console: internal error");
            error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "The server failed; the cause is in its log.",
            )
        }
    }
}
