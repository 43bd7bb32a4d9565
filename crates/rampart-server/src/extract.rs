//! Extractors: the authenticated principal, lenient JSON bodies, typed path ids.

use crate::error::ApiError;
use crate::gate::Family;
use crate::state::AppState;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use rampart_domain::Principal;
use serde::de::DeserializeOwned;

/// An extractor's refusal, answered in the shape of the route's family (which the gate
/// marks on the request): the `/ias/v1` body, or RFC 9457 problem+json on AppSec+ routes.
#[derive(Debug)]
pub struct Rejection {
    pub error: ApiError,
    family: Family,
}

impl Rejection {
    fn new(extensions: &axum::http::Extensions, error: ApiError) -> Self {
        Self {
            error,
            family: extensions.get::<Family>().copied().unwrap_or(Family::Ias),
        }
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        match self.family {
            Family::Ias => self.error.into_response(),
            Family::Plus => crate::problem::Problem::from(self.error).into_response(),
        }
    }
}

/// The caller of a route, authenticated (from `X-Api-Key` or a bearer token) and
/// scope-checked by [`crate::gate`]; 401 when the request carried no credential.
pub struct Auth(pub Principal);

impl FromRequestParts<AppState> for Auth {
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, Rejection> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .map(Auth)
            .ok_or_else(|| Rejection::new(&parts.extensions, ApiError::Unauthorized))
    }
}

/// Query parameters; a malformed one is 400 in the family's shape.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for Query<T> {
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Query(q.0))
            .map_err(|e| Rejection::new(&parts.extensions, ApiError::BadRequest(e.body_text())))
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
    type Rejection = Rejection;

    async fn from_request(req: Request, _state: &AppState) -> Result<Self, Rejection> {
        let family = req.extensions().get::<Family>().copied();
        let refuse = |error| Rejection {
            error,
            family: family.unwrap_or(Family::Ias),
        };
        if let Some(ct) = req.headers().get(CONTENT_TYPE) {
            let ct = ct.to_str().unwrap_or("").to_ascii_lowercase();
            let essence = ct.split(';').next().unwrap_or("").trim();
            if !(essence == "application/json" || essence.ends_with("+json") || essence.is_empty())
            {
                return Err(refuse(ApiError::UnsupportedMediaType(format!(
                    "send the body as application/json, not {essence}"
                ))));
            }
        }
        let bytes = axum::body::to_bytes(req.into_body(), MAX_BODY)
            .await
            .map_err(|_| {
                refuse(ApiError::PayloadTooLarge(format!(
                    "the request body must be at most {MAX_BODY} bytes"
                )))
            })?;
        parse(&bytes).map(Body).map_err(refuse)
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
    let first = serde_path_to_error::deserialize(ObjectBody(de));
    let e = match first {
        Ok(v) => return Ok(v),
        Err(e) if !e.inner().is_data() => {
            let inner = e.into_inner();
            return Err(ApiError::BadRequest(format!(
                "the request body is not valid JSON: {inner}"
            )));
        }
        Err(e) => e,
    };
    // A whole number written with a fraction or an exponent (`25.0`, `1e3`) is an integer
    // to JSON (and to JSON Schema's `integer`), but serde's integer readers refuse it:
    // read the body again with such numbers as integers. Only a body that failed is read
    // twice, so bodies that parse keep their exact reading (duplicate members included).
    let e = match whole_numbers(bytes) {
        Some(v) => match serde_path_to_error::deserialize(ObjectBody(v)) {
            Ok(v) => return Ok(v),
            Err(again) => again,
        },
        None => e,
    };
    let path = e.path().to_string();
    Err(ApiError::property(
        if path == "." { "body" } else { &path },
        e.into_inner().to_string(),
    ))
}

/// The body with every whole number written as a float (`25.0`, `1e3`) made an integer,
/// when it holds one that an `i64` or `u64` can carry; `None` when it holds none.
fn whole_numbers(bytes: &[u8]) -> Option<serde_json::Value> {
    use serde_json::{Number, Value};
    fn walk(v: &mut Value) -> bool {
        match v {
            Value::Number(n) => {
                let Some(f) = n.as_f64().filter(|_| n.is_f64()) else {
                    return false;
                };
                // 2^63 and 2^64 are exact as floats: below them the cast is exact too.
                let whole = if f.fract() != 0.0 || !f.is_finite() {
                    None
                } else if (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f) {
                    Some(Number::from(f as i64))
                } else if (0.0..18_446_744_073_709_551_616.0).contains(&f) {
                    Some(Number::from(f as u64))
                } else {
                    None
                };
                whole.map(|w| *n = w).is_some()
            }
            Value::Array(items) => items.iter_mut().fold(false, |any, x| walk(x) | any),
            Value::Object(m) => m.values_mut().fold(false, |any, x| walk(x) | any),
            _ => false,
        }
    }
    let mut v: Value = serde_json::from_slice(bytes).ok()?;
    walk(&mut v).then_some(v)
}

/// A body read as a struct must be a JSON object: serde's derived structs also read a JSON
/// array as their members in order (`[null, null]` would be a `User` with no members set).
/// Everything else is read as `D` reads it.
struct ObjectBody<D>(D);

impl<'de, D: serde::Deserializer<'de>> serde::Deserializer<'de> for ObjectBody<D> {
    type Error = D::Error;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(v)
    }

    fn deserialize_struct<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_struct(name, fields, MembersOnly(v))
    }

    fn deserialize_newtype_struct<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_newtype_struct(name, v)
    }

    fn deserialize_enum<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_enum(name, variants, v)
    }

    fn deserialize_option<V: serde::de::Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_option(v)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map identifier ignored_any
    }
}

/// A struct's visitor that refuses a sequence (see [`ObjectBody`]).
struct MembersOnly<V>(V);

impl<'de, V: serde::de::Visitor<'de>> serde::de::Visitor<'de> for MembersOnly<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.0.visit_map(map)
    }
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
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Rejection> {
        let raw = Path::<String>::from_request_parts(parts, state)
            .await
            .ok()
            .and_then(|Path(raw)| uuid::Uuid::parse_str(&raw).ok());
        raw.map(|u| Id(T::from(u)))
            .ok_or_else(|| Rejection::new(&parts.extensions, ApiError::NotFound))
    }
}

/// Two UUID path segments.
pub struct Ids<A, B>(pub A, pub B);

impl<A: From<uuid::Uuid> + Send, B: From<uuid::Uuid> + Send> FromRequestParts<AppState>
    for Ids<A, B>
{
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Rejection> {
        let ids = Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .ok()
            .and_then(|Path((a, b))| {
                Some((
                    uuid::Uuid::parse_str(&a).ok()?,
                    uuid::Uuid::parse_str(&b).ok()?,
                ))
            });
        ids.map(|(a, b)| Ids(A::from(a), B::from(b)))
            .ok_or_else(|| Rejection::new(&parts.extensions, ApiError::NotFound))
    }
}

#[cfg(test)]
mod body_tests {
    use super::parse;

    #[derive(Debug, serde::Deserialize)]
    struct Members {
        name: Option<String>,
        role: Option<String>,
    }

    #[test]
    fn a_struct_body_must_be_an_object() {
        let m: Members = parse(br#"{"name": "n"}"#).expect("an object");
        assert_eq!((m.name.as_deref(), m.role), (Some("n"), None));
        assert!(
            parse::<Members>(b"[null, null]").is_err(),
            "an array is no struct"
        );
        assert!(parse::<Members>(br#"{"name": ["x"]}"#).is_err());
        let list: Vec<Members> = parse(br#"[{"name": "a"}, {}]"#).expect("a list of objects");
        assert_eq!(list.len(), 2);
        assert!(parse::<Option<Members>>(b"null").expect("null").is_none());
        let v: serde_json::Value = parse(b"[1]").expect("any JSON");
        assert_eq!(v, serde_json::json!([1]));
    }

    #[derive(Debug, serde::Deserialize)]
    struct Counts {
        n: Option<i64>,
        u: Option<u16>,
        f: Option<f64>,
        #[serde(default)]
        list: Vec<u32>,
    }

    /// A whole number is an integer however it is written; a fraction, or a whole number
    /// out of the member's range, is still refused, naming the member.
    #[test]
    fn whole_numbers_are_integers_however_written() {
        let c: Counts = parse(br#"{"n": 4429615736.0, "u": 1e3, "f": 2.5, "list": [1.0, 2]}"#)
            .expect("whole numbers");
        assert_eq!(
            (c.n, c.u, c.f, c.list),
            (Some(4_429_615_736), Some(1000), Some(2.5), vec![1, 2])
        );
        let c: Counts = parse(br#"{"n": -9.2e18, "f": 3.0}"#).expect("whole numbers");
        assert_eq!((c.n, c.f), (Some(-9_200_000_000_000_000_000), Some(3.0)));
        for (body, member) in [
            (&br#"{"n": 1.5}"#[..], "n"),
            (br#"{"n": 1e19}"#, "n"),
            (br#"{"n": 1e300}"#, "n"),
            (br#"{"u": 70000.0}"#, "u"),
            (br#"{"u": -1.0}"#, "u"),
            (br#"{"list": [1.0, 2.5]}"#, "list[1]"),
            (br#"{"f": 1.0, "n": "x"}"#, "n"),
        ] {
            match parse::<Counts>(body) {
                Err(crate::error::ApiError::Validation(_, problems)) => assert!(
                    problems.iter().any(|p| format!("{p:?}").contains(member)),
                    "{}: {problems:?}",
                    String::from_utf8_lossy(body)
                ),
                other => panic!("{}: {other:?}", String::from_utf8_lossy(body)),
            }
        }
    }
}
