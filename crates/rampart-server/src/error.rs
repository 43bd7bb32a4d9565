//! The closed error table of the HTTP edge: every error becomes a status and the body
//! of reference §10.1. Internal causes are logged (with the correlation id of the
//! request span), never sent.

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rampart_api_types::ias::{ErrorBody, ValidationError, ValidationErrorType};
use rampart_service::{Problem, ProblemKind, ServiceError};

/// An error answered to the client.
#[derive(Debug)]
pub enum ApiError {
    BadRequest(String),
    Unauthorized,
    Forbidden(String),
    NotFound,
    MethodNotAllowed,
    NotAcceptable(String),
    Conflict(String),
    UnsupportedMediaType(String),
    PayloadTooLarge(String),
    /// 403 for a bearer token without the route's scope (RFC 6750 §3.1).
    InsufficientScope(rampart_domain::Scope),
    /// 429; the gate adds `Retry-After` and the `RateLimit-*` fields.
    RateLimited(String),
    Validation(String, Vec<Problem>),
    Internal(String),
    /// 503 + `Retry-After`: the database is away or full; the message says which.
    Unavailable(String),
}

/// Seconds a client is asked to wait (`Retry-After`) when the database is unavailable.
pub const UNAVAILABLE_RETRY_AFTER: &str = "5";

pub type ApiResult<T> = Result<T, ApiError>;

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Unauthorized => ApiError::Unauthorized,
            ServiceError::Forbidden(m) => ApiError::Forbidden(m),
            ServiceError::NotFound => ApiError::NotFound,
            ServiceError::Validation { message, problems } => {
                ApiError::Validation(message, problems)
            }
            ServiceError::Conflict(m) => ApiError::Conflict(m),
            ServiceError::Internal(m) => ApiError::Internal(m),
            ServiceError::Unavailable(m) => ApiError::Unavailable(m),
        }
    }
}

impl ApiError {
    pub fn property(context: &str, explanation: impl Into<String>) -> Self {
        ApiError::Validation(
            "resource validation error".into(),
            vec![Problem::property(context, explanation)],
        )
    }
}

fn status_text(s: StatusCode) -> String {
    let reason = s
        .canonical_reason()
        .unwrap_or("ERROR")
        .to_ascii_uppercase()
        .replace([' ', '-'], "_");
    format!("{} {reason}", s.as_u16())
}

fn body(status: StatusCode, message: String, errors: Option<Vec<ValidationError>>) -> Response {
    let b = ErrorBody {
        status: status_text(status),
        message,
        error_code: None,
        errors,
    };
    (status, Json(b)).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::BadRequest(m) => body(StatusCode::BAD_REQUEST, m, None),
            ApiError::Unauthorized => body(StatusCode::UNAUTHORIZED, "Unauthorized".into(), None),
            ApiError::Forbidden(m) => body(StatusCode::FORBIDDEN, m, None),
            ApiError::NotFound => body(StatusCode::NOT_FOUND, "resource not found".into(), None),
            ApiError::MethodNotAllowed => body(
                StatusCode::METHOD_NOT_ALLOWED,
                "method not allowed on this resource".into(),
                None,
            ),
            ApiError::NotAcceptable(m) => body(StatusCode::NOT_ACCEPTABLE, m, None),
            ApiError::Conflict(m) => body(StatusCode::CONFLICT, m, None),
            ApiError::UnsupportedMediaType(m) => body(StatusCode::UNSUPPORTED_MEDIA_TYPE, m, None),
            ApiError::PayloadTooLarge(m) => body(StatusCode::PAYLOAD_TOO_LARGE, m, None),
            ApiError::InsufficientScope(scope) => {
                let mut res = body(
                    StatusCode::FORBIDDEN,
                    format!("the token lacks the scope {}", scope.as_str()),
                    None,
                );
                let challenge = format!(
                    r#"Bearer realm="rampart", error="insufficient_scope", scope="{}""#,
                    scope.as_str()
                );
                if let Ok(v) = axum::http::HeaderValue::from_str(&challenge) {
                    res.headers_mut()
                        .insert(axum::http::header::WWW_AUTHENTICATE, v);
                }
                res
            }
            ApiError::RateLimited(m) => body(StatusCode::TOO_MANY_REQUESTS, m, None),
            ApiError::Validation(m, problems) => {
                let errors = problems
                    .into_iter()
                    .map(|p| ValidationError {
                        kind: match p.kind {
                            ProblemKind::Object => ValidationErrorType::Object,
                            ProblemKind::Property => ValidationErrorType::Property,
                        },
                        context: p.context,
                        explanation: p.explanation,
                    })
                    .collect();
                body(StatusCode::UNPROCESSABLE_ENTITY, m, Some(errors))
            }
            ApiError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                body(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal error; quote the r7-correlation-id header when reporting it".into(),
                    None,
                )
            }
            ApiError::Unavailable(m) => {
                tracing::warn!(cause = %m, "database unavailable");
                let mut res = body(StatusCode::SERVICE_UNAVAILABLE, m, None);
                res.headers_mut().insert(
                    axum::http::header::RETRY_AFTER,
                    axum::http::HeaderValue::from_static(UNAVAILABLE_RETRY_AFTER),
                );
                res
            }
        }
    }
}

pub async fn not_found() -> ApiError {
    ApiError::NotFound
}

/// The InsightAppSec reference asks 415 for a POST to an item URL (`…/resource/<ID>`);
/// every other method a route does not serve, and a POST anywhere else, is 405.
pub async fn method_not_allowed(method: Method, uri: axum::http::Uri) -> ApiError {
    let last = uri
        .path()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("");
    if method == Method::POST && uuid::Uuid::parse_str(last).is_ok() {
        ApiError::UnsupportedMediaType("POST is not supported on this resource".into())
    } else {
        ApiError::MethodNotAllowed
    }
}

/// A handler that panicked still answers: 500 with the error body (the correlation
/// middleware, outside this layer, adds the id and logs the request).
pub fn panicked(_payload: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::Internal("a request handler panicked".into()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_the_documented_500() {
        let res = panicked(Box::new("boom"));
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn an_unavailable_database_is_503_with_retry_after() {
        let res = ApiError::Unavailable("the database is unavailable".into()).into_response();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(res.headers()["retry-after"], UNAVAILABLE_RETRY_AFTER);
        assert_eq!(
            status_text(StatusCode::SERVICE_UNAVAILABLE),
            "503 SERVICE_UNAVAILABLE"
        );
    }

    #[test]
    fn status_strings_follow_the_spring_5_form() {
        assert_eq!(status_text(StatusCode::NOT_FOUND), "404 NOT_FOUND");
        assert_eq!(
            status_text(StatusCode::UNPROCESSABLE_ENTITY),
            "422 UNPROCESSABLE_ENTITY"
        );
        assert_eq!(
            status_text(StatusCode::UNSUPPORTED_MEDIA_TYPE),
            "415 UNSUPPORTED_MEDIA_TYPE"
        );
    }
}
