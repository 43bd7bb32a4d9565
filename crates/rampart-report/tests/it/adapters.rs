//! The adapters: a local scan and server vulnerabilities become the same model, and the
//! confidence the engine reported survives both ways into every format.

use crate::fixture::report;
use rampart_api_types::ias::{
    AttackRef, IdRef, RootCause, Scan, ScanCoverage, Variance, Vulnerability,
};
use rampart_report::api::{self, ScanData};
use rampart_report::{render, Confidence, Format, LimitKind, Tool};
use std::collections::BTreeMap;
use uuid::Uuid;

fn variance(attack: &str, confidence: Option<&str>) -> Variance {
    let sqli = rampart_engine::module("sqli").expect("sqli is in the catalogue");
    Variance {
        id: Uuid::from_u128(7),
        original_value: None,
        original_exchange: None,
        module: IdRef { id: sqli.id.0 },
        attack: AttackRef { id: attack.into() },
        attack_value: Some("1'".into()),
        message: None,
        proof: Some("You have an error in your SQL syntax".into()),
        proof_description: None,
        confidence: confidence.map(String::from),
        references: BTreeMap::new(),
        attack_exchanges: vec![],
    }
}

fn vulnerability(n: u128, param: &str, variances: Vec<Variance>) -> Vulnerability {
    Vulnerability {
        id: Some(Uuid::from_u128(n)),
        root_cause: Some(RootCause {
            url: "http://shop.test/item?id=".into(),
            parameter: Some(param.into()),
            method: "GET".into(),
        }),
        severity: Some("HIGH".into()),
        variances,
        ..Default::default()
    }
}

fn scan(vulnerabilities: Vec<Vulnerability>) -> ScanData {
    ScanData {
        scan: Scan {
            id: Some(Uuid::from_u128(99)),
            status: Some("COMPLETE".into()),
            submit_time: Some("2026-01-02T03:04:05.000000".into()),
            completion_time: Some("2026-01-02T03:05:06.000000".into()),
            ..Default::default()
        },
        app: "shop".into(),
        config: "full".into(),
        template: "All Modules".into(),
        target: "http://shop.test/".into(),
        details: None,
        coverage: None,
        vulnerabilities,
    }
}

fn tool() -> Tool {
    Tool {
        name: "rampart".into(),
        version: "0.0.0-test".into(),
    }
}

#[test]
fn wire_confidences_map_to_the_engine_scale() {
    for (wire, want) in [
        ("LOW", Some(Confidence::Tentative)),
        ("tentative", Some(Confidence::Tentative)),
        ("MEDIUM", Some(Confidence::Firm)),
        ("HIGH", Some(Confidence::Firm)),
        ("CONFIRMED", Some(Confidence::Confirmed)),
        ("CERTAIN", Some(Confidence::Confirmed)),
        ("SURE", None),
    ] {
        assert_eq!(api::confidence(wire), want, "{wire}");
    }
}

#[test]
fn the_api_adapter_keeps_the_reported_confidence_in_every_format() {
    let data = scan(vec![
        vulnerability(1, "id", vec![variance("SQLI_01", Some("LOW"))]),
        vulnerability(
            2,
            "q",
            vec![
                variance("SQLI_01", Some("LOW")),
                variance("SQLI_02", Some("CONFIRMED")),
            ],
        ),
        // A server from before the field: no confidence on the wire.
        vulnerability(3, "p", vec![variance("SQLI_01", None)]),
    ]);
    let m = api::model(tool(), &[data], &BTreeMap::new());
    let by_param = |p: &str| {
        m.findings
            .iter()
            .find(|f| f.root_cause_parameter == p)
            .expect("finding")
    };
    assert_eq!(by_param("id").confidence, Confidence::Tentative);
    assert_eq!(
        by_param("id").variances[0].confidence,
        Confidence::Tentative
    );
    // The finding's confidence is its highest variance's, as the engine computes it.
    assert_eq!(by_param("q").confidence, Confidence::Confirmed);
    assert_eq!(by_param("q").variances[0].confidence, Confidence::Tentative);
    assert_eq!(by_param("p").confidence, Confidence::Firm);
    assert!(
        by_param("id").module.is_some(),
        "catalogue entry found by id"
    );

    let json: serde_json::Value = serde_json::from_str(&render(&m, Format::Json).unwrap()).unwrap();
    let conf: Vec<(&str, &str)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["root_cause_parameter"].as_str().unwrap(),
                f["confidence"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        conf,
        vec![("id", "TENTATIVE"), ("q", "CONFIRMED"), ("p", "FIRM")]
    );
    let csv = render(&m, Format::Csv).unwrap();
    assert!(
        csv.lines()
            .any(|l| l.contains(",TENTATIVE,") && l.contains(",id,")),
        "{csv}"
    );
    let sarif = render(&m, Format::Sarif).unwrap();
    assert!(sarif.contains("\"confidence\": \"TENTATIVE\""), "{sarif}");
    let md = render(&m, Format::Markdown).unwrap();
    assert!(md.contains("confidence Tentative"), "{md}");
}

#[test]
fn the_local_adapter_moves_findings_with_their_confidence_and_catalogue_entry() {
    let m = report();
    assert_eq!(m.findings.len(), 3);
    for f in &m.findings {
        assert_eq!(f.confidence, Confidence::Confirmed);
        assert_eq!(f.module.map(|x| x.key), Some(f.module_key.as_str()));
    }
    assert_eq!(m.summary.browser_crawl, "unavailable");
    assert_eq!(m.summary.progress.requests, 345);
}

#[test]
fn the_api_adapter_shows_the_limits_and_losses_the_engine_reported() {
    let coverage = |limit: &str, dropped: u64| ScanCoverage {
        limits_reached: vec![limit.into(), "not_a_limit".into()],
        limit_details: vec![format!("{limit}: what it left out")],
        dropped: [("request timed out".to_string(), dropped)].into(),
        abandoned: [("connection closed or broken".to_string(), 3)].into(),
    };
    let mut a = scan(vec![]);
    a.coverage = Some(coverage("max_requests", 2));
    let mut b = scan(vec![]);
    b.coverage = Some(coverage("max_per_pattern", 1));
    // Two scans in one report: limits once each, details kept, losses summed per reason.
    let m = api::model(tool(), &[a, b.clone()], &BTreeMap::new());
    assert_eq!(
        m.summary.limits_reached,
        [LimitKind::MaxRequests, LimitKind::MaxPerPattern]
    );
    assert_eq!(
        m.summary.limit_details,
        [
            "max_requests: what it left out",
            "max_per_pattern: what it left out"
        ]
    );
    assert_eq!(
        m.summary.dropped,
        [("request timed out".to_string(), 3)].into()
    );
    assert_eq!(
        m.summary.abandoned,
        [("connection closed or broken".to_string(), 6)].into()
    );
    let one = api::model(tool(), &[b], &BTreeMap::new());
    let json: serde_json::Value =
        serde_json::from_str(&render(&one, Format::Json).unwrap()).unwrap();
    assert_eq!(
        json["limits_reached"],
        serde_json::json!(["max_per_pattern"])
    );
    assert_eq!(json["dropped"]["request timed out"], 1);
    let html = render(&one, Format::Html).unwrap();
    for want in [
        "max_per_pattern: what it left out",
        "1 (request timed out)",
        "3 (connection closed or broken)",
    ] {
        assert!(html.contains(want), "{want:?} missing from:\n{html}");
    }
    // A scan whose engine reported nothing: nothing said.
    let none = api::model(tool(), &[scan(vec![])], &BTreeMap::new());
    assert!(none.losses().is_empty() && none.summary.limits_reached.is_empty());
}
