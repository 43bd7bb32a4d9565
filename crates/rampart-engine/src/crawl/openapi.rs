//! OpenAPI 3 / Swagger 2 (JSON or YAML) documents turned into attackable resources.

use crate::target::{Body, Resource};
use serde_json::{Map, Value};
use url::Url;

/// Reads an OpenAPI/Swagger description written in YAML into the JSON value the rest of
/// this module works on; `None` when it is not YAML.
pub fn from_yaml(body: &str) -> Option<Value> {
    // serde-saphyr is panic-free and budgets depth, aliases and size: the YAML comes from
    // the target and may be hostile.
    serde_saphyr::from_str::<Value>(body).ok()
}

/// Whether a JSON document looks like an API description.
pub fn is_spec(v: &Value) -> bool {
    v.get("paths").is_some_and(Value::is_object)
        && (v.get("openapi").is_some() || v.get("swagger").is_some())
}

fn example(schema: Option<&Value>, name: &str) -> Value {
    let s = schema.cloned().unwrap_or(Value::Null);
    if let Some(e) = s.get("example").or_else(|| s.get("default")) {
        return e.clone();
    }
    if let Some(e) = s.get("enum").and_then(|e| e.get(0)) {
        return e.clone();
    }
    match s.get("type").and_then(Value::as_str) {
        Some("integer" | "number") => Value::from(1),
        Some("boolean") => Value::Bool(true),
        Some("object") => {
            let mut m = Map::new();
            if let Some(props) = s.get("properties").and_then(Value::as_object) {
                for (k, v) in props {
                    m.insert(k.clone(), example(Some(v), k));
                }
            }
            Value::Object(m)
        }
        _ => Value::String(crate::crawl::html::default_value(name, "text")),
    }
}

fn scalar(v: &Value) -> String {
    v.as_str()
        .map(str::to_string)
        .unwrap_or_else(|| v.to_string())
}

/// The operations of `spec` (fetched from `spec_url`) as resources.
pub fn resources(spec_url: &Url, spec: &Value) -> Vec<Resource> {
    let base = spec
        .pointer("/servers/0/url")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| {
            spec.get("basePath")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_else(|| "/".into());
    let base = spec_url.join(&base).unwrap_or_else(|_| spec_url.clone());
    let mut out = Vec::new();
    let Some(paths) = spec.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        let Some(ops) = item.as_object() else {
            continue;
        };
        let shared: Vec<Value> = item
            .get("parameters")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (method, op) in ops {
            let m = method.to_ascii_uppercase();
            if !matches!(m.as_str(), "GET" | "POST" | "PUT" | "PATCH" | "DELETE") {
                continue;
            }
            let mut params = shared.clone();
            params.extend(
                op.get("parameters")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default(),
            );
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
            let mut query = Vec::new();
            let mut form = Vec::new();
            let mut json: Option<Value> = None;
            for prm in &params {
                let name = prm.get("name").and_then(Value::as_str).unwrap_or("");
                let schema = prm.get("schema").or(Some(prm));
                let val = example(schema, name);
                match prm.get("in").and_then(Value::as_str) {
                    Some("path") => p = p.replace(&format!("{{{name}}}"), &scalar(&val)),
                    Some("query") => query.push((name.to_string(), scalar(&val))),
                    Some("formData") => form.push((name.to_string(), scalar(&val))),
                    Some("body") => json = Some(example(prm.get("schema"), name)),
                    _ => {}
                }
            }
            if let Some(content) = op
                .pointer("/requestBody/content")
                .and_then(Value::as_object)
            {
                if let Some(s) = content.get("application/json") {
                    json = Some(example(
                        s.get("schema").map(|s| resolve(spec, s)).as_ref(),
                        "body",
                    ));
                } else if let Some(s) = content.get("application/x-www-form-urlencoded") {
                    if let Value::Object(m) =
                        example(s.get("schema").map(|s| resolve(spec, s)).as_ref(), "body")
                    {
                        form.extend(m.iter().map(|(k, v)| (k.clone(), scalar(v))));
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
            let body = match (json, form.is_empty()) {
                (Some(j), _) => Body::Json(j),
                (None, false) => Body::Form(form),
                _ => Body::None,
            };
            out.push(Resource {
                method: m,
                body,
                path_names,
                ..Resource::get(url)
            });
        }
    }
    out
}

/// Follows one local `$ref` level (`#/components/schemas/X`).
fn resolve(spec: &Value, schema: &Value) -> Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) if r.starts_with("#/") => spec.pointer(&r[1..]).cloned().unwrap_or(Value::Null),
        _ => schema.clone(),
    }
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
