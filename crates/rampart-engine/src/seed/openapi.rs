//! OpenAPI 3.x / Swagger 2.0 documents (JSON or YAML) turned into attackable resources.

use crate::target::{Body, FilePart, Resource};
use serde_json::{Map, Value};
use url::Url;

/// `$ref` chains and schema nesting are followed this deep, no further.
const MAX_DEPTH: usize = 8;

/// Schema nodes one operation's values may expand: a recursive, wide schema cannot make an
/// exponential example.
const NODE_BUDGET: usize = 2_000;

/// Reads an OpenAPI/Swagger description written in YAML into the JSON value the rest of
/// this module works on; `None` when it is not YAML.
pub fn from_yaml(body: &str) -> Option<Value> {
    // serde-saphyr is panic-free and budgets depth, aliases and size: the YAML comes from
    // the target and may be hostile.
    serde_saphyr::from_str::<Value>(body).ok()
}

/// A description in JSON or YAML.
pub fn parse(text: &str) -> Result<Value, String> {
    let v = match serde_json::from_str::<Value>(text) {
        Ok(v) => v,
        Err(_) => from_yaml(text).ok_or("neither JSON nor YAML")?,
    };
    if is_spec(&v) {
        Ok(v)
    } else {
        Err("not an OpenAPI 3 or Swagger 2 document (no `openapi`/`swagger` and `paths`)".into())
    }
}

/// Whether a JSON document looks like an API description.
pub fn is_spec(v: &Value) -> bool {
    v.get("paths").is_some_and(Value::is_object)
        && (v.get("openapi").is_some() || v.get("swagger").is_some())
}

fn scalar(v: &Value) -> String {
    v.as_str()
        .map(str::to_string)
        .unwrap_or_else(|| v.to_string())
}

/// Example values made from schemas, with `$ref`s resolved within the document.
struct Gen<'a> {
    spec: &'a Value,
    budget: std::cell::Cell<usize>,
}

impl Gen<'_> {
    /// Follows local `$ref`s (`#/components/schemas/X`, `#/definitions/X`, …).
    fn resolve(&self, v: &Value) -> Value {
        let mut cur = v.clone();
        for _ in 0..MAX_DEPTH {
            match cur.get("$ref").and_then(Value::as_str) {
                Some(r) if r.starts_with('#') => {
                    let ptr = r[1..].replace("~1", "/").replace("~0", "~");
                    cur = self.spec.pointer(&ptr).cloned().unwrap_or(Value::Null);
                }
                _ => return cur,
            }
        }
        Value::Null
    }

    /// An explicit example of a parameter, media type or schema: `example`, then the first
    /// of `examples` (a JSON-schema array or an OpenAPI map of `{value}`), then `default`.
    fn explicit(&self, s: &Value) -> Option<Value> {
        if let Some(e) = s.get("example") {
            return Some(e.clone());
        }
        match s.get("examples") {
            Some(Value::Array(a)) if !a.is_empty() => return Some(a[0].clone()),
            Some(Value::Object(m)) => {
                if let Some(first) = m.values().next() {
                    let first = self.resolve(first);
                    if let Some(v) = first.get("value") {
                        return Some(v.clone());
                    }
                }
            }
            _ => {}
        }
        s.get("default").cloned()
    }

    fn value(&self, schema: Option<&Value>, name: &str, depth: usize) -> Value {
        let Some(schema) = schema else {
            return Value::String(crate::crawl::html::default_value(name, "text"));
        };
        if depth > MAX_DEPTH || self.budget.get() == 0 {
            return Value::Null;
        }
        self.budget.set(self.budget.get() - 1);
        let s = self.resolve(schema);
        if let Some(e) = self.explicit(&s) {
            return e;
        }
        if let Some(e) = s.get("enum").and_then(|e| e.get(0)) {
            return e.clone();
        }
        if let Some(all) = s.get("allOf").and_then(Value::as_array) {
            let mut merged = Map::new();
            let mut other = None;
            for branch in all {
                match self.value(Some(branch), name, depth + 1) {
                    Value::Object(m) => merged.extend(m),
                    v => other = Some(v),
                }
            }
            return match (merged.is_empty(), other) {
                (true, Some(v)) => v,
                _ => Value::Object(merged),
            };
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(first) = s.get(key).and_then(|a| a.get(0)) {
                return self.value(Some(first), name, depth + 1);
            }
        }
        let ty = match s.get("type") {
            Some(Value::String(t)) => Some(t.as_str()),
            // OpenAPI 3.1: a list of types; the first that is not null.
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).find(|t| *t != "null"),
            _ => None,
        };
        let ty = ty.or_else(|| s.get("properties").map(|_| "object"));
        let format = s.get("format").and_then(Value::as_str).unwrap_or("");
        match ty {
            Some("integer") => s.get("minimum").cloned().unwrap_or(Value::from(1)),
            Some("number") => s.get("minimum").cloned().unwrap_or(Value::from(1.5)),
            Some("boolean") => Value::Bool(true),
            Some("array") => Value::Array(vec![self.value(s.get("items"), name, depth + 1)]),
            Some("object") => {
                let mut m = Map::new();
                if let Some(props) = s.get("properties").and_then(Value::as_object) {
                    for (k, v) in props {
                        m.insert(k.clone(), self.value(Some(v), k, depth + 1));
                    }
                }
                Value::Object(m)
            }
            _ => Value::String(match format {
                "email" => "rampart@example.com".into(),
                "uuid" => "3f2c8a5e-6b1d-4e7a-9c0f-2d4b6a8e1c3f".into(),
                "date" => "2024-01-01".into(),
                "date-time" => "2024-01-01T00:00:00Z".into(),
                "uri" | "url" => "http://example.com/".into(),
                "ipv4" => "192.0.2.1".into(),
                "hostname" => "example.com".into(),
                "password" => "Rampart-1!".into(),
                "byte" => "cmFtcGFydA==".into(),
                _ => crate::crawl::html::default_value(name, "text"),
            }),
        }
    }

    /// A parameter's value: its own example first, then its schema's.
    fn param(&self, p: &Value, name: &str) -> Value {
        if let Some(e) = self.explicit(p) {
            return e;
        }
        // Swagger 2 puts the schema keywords on the parameter itself.
        self.value(p.get("schema").or(Some(p)), name, 0)
    }
}

/// The document's base URL: its `servers` (OpenAPI 3) or `schemes`/`host`/`basePath`
/// (Swagger 2), relative ones resolved against `hint` (the endpoint, or else the scan's
/// first seed). An `endpoint` replaces the scheme, host and port, and the base path too when
/// it has one of its own.
pub fn base_url(spec: &Value, hint: &Url, endpoint: Option<&Url>) -> Url {
    let anchor = endpoint.unwrap_or(hint);
    let doc = if let Some(server) = spec.pointer("/servers/0") {
        let mut u = server
            .get("url")
            .and_then(Value::as_str)
            .unwrap_or("/")
            .to_string();
        if let Some(vars) = server.get("variables").and_then(Value::as_object) {
            for (k, v) in vars {
                let d = v.get("default").map(scalar).unwrap_or_default();
                u = u.replace(&format!("{{{k}}}"), &d);
            }
        }
        anchor.join(&u).unwrap_or_else(|_| anchor.clone())
    } else {
        let base_path = spec.get("basePath").and_then(Value::as_str).unwrap_or("/");
        let mut u = anchor.join(base_path).unwrap_or_else(|_| anchor.clone());
        if let Some(host) = spec.get("host").and_then(Value::as_str) {
            let scheme = spec
                .pointer("/schemes/0")
                .and_then(Value::as_str)
                .unwrap_or(anchor.scheme());
            if let Ok(h) = Url::parse(&format!("{scheme}://{host}")) {
                let mut with = h.clone();
                with.set_path(u.path());
                u = with;
            }
        }
        u
    };
    let Some(ep) = endpoint else { return doc };
    let mut out = ep.clone();
    if ep.path() == "/" {
        out.set_path(doc.path());
    }
    out.set_query(None);
    out
}

/// The operations of `spec` as resources; relative URLs resolve against `hint` (where the
/// document was fetched, or the scan's first seed) unless `endpoint` is given.
pub fn resources_at(spec: &Value, hint: &Url, endpoint: Option<&Url>) -> Vec<Resource> {
    let g = Gen {
        spec,
        budget: std::cell::Cell::new(NODE_BUDGET),
    };
    let base = base_url(spec, hint, endpoint);
    let swagger2 = spec.get("swagger").is_some();
    let consumes = |op: &Value| -> Vec<String> {
        op.get("consumes")
            .or_else(|| spec.get("consumes"))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    let Some(paths) = spec.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        let item = g.resolve(item);
        let Some(ops) = item.as_object() else {
            continue;
        };
        let shared: Vec<Value> = item
            .get("parameters")
            .and_then(Value::as_array)
            .map(|a| a.iter().map(|p| g.resolve(p)).collect())
            .unwrap_or_default();
        for (method, op) in ops {
            g.budget.set(NODE_BUDGET);
            let m = method.to_ascii_uppercase();
            if !matches!(
                m.as_str(),
                "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS"
            ) {
                continue;
            }
            // Operation parameters override path-level ones of the same name and place.
            let mut params = shared.clone();
            for p in op
                .get("parameters")
                .and_then(Value::as_array)
                .map(|a| a.iter().map(|p| g.resolve(p)).collect::<Vec<_>>())
                .unwrap_or_default()
            {
                params.retain(|q| q.get("name") != p.get("name") || q.get("in") != p.get("in"));
                params.push(p);
            }
            let mut p = path.clone();
            let base_segs = base.path().trim_end_matches('/').split('/').count();
            let path_names: Vec<(usize, String)> = path
                .trim_start_matches('/')
                .split('/')
                .enumerate()
                .filter_map(|(i, seg)| {
                    seg.strip_prefix('{')
                        .and_then(|s| s.strip_suffix('}'))
                        .map(|n| (base_segs + i, n.to_string()))
                })
                .collect();
            let (mut query, mut form, mut headers, mut cookies) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            let mut files: Vec<FilePart> = Vec::new();
            let mut json: Option<Value> = None;
            for prm in &params {
                let name = prm.get("name").and_then(Value::as_str).unwrap_or("");
                let file = prm.get("type").and_then(Value::as_str) == Some("file");
                match prm.get("in").and_then(Value::as_str) {
                    Some("path") => {
                        let v: String = url::form_urlencoded::byte_serialize(
                            scalar(&g.param(prm, name)).as_bytes(),
                        )
                        .collect();
                        p = p.replace(&format!("{{{name}}}"), &v.replace('+', "%20"));
                    }
                    Some("query") => query.push((name.to_string(), scalar(&g.param(prm, name)))),
                    Some("header") => headers.push((name.to_string(), scalar(&g.param(prm, name)))),
                    Some("cookie") => {
                        cookies.push(format!("{name}={}", scalar(&g.param(prm, name))))
                    }
                    Some("formData") if file => files.push(file_part(name)),
                    Some("formData") => form.push((name.to_string(), scalar(&g.param(prm, name)))),
                    Some("body") => json = Some(g.value(prm.get("schema"), name, 0)),
                    _ => {}
                }
            }
            let mut multipart = swagger2
                && (!files.is_empty() || consumes(op).iter().any(|c| c.contains("multipart")));
            if let Some(content) = op
                .get("requestBody")
                .map(|b| g.resolve(b))
                .and_then(|b| b.get("content").cloned())
                .and_then(|c| c.as_object().cloned())
            {
                let pick = |want: &dyn Fn(&str) -> bool| {
                    content.iter().find(|(k, _)| want(&k.to_ascii_lowercase()))
                };
                let media_value = |mt: &Value| {
                    g.explicit(mt)
                        .unwrap_or_else(|| g.value(mt.get("schema"), "body", 0))
                };
                if let Some((_, mt)) = pick(&|k| k.contains("json")) {
                    json = Some(media_value(mt));
                } else if let Some((_, mt)) = pick(&|k| k == "application/x-www-form-urlencoded") {
                    if let Value::Object(o) = media_value(mt) {
                        form.extend(o.iter().map(|(k, v)| (k.clone(), scalar(v))));
                    }
                } else if let Some((_, mt)) = pick(&|k| k.starts_with("multipart/")) {
                    multipart = true;
                    let schema = mt.get("schema").map(|s| g.resolve(s)).unwrap_or_default();
                    let props = schema.get("properties").and_then(Value::as_object);
                    for (k, prop) in props.into_iter().flatten() {
                        let prop = g.resolve(prop);
                        if prop.get("format").and_then(Value::as_str) == Some("binary") {
                            files.push(file_part(k));
                        } else {
                            form.push((k.clone(), scalar(&g.value(Some(&prop), k, 1))));
                        }
                    }
                }
            }
            let joined = format!(
                "{}/{}",
                base.path().trim_end_matches('/'),
                p.trim_start_matches('/')
            );
            let mut url = base.clone();
            url.set_path(&joined);
            if !query.is_empty() {
                url.query_pairs_mut().extend_pairs(&query);
            }
            if !cookies.is_empty() {
                headers.push(("Cookie".to_string(), cookies.join("; ")));
            }
            let body = match (json, multipart) {
                (Some(j), _) => Body::Json(j),
                (None, true) => Body::Multipart {
                    fields: form,
                    files,
                },
                (None, false) if !form.is_empty() => Body::Form(form),
                _ => Body::None,
            };
            out.push(Resource {
                method: m,
                body,
                path_names,
                headers,
                ..Resource::get(url)
            });
        }
    }
    out
}

fn file_part(field: &str) -> FilePart {
    FilePart {
        field: field.to_string(),
        filename: "rampart.txt".into(),
        content_type: "text/plain".into(),
        content: b"rampart".to_vec(),
    }
}

/// The operations of `spec`, fetched from `spec_url`, as resources.
pub fn resources(spec_url: &Url, spec: &Value) -> Vec<Resource> {
    resources_at(spec, spec_url, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_become_resources() {
        let spec: Value = serde_json::json!({
            "openapi": "3.0.0", "servers": [{"url": "/api"}],
            "paths": {
                "/items/{id}": {"get": {"parameters": [
                    {"name": "id", "in": "path", "schema": {"type": "integer"}},
                    {"name": "q", "in": "query", "schema": {"type": "string"}}]}},
                "/items": {"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/I"}}}}}}
            },
            "components": {"schemas": {"I": {"type": "object", "properties": {"name": {"type": "string"}}}}}
        });
        assert!(is_spec(&spec));
        let r = resources(&Url::parse("http://h/openapi.json").unwrap(), &spec);
        assert_eq!(r.len(), 2);
        let get = r.iter().find(|r| r.method == "GET").unwrap();
        assert_eq!(get.url.as_str(), "http://h/api/items/1?q=rampart");
        let post = r.iter().find(|r| r.method == "POST").unwrap();
        assert_eq!(
            post.body,
            Body::Json(serde_json::json!({"name": "rampart"}))
        );
    }

    #[test]
    fn schemas_are_filled_from_examples_refs_compositions_and_formats() {
        let spec: Value = serde_json::json!({
            "openapi": "3.1.0",
            "servers": [{"url": "https://{region}.api.example/v{ver}", "variables": {
                "region": {"default": "eu"}, "ver": {"default": "2"}}}],
            "paths": {
                "/users/{id}": {
                    "parameters": [{"$ref": "#/components/parameters/Id"}],
                    "put": {
                        "parameters": [
                            {"name": "X-Tenant", "in": "header", "schema": {"type": "string", "format": "uuid"}},
                            {"name": "session", "in": "cookie", "schema": {"type": "string"}, "example": "abc"},
                            {"name": "when", "in": "query", "schema": {"type": "string", "format": "date"}}],
                        "requestBody": {"$ref": "#/components/requestBodies/User"}},
                    "post": {"requestBody": {"content": {"multipart/form-data": {"schema": {
                        "type": "object", "properties": {
                            "note": {"type": "string", "default": "hi"},
                            "avatar": {"type": "string", "format": "binary"}}}}}}},
                    "patch": {"requestBody": {"content": {"application/x-www-form-urlencoded": {
                        "schema": {"type": "object", "properties": {"n": {"type": ["null", "integer"]}}}}}}}
                }
            },
            "components": {
                "parameters": {"Id": {"name": "id", "in": "path", "required": true,
                    "examples": {"one": {"value": 42}}, "schema": {"type": "integer"}}},
                "requestBodies": {"User": {"content": {"application/vnd.api+json": {"schema": {
                    "allOf": [{"$ref": "#/components/schemas/Named"},
                              {"type": "object", "properties": {
                                  "email": {"type": "string", "format": "email"},
                                  "role": {"type": "string", "enum": ["admin", "user"]},
                                  "pet": {"oneOf": [{"$ref": "#/components/schemas/Named"}, {"type": "integer"}]}}}]}}}}},
                "schemas": {"Named": {"type": "object", "properties": {
                    "name": {"type": "string", "examples": ["Ann"]}}}}
            }
        });
        let r = resources_at(&spec, &Url::parse("http://seed/").unwrap(), None);
        let put = r.iter().find(|r| r.method == "PUT").unwrap();
        assert_eq!(
            put.url.as_str(),
            "https://eu.api.example/v2/users/42?when=2024-01-01"
        );
        assert_eq!(put.path_names, vec![(3, "id".to_string())]);
        assert_eq!(
            put.body,
            Body::Json(
                serde_json::json!({"name": "Ann", "email": "rampart@example.com",
                "role": "admin", "pet": {"name": "Ann"}})
            )
        );
        assert!(put.headers.contains(&(
            "X-Tenant".into(),
            "3f2c8a5e-6b1d-4e7a-9c0f-2d4b6a8e1c3f".into()
        )));
        assert!(put
            .headers
            .contains(&("Cookie".into(), "session=abc".into())));
        let post = r.iter().find(|r| r.method == "POST").unwrap();
        let Body::Multipart { fields, files } = &post.body else {
            panic!("{:?}", post.body)
        };
        assert_eq!(fields, &vec![("note".to_string(), "hi".to_string())]);
        assert_eq!(files[0].field, "avatar");
        let patch = r.iter().find(|r| r.method == "PATCH").unwrap();
        assert_eq!(patch.body, Body::Form(vec![("n".into(), "1".into())]));

        // An endpoint replaces scheme, host and port, keeping the document's base path.
        let ep = Url::parse("http://127.0.0.1:8080/").unwrap();
        let r = resources_at(&spec, &ep, Some(&ep));
        assert!(
            r[0].url
                .as_str()
                .starts_with("http://127.0.0.1:8080/v2/users/42"),
            "{}",
            r[0].url
        );
    }

    #[test]
    fn recursive_wide_schemas_stay_bounded() {
        let props: Map<String, Value> = (0..20)
            .map(|i| {
                (
                    format!("p{i}"),
                    serde_json::json!({"$ref": "#/components/schemas/N"}),
                )
            })
            .collect();
        let spec = serde_json::json!({"openapi": "3.0.0", "paths": {"/n": {"post": {"requestBody":
            {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/N"}}}}}}},
            "components": {"schemas": {"N": {"type": "object", "properties": props}}}});
        let t = std::time::Instant::now();
        let r = resources_at(&spec, &Url::parse("http://h/").unwrap(), None);
        assert_eq!(r.len(), 1);
        assert!(t.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn swagger_2_uses_host_base_path_schemes_and_form_data() {
        let spec: Value = serde_json::json!({
            "swagger": "2.0", "host": "api.example:8443", "basePath": "/v1", "schemes": ["https"],
            "consumes": ["multipart/form-data"],
            "paths": {"/upload": {"post": {"parameters": [
                {"name": "title", "in": "formData", "type": "string"},
                {"name": "file", "in": "formData", "type": "file"}]}},
                "/items": {"post": {"consumes": ["application/json"], "parameters": [
                    {"name": "body", "in": "body", "schema": {"$ref": "#/definitions/Item"}}]}}},
            "definitions": {"Item": {"properties": {"qty": {"type": "integer", "minimum": 3}}}}
        });
        let r = resources_at(&spec, &Url::parse("http://seed/").unwrap(), None);
        let up = r.iter().find(|r| r.url.path() == "/v1/upload").unwrap();
        assert_eq!(up.url.as_str(), "https://api.example:8443/v1/upload");
        assert!(matches!(&up.body, Body::Multipart { files, .. } if files.len() == 1));
        let items = r.iter().find(|r| r.url.path() == "/v1/items").unwrap();
        assert_eq!(items.body, Body::Json(serde_json::json!({"qty": 3})));
        // Relative to the endpoint when the document names no host.
        let mut local = spec.clone();
        local.as_object_mut().unwrap().remove("host");
        let ep = Url::parse("http://127.0.0.1:9000/").unwrap();
        let r = resources_at(&local, &ep, Some(&ep));
        assert!(r
            .iter()
            .all(|r| r.url.as_str().starts_with("http://127.0.0.1:9000/v1/")));
    }

    #[test]
    fn yaml_descriptions_give_the_same_resources() {
        let yaml = "openapi: 3.0.0\nservers:\n  - url: /api\npaths:\n  /items/{id}:\n    get:\n      parameters:\n        - name: id\n          in: path\n          schema: {type: integer}\n";
        let spec = from_yaml(yaml).expect("yaml parses");
        assert!(is_spec(&spec));
        let r = resources(&Url::parse("http://h/openapi.yaml").unwrap(), &spec);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].url.as_str(), "http://h/api/items/1");
        assert!(from_yaml("{{{{ not yaml").is_none());
        assert!(!is_spec(&from_yaml("title: a page").expect("plain yaml")));
    }

    #[test]
    fn hostile_yaml_is_refused_without_panicking() {
        // Deep nesting: flow and block forms.
        let flow = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(from_yaml(&flow).is_none(), "deep flow nesting");
        let block: String = (0..5_000)
            .map(|i| format!("{}a:\n", " ".repeat(i)))
            .collect();
        assert!(from_yaml(&block).is_none(), "deep block nesting");
        // Billion laughs: nine levels of nine aliases would expand to 10^9 nodes.
        let mut laughs = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h"]
            .iter()
            .zip(["b", "c", "d", "e", "f", "g", "h", "i"])
        {
            let refs = vec![format!("*{prev}"); 9].join(", ");
            laughs.push_str(&format!("{name}: &{name} [{refs}]\n"));
        }
        assert!(from_yaml(&laughs).is_none(), "alias expansion bomb");
        // Huge numbers neither panic nor become specs.
        for n in [
            "9".repeat(100_000),
            format!("1e{}", "9".repeat(1000)),
            "-0x".to_string() + &"f".repeat(1000),
        ] {
            let doc = format!("openapi: {n}\nn: {n}\n");
            if let Some(v) = from_yaml(&doc) {
                assert!(!is_spec(&v), "no paths, no spec");
            }
        }
        // An unterminated document and invalid UTF-8 escapes are errors, not panics.
        assert!(from_yaml("a: \"\\xZZ").is_none());
        assert!(from_yaml("a: [1, 2").is_none());
    }
}
