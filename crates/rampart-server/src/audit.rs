//! The audit log's one home at the edge: a route layer that records every mutation
//! (POST, PUT, PATCH, DELETE) of every routed API — `/ias/v1`, the AppSec+ routes, whatever
//! is added — without a call in any handler or service method.
//!
//! For an update or delete it reads the resource's state before, by an internal `GET` of
//! the same path through the same router with the caller's own credentials (so it sees
//! exactly what the caller may see, secrets already shown as markers), runs the request,
//! reads the state after (a create: its `Location`), and stores the changed fields with
//! secrets redacted (`rampart_domain::audit::diff`). A path without a `GET`, or a failed
//! request, is recorded with its outcome and no changes. Unauthenticated requests belong to
//! no tenant and are not recorded; `/engine/v1` (the engines' job protocol) is not an API
//! mutation and is not recorded either.

use crate::middleware::RequestId;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::header::{ACCEPT, AUTHORIZATION, LOCATION, USER_AGENT};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::Response;
use axum::{RequestPartsExt, Router};
use rampart_domain::audit::{describe, diff, AuditActor, AuditEntry};
use rampart_domain::{AuditId, Principal};
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tower::ServiceExt;

/// The largest state body read for a diff.
const MAX_STATE: usize = 4 * 1024 * 1024;

/// The principal the request's `Auth` extractor resolved, handed back to the layer so it
/// does not authenticate twice.
#[derive(Clone, Default)]
pub struct Actor(Arc<Mutex<Option<Principal>>>);

impl Actor {
    /// Called by the authentication gate (`gate.rs`) once the caller is known.
    pub fn tell(extensions: &axum::http::Extensions, p: &Principal) {
        if let Some(slot) = extensions.get::<Actor>() {
            if let Ok(mut g) = slot.0.lock() {
                *g = Some(p.clone());
            }
        }
    }

    fn take(&self) -> Option<Principal> {
        self.0.lock().ok().and_then(|mut g| g.take())
    }
}

/// Marks the layer's own state reads (an extension a client cannot set).
#[derive(Clone, Copy, Debug)]
pub struct InternalRead;

/// What the layer needs: the state (service, settings) and the router without this layer,
/// for the internal reads.
#[derive(Clone)]
pub struct Recorder {
    pub state: AppState,
    pub inner: Router,
}

fn mutating(m: &Method) -> bool {
    matches!(
        *m,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    )
}

/// The headers a state read carries: the caller's credentials only.
fn credentials(h: &HeaderMap) -> HeaderMap {
    let mut out = HeaderMap::new();
    for name in ["x-api-key", AUTHORIZATION.as_str()] {
        if let Some(v) = h.get(name) {
            out.insert(name, v.clone());
        }
    }
    out
}

impl Recorder {
    /// The JSON at `path` as the caller sees it, if there is a `GET` there.
    async fn state_at(&self, path: &str, creds: &HeaderMap) -> Option<Value> {
        let mut req = Request::get(path).body(Body::empty()).ok()?;
        *req.headers_mut() = creds.clone();
        // Not the caller's request: the gate does not count it against the rate limits.
        req.extensions_mut().insert(InternalRead);
        req.headers_mut().insert(
            ACCEPT,
            axum::http::HeaderValue::from_static("application/json"),
        );
        let res = self.inner.clone().oneshot(req).await.ok()?;
        if !res.status().is_success() {
            return None;
        }
        let bytes = axum::body::to_bytes(res.into_body(), MAX_STATE)
            .await
            .ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// The principal of a request whose handler did not authenticate through `Auth`.
    async fn authenticate(&self, creds: &HeaderMap) -> Option<Principal> {
        if creds.is_empty() {
            return None;
        }
        let mut req = Request::get("/").body(()).ok()?;
        *req.headers_mut() = creds.clone();
        let (mut parts, ()) = req.into_parts();
        let crate::extract::Auth(p) = parts
            .extract_with_state::<crate::extract::Auth, AppState>(&self.state)
            .await
            .ok()?;
        Some(p)
    }
}

/// The layer (installed with `route_layer`, so the route template is known).
pub async fn record(State(r): State<Recorder>, mut req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let template = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string());
    let Some(template) =
        template.filter(|t| mutating(&method) && !t.starts_with(rampart_protocol::routes::PREFIX))
    else {
        return next.run(req).await;
    };
    let path = req.uri().path().to_string();
    let creds = credentials(req.headers());
    let actor = Actor::default();
    req.extensions_mut().insert(actor.clone());
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let ip = r.state.client_ip(req.headers(), peer);
    let user_agent = req
        .headers()
        .get(USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map(|id| id.0.to_string())
        .unwrap_or_default();

    let before = if method == Method::POST {
        None
    } else {
        r.state_at(&path, &creds).await
    };
    let res = next.run(req).await;
    let status = res.status();
    if status == axum::http::StatusCode::UNAUTHORIZED {
        return res;
    }
    let principal = match actor.take() {
        Some(p) => Some(p),
        None => r.authenticate(&creds).await,
    };
    let Some(principal) = principal else {
        return res;
    };
    let location = res
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let (action, resource_type, resource_id) =
        describe(method.as_str(), &template, &path, location.as_deref());
    let changes = if status.is_success() {
        let after = match (&method, &location) {
            (&Method::DELETE, _) => None,
            (&Method::POST, Some(loc)) => {
                let at = url::Url::parse(loc)
                    .map(|u| u.path().to_string())
                    .unwrap_or_else(|_| loc.clone());
                r.state_at(&at, &creds).await
            }
            (&Method::POST, None) => None,
            _ => r.state_at(&path, &creds).await,
        };
        (before.is_some() || after.is_some()).then(|| diff(before.as_ref(), after.as_ref()))
    } else {
        None
    };
    let credential = creds
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .and_then(rampart_service::key_prefix);
    let entry = AuditEntry {
        id: AuditId::new(),
        org: principal.org,
        at: r.state.service.clock().now(),
        actor: AuditActor {
            id: principal.id,
            kind: principal.kind,
            credential,
        },
        action,
        method: method.to_string(),
        route: template,
        resource_type,
        resource_id,
        status: status.as_u16(),
        ip,
        user_agent,
        request_id,
        changes,
    };
    if let Err(e) = r.state.service.record_audit(&entry).await {
        tracing::error!(error = %e, action = %entry.action, "could not record an audit entry");
    }
    res
}
