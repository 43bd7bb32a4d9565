//! Raw HTTP/1.1 text of exchanges for evidence, with bodies capped.

use super::{HttpRequest, HttpResponse};

/// Bodies in evidence are cut at this many bytes.
pub const EVIDENCE_BODY_CAP: usize = 16 * 1024;

fn body_text(body: &[u8]) -> String {
    let cut = &body[..body.len().min(EVIDENCE_BODY_CAP)];
    let mut s = String::from_utf8_lossy(cut).into_owned();
    if body.len() > EVIDENCE_BODY_CAP {
        s.push_str("\r\n[... body truncated ...]");
    }
    s
}

/// `GET /path?q HTTP/1.1\r\nHost: …\r\n…\r\n\r\nbody`.
pub fn raw_request(req: &HttpRequest) -> String {
    let mut target = req.url.path().to_string();
    if let Some(q) = req.url.query() {
        target.push('?');
        target.push_str(q);
    }
    let host = match req.url.port() {
        Some(p) => format!("{}:{p}", req.url.host_str().unwrap_or("")),
        None => req.url.host_str().unwrap_or("").to_string(),
    };
    let mut out = format!("{} {target} HTTP/1.1\r\nHost: {host}\r\n", req.method);
    for (n, v) in &req.headers {
        out.push_str(&format!("{n}: {v}\r\n"));
    }
    out.push_str("\r\n");
    if let Some(b) = &req.body {
        out.push_str(&body_text(b));
    }
    out
}

/// `HTTP/1.1 200 OK\r\n…\r\n\r\nbody`.
pub fn raw_response(resp: &HttpResponse) -> String {
    let reason = http::StatusCode::from_u16(resp.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let mut out = format!("HTTP/1.1 {} {reason}\r\n", resp.status);
    for (n, v) in &resp.headers {
        out.push_str(&format!("{n}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(&body_text(&resp.body));
    out
}
