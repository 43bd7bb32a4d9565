//! Extractors: the authenticated principal, lenient JSON bodies, typed path ids.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use rampart_domain::Principal;
use serde::de::DeserializeOwned;

/// The caller, from `X-Api-Key` (any casing of the header name).
pub struct Auth(pub Principal);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get("x-api-key")
            .and_then(|v| v.to_str().ok())
            .ok_or(ApiError::Unauthorized)?;
        let p = state.service.authenticate(token).await?;
        crate::audit::Actor::tell(parts, &p);
        Ok(Auth(p))
    }
}

/// A JSON body. `Content-Type` may be missing or carry a charset; a non-JSON type is 415;
/// malformed JSON is 400; a member of the wrong type is 422 naming it.
pub struct Body<T>(pub T);

/// The largest request body accepted.
const MAX_BODY: usize = 4 * 1024 * 1024;

impl<T: DeserializeOwned> FromRequest<AppState> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &AppState) -> Result<Self, ApiError> {
        if let Some(ct) = req.headers().get(CONTENT_TYPE) {
            let ct = ct.to_str().unwrap_or("").to_ascii_lowercase();
            let essence = ct.split(';').next().unwrap_or("").trim();
            if !(essence == "application/json" || essence.ends_with("+json") || essence.is_empty())
            {
                return Err(ApiError::UnsupportedMediaType(format!(
                    "send the body as application/json, not {essence}"
                )));
            }
        }
        let bytes = axum::body::to_bytes(req.into_body(), MAX_BODY)
            .await
            .map_err(|_| {
                ApiError::BadRequest(format!("the request body must be at most {MAX_BODY} bytes"))
            })?;
        parse(&bytes).map(Body)
    }
}

pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::BadRequest("a JSON body is required".into()));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_data() {
            ApiError::property(if path == "." { "body" } else { &path }, inner.to_string())
        } else {
            ApiError::BadRequest(format!("the request body is not valid JSON: {inner}"))
        }
    })
}

/// A UUID path segment of a given id type; anything else is 404.
pub struct Id<T>(pub T);

impl<T: From<uuid::Uuid> + Send> FromRequestParts<AppState> for Id<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound)?;
        uuid::Uuid::parse_str(&raw)
            .map(|u| Id(T::from(u)))
            .map_err(|_| ApiError::NotFound)
    }
}

/// Two UUID path segments.
pub struct Ids<A, B>(pub A, pub B);

impl<A: From<uuid::Uuid> + Send, B: From<uuid::Uuid> + Send> FromRequestParts<AppState>
    for Ids<A, B>
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Path((a, b)) = Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound)?;
        let a = uuid::Uuid::parse_str(&a).map_err(|_| ApiError::NotFound)?;
        let b = uuid::Uuid::parse_str(&b).map_err(|_| ApiError::NotFound)?;
        Ok(Ids(A::from(a), B::from(b)))
    }
}
