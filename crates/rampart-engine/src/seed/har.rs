//! HTTP Archives (HAR) turned into recorded requests, replayed with their bodies and headers.

use crate::target::{Body, Resource};
use serde_json::Value;
use std::collections::HashSet;
use url::Url;

/// Headers never replayed: hop-by-hop ones, those the transport sets itself, and cookies,
/// which the scan's cookie jar owns.
fn replayed(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    !(n.starts_with(':')
        || n.starts_with("proxy-")
        || matches!(
            n.as_str(),
            "connection"
                | "keep-alive"
                | "te"
                | "trailer"
                | "transfer-encoding"
                | "upgrade"
                | "host"
                | "content-length"
                | "content-type"
                | "accept-encoding"
                | "cookie"
        ))
}

fn pairs(v: Option<&Value>) -> Vec<(String, String)> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| {
            let name = p.get("name")?.as_str()?.to_string();
            let value = p.get("value").and_then(Value::as_str).unwrap_or("");
            Some((name, value.to_string()))
        })
        .collect()
}

fn body(post: Option<&Value>) -> Body {
    let Some(post) = post else { return Body::None };
    let mime = post
        .get("mimeType")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_ascii_lowercase();
    let text = post.get("text").and_then(Value::as_str).unwrap_or("");
    if mime.contains("json") {
        if let Ok(v) = serde_json::from_str(text) {
            return Body::Json(v);
        }
    }
    if mime.contains("x-www-form-urlencoded") {
        let params = pairs(post.get("params"));
        if !params.is_empty() {
            return Body::Form(params);
        }
        return Body::Form(
            url::form_urlencoded::parse(text.as_bytes())
                .into_owned()
                .collect(),
        );
    }
    if text.is_empty() {
        return Body::None;
    }
    Body::Raw {
        content_type: post
            .get("mimeType")
            .and_then(Value::as_str)
            .unwrap_or("application/octet-stream")
            .to_string(),
        content: text.as_bytes().to_vec(),
    }
}

/// The archive's requests (`log.entries[].request`), each once.
pub fn resources(text: &str) -> Result<Vec<Resource>, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let entries = v
        .pointer("/log/entries")
        .and_then(Value::as_array)
        .ok_or("no `log.entries`: not an HTTP Archive")?;
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for e in entries {
        let Some(req) = e.get("request") else {
            continue;
        };
        let Some(url) = req
            .get("url")
            .and_then(Value::as_str)
            .and_then(|u| Url::parse(u).ok())
            .filter(|u| matches!(u.scheme(), "http" | "https"))
        else {
            continue;
        };
        let method = req
            .get("method")
            .and_then(Value::as_str)
            .unwrap_or("GET")
            .to_ascii_uppercase();
        let body = body(req.get("postData"));
        let mut headers: Vec<(String, String)> = pairs(req.get("headers"))
            .into_iter()
            .filter(|(n, _)| replayed(n))
            .collect();
        let referer = headers
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case("referer"))
            .map(|i| headers.remove(i).1)
            .and_then(|r| Url::parse(&r).ok());
        if !seen.insert(format!("{method} {url} {body:?}")) {
            continue;
        }
        out.push(Resource {
            method,
            body,
            headers,
            referer,
            ..Resource::get(url)
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn entries_become_requests_with_their_bodies_and_headers() {
        let har = json!({"log": {"version": "1.2", "entries": [
            {"request": {"method": "POST", "url": "http://h/api/v2/orders/search",
                "headers": [{"name": "Content-Type", "value": "application/json"},
                            {"name": "X-Api-Version", "value": "2"},
                            {"name": "Cookie", "value": "s=1"},
                            {"name": "Connection", "value": "keep-alive"},
                            {"name": ":authority", "value": "h"},
                            {"name": "Referer", "value": "http://h/app"}],
                "postData": {"mimeType": "application/json", "text": "{\"customer\":\"ann\"}"}}},
            {"request": {"method": "POST", "url": "http://h/api/v2/orders/search",
                "headers": [], "postData": {"mimeType": "application/json", "text": "{\"customer\":\"ann\"}"}}},
            {"request": {"method": "post", "url": "http://h/login", "headers": [],
                "postData": {"mimeType": "application/x-www-form-urlencoded", "text": "a=1&b=x+y"}}},
            {"request": {"method": "PUT", "url": "http://h/raw", "headers": [],
                "postData": {"mimeType": "text/xml", "text": "<a/>"}}},
            {"request": {"method": "GET", "url": "ws://h/socket", "headers": []}}
        ]}});
        let r = resources(&har.to_string()).unwrap();
        assert_eq!(r.len(), 3, "deduplicated, websockets dropped");
        assert_eq!(r[0].body, Body::Json(json!({"customer": "ann"})));
        assert_eq!(
            r[0].headers,
            vec![("X-Api-Version".to_string(), "2".to_string())]
        );
        assert_eq!(r[0].referer.as_ref().unwrap().as_str(), "http://h/app");
        assert_eq!(
            r[1].body,
            Body::Form(vec![("a".into(), "1".into()), ("b".into(), "x y".into())])
        );
        assert_eq!(r[1].method, "POST");
        let req = r[2].to_request();
        assert_eq!(req.body.as_deref(), Some(&b"<a/>"[..]));
        assert_eq!(req.header("content-type"), Some("text/xml"));
        assert!(resources("{}").is_err());
        assert!(resources("nope").is_err());
    }
}
