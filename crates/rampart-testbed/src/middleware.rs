//! Site-wide behaviour: request log, TRACE, banners and (missing) security headers.

use crate::server::Tls;
use crate::state::Shared;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, Method, StatusCode};

pub(crate) async fn site(State(st): State<Shared>, req: Request, next: Next) -> Response {
    let tls = req.extensions().get::<Tls>().is_some_and(|t| t.0);
    let path = req.uri().path().to_owned();
    let control = path.starts_with("/__testbed");
    if !control {
        st.record(req.method().as_str(), &path, req.uri().query(), tls);
    }
    let secure = path.starts_with("/secure");
    if req.method() == Method::TRACE {
        return trace(&st, &req, secure);
    }
    let mut resp = next.run(req).await;
    if control {
        return resp;
    }
    let h = resp.headers_mut();
    if secure {
        hardened(h, tls);
    } else {
        defaults(&st, h, tls);
    }
    resp
}

fn set_if_absent(h: &mut HeaderMap, name: &'static str, value: &'static str) {
    let name = HeaderName::from_static(name);
    if !h.contains_key(&name) {
        h.insert(name, HeaderValue::from_static(value));
    }
}

/// The `/secure/` area: every header a passive check wants, no banners.
fn hardened(h: &mut HeaderMap, tls: bool) {
    set_if_absent(
        h,
        "content-security-policy",
        "default-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'self'",
    );
    set_if_absent(h, "x-frame-options", "DENY");
    set_if_absent(h, "x-content-type-options", "nosniff");
    set_if_absent(h, "referrer-policy", "no-referrer");
    set_if_absent(h, "cache-control", "no-store");
    if tls {
        set_if_absent(
            h,
            "strict-transport-security",
            "max-age=31536000; includeSubDomains",
        );
    }
}

/// The main site: headers only where the corresponding case is fixed.
fn defaults(st: &Shared, h: &mut HeaderMap, tls: bool) {
    if st.vulnerable("version-banner") {
        set_if_absent(h, "server", "Apache/2.4.29 (Ubuntu)");
        set_if_absent(h, "x-powered-by", "PHP/7.2.24");
    } else {
        set_if_absent(h, "server", "Apache");
    }
    if !st.vulnerable("csp-missing") {
        set_if_absent(
            h,
            "content-security-policy",
            "default-src 'self'; frame-ancestors 'self'",
        );
    }
    if !st.vulnerable("xfo-missing") {
        set_if_absent(h, "x-frame-options", "SAMEORIGIN");
    }
    if !st.vulnerable("xcto-missing") {
        set_if_absent(h, "x-content-type-options", "nosniff");
    }
    if !st.vulnerable("referrer-missing") {
        set_if_absent(h, "referrer-policy", "strict-origin-when-cross-origin");
    }
    if tls && !st.vulnerable("hsts-missing") {
        set_if_absent(h, "strict-transport-security", "max-age=31536000");
    }
}

/// Apache with `TraceEnable on`: echoes the request as `message/http`.
fn trace(st: &Shared, req: &Request, secure: bool) -> Response {
    if secure || !st.vulnerable("trace-echo") {
        let mut r = (StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed\n").into_response();
        r.headers_mut().insert(
            "allow",
            HeaderValue::from_static("GET, HEAD, POST, OPTIONS"),
        );
        return r;
    }
    let mut echo = format!("TRACE {} HTTP/1.1\r\n", req.uri());
    for (k, v) in req.headers() {
        echo.push_str(&format!(
            "{}: {}\r\n",
            k,
            String::from_utf8_lossy(v.as_bytes())
        ));
    }
    echo.push_str("\r\n");
    let mut r = Response::new(Body::from(echo));
    r.headers_mut()
        .insert("content-type", HeaderValue::from_static("message/http"));
    let server = if st.vulnerable("version-banner") {
        "Apache/2.4.29 (Ubuntu)"
    } else {
        "Apache"
    };
    r.headers_mut()
        .insert("server", HeaderValue::from_static(server));
    r
}
