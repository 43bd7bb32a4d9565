//! The importers over real tool outputs and over broken documents.

use rampart_domain::{PlusStatus, Severity};
use rampart_ingest::{parse, Format};

fn fixture(name: &str) -> std::fs::File {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::File::open(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn bandit_sarif() {
    let r = parse(Format::Sarif, fixture("bandit.sarif")).unwrap();
    assert_eq!(r.tools, vec!["Bandit".to_string()]);
    assert_eq!(r.findings.len(), 7);
    let shell = r
        .findings
        .iter()
        .find(|f| f.rule_id == "B602")
        .expect("the shell=True call");
    assert_eq!(shell.severity, Severity::High);
    assert_eq!(shell.cwe.as_deref(), Some("CWE-78"));
    assert!(shell
        .location
        .as_deref()
        .unwrap()
        .starts_with("vulnerable.py:"));
    let mut fps: Vec<&str> = r.findings.iter().map(|f| f.fingerprint.as_str()).collect();
    fps.sort();
    fps.dedup();
    assert_eq!(fps.len(), 7, "fingerprints are unique within the upload");
    let again = parse(Format::Sarif, fixture("bandit.sarif")).unwrap();
    assert_eq!(r, again, "the same document gives the same fingerprints");
}

#[test]
fn cyclonedx_sbom_and_vex() {
    let sbom = parse(Format::CycloneDx, fixture("cyclonedx-py.cdx.json")).unwrap();
    assert_eq!(sbom.tools, vec!["cyclonedx-py".to_string()]);
    assert!(sbom.findings.is_empty());
    let vex = parse(Format::CycloneDx, fixture("vex.cdx.json")).unwrap();
    let got: Vec<(&str, &str, Severity, Option<PlusStatus>)> = vex
        .findings
        .iter()
        .map(|f| {
            (
                f.rule_id.as_str(),
                f.location.as_deref().unwrap(),
                f.severity,
                f.status,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "CVE-2018-1000656",
                "pkg:pypi/flask@0.12.2",
                Severity::High,
                None
            ),
            (
                "CVE-2018-18074",
                "pkg:pypi/requests@2.19.0",
                Severity::Critical,
                Some(PlusStatus::Accepted)
            ),
            (
                "CVE-2019-10906",
                "pkg:pypi/jinja2@2.10",
                Severity::High,
                Some(PlusStatus::InProgress)
            ),
        ]
    );
    assert_eq!(vex.findings[0].cwe.as_deref(), Some("CWE-20"));
    assert_eq!(vex.findings[0].cve.as_deref(), Some("CVE-2018-1000656"));
}

/// The XML encoding of a BOM gives exactly the findings of its JSON encoding (the XML files
/// were converted from the JSON ones by cyclonedx-python-lib, see the fixtures' README).
#[test]
fn cyclonedx_xml_matches_json() {
    let sbom = parse(Format::CycloneDx, fixture("cyclonedx-py.cdx.xml")).unwrap();
    assert_eq!(sbom.tools, vec!["cyclonedx-py".to_string()]);
    assert!(sbom.findings.is_empty());
    let xml = parse(Format::CycloneDx, fixture("vex.cdx.xml")).unwrap();
    let json = parse(Format::CycloneDx, fixture("vex.cdx.json")).unwrap();
    assert_eq!(xml.findings.len(), 3);
    assert_eq!(xml, json);
}

#[test]
fn spdx_sbom_and_advisories() {
    let sbom = parse(Format::Spdx, fixture("npm.spdx.json")).unwrap();
    assert_eq!(sbom.tools, vec!["npm/cli".to_string()]);
    assert!(sbom.findings.is_empty());
    let adv = parse(Format::Spdx, fixture("npm-advisories.spdx.json")).unwrap();
    let got: Vec<(&str, &str, Option<&str>)> = adv
        .findings
        .iter()
        .map(|f| {
            (
                f.rule_id.as_str(),
                f.location.as_deref().unwrap(),
                f.cve.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "CVE-2020-8203",
                "pkg:npm/lodash@4.17.15",
                Some("CVE-2020-8203")
            ),
            ("GHSA-35jh-r3h4-6jhm", "pkg:npm/lodash@4.17.15", None),
            (
                "CVE-2020-7598",
                "pkg:npm/minimist@1.2.0",
                Some("CVE-2020-7598")
            ),
            (
                "CVE-2021-44906",
                "pkg:npm/minimist@1.2.0",
                Some("CVE-2021-44906")
            ),
        ]
    );
    assert!(adv.findings[0]
        .remediation
        .as_deref()
        .unwrap()
        .contains("4.17.21"));
    assert!(adv.findings.iter().all(|f| f.severity == Severity::Medium));
    assert_eq!(
        adv,
        parse(Format::Spdx, fixture("npm-advisories.spdx.json")).unwrap()
    );
}

/// Broken documents: the first error's JSON pointer.
#[test]
fn first_error_locations() {
    let cases: &[(Format, &str, &str)] = &[
        (
            Format::Sarif,
            r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t"}},"results":[
               {"message":{"text":"a"}},{"message":{"text":"b"}},{"message":{"text":"c"}},
               {"ruleId":7,"message":{"text":"d"}}]}]}"#,
            "/runs/0/results/3/ruleId",
        ),
        (
            Format::Sarif,
            r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t"}},"results":[{"ruleId":"x"}]}]}"#,
            "/runs/0/results/0",
        ),
        (
            Format::Sarif,
            r#"{"version":"2.0.0","runs":[]}"#,
            "/version",
        ),
        (
            Format::Sarif,
            r#"{"version":"2.1.0","runs":[{}]}"#,
            "/runs/0",
        ),
        (Format::Sarif, r#"{"version":"2.1.0"}"#, ""),
        (
            Format::Sarif,
            r#"{"version":"2.1.0","runs":[{"tool":{"driver":{}}}]}"#,
            "/runs/0/tool/driver",
        ),
        (
            Format::Sarif,
            r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t"}},"results":[{"message":"#,
            "/runs/0/results/0/message",
        ),
        (
            Format::CycloneDx,
            r#"{"bomFormat":"CycloneDX","specVersion":"1.3"}"#,
            "/specVersion",
        ),
        (
            Format::CycloneDx,
            r#"{"bomFormat":"CycloneDX","specVersion":"1.5","vulnerabilities":[{"id":"x","affects":[{}]}]}"#,
            "/vulnerabilities/0/affects/0",
        ),
        (
            Format::CycloneDx,
            "\n <bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\"><components><component type=\"library\"><name>a</name></component><component type=\"library\"><version>1</version></component></components></bom>",
            "/bom/components/component[2]",
        ),
        (
            Format::CycloneDx,
            r#"<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><vulnerabilities><vulnerability><ratings><rating><score>x</score></rating></ratings></vulnerability></vulnerabilities></bom>"#,
            "/bom/vulnerabilities/vulnerability[1]/ratings/rating[1]/score",
        ),
        (
            Format::CycloneDx,
            r#"<sbom xmlns="http://cyclonedx.org/schema/bom/1.6"/>"#,
            "",
        ),
        (
            Format::Spdx,
            r#"{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","creationInfo":{"creators":[]},"packages":[{"SPDXID":"SPDXRef-a"}]}"#,
            "/packages/0",
        ),
        (
            Format::Spdx,
            r#"{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT"}"#,
            "",
        ),
    ];
    for (format, doc, pointer) in cases {
        let err = parse(*format, doc.as_bytes()).expect_err(doc);
        assert_eq!(err.pointer, *pointer, "{doc}: {err}");
        assert!(!err.message.is_empty());
    }
}

#[test]
fn skipped_kinds_and_suppressions() {
    let doc = r#"{"version":"2.1.0","runs":[{"results":[
        {"ruleId":"r1","kind":"pass","message":{"text":"fine"}},
        {"ruleId":"r2","level":"error","message":{"text":"bad"},
         "suppressions":[{"kind":"inSource"}]},
        {"ruleId":"r3","message":{"text":"meh"},
         "partialFingerprints":{"primaryLocationLineHash":"ab:1"}}],
        "tool":{"driver":{"name":"t","rules":[
          {"id":"r3","properties":{"security-severity":"9.1","tags":["CWE-89"]}}]}}}]}"#;
    let r = parse(Format::Sarif, doc.as_bytes()).unwrap();
    let got: Vec<(&str, Severity, Option<PlusStatus>)> = r
        .findings
        .iter()
        .map(|f| (f.rule_id.as_str(), f.severity, f.status))
        .collect();
    assert_eq!(
        got,
        vec![
            ("r2", Severity::High, Some(PlusStatus::Accepted)),
            ("r3", Severity::Critical, None),
        ]
    );
    assert_eq!(r.findings[1].cwe.as_deref(), Some("CWE-89"));
}
