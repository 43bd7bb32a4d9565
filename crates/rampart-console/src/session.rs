//! Cookies, the signed-in caller extractor and the CSRF check.

use crate::error::{error_page, redirect};
use crate::Console;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rampart_service::{ConsoleCaller, ServiceError, CONSOLE_SESSION_HOURS};

/// The session cookie: a random token, only its hash is stored.
pub const SESSION_COOKIE: &str = "rampart_session";
/// The sign-in forms' CSRF cookie (double submit: no session exists yet).
pub const PRE_COOKIE: &str = "rampart_signin";

/// The value of cookie `name`, if the request carries it.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
}

/// A `Set-Cookie` for the console's path: HttpOnly, SameSite=Strict, Secure when configured.
/// `None` clears the cookie.
pub fn set_cookie(state: &Console, name: &str, value: Option<&str>) -> HeaderValue {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let (value, age) = match value {
        Some(v) => (v, CONSOLE_SESSION_HOURS * 3600),
        None => ("", 0),
    };
    let s =
        format!("{name}={value}; Path=/console; Max-Age={age}; HttpOnly; SameSite=Strict{secure}");
    // Tokens are URL-safe base64: always a valid header value.
    HeaderValue::from_str(&s).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Compares two tokens in time independent of where they differ.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && !a.is_empty()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The signed-in caller; without a live session, a redirect to the sign-in page.
pub struct Caller(pub ConsoleCaller);

impl Caller {
    /// The 403 every `POST` whose CSRF token is not the session's gets (`None`: it is).
    pub fn csrf_refusal(&self, sent: Option<&str>) -> Option<Response> {
        if sent.is_some_and(|s| same_token(s, &self.0.csrf)) {
            None
        } else {
            Some(error_page(
                StatusCode::FORBIDDEN,
                "Refused",
                "The form was not sent from this session (missing or wrong CSRF token). Reload the page and try again.",
            ))
        }
    }

    pub fn can(&self, r: rampart_domain::Resource, a: rampart_domain::Action) -> bool {
        self.0.principal.can(r, a)
    }
}

impl FromRequestParts<Console> for Caller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &Console) -> Result<Self, Response> {
        let to_sign_in = || {
            let mut r = redirect("/console/sign-in");
            r.headers_mut()
                .append(header::SET_COOKIE, set_cookie(state, SESSION_COOKIE, None));
            r
        };
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(redirect("/console/sign-in"));
        };
        match state.service.console_caller(&token).await {
            Ok(c) => Ok(Caller(c)),
            Err(ServiceError::Unauthorized) => Err(to_sign_in()),
            Err(e) => Err(crate::error::service_error(e).into_response()),
        }
    }
}
