//! Parsing and type checking: every client query of §4.4, the official examples, errors.

use rampart_query::{parse_query, ResourceType};

const A: &str = "12345678-1234-1234-1234-123456789012";

/// Every query string real clients build (§4.4) and the official examples (§4.2), with
/// placeholders filled in.
pub fn client_queries() -> Vec<(ResourceType, String)> {
    use ResourceType::*;
    let s = |t, q: &str| (t, q.replace("{id}", A));
    vec![
        s(App, "app.name='Alpha Production'"),
        s(AttackTemplate, "attacktemplate.name='All Modules'"),
        s(EngineGroup, "enginegroup.name='Working Engines'"),
        s(Target, "target.domain='example.com'"),
        s(ScanConfig, "scanconfig.name='Weekly Scan'&&scanconfig.app.id='{id}'"),
        s(Vulnerability, "vulnerability.scans.id='{id}'"),
        s(ScanConfig, "scanconfig.name='Weekly Scan'"),
        s(Scan, "scan.app.id='{id}'&&scan.scan_config.id='{id}'"),
        s(ScanConfig, "scanconfig.app.id='{id}'"),
        s(Vulnerability, "vulnerability.scans.id='{id}' && (vulnerability.severity='CRITICAL' || vulnerability.severity='HIGH')"),
        s(Vulnerability, "vulnerability.scans.id='{id}' && (vulnerability.vulnerabilityScore > 4)"),
        s(App, "app.id='{id}'"),
        s(ScanConfig, "scanconfig.name='Weekly Scan' && scanconfig.app.id='{id}'"),
        s(ScanConfig, "scanconfig.id='{id}' && scanconfig.app.id='{id}'"),
        s(Vulnerability, "vulnerability.scans.id='{id}'&&vulnerability.severity='HIGH'"),
        s(ScanConfig, "scanconfig.app.id='{id}' && scanconfig.name='Weekly Scan'"),
        s(Vulnerability, "vulnerability.scans.id='{id}' && vulnerability.status='UNREVIEWED'"),
        s(App, "app.name LIKE '.*'"),
        s(Scan, "scan.app.id='{id}'"),
        s(Vulnerability, "vulnerability.first_discovered BETWEEN '2023-03-20T14:29:10.686575+00:00' AND '2023-03-21T00:00:00.000000+00:00'"),
        s(Scan, "scan.app.id = '{id}' && scan.status = 'COMPLETE'"),
        s(Vulnerability, "vulnerability.app.id = '{id}' && vulnerability.scans.id = '{id}'"),
        // §4.2 official examples.
        s(App, "app.name CONTAINS 'production' && app.description LIKE '.*(South|North) America.*'"),
        s(ScanConfig, "scanconfig.name = 'Weekly Scan' && scanconfig.app.id = '{id}'"),
        s(Scan, "scan.status = 'COMPLETE' || scan.status = 'FAILED' && scan.completion_time BETWEEN '2018-11-01T00:00:00' AND '2018-12-1T00:00:00'"),
        s(Vulnerability, "vulnerability.severity = 'HIGH' && vulnerability.app.id = '{id}'"),
        s(AttackTemplate, "attacktemplate.system_defined = 'true' && attacktemplate.name = 'Crawl Only'"),
        s(Target, "target.enabled = 'false'"),
        // Fields used by clients but absent from the catalogue (§4.1, §10.4).
        s(Vulnerability, "vulnerability.vulnerabilityScore > 4"),
        s(Vulnerability, "vulnerability.vulnerability_score >= '4.5'"),
        s(Vulnerability, "vulnerability.app.name CONTAINS 'Weekly'"),
    ]
}

/// Asserts that `input` is accepted (`Ok(())`) or rejected with an error at `pos` whose
/// entries name `context` and mention `needle`.
fn check(ty: ResourceType, input: &str, expect: Result<(), (usize, &str, &str)>) {
    let got = parse_query(ty, input);
    match (got, expect) {
        (Ok(q), Ok(())) => {
            let again = parse_query(ty, &q.to_string())
                .unwrap_or_else(|e| panic!("normal form of {input:?} does not parse: {e}"));
            assert_eq!(
                again.root(),
                q.root(),
                "normal form of {input:?} changed meaning"
            );
        }
        (Err(e), Err((pos, context, needle))) => {
            assert_eq!(e.position, pos, "position for {input:?}: {e}");
            assert!(
                e.errors
                    .iter()
                    .any(|f| f.context == context && f.explanation.contains(needle)),
                "errors for {input:?} lack ({context}, {needle}): {:?}",
                e.errors
            );
        }
        (Ok(_), Err(want)) => panic!("{input:?} parsed, expected error {want:?}"),
        (Err(e), Ok(())) => panic!("{input:?} rejected: {e} {:?}", e.errors),
    }
}

#[test]
fn every_client_query_parses() {
    for (ty, q) in client_queries() {
        check(ty, &q, Ok(()));
    }
}

#[test]
fn every_catalogue_field_is_searchable() {
    for ty in ResourceType::ALL {
        for f in rampart_query::catalogue::fields(ty) {
            check(ty, &format!("{} IS NOT NULL", f.name), Ok(()));
            assert!(f.name.starts_with(ty.prefix()), "{} outside {ty}", f.name);
        }
        assert_eq!(ResourceType::parse(ty.as_str()), Some(ty));
    }
    assert_eq!(
        ResourceType::parse("scan_config"),
        Some(ResourceType::ScanConfig)
    );
    assert_eq!(ResourceType::parse("SCANCONFIG"), None);
}

#[test]
fn lexical_forms() {
    use ResourceType::*;
    let ok = Ok(());
    check(App, "", ok);
    check(App, "   ", ok);
    check(App, "app.name='O''Reilly'", ok);
    check(App, "((app.name='a'))&&(app.name='b'||app.name='c')", ok);
    check(App, "app.name\t=\n'x'", ok);
    check(
        App,
        "app.description IS NULL || app.description IS NOT NULL",
        ok,
    );
    check(
        App,
        "app.name STARTS WITH 'A' && app.name ENDS WITH 'n'",
        ok,
    );
    check(App, "app.name BETWEEN 'a' AND 'm'", ok);
    check(
        Vulnerability,
        "vulnerability.severity BETWEEN 'LOW' AND 'HIGH'",
        ok,
    );
    check(Vulnerability, "vulnerability.newly_discovered = true", ok);
    check(
        Vulnerability,
        "vulnerability.vulnerability_score < -1.5",
        ok,
    );
    check(Scan, "scan.submit_time > '2018-11-01'", ok);
    check(
        App,
        "app.tags.name = 'pci' || app.tags.id = '12345678-1234-1234-1234-123456789012'",
        ok,
    );
    check(
        VulnerabilityDiscovery,
        "vulnerabilitydiscovery.discovered >= '2020-01-01T00:00:00Z'",
        ok,
    );
}

#[test]
fn syntax_errors_say_where_and_what() {
    use ResourceType::*;
    check(App, "app.name = \"x\"", Err((11, "query", "single quotes")));
    check(App, "app.name = 'x", Err((11, "query", "unterminated")));
    check(
        App,
        "app.name contains 'x'",
        Err((9, "query", "upper case")),
    );
    check(
        App,
        "app.name = 'x' AND app.id = 'y'",
        Err((15, "query", "`&&` and `||`")),
    );
    check(App, "app.name = 'x' &", Err((15, "query", "`&&`")));
    check(
        App,
        "app.name =",
        Err((10, "query", "found the end of the query")),
    );
    check(App, "(app.name = 'x'", Err((15, "query", "expected `)`")));
    check(
        App,
        "app.name = 'x')",
        Err((14, "query", "end of the query")),
    );
    check(App, "app.name IS 'x'", Err((12, "query", "NOT NULL")));
    check(App, "app.name STARTS 'x'", Err((16, "query", "`WITH`")));
    check(App, "app.name BETWEEN 'a' 'b'", Err((21, "query", "`AND`")));
    check(App, "= 'x'", Err((0, "query", "a field")));
    check(App, "app.name = x", Err((11, "query", "single quotes")));
    check(
        App,
        "app.name = 'é' ü",
        Err((16, "query", "unexpected character")),
    );
}

#[test]
fn type_errors_name_the_field() {
    use ResourceType::*;
    check(
        App,
        "app.nme = 'x'",
        Err((0, "app.nme", "known fields: app.id, app.name")),
    );
    check(
        App,
        "App.Name = 'x'",
        Err((0, "App.Name", "did you mean app.name")),
    );
    check(
        Scan,
        "scan.app.id = 'not-a-uuid'",
        Err((14, "scan.app.id", "uuid")),
    );
    check(
        Scan,
        "scan.status = 'complete'",
        Err((14, "scan.status", "one of PENDING")),
    );
    check(
        Scan,
        "scan.status > 'COMPLETE'",
        Err((0, "scan.status", "operator >")),
    );
    check(
        Target,
        "target.enabled = 'yes'",
        Err((17, "target.enabled", "'true' or 'false'")),
    );
    check(
        Vulnerability,
        "vulnerability.vulnerabilityScore > 'high'",
        Err((35, "vulnerability.vulnerabilityScore", "a number")),
    );
    check(
        Scan,
        "scan.submit_time > '2018-13-01'",
        Err((19, "scan.submit_time", "date-time")),
    );
    check(
        App,
        "app.name LIKE '(unclosed'",
        Err((14, "app.name", "regular expression")),
    );
    check(
        App,
        "app.name LIKE 'a)|(b'",
        Err((14, "app.name", "regular expression")),
    );
    check(App, "app.id CONTAINS 'x'", Err((0, "app.id", "CONTAINS")));
    check(App, "app.name = 'a\0b'", Err((11, "app.name", "NUL")));
    let other = "report.name = 'x' || vulnerability.app.name CONTAINS 'Weekly'";
    check(
        Report,
        other,
        Err((21, "vulnerability.app.name", "unknown field")),
    );
    // Every problem is reported at once.
    let e = parse_query(App, "app.x = 'a' && app.y = 'b'").expect_err("two unknown fields");
    assert_eq!(e.errors.len(), 2, "{e:?}");
    assert_eq!(e.position, 0);
}

#[test]
fn hostile_inputs_fail_cleanly() {
    use std::time::{Duration, Instant};
    let started = Instant::now();
    let deep = format!("{}app.name='x'{}", "(".repeat(10_000), ")".repeat(10_000));
    let e = parse_query(ResourceType::App, &deep).expect_err("too deep");
    assert!(e.message.contains("nested deeper"), "{e}");
    let ok = format!("{}app.name='x'{}", "(".repeat(60), ")".repeat(60));
    check(ResourceType::App, &ok, Ok(()));
    let wide = vec!["app.name='x'"; 5000].join("||");
    let e = parse_query(ResourceType::App, &wide).expect_err("too many");
    assert!(e.message.contains("too many conditions"), "{e}");
    let big = format!("app.name='{}'", "a".repeat(1 << 20));
    parse_query(ResourceType::App, &big).expect("a 1 MB value is just a value");
    let huge = "a".repeat(5 << 20);
    assert!(parse_query(ResourceType::App, &huge).is_err());
    let quotes = "'".repeat((1 << 20) + 1);
    assert!(parse_query(ResourceType::App, &format!("app.name={quotes}")).is_err());
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
}
