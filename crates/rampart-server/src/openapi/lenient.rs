//! Request bodies whose booleans are read leniently get a `…Write` schema that says so.
//!
//! An `/ias/v1` resource has one wire type for its request and its answer, and so one schema.
//! Its answers carry plain booleans, but some members are read with
//! [`lenient::opt_bool`] (InsightAppSec clients send `1` or `"true"`): the request bodies
//! name a twin of the schema, `<Name>Write`, where exactly those members take what the
//! reader takes (the `LenientBool` component, [`lenient::opt_bool_schema`]). Which members they are is not listed here: each
//! body type is probed through its own `Deserialize`, so the serde attribute stays their only
//! home.

use rampart_api_types::{ias, lenient};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use utoipa::openapi::schema::{SchemaType, Type};
use utoipa::openapi::{OpenApi, Ref, RefOr, Schema};
use utoipa::ToSchema;

/// The `/ias/v1` request bodies that have boolean members, with the members each reads
/// leniently (the test below checks that no body with a boolean member is missing here).
pub(super) fn probed() -> Vec<(String, Vec<String>)> {
    vec![
        probe::<ias::Target>(),
        probe::<ias::File>(),
        probe::<ias::AttackTemplate>(),
        probe::<ias::AttackModule>(),
        probe::<ias::Engine>(),
        probe::<ias::ScanConfig>(),
        probe::<ias::Vulnerability>(),
        probe::<ias::Schedule>(),
        probe::<ias::Blackout>(),
    ]
}

/// The boolean members of `T`'s schema that `T` reads with every spelling the lenient schema
/// allows besides a boolean (each word in capitals, each number as an integer and as a float,
/// `""`), each set alone on `T::default()`.
fn probe<T: ToSchema + DeserializeOwned + Serialize + Default>() -> (String, Vec<String>) {
    let name = T::name().into_owned();
    let (Ok(Value::Object(base)), RefOr::T(Schema::Object(schema))) =
        (serde_json::to_value(T::default()), T::schema())
    else {
        return (name, Vec::new());
    };
    let mut spellings: Vec<Value> = vec!["".into()];
    for (word, _) in lenient::BOOL_WORDS {
        spellings.push(word.to_ascii_uppercase().into());
    }
    for (n, _) in lenient::BOOL_NUMBERS {
        spellings.extend([Value::from(n), Value::from(f64::from(n))]);
    }
    let members = schema
        .properties
        .iter()
        .filter(|(_, p)| is_boolean(p))
        .map(|(member, _)| member)
        .filter(|member| {
            spellings.iter().all(|v| {
                let mut body = base.clone();
                body.insert((*member).clone(), v.clone());
                serde_json::from_value::<T>(Value::Object(body)).is_ok()
            })
        })
        .cloned()
        .collect();
    (name, members)
}

fn is_boolean(p: &RefOr<Schema>) -> bool {
    match p {
        RefOr::T(Schema::Object(o)) => match &o.schema_type {
            SchemaType::Type(t) => *t == Type::Boolean,
            SchemaType::Array(ts) => ts.contains(&Type::Boolean),
            SchemaType::AnyValue => false,
        },
        _ => false,
    }
}

/// The component the lenient members of the `…Write` twins name.
pub(super) const LENIENT_BOOL: &str = "LenientBool";

/// The name of the request-body twin of a schema.
pub(super) fn write_name(name: &str) -> String {
    format!("{name}Write")
}

/// Adds the `…Write` twins (after every other change to the components, which they keep) and
/// points the request bodies at them.
pub(super) fn apply(api: &mut OpenApi) {
    let Some(components) = api.components.as_mut() else {
        return;
    };
    components
        .schemas
        .insert(LENIENT_BOOL.into(), RefOr::T(lenient::opt_bool_schema()));
    let mut twinned = Vec::new();
    for (name, members) in probed() {
        let Some(RefOr::T(Schema::Object(mut o))) = components.schemas.get(&name).cloned() else {
            continue;
        };
        if members.is_empty() {
            continue;
        }
        for member in &members {
            let Some(RefOr::T(Schema::Object(p))) = o.properties.get(member) else {
                continue;
            };
            let mut r = Ref::from_schema_name(LENIENT_BOOL);
            r.description = p.description.clone().unwrap_or_default();
            o.properties.insert(member.clone(), RefOr::Ref(r));
        }
        components
            .schemas
            .insert(write_name(&name), RefOr::T(Schema::Object(o)));
        twinned.push(name);
    }
    for item in api.paths.paths.values_mut() {
        for (_, op) in super::operations_mut(item) {
            let Some(body) = op.request_body.as_mut() else {
                continue;
            };
            for content in body.content.values_mut() {
                let Some(RefOr::Ref(r)) = content.schema.as_mut() else {
                    continue;
                };
                let Some(name) = r.ref_location.rsplit('/').next() else {
                    continue;
                };
                if twinned.iter().any(|t| t == name) {
                    *r = Ref::from_schema_name(write_name(name));
                }
            }
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use serde_json::json;

    pub(in crate::openapi) fn component<'a>(doc: &'a Value, name: &str) -> &'a Value {
        &doc["components"]["schemas"][name]
    }

    /// The object schemas of a component: itself, or the branches of its `oneOf`/`anyOf`.
    pub(in crate::openapi) fn objects<'a>(doc: &'a Value, name: &str) -> Vec<&'a Value> {
        let schema = component(doc, name);
        let branches = schema["oneOf"].as_array().or(schema["anyOf"].as_array());
        match branches {
            None => vec![schema],
            Some(items) => items
                .iter()
                .map(
                    |i| match i["$ref"].as_str().and_then(|r| r.rsplit('/').next()) {
                        Some(n) => component(doc, n),
                        None => i,
                    },
                )
                .collect(),
        }
    }

    /// The schema name a content's `$ref` names.
    pub(in crate::openapi) fn named(content: &Value) -> &str {
        content["schema"]["$ref"]
            .as_str()
            .and_then(|r| r.rsplit('/').next())
            .unwrap_or_default()
    }

    /// Every member read with `lenient::opt_bool` (as grep finds them in `ias.rs`) is found by
    /// the probe, and no other; the request bodies of their routes name the `…Write` twin,
    /// where they take the lenient schema, and the answers keep the plain boolean.
    #[test]
    fn lenient_booleans_are_described_in_request_bodies_only() {
        let found: Vec<(String, Vec<String>)> = probed()
            .into_iter()
            .filter(|(_, m)| !m.is_empty())
            .collect();
        let want = [
            ("Target", vec!["enabled", "archived"]),
            ("File", vec!["locked"]),
            (
                "AttackTemplate",
                vec![
                    "system_defined",
                    "browser_encoding_enabled",
                    "advanced_attacks_enabled",
                ],
            ),
            ("AttackModule", vec!["enabled"]),
            (
                "Engine",
                vec!["latest_version", "upgradeable", "auto_upgrade"],
            ),
            ("ScanConfig", vec!["incremental"]),
            ("Vulnerability", vec!["newly_discovered"]),
            ("Schedule", vec!["enabled"]),
            ("Blackout", vec!["enabled"]),
        ];
        let want: Vec<(String, Vec<String>)> = want
            .iter()
            .map(|(n, m)| (n.to_string(), m.iter().map(|m| m.to_string()).collect()))
            .collect();
        assert_eq!(found, want);

        let doc = serde_json::to_value(super::super::openapi()).expect("json");
        let lenient = serde_json::to_value(lenient::opt_bool_schema()).expect("json");
        for (name, members) in &found {
            // What `write` makes a request give (or ties to another member) it says itself.
            let given = super::super::write::members(name);
            let plain = component(&doc, name);
            for write in objects(&doc, &write_name(name)) {
                for (member, p) in plain["properties"].as_object().expect("properties") {
                    let w = &write["properties"][member];
                    if members.contains(member) {
                        let want = if given.contains(&member.as_str()) {
                            super::super::write::GIVEN_BOOL
                        } else {
                            LENIENT_BOOL
                        };
                        assert_eq!(
                            w["$ref"],
                            format!("#/components/schemas/{want}"),
                            "{name}Write.{member}"
                        );
                        assert_eq!(p["type"], json!(["boolean", "null"]), "{name}.{member}");
                    } else if !given.contains(&member.as_str())
                        && (name.as_str(), member.as_str()) != ("Target", "domain")
                    {
                        // (A target's `domain` is read as typed: `openapi::write_only`.)
                        assert_eq!(w, p, "{name}Write.{member} is {name}.{member}");
                    }
                }
            }
        }
        assert_eq!(component(&doc, LENIENT_BOOL), &lenient);
        // A member keeps its own words.
        for file in objects(&doc, "FileWrite") {
            assert_eq!(
                file["properties"]["locked"]["description"],
                "A locked file can be changed only by its owner."
            );
        }
        // The bodies name the twin, the answers (`GET` of the same resource) the plain schema.
        for (collection, name) in [
            ("/ias/v1/attack-templates", "AttackTemplate"),
            ("/ias/v1/engines", "Engine"),
            ("/ias/v1/targets", "Target"),
        ] {
            let one = format!("{collection}/{{id}}");
            for (path, method) in [(collection, "post"), (one.as_str(), "put")] {
                let body = &doc["paths"][path][method]["requestBody"]["content"];
                assert_eq!(
                    named(&body["application/json"]),
                    write_name(name),
                    "{method} {path}"
                );
            }
            let answer = &doc["paths"][&one]["get"]["responses"]["200"]["content"];
            assert_eq!(named(&answer["application/json"]), name, "get {one}");
        }
    }

    /// Every `/ias/v1` request body with a boolean member is probed, so that a new lenient
    /// member cannot go undocumented.
    #[test]
    fn every_ias_request_body_with_a_boolean_is_probed() {
        let doc = serde_json::to_value(super::super::openapi()).expect("json");
        let probed: Vec<String> = probed().into_iter().map(|(n, _)| n).collect();
        let mut seen = 0;
        for (path, item) in doc["paths"].as_object().expect("paths") {
            if !path.starts_with("/ias/v1/") {
                continue;
            }
            for (method, op) in item.as_object().expect("operations") {
                let Some(content) = op["requestBody"]["content"].as_object() else {
                    continue;
                };
                for c in content.values() {
                    let name = named(c);
                    let name = probed
                        .iter()
                        .find(|p| write_name(p) == name)
                        .map_or(name, String::as_str);
                    let booleans = objects(&doc, name).iter().any(|schema| {
                        schema["properties"].as_object().is_some_and(|p| {
                            p.values().any(|p| {
                                p["type"] == "boolean"
                                    || p["type"]
                                        .as_array()
                                        .is_some_and(|t| t.contains(&json!("boolean")))
                            })
                        })
                    });
                    if booleans {
                        seen += 1;
                        assert!(
                            probed.iter().any(|p| p == name),
                            "{method} {path}: {name} has a boolean member and is not probed"
                        );
                    }
                }
            }
        }
        assert!(seen >= 17, "{seen} bodies with a boolean member");
    }
}
