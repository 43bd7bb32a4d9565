//! The one gate of both API families: authenticates `X-Api-Key` or `Authorization:
//! Bearer` into a [`Principal`] (handlers read it through [`crate::extract::Auth`]),
//! enforces the route's scope from the one table ([`rampart_domain::scopes::required`]),
//! counts the request against the rate limits and writes the `RateLimit-*` fields
//! (decision 2). Refusals use each family's error shape: `/ias/v1` its own body,
//! AppSec+ problem+json (RFC 6750 `WWW-Authenticate` on both).

use crate::error::ApiError;
use crate::problem::{Problem, QUOTA_EXCEEDED};
use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rampart_domain::scopes::{required, Required};
use rampart_domain::{Principal, Scope};
use rampart_service::{BearerError, RateDecision};

/// Which error shape a route answers in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Ias,
    Plus,
}

/// The family of a matched route and its path relative to the API root; `None` for
/// routes the gate leaves alone (operations, the engine protocol, the OAuth endpoints).
pub(crate) fn family(path: &str) -> Option<(Family, &str)> {
    const SKIP: &[&str] = &[
        "/validate",
        "/healthz",
        "/readyz",
        "/oauth/token",
        "/oauth/introspect",
        "/oauth/revoke",
        "/ias/v1/openapi.json",
        "/v1/openapi.json",
        "/openapi.json",
    ];
    if SKIP.contains(&path) || path.starts_with("/.well-known/") || path.starts_with("/engine/") {
        return None;
    }
    match path.strip_prefix("/ias/v1") {
        Some(rest) => Some((Family::Ias, rest)),
        // `/v1/…` serves the root paths identically (decision 6).
        None => Some((Family::Plus, path.strip_prefix("/v1").unwrap_or(path))),
    }
}

/// What the caller presented.
enum Credential<'a> {
    None,
    ApiKey(&'a str),
    Bearer(&'a str),
}

fn credential(headers: &HeaderMap) -> Credential<'_> {
    if let Some(key) = headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
        return Credential::ApiKey(key);
    }
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match auth.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => {
            Credential::Bearer(token.trim())
        }
        _ => Credential::None,
    }
}

/// A refusal, rendered in the family's shape.
enum Refusal {
    Unauthorized(Option<String>),
    InsufficientScope(Scope),
    RateLimited(RateDecision),
}

/// The service failed while authenticating (the database is away: 503; anything else:
/// 500), in the family's error shape.
fn failed(family: Family, e: ApiError) -> Response {
    match family {
        Family::Ias => e.into_response(),
        Family::Plus => Problem::from(e).into_response(),
    }
}

fn challenge(error: &str, description: &str) -> String {
    format!(r#"Bearer realm="rampart", error="{error}", error_description="{description}""#)
}

fn refuse(family: Family, r: Refusal) -> Response {
    let mut headers: Vec<(HeaderName, String)> = Vec::new();
    let (status, code, message) = match &r {
        Refusal::Unauthorized(c) => {
            headers.push((
                header::WWW_AUTHENTICATE,
                c.clone()
                    .unwrap_or_else(|| r#"Bearer realm="rampart""#.into()),
            ));
            (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Unauthorized".to_string(),
            )
        }
        Refusal::InsufficientScope(s) => {
            headers.push((
                header::WWW_AUTHENTICATE,
                format!(
                    r#"Bearer realm="rampart", error="insufficient_scope", scope="{}""#,
                    s.as_str()
                ),
            ));
            (
                StatusCode::FORBIDDEN,
                "insufficient_scope",
                format!("the token lacks the scope {}", s.as_str()),
            )
        }
        Refusal::RateLimited(d) => {
            let wait = d.policies.iter().map(|p| p.reset).max().unwrap_or(1);
            headers.push((header::RETRY_AFTER, wait.to_string()));
            (
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!(
                    "rate limit exceeded ({}); retry after {wait} seconds",
                    d.violated.join(", ")
                ),
            )
        }
    };
    let mut res = match family {
        Family::Ias => match r {
            Refusal::Unauthorized(_) => ApiError::Unauthorized.into_response(),
            Refusal::InsufficientScope(s) => ApiError::InsufficientScope(s).into_response(),
            Refusal::RateLimited(_) => ApiError::RateLimited(message).into_response(),
        },
        Family::Plus => {
            let mut p = Problem::new(status, code, message);
            if let Refusal::RateLimited(d) = &r {
                p.type_uri = Some(QUOTA_EXCEEDED);
                p.details = serde_json::json!({"violated-policies": d.violated});
            }
            p.into_response()
        }
    };
    for (name, value) in headers {
        if let Ok(v) = HeaderValue::from_str(&value) {
            res.headers_mut().insert(name, v);
        }
    }
    res
}

/// The legacy triple and the draft's `RateLimit-Policy` / `RateLimit` fields.
fn rate_headers(headers: &mut HeaderMap, d: &RateDecision) {
    let Some(tight) = d.tightest() else { return };
    let mut set = |name: &'static str, value: String| {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), v);
        }
    };
    set("ratelimit-limit", tight.limit.to_string());
    set("ratelimit-remaining", tight.remaining.to_string());
    set("ratelimit-reset", tight.reset.to_string());
    let policy: Vec<String> = d
        .policies
        .iter()
        .map(|p| format!(r#""{}";q={};w={}"#, p.name, p.limit, p.window))
        .collect();
    set("ratelimit-policy", policy.join(", "));
    let state: Vec<String> = d
        .policies
        .iter()
        .map(|p| format!(r#""{}";r={};t={}"#, p.name, p.remaining, p.reset))
        .collect();
    set("ratelimit", state.join(", "));
}

/// The middleware (a route layer: it sees the matched path template).
pub async fn gate(
    State(state): State<AppState>,
    matched: Option<MatchedPath>,
    mut req: Request,
    next: Next,
) -> Response {
    let path = matched
        .as_ref()
        .map_or_else(|| req.uri().path().to_string(), |m| m.as_str().to_string());
    let Some((family, rel)) = family(&path) else {
        return next.run(req).await;
    };
    // Extractors answer their refusals in the family's shape (`extract::Rejection`).
    req.extensions_mut().insert(family);
    let principal: Principal = match credential(req.headers()) {
        // The handler's extractor answers 401 (no credential at all).
        Credential::None => return next.run(req).await,
        Credential::ApiKey(key) => match state.service.authenticate(key).await {
            Ok(p) => p,
            Err(rampart_service::ServiceError::Unauthorized) => {
                return refuse(family, Refusal::Unauthorized(None))
            }
            Err(e) => return failed(family, e.into()),
        },
        Credential::Bearer(token) => {
            match state
                .service
                .authenticate_bearer(state.issuer(), token)
                .await
            {
                Ok(p) => p,
                Err(BearerError::Invalid(why)) => {
                    return refuse(
                        family,
                        Refusal::Unauthorized(Some(challenge("invalid_token", why))),
                    )
                }
                Err(BearerError::Internal(e)) => return failed(family, e.into()),
            }
        }
    };
    match required(req.method().as_str(), rel) {
        Some(Required::Scope(s)) if !principal.scopes.contains(s) => {
            return refuse(family, Refusal::InsufficientScope(s));
        }
        // A route the table does not know is open only to full-scope credentials.
        None if principal.scopes != rampart_domain::Scopes::ALL => {
            return refuse(family, Refusal::InsufficientScope(Scope::IdentityWrite));
        }
        _ => {}
    }
    // The audit layer's before/after reads are not the caller's requests.
    let internal = req
        .extensions()
        .get::<crate::audit::InternalRead>()
        .is_some();
    let decision = if state.rate_limits.is_off() || internal {
        None
    } else {
        let now = state.rate_clock.now();
        match state
            .service
            .rate_hit(&state.rate_limits, &principal, now)
            .await
        {
            Ok(d) => d,
            // The limiter fails open: a database hiccup must not refuse every request.
            Err(e) => {
                tracing::warn!(error = %e, "rate limiter unavailable");
                None
            }
        }
    };
    if let Some(d) = decision.as_ref().filter(|d| !d.violated.is_empty()) {
        let mut res = refuse(family, Refusal::RateLimited(d.clone()));
        rate_headers(res.headers_mut(), d);
        return res;
    }
    crate::audit::Actor::tell(req.extensions(), &principal);
    req.extensions_mut().insert(principal);
    let mut res = next.run(req).await;
    if let Some(d) = &decision {
        rate_headers(res.headers_mut(), d);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families() {
        assert_eq!(
            family("/ias/v1/apps/{id}"),
            Some((Family::Ias, "/apps/{id}"))
        );
        assert_eq!(
            family("/oauth/clients"),
            Some((Family::Plus, "/oauth/clients"))
        );
        assert_eq!(
            family("/v1/audit-logs/{id}"),
            Some((Family::Plus, "/audit-logs/{id}"))
        );
        assert_eq!(family("/oauth/token"), None);
        assert_eq!(family("/.well-known/jwks.json"), None);
        assert_eq!(family("/engine/v1/jobs/claim"), None);
    }
}
