//! RFC 9457 `application/problem+json` errors of the AppSec+ routes (decision 5): `type`,
//! `title`, `status`, `detail`, `instance`, plus the documented `code`, `message`,
//! `details` and our `request_id` (the `r7-correlation-id` of the response). `/ias/v1`
//! keeps its own shape (`error.rs`).

use crate::error::ApiError;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rampart_service::{ProblemKind, ServiceError};
use serde_json::{json, Value};

tokio::task_local! {
    /// The request's correlation id, set by the correlation middleware around the handler.
    pub(crate) static REQUEST_ID: uuid::Uuid;
}

/// An AppSec+ error answer.
#[derive(Debug)]
pub struct Problem {
    pub status: StatusCode,
    /// Stable machine code: `not_found`, `validation_failed`, `rate_limited`, …
    pub code: &'static str,
    pub detail: String,
    pub details: Value,
    /// A problem type URI other than `about:blank`.
    pub type_uri: Option<&'static str>,
    pub headers: Vec<(HeaderName, String)>,
}

/// The RateLimit draft's problem type for a spent quota.
pub const QUOTA_EXCEEDED: &str = "https://iana.org/assignments/http-problem-types#quota-exceeded";

impl Problem {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            details: json!({}),
            type_uri: None,
            headers: Vec::new(),
        }
    }

    pub fn header(mut self, name: HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "resource not found")
    }
}

impl From<ServiceError> for Problem {
    fn from(e: ServiceError) -> Self {
        ApiError::from(e).into()
    }
}

/// The one mapping of the edge's errors onto problem codes (the `/ias/v1` table in
/// `error.rs` maps the same [`ApiError`] onto its own body).
impl From<ApiError> for Problem {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::BadRequest(m) => Problem::new(StatusCode::BAD_REQUEST, "bad_request", m),
            ApiError::Unauthorized => Problem::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "authenticate with Authorization: Bearer <token> or X-Api-Key",
            )
            .header(header::WWW_AUTHENTICATE, r#"Bearer realm="rampart""#),
            ApiError::Forbidden(m) => Problem::new(StatusCode::FORBIDDEN, "forbidden", m),
            ApiError::NotFound => Problem::not_found(),
            ApiError::MethodNotAllowed => Problem::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "method not allowed on this resource",
            ),
            ApiError::NotAcceptable(m) => {
                Problem::new(StatusCode::NOT_ACCEPTABLE, "not_acceptable", m)
            }
            ApiError::Conflict(m) => Problem::new(StatusCode::CONFLICT, "conflict", m),
            ApiError::UnsupportedMediaType(m) => Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                m,
            ),
            ApiError::PayloadTooLarge(m) => {
                Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", m)
            }
            ApiError::InsufficientScope(scope) => Problem::new(
                StatusCode::FORBIDDEN,
                "insufficient_scope",
                format!("the token lacks the scope {}", scope.as_str()),
            )
            .header(
                header::WWW_AUTHENTICATE,
                format!(
                    r#"Bearer realm="rampart", error="insufficient_scope", scope="{}""#,
                    scope.as_str()
                ),
            ),
            ApiError::RateLimited(m) => Problem {
                type_uri: Some(QUOTA_EXCEEDED),
                ..Problem::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", m)
            },
            ApiError::Validation(message, problems) => {
                let errors: Vec<Value> = problems
                    .iter()
                    .map(|p| {
                        let pointer = match p.kind {
                            ProblemKind::Property => format!("/{}", p.context.replace('.', "/")),
                            ProblemKind::Object => String::new(),
                        };
                        json!({"pointer": pointer, "message": p.explanation})
                    })
                    .collect();
                Problem {
                    details: json!({ "errors": errors }),
                    ..Problem::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "validation_failed",
                        message,
                    )
                }
            }
            ApiError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal_error",
                    "internal error; quote the request_id when reporting it",
                )
            }
            ApiError::Unavailable(m) => {
                tracing::warn!(cause = %m, "database unavailable");
                Problem::new(StatusCode::SERVICE_UNAVAILABLE, "service_unavailable", m)
                    .header(header::RETRY_AFTER, crate::error::UNAVAILABLE_RETRY_AFTER)
            }
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let request_id = REQUEST_ID.try_with(|id| id.to_string()).ok();
        let title = self.status.canonical_reason().unwrap_or("Error");
        let body = json!({
            "type": self.type_uri.unwrap_or("about:blank"),
            "title": title,
            "status": self.status.as_u16(),
            "detail": self.detail,
            "code": self.code,
            "message": self.detail,
            "details": self.details,
            "request_id": request_id,
        });
        let mut res = (self.status, body.to_string()).into_response();
        let h = res.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        for (name, value) in self.headers {
            if let Ok(v) = HeaderValue::from_str(&value) {
                h.insert(name, v);
            }
        }
        res
    }
}
