//! The formats' official JSON schemas (vendored in `schemas/`, sources in its README),
//! compiled once per process: the whole schema for a document's envelope, and the
//! subschema of each streamed element (a SARIF `result`, a CycloneDX `component`,
//! `vulnerability` or `dependency`, an SPDX `package`, `file` or `relationship`), so a
//! document is checked in full without being held.

use crate::IngestError;
use jsonschema::{Resource, Validator};
use serde_json::{json, Value};
use std::sync::OnceLock;

/// A format's compiled schema: `root` for the envelope, `elements` in the order of the
/// parser's spots.
pub(crate) struct Schema {
    pub root: Validator,
    pub elements: Vec<Validator>,
}

impl Schema {
    /// `value` (found at `pointer` in the upload, made only if there is an error) against
    /// `v`: the first error, with the pointer of the offending value in the upload and what
    /// the schema expected.
    pub fn check(
        v: &Validator,
        pointer: impl FnOnce() -> String,
        value: &Value,
    ) -> Result<(), IngestError> {
        if v.is_valid(value) {
            return Ok(());
        }
        match v.validate(value) {
            Ok(()) => Ok(()),
            Err(e) => Err(IngestError {
                pointer: format!("{}{}", pointer(), e.instance_path.as_str()),
                message: format!("{} (schema {})", shorten(&e.to_string()), e.schema_path),
                line: 0,
                column: 0,
                expected: Some(e.schema_path.to_string()),
            }),
        }
    }
}

/// A message quotes the offending value, which may be a whole object: keep it readable.
fn shorten(s: &str) -> String {
    const MAX: usize = 300;
    if s.len() <= MAX {
        return s.to_string();
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

const SARIF: &str = include_str!("../schemas/sarif-schema-2.1.0.json");
const SARIF_ID: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const CDX_BASE: &str = "http://cyclonedx.org/schema/";
const CDX_14: &str = include_str!("../schemas/bom-1.4.SNAPSHOT.schema.json");
const CDX_15: &str = include_str!("../schemas/bom-1.5.SNAPSHOT.schema.json");
const CDX_16: &str = include_str!("../schemas/bom-1.6.SNAPSHOT.schema.json");
const SPDX_IDS: &str = include_str!("../schemas/spdx.SNAPSHOT.schema.json");
const JSF: &str = include_str!("../schemas/jsf-0.82.SNAPSHOT.schema.json");
const SPDX_23: &str = include_str!("../schemas/spdx-schema-2.3.json");
const SPDX_23_ID: &str = "http://spdx.org/rdf/terms/2.3";

/// SARIF 2.1.0; elements: `result`.
pub(crate) fn sarif() -> Result<&'static Schema, IngestError> {
    static S: OnceLock<Result<Schema, String>> = OnceLock::new();
    S.get_or_init(|| compile(SARIF_ID, SARIF, &[], &["/definitions/result"]))
        .as_ref()
        .map_err(|e| broken("SARIF 2.1.0", e))
}

/// CycloneDX `version` (1.4, 1.5 or 1.6; None for another); elements: `component`,
/// `vulnerability`, `dependency`.
pub(crate) fn cyclonedx(version: &str) -> Option<Result<&'static Schema, IngestError>> {
    static S: [OnceLock<Result<Schema, String>>; 3] =
        [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let (i, text) = match version {
        "1.4" => (0, CDX_14),
        "1.5" => (1, CDX_15),
        "1.6" => (2, CDX_16),
        _ => return None,
    };
    let id = format!("{CDX_BASE}bom-{version}.schema.json");
    let shared = [
        (format!("{CDX_BASE}spdx.SNAPSHOT.schema.json"), SPDX_IDS),
        (format!("{CDX_BASE}jsf-0.82.SNAPSHOT.schema.json"), JSF),
    ];
    Some(
        S[i].get_or_init(|| {
            compile(
                &id,
                text,
                &shared,
                &[
                    "/definitions/component",
                    "/definitions/vulnerability",
                    "/definitions/dependency",
                ],
            )
        })
        .as_ref()
        .map_err(|e| broken(&format!("CycloneDX {version}"), e)),
    )
}

/// SPDX 2.3; elements: an item of `packages`, of `files`, of `relationships` (the
/// schema defines them in place, not under `definitions`).
pub(crate) fn spdx_23() -> Result<&'static Schema, IngestError> {
    static S: OnceLock<Result<Schema, String>> = OnceLock::new();
    S.get_or_init(|| {
        compile(
            SPDX_23_ID,
            SPDX_23,
            &[],
            &[
                "/properties/packages/items",
                "/properties/files/items",
                "/properties/relationships/items",
            ],
        )
    })
    .as_ref()
    .map_err(|e| broken("SPDX 2.3", e))
}

fn broken(name: &str, e: &str) -> IngestError {
    IngestError::document(format!(
        "the {name} schema could not be compiled ({e}): report this to the server's operator"
    ))
}

/// The schema `text` (whose id is `id`) and the resources it references, compiled whole
/// and at each of `elements` (JSON pointers into the schema: `/definitions/result`).
fn compile(
    id: &str,
    text: &str,
    shared: &[(String, &str)],
    elements: &[&str],
) -> Result<Schema, String> {
    let parse = |t: &str| serde_json::from_str::<Value>(t).map_err(|e| e.to_string());
    let mut options = jsonschema::options();
    let resource = |v: Value| Resource::from_contents(v).map_err(|e| e.to_string());
    options.with_resource(id, resource(parse(text)?)?);
    for (uri, t) in shared {
        options.with_resource(uri.clone(), resource(parse(t)?)?);
    }
    let build = |schema: &Value| options.build(schema).map_err(|e| e.to_string());
    let root = build(&json!({ "$ref": id }))?;
    let elements = elements
        .iter()
        .map(|at| build(&json!({ "$ref": format!("{id}#{at}") })))
        .collect::<Result<_, _>>()?;
    Ok(Schema { root, elements })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_compiles() {
        assert_eq!(sarif().map(|s| s.elements.len()).ok(), Some(1));
        for v in ["1.4", "1.5", "1.6"] {
            let s = cyclonedx(v).and_then(Result::ok).map(|s| s.elements.len());
            assert_eq!(s, Some(3), "CycloneDX {v}");
        }
        assert!(cyclonedx("1.3").is_none());
        assert_eq!(spdx_23().map(|s| s.elements.len()).ok(), Some(3));
    }

    #[test]
    fn an_error_names_the_value_and_the_rule() {
        let s = sarif().ok().map(|s| &s.elements[0]);
        let result = json!({"message": {"text": "m"}, "level": "warn"});
        let e = s
            .map(|v| Schema::check(v, || "/runs/0/results/7".into(), &result))
            .and_then(Result::err);
        let e = e.map(|e| (e.pointer, e.expected.unwrap_or_default()));
        let (pointer, expected) = e.unwrap_or_default();
        assert_eq!(pointer, "/runs/0/results/7/level");
        assert!(expected.ends_with("/level/enum"), "{expected}");
    }
}
