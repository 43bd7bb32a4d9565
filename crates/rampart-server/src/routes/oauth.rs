//! The authorization server: `POST /oauth/token` (RFC 6749 §4.4), `/oauth/introspect`
//! (RFC 7662), `/oauth/revoke` (RFC 7009), JWKS and RFC 8414 metadata. Bodies are
//! form-encoded; answers are RFC 6749 JSON with `Cache-Control: no-store`.

use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rampart_api_types::oauth::{OAuthErrorBody, TokenResponse};
use rampart_domain::oauth::OAuthClient;
use rampart_domain::{Principal, Scope, Scopes};
use rampart_service::OAuthError;
use std::collections::HashMap;
use std::net::SocketAddr;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(token))
        .routes(routes!(introspect))
        .routes(routes!(revoke))
        .routes(routes!(jwks))
        .routes(routes!(metadata))
}

/// An OAuth error answer (429 `rate_limited` when `retry_after` is set).
struct Fail {
    error: OAuthError,
    retry_after: Option<u64>,
}

impl From<OAuthError> for Fail {
    fn from(error: OAuthError) -> Self {
        Fail {
            error,
            retry_after: None,
        }
    }
}

fn no_store(res: &mut Response) {
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

impl IntoResponse for Fail {
    fn into_response(self) -> Response {
        let (status, error, description) = match self.error {
            OAuthError::InvalidRequest(d) => (StatusCode::BAD_REQUEST, "invalid_request", Some(d)),
            OAuthError::InvalidClient => (
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                Some("client authentication failed".to_string()),
            ),
            OAuthError::UnauthorizedClient(d) => {
                (StatusCode::BAD_REQUEST, "unauthorized_client", Some(d))
            }
            OAuthError::UnsupportedGrantType => (
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                Some("only grant_type=client_credentials is supported".to_string()),
            ),
            OAuthError::InvalidScope(d) => (StatusCode::BAD_REQUEST, "invalid_scope", Some(d)),
            OAuthError::Internal(cause) => {
                tracing::error!(%cause, "internal error at the token endpoint");
                (StatusCode::INTERNAL_SERVER_ERROR, "server_error", None)
            }
            OAuthError::Unavailable(m) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                Some(m),
            ),
        };
        let (status, error) = match self.retry_after {
            Some(_) => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            None => (status, error),
        };
        let body = OAuthErrorBody {
            error: error.into(),
            error_description: description.filter(|_| self.retry_after.is_none()),
        };
        let mut res = (status, Json(body)).into_response();
        no_store(&mut res);
        // A 401 always carries a challenge (RFC 9110 §15.5.2); it names the scheme the
        // client used, Basic (RFC 6749 §5.2), also for client_secret_post.
        if error == "invalid_client" {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(r#"Basic realm="rampart""#),
            );
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            res.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from_static(crate::error::UNAVAILABLE_RETRY_AFTER),
            );
        }
        if let Some(secs) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        res
    }
}

/// The form parameters (each at most once, RFC 6749 §3.2).
fn form(headers: &HeaderMap, body: &[u8]) -> Result<HashMap<String, String>, OAuthError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !ct
        .to_ascii_lowercase()
        .starts_with("application/x-www-form-urlencoded")
    {
        return Err(OAuthError::InvalidRequest(
            "send the parameters as application/x-www-form-urlencoded".into(),
        ));
    }
    let mut out = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(body) {
        if out.insert(k.to_string(), v.to_string()).is_some() {
            return Err(OAuthError::InvalidRequest(format!(
                "the parameter {k} is repeated"
            )));
        }
    }
    Ok(out)
}

/// `client_secret_basic` (credentials form-urlencoded, then base64, RFC 6749 §2.3.1).
fn basic(headers: &HeaderMap) -> Option<Result<(String, String), OAuthError>> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, cred) = v.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let bad = || OAuthError::InvalidRequest("malformed Basic credentials".into());
    let parse = || -> Result<(String, String), OAuthError> {
        let raw = STANDARD.decode(cred.trim()).map_err(|_| bad())?;
        let text = String::from_utf8(raw).map_err(|_| bad())?;
        let (id, secret) = text.split_once(':').ok_or_else(bad)?;
        let dec = |s: &str| {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.to_string())
                .unwrap_or_default()
        };
        Ok((dec(id), dec(secret)))
    };
    Some(parse())
}

/// Authenticates the client by exactly one method.
async fn client(
    s: &AppState,
    headers: &HeaderMap,
    params: &HashMap<String, String>,
) -> Result<OAuthClient, Fail> {
    let in_body = params.get("client_secret");
    let (id, secret) = match (basic(headers), in_body) {
        (Some(_), Some(_)) => {
            return Err(OAuthError::InvalidRequest(
                "use one client authentication method, not Basic and client_secret both".into(),
            )
            .into())
        }
        (Some(b), None) => b?,
        (None, Some(secret)) => (
            params.get("client_id").cloned().unwrap_or_default(),
            secret.clone(),
        ),
        (None, None) => return Err(OAuthError::InvalidClient.into()),
    };
    Ok(s.service.authenticate_client(&id, &secret).await?)
}

/// Counts a token-endpoint call against the client's tenant and credential.
async fn limit(s: &AppState, c: &OAuthClient) -> Result<(), Fail> {
    if s.rate_limits.is_off() {
        return Ok(());
    }
    let p = Principal {
        credential: Some(c.id.0),
        scopes: Scopes::NONE,
        ..Principal::new(c.org, c.principal, c.kind, c.role)
    };
    match s
        .service
        .rate_hit(&s.rate_limits, &p, s.rate_clock.now())
        .await
    {
        Ok(Some(d)) if !d.violated.is_empty() => Err(Fail {
            error: OAuthError::InvalidRequest(String::new()),
            retry_after: Some(d.policies.iter().map(|p| p.reset).max().unwrap_or(1)),
        }),
        _ => Ok(()),
    }
}

/// Refuses an address that spent its failed client authentications of the window (brute
/// force, before any secret is checked): 429 + `Retry-After`. Fails open on a database error.
async fn blocked(s: &AppState, ip: &str) -> Result<(), Fail> {
    match s
        .service
        .token_ip_blocked(&s.rate_limits, ip, s.rate_clock.now())
        .await
    {
        Ok(Some(wait)) => Err(Fail {
            error: OAuthError::InvalidRequest(String::new()),
            retry_after: Some(wait),
        }),
        Ok(None) => Ok(()),
        Err(e) => {
            tracing::warn!(error = %e, "token endpoint failure limiter unavailable");
            Ok(())
        }
    }
}

/// Counts a failed client authentication of `ip`.
async fn failed(s: &AppState, ip: &str) {
    if let Err(e) = s
        .service
        .token_ip_failed(&s.rate_limits, ip, s.rate_clock.now())
        .await
    {
        tracing::warn!(error = %e, "cannot count a failed client authentication");
    }
}

/// Issues an access token for client credentials (`client_secret_basic` or
/// `client_secret_post`), optionally narrowed with `scope`.
#[utoipa::path(post, path = "/oauth/token", tag = "OAuth",
    request_body(content_type = "application/x-www-form-urlencoded", content = String,
        description = "grant_type=client_credentials&scope=…[&client_id=…&client_secret=…]"),
    responses((status = 200, body = TokenResponse), (status = 400, body = OAuthErrorBody),
        (status = 401, body = OAuthErrorBody), (status = 429, body = OAuthErrorBody)))]
async fn token(
    State(s): State<AppState>,
    extensions: axum::http::Extensions,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let ip = s
        .client_ip(
            &headers,
            extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0),
        )
        .unwrap_or_default();
    let run = async {
        let params = form(&headers, &body)?;
        blocked(&s, &ip).await?;
        let c = match client(&s, &headers, &params).await {
            Ok(c) => c,
            Err(f) => {
                if matches!(f.error, OAuthError::InvalidClient) {
                    failed(&s, &ip).await;
                }
                return Err(f);
            }
        };
        limit(&s, &c).await?;
        let t = s
            .service
            .issue_token(
                s.issuer(),
                &c,
                params.get("grant_type").map(String::as_str),
                params.get("scope").map(String::as_str),
            )
            .await?;
        Ok::<_, Fail>(TokenResponse {
            access_token: t.access_token,
            token_type: "Bearer".into(),
            expires_in: t.expires_in,
            scope: t.scope,
        })
    };
    match run.await {
        Ok(t) => {
            let mut res = Json(t).into_response();
            no_store(&mut res);
            res
        }
        Err(f) => f.into_response(),
    }
}

fn token_param(params: &HashMap<String, String>) -> Result<&str, OAuthError> {
    params
        .get("token")
        .map(String::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| OAuthError::InvalidRequest("token is required".into()))
}

/// RFC 7662: `{"active": true, …}` for a live token of the caller's tenant, else
/// `{"active": false}`. The caller authenticates as a client.
#[utoipa::path(post, path = "/oauth/introspect", tag = "OAuth",
    request_body(content_type = "application/x-www-form-urlencoded", content = String,
        description = "token=…[&token_type_hint=access_token]"),
    responses((status = 200, body = Object), (status = 400, body = OAuthErrorBody),
        (status = 401, body = OAuthErrorBody)))]
async fn introspect(State(s): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let run = async {
        let params = form(&headers, &body)?;
        let c = client(&s, &headers, &params).await?;
        let token = token_param(&params)?;
        Ok::<_, Fail>(s.service.introspect(s.issuer(), &c, token).await?)
    };
    match run.await {
        Ok(v) => {
            let mut res = Json(v).into_response();
            no_store(&mut res);
            res
        }
        Err(f) => f.into_response(),
    }
}

/// RFC 7009: revokes a token of the calling client; 200 also for unknown tokens.
#[utoipa::path(post, path = "/oauth/revoke", tag = "OAuth",
    request_body(content_type = "application/x-www-form-urlencoded", content = String,
        description = "token=…[&token_type_hint=access_token]"),
    responses((status = 200), (status = 400, body = OAuthErrorBody),
        (status = 401, body = OAuthErrorBody)))]
async fn revoke(State(s): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let run = async {
        let params = form(&headers, &body)?;
        let c = client(&s, &headers, &params).await?;
        let token = token_param(&params)?;
        s.service.revoke(s.issuer(), &c, token).await?;
        Ok::<_, Fail>(())
    };
    match run.await {
        Ok(()) => {
            let mut res = StatusCode::OK.into_response();
            no_store(&mut res);
            res
        }
        Err(f) => f.into_response(),
    }
}

/// The public keys that verify access tokens now (RFC 7517).
#[utoipa::path(get, path = "/.well-known/jwks.json", tag = "OAuth",
    responses((status = 200, body = Object)))]
async fn jwks(State(s): State<AppState>) -> Response {
    match s.service.jwks().await {
        Ok(v) => Json(v).into_response(),
        Err(e) => Fail::from(OAuthError::from(e)).into_response(),
    }
}

/// Authorization server metadata (RFC 8414).
#[utoipa::path(get, path = "/.well-known/oauth-authorization-server", tag = "OAuth",
    responses((status = 200, body = Object)))]
async fn metadata(State(s): State<AppState>) -> Json<serde_json::Value> {
    let mut scopes: Vec<&str> = Scope::ALL.iter().map(|x| x.as_str()).collect();
    scopes.extend(["read", "admin"]);
    Json(serde_json::json!({
        "issuer": s.issuer(),
        "token_endpoint": s.url("/oauth/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "grant_types_supported": ["client_credentials"],
        "response_types_supported": [],
        "jwks_uri": s.url("/.well-known/jwks.json"),
        "introspection_endpoint": s.url("/oauth/introspect"),
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "revocation_endpoint": s.url("/oauth/revoke"),
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "scopes_supported": scopes,
        "token_endpoint_auth_signing_alg_values_supported": ["EdDSA"],
    }))
}
