//! HTTP tests of the `/ias/v1` server: a real server per test (rampart-testkit), real
//! sockets, snapshots of the success shapes, every documented error, the authorization
//! matrix, client replays and the OpenAPI document.

mod apps;
mod audit;
mod blackouts;
mod connectors;
mod console;
mod console_admin;
mod console_scans;
mod engine_protocol;
mod engines;
mod errors;
mod files;
mod fuzzed;
mod identity;
mod isolation;
mod job_sources;
mod matrix;
mod modules;
mod oauth;
mod openapi;
mod ops;
mod paging;
mod plus;
mod policy_duties;
mod postgres;
mod problems;
mod rate_limit;
mod replay;
mod reports;
mod request_rules;
mod scan_configs;
mod scans;
mod schedules;
mod search;
mod secrets;
mod tags;
mod targets;
mod templates;
mod transport;
mod vulns;
mod webhooks;

use serde_json::{json, Value};

/// An href with the server's address and every UUID segment replaced, so snapshots
/// show the shape of links (absolute, canonical path, query) and stay stable.
pub fn scrub_href(href: &str) -> String {
    let (path, query) = match href.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (href, None),
    };
    let mut parts: Vec<String> = path.split('/').map(str::to_string).collect();
    if path.starts_with("http://127.0.0.1:") && parts.len() > 2 {
        parts[2] = "[server]".into();
    }
    for p in parts.iter_mut() {
        if uuid::Uuid::parse_str(p).is_ok() {
            *p = "[id]".into();
        }
    }
    let mut out = parts.join("/");
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// UUID ids become `[id]`; free-form ids (attack ids such as `SQLI_01`) stay.
pub fn id_redaction(
    value: insta::internals::Content,
    _path: insta::internals::ContentPath<'_>,
) -> insta::internals::Content {
    match value.as_str() {
        Some(s) if uuid::Uuid::parse_str(s).is_ok() => "[id]".into(),
        _ => value,
    }
}

pub fn href_redaction(
    value: insta::internals::Content,
    _path: insta::internals::ContentPath<'_>,
) -> String {
    scrub_href(value.as_str().unwrap_or_default())
}

/// Snapshots a JSON value with ids, times, tokens and hrefs redacted.
#[macro_export]
macro_rules! snap {
    ($name:expr, $value:expr) => {
        // Sorted keys whatever serde_json's map order is in a given build.
        let value = &$value;
        insta::with_settings!({ sort_maps => true }, {
            insta::assert_json_snapshot!($name, value, {
                ".**.id" => insta::dynamic_redaction($crate::id_redaction),
                ".**.create_time" => "[time]",
                ".**.page_token" => "[token]",
                ".**.href" => insta::dynamic_redaction($crate::href_redaction),
            })
        })
    };
}

/// `{"id": "<uuid>"}`.
pub fn id_ref(id: impl std::fmt::Display) -> Value {
    json!({ "id": id.to_string() })
}
