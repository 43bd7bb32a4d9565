//! The console's writes in the audit log: one route layer records every `POST` of a
//! signed-in session, as the API's layer (`rampart-server/src/audit.rs`) records every
//! API mutation, with the same action names (`rampart_domain::audit::describe`) so that a
//! change made in the browser and one made through `/ias/v1` read alike. The console's
//! routes are named like the API's (`/console/apps/{id}` ~ `/apps/{id}`); a `POST` to a
//! resource's own path is its update. Field diffs are not recorded (`changes` is empty):
//! the API layer reads them from the API's own `GET`s, which a session cannot call.

use crate::session::{cookie, SESSION_COOKIE};
use crate::Console;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::header::{LOCATION, USER_AGENT};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use rampart_domain::audit::{describe, AuditActor, AuditEntry};
use rampart_domain::AuditId;
use std::net::SocketAddr;

/// A handler's answer that changed nothing (a preview): not recorded.
#[derive(Clone, Copy, Debug)]
pub struct NotAWrite;

/// The id of what a handler created when its answer is a page, not a redirect to it.
#[derive(Clone, Debug)]
pub struct Created(pub String);

/// The API-like template and the method `describe` reads: `/console/apps/{id}` (a `POST`
/// that saves the resource) is the API's `PUT /apps/{id}`.
fn api_like(template: &str) -> (&'static str, String) {
    let t = template.strip_prefix(crate::BASE).unwrap_or(template);
    // Revoking is the API's `DELETE` of the resource.
    if let Some(resource) = t.strip_suffix("/revoke") {
        return ("DELETE", resource.to_string());
    }
    let method = if t.ends_with('}') { "PUT" } else { "POST" };
    (method, t.to_string())
}

/// The last segment of a console redirect when it names a resource (a UUID).
fn created_at(location: &str) -> Option<String> {
    let path = location.split('?').next()?;
    let last = path.trim_end_matches('/').rsplit('/').next()?;
    uuid::Uuid::parse_str(last).ok().map(|_| path.to_string())
}

pub async fn record(State(s): State<Console>, req: Request, next: Next) -> Response {
    let template = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string());
    let Some(template) = template.filter(|_| req.method() == Method::POST) else {
        return next.run(req).await;
    };
    // Only a signed-in session's writes belong to a tenant (sign-in itself is not one).
    let Some(token) = cookie(req.headers(), SESSION_COOKIE) else {
        return next.run(req).await;
    };
    let Ok(caller) = s.service.console_caller(&token).await else {
        return next.run(req).await;
    };
    let path = req.uri().path().to_string();
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string());
    let user_agent = req
        .headers()
        .get(USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let request_id = req
        .headers()
        .get("r7-correlation-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let res = next.run(req).await;
    if res.extensions().get::<NotAWrite>().is_some() {
        return res;
    }
    let (method, api_template) = api_like(&template);
    let api_path = path.strip_prefix(crate::BASE).unwrap_or(&path);
    let api_path = api_path
        .strip_suffix("/revoke")
        .unwrap_or(api_path)
        .to_string();
    let location = match res.extensions().get::<Created>() {
        Some(c) => Some(format!("{api_template}/{}", c.0)),
        // Only a create in a collection (`/console/apps`) names what it made by its redirect.
        None if !template.contains('{') => res
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(created_at),
        None => None,
    };
    let (action, resource_type, resource_id) =
        describe(method, &api_template, &api_path, location.as_deref());
    let p = &caller.principal;
    let entry = AuditEntry {
        id: AuditId::new(),
        org: p.org,
        at: s.service.clock().now(),
        actor: AuditActor {
            id: p.id,
            kind: p.kind,
            credential: None,
        },
        action,
        method: "POST".into(),
        route: template,
        resource_type,
        resource_id,
        status: res.status().as_u16(),
        ip,
        user_agent,
        request_id,
        changes: None,
    };
    if let Err(e) = s.service.record_audit(&entry).await {
        tracing::error!(error = %e, action = %entry.action, "console: could not record an audit entry");
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn console_routes_read_as_the_apis() {
        let id = "0b0e7c5e-8d0c-4a8e-9a51-1c1f1f1f1f1f";
        let check = |template: &str, path: &str, loc: Option<&str>| {
            let (m, t) = api_like(template);
            let p = path.strip_prefix(crate::BASE).unwrap_or(path);
            let p = p.strip_suffix("/revoke").unwrap_or(p);
            let loc = loc.and_then(created_at);
            describe(m, &t, p, loc.as_deref()).0
        };
        assert_eq!(
            check(
                "/console/apps",
                "/console/apps",
                Some(&format!("/console/apps/{id}?saved=1"))
            ),
            "app.create"
        );
        assert_eq!(
            check(
                "/console/apps/{id}",
                &format!("/console/apps/{id}"),
                Some("/console/apps")
            ),
            "app.update"
        );
        assert_eq!(
            check(
                "/console/api-keys/{id}/revoke",
                &format!("/console/api-keys/{id}/revoke"),
                None
            ),
            "api_key.delete"
        );
        assert_eq!(
            check(
                "/console/scans/{id}/action",
                &format!("/console/scans/{id}/action"),
                None
            ),
            "scan.action"
        );
    }
}
