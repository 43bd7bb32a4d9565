//! SARIF output validated against the official SARIF 2.1.0 schema, and fingerprint stability.

use crate::fixture::{big_report, report};
use rampart_report::{render, Format};
use serde_json::Value;

fn schema() -> jsonschema::Validator {
    let text = include_str!("fixtures/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(text).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn assert_valid(doc: &Value) {
    let v = schema();
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "sarif invalid: {errors:#?}");
}

#[test]
fn sarif_validates_against_the_2_1_0_schema() {
    for m in [report(), big_report(5)] {
        let doc: Value = serde_json::from_str(&render(&m, Format::Sarif).unwrap()).unwrap();
        assert_valid(&doc);
    }
    let mut empty = report();
    empty.findings.clear();
    let doc: Value = serde_json::from_str(&render(&empty, Format::Sarif).unwrap()).unwrap();
    assert_valid(&doc);
}

#[test]
fn the_schema_rejects_a_broken_document() {
    let doc = serde_json::json!({ "version": "9.9", "runs": [] });
    assert!(!schema().is_valid(&doc));
}

#[test]
fn fingerprints_are_stable_across_scans_and_rules_carry_cwe_and_help() {
    let a = report();
    let mut b = report();
    for f in &mut b.findings {
        f.id = uuid::Uuid::from_u128(f.id.as_u128() + 1000);
    }
    b.findings.reverse();
    let fp = |m| -> Vec<Value> {
        let doc: Value = serde_json::from_str(&render(m, Format::Sarif).unwrap()).unwrap();
        doc["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["partialFingerprints"].clone())
            .collect()
    };
    assert_eq!(fp(&a), fp(&b));
    let doc: Value = serde_json::from_str(&render(&a, Format::Sarif).unwrap()).unwrap();
    let rules = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert_eq!(rules.len(), 3);
    for r in rules {
        assert!(r["help"]["text"].as_str().unwrap().len() > 20);
        let tags = r["properties"]["tags"].as_array().unwrap();
        assert!(tags
            .iter()
            .any(|t| t.as_str().unwrap().starts_with("external/cwe/cwe-")));
    }
    let res = &doc["runs"][0]["results"][0];
    assert_eq!(res["webRequest"]["method"], "GET");
    assert_eq!(res["webResponse"]["statusCode"], 500);
}
