//! A JSON document read in one pass and split in two: the elements of its big arrays
//! (SARIF `runs[].results`, CycloneDX `components`…), each handed over on its own as soon
//! as it is read, and the rest (the envelope), returned with those arrays empty. Only one
//! element is held at a time, so memory follows the largest element, not the document.

use crate::IngestError;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;

/// Where a big array is: keys from the root, `*` for any array index.
pub(crate) type Spot = &'static [&'static str];

/// What a streamed element is given with: which spot, and its path from the root (keys and
/// indices, the element's own index last).
pub(crate) struct At<'p> {
    pub spot: usize,
    pub path: &'p [String],
    /// The document's top-level members read so far whose values are strings (what
    /// decides a schema version, e.g. CycloneDX `specVersion`).
    pub head: &'p Map<String, Value>,
}

impl At<'_> {
    /// The element's RFC 6901 pointer.
    pub fn pointer(&self) -> String {
        pointer(self.path)
    }

    /// The index at `depth` of the path (e.g. the run of a SARIF result), 0 if not one.
    pub fn index(&self, depth: usize) -> usize {
        self.path
            .get(depth)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }
}

/// The RFC 6901 pointer of a path.
pub(crate) fn pointer(path: &[String]) -> String {
    let mut out = String::new();
    for seg in path {
        out.push('/');
        if seg.contains(['~', '/']) {
            out.push_str(&seg.replace('~', "~0").replace('/', "~1"));
        } else {
            out.push_str(seg);
        }
    }
    out
}

type Each<'a> = dyn FnMut(At<'_>, Value) -> Result<(), IngestError> + 'a;

struct Ctx<'a> {
    spots: &'a [Spot],
    each: &'a mut Each<'a>,
    /// Where the reader is; left as it was when an error stops the read.
    path: Vec<String>,
    head: Map<String, Value>,
    /// The error `each` returned (serde carries only a message).
    failed: Option<IngestError>,
}

impl Ctx<'_> {
    fn spot(&self) -> Option<usize> {
        self.spots.iter().position(|s| {
            s.len() == self.path.len()
                && s.iter().zip(&self.path).all(|(want, seg)| {
                    *want == seg || (*want == "*" && seg.bytes().all(|b| b.is_ascii_digit()))
                })
        })
    }
}

/// Reads `reader`, calls `each` for every element of an array at one of `spots`, and
/// returns the envelope. The first error stops the read: `each`'s own, or a syntax error
/// with the pointer and the position where it was found.
pub(crate) fn split<'a, R: std::io::Read>(
    reader: R,
    spots: &'a [Spot],
    each: &'a mut Each<'a>,
) -> Result<Value, IngestError> {
    let mut ctx = Ctx {
        spots,
        each,
        path: Vec::new(),
        head: Map::new(),
        failed: None,
    };
    let mut de = serde_json::Deserializer::from_reader(reader);
    let value = Node(&mut ctx).deserialize(&mut de);
    let value = match value {
        Ok(v) => v,
        Err(e) => {
            return Err(ctx.failed.take().unwrap_or_else(|| IngestError {
                pointer: pointer(&ctx.path),
                line: e.line(),
                column: e.column(),
                message: crate::error::strip_position(&e.to_string()),
                expected: None,
            }))
        }
    };
    de.end().map_err(|e| IngestError {
        pointer: String::new(),
        line: e.line(),
        column: e.column(),
        message: "trailing characters after the document".into(),
        expected: None,
    })?;
    Ok(value)
}

/// The scalar visits of [`Node`] and [`Elements`]: a scalar is kept as it is.
macro_rules! scalars {
    () => {
        fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
            Ok(Value::Bool(v))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
            Ok(Value::from(v))
        }
        fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
            Ok(Value::from(v))
        }
        fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
            Ok(Value::from(v))
        }
        fn visit_str<E>(self, v: &str) -> Result<Value, E> {
            Ok(Value::String(v.to_owned()))
        }
        fn visit_string<E>(self, v: String) -> Result<Value, E> {
            Ok(Value::String(v))
        }
        fn visit_unit<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_none<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
    };
}

/// Any value; a map member at a spot is streamed.
struct Node<'c, 'a>(&'c mut Ctx<'a>);

impl<'de> DeserializeSeed<'de> for Node<'_, '_> {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_, '_> {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    scalars!();
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let ctx = self.0;
        let mut out = Vec::new();
        loop {
            ctx.path.push(out.len().to_string());
            match seq.next_element_seed(Node(&mut *ctx))? {
                Some(v) => out.push(v),
                None => break,
            }
            ctx.path.pop();
        }
        ctx.path.pop();
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let ctx = self.0;
        let root = ctx.path.is_empty();
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            ctx.path.push(key);
            let value = match ctx.spot() {
                Some(spot) => map.next_value_seed(Elements(&mut *ctx, spot))?,
                None => map.next_value_seed(Node(&mut *ctx))?,
            };
            let key = ctx.path.pop().unwrap_or_default();
            if root && value.is_string() {
                ctx.head.insert(key.clone(), value.clone());
            }
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

/// A big array: each element to `each`, an empty array in the envelope. Anything else
/// stays in the envelope as it is (the schema of the envelope judges it).
struct Elements<'c, 'a>(&'c mut Ctx<'a>, usize);

impl<'de> DeserializeSeed<'de> for Elements<'_, '_> {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Elements<'_, '_> {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array")
    }
    scalars!();
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Value, A::Error> {
        Node(self.0).visit_map(map)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let Elements(ctx, spot) = self;
        let mut i = 0usize;
        loop {
            ctx.path.push(i.to_string());
            // Read through `Node` (not serde_json's own `Value`) so that a syntax error
            // inside the element is located inside it.
            let Some(v) = seq.next_element_seed(Node(&mut *ctx))? else {
                break;
            };
            let at = At {
                spot,
                path: &ctx.path,
                head: &ctx.head,
            };
            if let Err(e) = (ctx.each)(at, v) {
                let message = e.message.clone();
                ctx.failed = Some(e);
                return Err(de::Error::custom(message));
            }
            ctx.path.pop();
            i += 1;
        }
        ctx.path.pop();
        Ok(Value::Array(Vec::new()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_and_elements() {
        let doc = br#"{"a": 1, "runs": [{"tool": "t", "results": [{"x": 1}, {"x": 2}]},
            {"results": [{"x": 3}]}], "z": [1, 2]}"#;
        let mut seen = Vec::new();
        let mut each = |at: At<'_>, v: Value| {
            seen.push((at.pointer(), at.index(1), v));
            Ok(())
        };
        let env = split(&doc[..], &[&["runs", "*", "results"]], &mut each).unwrap();
        assert_eq!(
            env,
            serde_json::json!({"a": 1, "runs": [{"tool": "t", "results": []}, {"results": []}], "z": [1, 2]})
        );
        let want = [
            ("/runs/0/results/0", 0, 1),
            ("/runs/0/results/1", 0, 2),
            ("/runs/1/results/0", 1, 3),
        ];
        assert_eq!(seen.len(), 3);
        for ((p, run, v), (wp, wrun, wx)) in seen.iter().zip(want) {
            assert_eq!((p.as_str(), *run, v["x"].as_i64()), (wp, wrun, Some(wx)));
        }
    }

    #[test]
    fn errors_name_where_they_are() {
        let mut each = |at: At<'_>, v: Value| {
            if v["bad"].is_boolean() {
                Err(IngestError::document(format!("bad at {}", at.pointer())))
            } else {
                Ok(())
            }
        };
        let spots: &[Spot] = &[&["items"]];
        let e = split(&br#"{"items": [{}, {"bad": true}]}"#[..], spots, &mut each).unwrap_err();
        assert_eq!(e.message, "bad at /items/1");
        let mut none = |_: At<'_>, _: Value| Ok(());
        let e = split(&br#"{"a": {"b/c": [1, }"#[..], spots, &mut none).unwrap_err();
        assert_eq!(e.pointer, "/a/b~1c/1");
        assert_eq!(e.line, 1);
        let mut none = |_: At<'_>, _: Value| Ok(());
        let e = split(&br#"{"items": [{}, {"x": ]}"#[..], spots, &mut none).unwrap_err();
        assert_eq!(e.pointer, "/items/1/x");
    }
}
