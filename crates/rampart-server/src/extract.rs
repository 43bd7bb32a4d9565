//! Extractors: the authenticated principal, lenient JSON bodies, typed path ids.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use rampart_domain::Principal;
use serde::de::DeserializeOwned;

/// The caller of an `/ias/v1` route, authenticated (from `X-Api-Key` or a bearer token)
/// and scope-checked by [`crate::gate`]; 401 when the request carried no credential.
pub struct Auth(pub Principal);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, ApiError> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .map(Auth)
            .ok_or(ApiError::Unauthorized)
    }
}

/// The caller of an AppSec+ route: like [`Auth`], refusing with problem+json.
pub struct PlusAuth(pub Principal);

impl FromRequestParts<AppState> for PlusAuth {
    type Rejection = crate::problem::Problem;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, crate::problem::Problem> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .map(PlusAuth)
            .ok_or_else(|| rampart_service::ServiceError::Unauthorized.into())
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
                ApiError::PayloadTooLarge(format!(
                    "the request body must be at most {MAX_BODY} bytes"
                ))
            })?;
        parse(&bytes).map(Body)
    }
}

pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::BadRequest("a JSON body is required".into()));
    }
    if let Some(at) = nul_at(bytes) {
        return Err(ApiError::property(
            &at,
            "must not contain a NUL character (\\u0000)",
        ));
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

/// Where a JSON body carries a NUL character in a string or a key (no database stores it
/// in text), as a dotted path; `None` when there is none (a cheap scan first: the body is
/// parsed again only when an escaped NUL appears in it).
fn nul_at(bytes: &[u8]) -> Option<String> {
    const ESCAPED: &[u8] = b"\\u0000";
    if !bytes.windows(ESCAPED.len()).any(|w| w == ESCAPED) {
        return None;
    }
    fn walk(v: &serde_json::Value, path: &mut Vec<String>) -> Option<String> {
        let here = |path: &Vec<String>| {
            if path.is_empty() {
                "body".to_string()
            } else {
                path.join(".")
            }
        };
        match v {
            serde_json::Value::String(s) if s.contains('\0') => Some(here(path)),
            serde_json::Value::Array(items) => items.iter().enumerate().find_map(|(i, x)| {
                path.push(format!("[{i}]"));
                let r = walk(x, path);
                path.pop();
                r
            }),
            serde_json::Value::Object(m) => m.iter().find_map(|(k, x)| {
                path.push(k.replace('\0', "\\u0000"));
                let r = if k.contains('\0') {
                    Some(here(path))
                } else {
                    walk(x, path)
                };
                path.pop();
                r
            }),
            _ => None,
        }
    }
    let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    walk(&v, &mut Vec::new())
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
