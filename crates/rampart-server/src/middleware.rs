//! Request middleware: correlation id, path normalisation, and no NUL in the URL.

use axum::extract::Request;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, Uri};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// The request's correlation id (`r7-correlation-id`), for handlers and the audit log.
#[derive(Clone, Copy, Debug)]
pub struct RequestId(pub uuid::Uuid);

/// Gives every request a correlation id: on the response header, in the log span.
pub async fn correlation(mut req: Request, next: Next) -> Response {
    let id = uuid::Uuid::new_v4();
    req.extensions_mut().insert(RequestId(id));
    let span = tracing::info_span!("request", correlation_id = %id, method = %req.method(), path = %req.uri().path());
    async move {
        let started = std::time::Instant::now();
        let mut res = crate::problem::REQUEST_ID.scope(id, next.run(req)).await;
        tracing::info!(
            status = res.status().as_u16(),
            elapsed_us = started.elapsed().as_micros() as u64,
            "served"
        );
        if let Ok(v) = HeaderValue::from_str(&id.to_string()) {
            res.headers_mut().insert("r7-correlation-id", v);
        }
        // The contract's produces value (reference §2.2).
        if res
            .headers()
            .get(CONTENT_TYPE)
            .is_some_and(|v| v == "application/json")
        {
            res.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("application/json;charset=UTF-8"),
            );
        }
        res
    }
    .instrument(span)
    .await
}

/// A NUL character (`%00`) in the path or query is refused with 400 before any route sees
/// it: no database stores it in text (PostgreSQL refuses it), so no handler must get one.
pub async fn no_nul(req: Request, next: Next) -> Response {
    let target = req
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str())
        .unwrap_or("");
    if target.contains("%00") {
        let error = crate::error::ApiError::BadRequest(
            "the URL must not contain a NUL character (%00)".into(),
        );
        // In the shape of the path's family, as its routes document it.
        return match crate::gate::family(req.uri().path()) {
            Some((crate::gate::Family::Plus, _)) => {
                axum::response::IntoResponse::into_response(crate::problem::Problem::from(error))
            }
            _ => axum::response::IntoResponse::into_response(error),
        };
    }
    next.run(req).await
}

/// Collapses `//` and drops one trailing `/` (but not the root), keeping the query.
/// Absolute-form targets (`POST https://host/ias/v1/scans`) become origin-form. The
/// AppSec+ paths are served identically under `/v1/…` (decision 6): the prefix is dropped.
pub fn normalize(uri: &Uri) -> Option<Uri> {
    let full = uri.path();
    let path = full
        .strip_prefix("/v1")
        .filter(|p| p.starts_with('/'))
        .unwrap_or(full);
    let mut clean = String::with_capacity(path.len());
    for ch in path.chars() {
        if ch == '/' && clean.ends_with('/') {
            continue;
        }
        clean.push(ch);
    }
    if clean.len() > 1 && clean.ends_with('/') {
        clean.pop();
    }
    if clean == full && uri.scheme().is_none() {
        return None;
    }
    let pq = match uri.query() {
        Some(q) => format!("{clean}?{q}"),
        None => clean,
    };
    pq.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn normalizes() {
        let n = |s: &str| normalize(&s.parse().unwrap()).map(|u| u.to_string());
        assert_eq!(n("/ias/v1/scans//abc"), Some("/ias/v1/scans/abc".into()));
        assert_eq!(
            n("/ias/v1/apps/?size=5"),
            Some("/ias/v1/apps?size=5".into())
        );
        assert_eq!(n("/ias/v1/apps"), None);
        assert_eq!(n("/"), None);
        assert_eq!(n("/v1/oauth/clients"), Some("/oauth/clients".into()));
        assert_eq!(n("/v1"), None);
        assert_eq!(
            n("https://us.api.insight.rapid7.com/ias/v1/scans"),
            Some("/ias/v1/scans".into())
        );
    }
}
