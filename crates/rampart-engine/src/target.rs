//! Attackable resources (a method, URL and body) and their insertion points.

use crate::http::HttpRequest;
use rampart_domain::ParameterLocation;
use std::collections::BTreeSet;
use url::Url;

/// One uploaded file of a multipart body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilePart {
    pub field: String,
    pub filename: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    None,
    Form(Vec<(String, String)>),
    Multipart {
        fields: Vec<(String, String)>,
        files: Vec<FilePart>,
    },
    Json(serde_json::Value),
    /// Bytes replayed as recorded (no insertion point).
    Raw {
        content_type: String,
        content: Vec<u8>,
    },
}

/// A request worth crawling and attacking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resource {
    pub method: String,
    pub url: Url,
    pub body: Body,
    pub referer: Option<Url>,
    pub depth: u32,
    /// Came from an HTML form.
    pub form: bool,
    /// The form has a password field.
    pub has_password: bool,
    /// Names of path segments (index, name), from an API description.
    pub path_names: Vec<(usize, String)>,
    /// Request headers of its own (API header parameters, recorded headers); each is an
    /// insertion point of the `HttpHeader` location.
    pub headers: Vec<(String, String)>,
}

/// Where one attack value goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InsertionPoint {
    pub location: ParameterLocation,
    pub name: String,
    pub original: String,
    index: usize,
    /// The keys leading to a nested JSON body value (`name` is them joined with `.`).
    path: Vec<String>,
}

#[cfg(test)]
impl InsertionPoint {
    /// A query parameter point, for the checks' unit tests.
    pub(crate) fn for_test(name: &str, original: &str) -> Self {
        Self {
            location: ParameterLocation::Query,
            name: name.to_string(),
            original: original.to_string(),
            index: 0,
            path: Vec::new(),
        }
    }
}

const BOUNDARY: &str = "----rampartboundary7d1f0c";

/// Numeric, hex or uuid-like path segments collapse to one pattern.
pub fn is_id_like(seg: &str) -> bool {
    if seg.is_empty() {
        return false;
    }
    let digits = seg.chars().all(|c| c.is_ascii_digit());
    let hexish = seg.len() >= 16 && seg.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    digits || hexish
}

pub fn path_pattern(url: &Url) -> String {
    url.path()
        .split('/')
        .map(|s| if is_id_like(s) { "{id}" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

impl Resource {
    pub fn get(url: Url) -> Self {
        Self {
            method: "GET".into(),
            url,
            body: Body::None,
            referer: None,
            depth: 0,
            form: false,
            has_password: false,
            path_names: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// (method, host, path pattern, parameter names): crawled and attacked once.
    pub fn pattern_key(&self) -> String {
        let mut names: BTreeSet<String> = self
            .url
            .query_pairs()
            .map(|(k, _)| k.into_owned())
            .collect();
        match &self.body {
            Body::Form(f) => names.extend(f.iter().map(|(k, _)| format!("b:{k}"))),
            Body::Multipart { fields, files } => {
                names.extend(fields.iter().map(|(k, _)| format!("b:{k}")));
                names.extend(files.iter().map(|f| format!("f:{}", f.field)));
            }
            Body::Json(v @ serde_json::Value::Object(m)) => {
                names.extend(
                    json_leaves(v)
                        .into_iter()
                        .map(|(p, _)| format!("j:{}", p.join("."))),
                );
                // GraphQL requests share one URL: the operation tells them apart.
                if let Some(op) = m.get("operationName").and_then(serde_json::Value::as_str) {
                    names.insert(format!("op:{op}"));
                }
            }
            _ => {}
        }
        format!(
            "{} {}://{}{} {}",
            self.method,
            self.url.scheme(),
            self.url.host_str().unwrap_or(""),
            path_pattern(&self.url),
            names.into_iter().collect::<Vec<_>>().join("&")
        )
    }

    pub fn to_request(&self) -> HttpRequest {
        let mut url = self.url.clone();
        url.set_fragment(None);
        let mut req = HttpRequest {
            method: self.method.clone(),
            url,
            headers: Vec::new(),
            body: None,
        };
        if let Some(r) = &self.referer {
            req.headers.push(("Referer".into(), r.to_string()));
        }
        for (n, v) in &self.headers {
            req.set_header(n, v.clone());
        }
        match &self.body {
            Body::None => {}
            Body::Form(pairs) => {
                let body = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(pairs)
                    .finish();
                req.headers.push((
                    "Content-Type".into(),
                    "application/x-www-form-urlencoded".into(),
                ));
                req.body = Some(body.into_bytes());
            }
            Body::Multipart { fields, files } => {
                req.headers.push((
                    "Content-Type".into(),
                    format!("multipart/form-data; boundary={BOUNDARY}"),
                ));
                req.body = Some(multipart(fields, files));
            }
            Body::Json(v) => {
                req.headers
                    .push(("Content-Type".into(), "application/json".into()));
                req.body = Some(v.to_string().into_bytes());
            }
            Body::Raw {
                content_type,
                content,
            } => {
                req.headers
                    .push(("Content-Type".into(), content_type.clone()));
                req.body = Some(content.clone());
            }
        }
        req
    }

    /// Insertion points in the given locations.
    pub fn points(
        &self,
        locations: &[ParameterLocation],
        cookies: &[(String, String)],
    ) -> Vec<InsertionPoint> {
        use ParameterLocation as L;
        let mut out = Vec::new();
        let want = |l: L| locations.contains(&l);
        if want(L::Query) {
            for (i, (k, v)) in self.url.query_pairs().enumerate() {
                out.push(InsertionPoint {
                    location: L::Query,
                    name: k.into_owned(),
                    original: v.into_owned(),
                    index: i,
                    path: Vec::new(),
                });
            }
        }
        if want(L::Post) {
            let pairs: Vec<(Vec<String>, String)> = match &self.body {
                Body::Form(f) => f
                    .iter()
                    .map(|(k, v)| (vec![k.clone()], v.clone()))
                    .collect(),
                Body::Multipart { fields, .. } => fields
                    .iter()
                    .map(|(k, v)| (vec![k.clone()], v.clone()))
                    .collect(),
                Body::Json(v) => json_leaves(v)
                    .into_iter()
                    .filter(|(p, _)| !is_graphql_document(v, p))
                    .collect(),
                _ => Vec::new(),
            };
            for (i, (p, v)) in pairs.into_iter().enumerate() {
                out.push(InsertionPoint {
                    location: L::Post,
                    name: p.join("."),
                    original: v,
                    index: i,
                    path: p,
                });
            }
        }
        if want(L::Path) {
            for (i, seg) in self.url.path().split('/').enumerate() {
                let named = self
                    .path_names
                    .iter()
                    .find(|(n, _)| *n == i)
                    .map(|(_, name)| name.clone());
                if named.is_some() || is_id_like(seg) {
                    let name = named.unwrap_or_else(|| format!("path{i}"));
                    out.push(InsertionPoint {
                        location: L::Path,
                        name,
                        original: seg.into(),
                        index: i,
                        path: Vec::new(),
                    });
                }
            }
        }
        if want(L::Cookie) {
            for (i, (k, v)) in cookies.iter().enumerate() {
                out.push(InsertionPoint {
                    location: L::Cookie,
                    name: k.clone(),
                    original: v.clone(),
                    index: i,
                    path: Vec::new(),
                });
            }
        }
        if want(L::HttpHeader) {
            out.push(InsertionPoint {
                location: L::HttpHeader,
                name: "User-Agent".into(),
                original: String::new(),
                index: 0,
                path: Vec::new(),
            });
            for (i, (n, v)) in self.headers.iter().enumerate() {
                if is_browser_header(n) {
                    continue;
                }
                out.push(InsertionPoint {
                    location: L::HttpHeader,
                    name: n.clone(),
                    original: v.clone(),
                    index: i + 1,
                    path: Vec::new(),
                });
            }
        }
        if want(L::Referer) {
            let orig = self
                .referer
                .as_ref()
                .map(|r| r.to_string())
                .unwrap_or_default();
            out.push(InsertionPoint {
                location: L::Referer,
                name: "Referer".into(),
                original: orig,
                index: 0,
                path: Vec::new(),
            });
        }
        out
    }

    /// The request with `value` at `point`.
    pub fn with_value(&self, point: &InsertionPoint, value: &str) -> HttpRequest {
        use ParameterLocation as L;
        let mut copy = self.clone();
        match point.location {
            L::Query => {
                let pairs: Vec<(String, String)> = self
                    .url
                    .query_pairs()
                    .enumerate()
                    .map(|(i, (k, v))| {
                        (
                            k.into_owned(),
                            if i == point.index {
                                value.to_string()
                            } else {
                                v.into_owned()
                            },
                        )
                    })
                    .collect();
                copy.url.query_pairs_mut().clear().extend_pairs(&pairs);
            }
            L::Post => match &mut copy.body {
                Body::Form(f) => set_nth(f, point.index, value),
                Body::Multipart { fields, .. } => set_nth(fields, point.index, value),
                Body::Json(v) => {
                    if let Some(slot) = json_slot(v, &point.path) {
                        *slot = serde_json::Value::String(value.to_string());
                    }
                }
                _ => {}
            },
            L::Path => {
                let segs: Vec<String> = self
                    .url
                    .path()
                    .split('/')
                    .enumerate()
                    .map(|(i, s)| {
                        if i == point.index {
                            url::form_urlencoded::byte_serialize(value.as_bytes())
                                .collect::<String>()
                                .replace('+', "%20")
                        } else {
                            s.to_string()
                        }
                    })
                    .collect();
                copy.url.set_path(&segs.join("/"));
            }
            _ => {}
        }
        let mut req = copy.to_request();
        match point.location {
            L::Cookie => req.set_header(
                "Cookie",
                format!("{}={}", point.name, header_safe(value, true)),
            ),
            L::HttpHeader => req.set_header(&point.name, header_safe(value, false)),
            L::Referer => req.set_header("Referer", header_safe(value, false)),
            _ => {}
        }
        req
    }
}

/// A payload as a header or cookie can carry it: CR, LF and the other control characters
/// (which no HTTP client sends) percent-encoded, as servers that decode these inputs (PHP's
/// cookies, URL-decoded headers) read them back; in a cookie also `;`, which would end it.
/// The payload is really sent, never refused by the client and counted as sent.
pub(crate) fn header_safe(value: &str, cookie: bool) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if (c.is_control() && c != '\t') || (cookie && c == ';') {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Headers every browser sends by itself (recorded traffic is full of them): replayed, never
/// attacked; the application's own headers (`X-Api-Key`, `X-Tenant`…) are insertion points.
fn is_browser_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.starts_with("accept")
        || n.starts_with("sec-")
        || n.starts_with("if-")
        || matches!(
            n.as_str(),
            "user-agent"
                | "cookie"
                | "origin"
                | "referer"
                | "cache-control"
                | "pragma"
                | "dnt"
                | "priority"
                | "upgrade-insecure-requests"
                | "authorization"
        )
}

/// Every scalar of a JSON body with the object keys leading to it (objects only: array
/// members are left alone), at most 8 levels deep.
fn json_leaves(v: &serde_json::Value) -> Vec<(Vec<String>, String)> {
    fn walk(v: &serde_json::Value, path: &mut Vec<String>, out: &mut Vec<(Vec<String>, String)>) {
        match v {
            serde_json::Value::Object(m) if path.len() < 8 => {
                for (k, child) in m {
                    path.push(k.clone());
                    walk(child, path, out);
                    path.pop();
                }
            }
            serde_json::Value::String(s) if !path.is_empty() => out.push((path.clone(), s.clone())),
            serde_json::Value::Number(_) | serde_json::Value::Bool(_) if !path.is_empty() => {
                out.push((path.clone(), v.to_string()))
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, &mut Vec::new(), &mut out);
    out
}

/// The `query` and `operationName` of a GraphQL request body are the operation itself, not
/// inputs: its inputs are the `variables`.
fn is_graphql_document(body: &serde_json::Value, path: &[String]) -> bool {
    body.get("variables")
        .is_some_and(serde_json::Value::is_object)
        && body.get("query").is_some_and(serde_json::Value::is_string)
        && path.len() == 1
        && matches!(path[0].as_str(), "query" | "operationName")
}

fn json_slot<'a>(
    v: &'a mut serde_json::Value,
    path: &[String],
) -> Option<&'a mut serde_json::Value> {
    path.iter().try_fold(v, |v, k| v.get_mut(k.as_str()))
}

fn set_nth(pairs: &mut [(String, String)], i: usize, value: &str) {
    if let Some(p) = pairs.get_mut(i) {
        p.1 = value.to_string();
    }
}

fn multipart(fields: &[(String, String)], files: &[FilePart]) -> Vec<u8> {
    let mut out = Vec::new();
    for (k, v) in fields {
        out.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for f in files {
        out.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
                f.field, f.filename, f.content_type
            )
            .as_bytes(),
        );
        out.extend_from_slice(&f.content);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn header_and_cookie_payloads_are_encoded_so_they_are_sent() {
        use super::header_safe;
        assert_eq!(header_safe("en\r\nX-A: 1", false), "en%0D%0AX-A: 1");
        assert_eq!(header_safe("a;b\n", true), "a%3Bb%0A");
        assert_eq!(header_safe("a;b", false), "a;b");
        assert_eq!(header_safe("' OR 1=1-- \t", true), "' OR 1=1-- \t");
        for v in [
            header_safe("x\r\ny", false),
            header_safe("\u{0}\u{7f}", true),
        ] {
            assert!(http::HeaderValue::from_str(&v).is_ok(), "{v}");
        }
    }

    use super::*;

    #[test]
    fn nested_json_values_graphql_variables_and_own_headers_are_points() {
        let url = Url::parse("http://h/graphql").unwrap();
        let gql = |op: &str| Resource {
            method: "POST".into(),
            body: Body::Json(
                serde_json::json!({"query": "query q($n: String!) { q(n: $n) }",
                "operationName": op, "variables": {"q_n": "a", "f": {"min": 1}}}),
            ),
            headers: vec![
                ("Accept".into(), "*/*".into()),
                ("X-Tenant".into(), "t1".into()),
            ],
            ..Resource::get(url.clone())
        };
        let r = gql("q");
        let pts = r.points(
            &[ParameterLocation::Post, ParameterLocation::HttpHeader],
            &[],
        );
        let names: Vec<&str> = pts.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            ["variables.f.min", "variables.q_n", "User-Agent", "X-Tenant"]
        );
        let req = r.with_value(&pts[0], "1'");
        let body: serde_json::Value = serde_json::from_slice(req.body.as_ref().unwrap()).unwrap();
        assert_eq!(body["variables"]["f"]["min"], "1'");
        assert_eq!(body["query"], "query q($n: String!) { q(n: $n) }");
        assert_eq!(r.with_value(&pts[3], "x").header("x-tenant"), Some("x"));
        assert_ne!(
            r.pattern_key(),
            gql("other").pattern_key(),
            "one pattern per operation"
        );
    }

    #[test]
    fn patterns_collapse_ids_and_points_rewrite_values() {
        let r = Resource::get(Url::parse("http://h/item/42/view?b=2&a=1").unwrap());
        let r2 = Resource::get(Url::parse("http://h/item/7/view?a=9&b=3").unwrap());
        assert_eq!(r.pattern_key(), r2.pattern_key());
        let pts = r.points(&[ParameterLocation::Query, ParameterLocation::Path], &[]);
        assert_eq!(pts.len(), 3);
        let req = r.with_value(&pts[1], "x y");
        assert_eq!(req.url.query(), Some("b=2&a=x+y"));
        let req = r.with_value(&pts[2], "1'");
        assert_eq!(req.url.path(), "/item/1%27/view");
    }
}
