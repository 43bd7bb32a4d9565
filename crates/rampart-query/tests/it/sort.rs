//! The `sort` parameter: parsing, and the order it produces on both databases.

use crate::db::Db;
use crate::exec::select;
use crate::fixture::{fixture, ORG_A};
use rampart_query::{parse_sort, ResourceType};

fn check(ty: ResourceType, input: &str, expect: Result<&[(&str, bool)], &str>) {
    let got = parse_sort(ty, input);
    match (got, expect) {
        (Ok(keys), Ok(want)) => {
            let got: Vec<(&str, bool)> = keys
                .iter()
                .map(|k| (k.field_name(), k.descending()))
                .collect();
            assert_eq!(got, want, "sort {input:?}");
        }
        (Err(e), Err(needle)) => assert!(
            e.errors.iter().any(|f| f.explanation.contains(needle)),
            "sort {input:?}: {e:?} lacks {needle}"
        ),
        (got, want) => panic!("sort {input:?}: got {got:?}, want {want:?}"),
    }
}

#[test]
fn sort_parameters_parse() {
    use ResourceType::*;
    check(
        App,
        "app.name,ASC,app.id",
        Ok(&[("app.name", false), ("app.id", false)]),
    );
    check(
        Scan,
        "scan.submit_time,DESC",
        Ok(&[("scan.submit_time", true)]),
    );
    check(
        Scan,
        "scan.submit_time,DESC,scan.status",
        Ok(&[("scan.submit_time", true), ("scan.status", false)]),
    );
    check(
        Scan,
        " scan.submit_time , desc ",
        Ok(&[("scan.submit_time", true)]),
    );
    check(App, "name,desc", Ok(&[("app.name", true)]));
    check(
        Report,
        "generatedDate,DESC",
        Ok(&[("report.generatedDate", true)]),
    );
    check(
        Vulnerability,
        "vulnerability.vulnerability_score,DESC",
        Ok(&[("vulnerability.vulnerability_score", true)]),
    );
    check(
        VulnerabilityDiscovery,
        "vulnerabilitydiscovery.discovered,DESC",
        Ok(&[("vulnerabilitydiscovery.discovered", true)]),
    );
    check(
        Scan,
        "",
        Ok(&[("scan.submit_time", true), ("scan.id", false)]),
    );
    check(
        Target,
        ",",
        Ok(&[("target.domain", false), ("target.id", false)]),
    );
    check(App, "DESC", Err("expected a field name"));
    check(App, "app.name,DESC,DESC", Err("expected a field name"));
    check(App, "app.nope", Err("unknown sort field app.nope"));
    check(App, "scan.submit_time", Err("unknown sort field"));
    for ty in ResourceType::ALL {
        let keys = ty.default_sort();
        assert_eq!(keys.len(), 2, "{ty}");
        assert_eq!(keys[1], ty.id_sort_key());
        let text: Vec<String> = keys.iter().map(|k| k.to_param()).collect();
        assert_eq!(parse_sort(ty, &text.join(",")).ok(), Some(keys), "{ty}");
        for f in rampart_query::catalogue::fields(ty) {
            assert!(parse_sort(ty, f.name).is_ok(), "{}", f.name);
        }
    }
}

type SortCase = (ResourceType, &'static str, &'static [&'static str]);

const SORTS: &[SortCase] = {
    use ResourceType::*;
    &[
        (
            Vulnerability,
            "vulnerability.severity,DESC,vulnerability.vulnerability_score,DESC",
            &["v-crit", "v-high", "v-med", "v-four", "v-low"],
        ),
        (
            Vulnerability,
            "vulnerability.vulnerabilityScore,ASC",
            &["v-low", "v-four", "v-high", "v-crit", "v-med"],
        ),
        (
            Vulnerability,
            "vulnerability.vulnerabilityScore,DESC",
            &["v-med", "v-crit", "v-high", "v-four", "v-low"],
        ),
        (
            Vulnerability,
            "vulnerability.discoveries.discovered,DESC",
            &["v-four", "v-low", "v-high", "v-crit", "v-med"],
        ),
        (
            Vulnerability,
            "vulnerability.discoveries.discovered",
            &["v-med", "v-high", "v-crit", "v-low", "v-four"],
        ),
        (
            Scan,
            "scan.submit_time,DESC",
            &["scan-6", "scan-3", "scan-2", "scan-1", "scan-5", "scan-4"],
        ),
        (
            Scan,
            "scan.completion_time,desc,scan.submit_time",
            &["scan-3", "scan-6", "scan-4", "scan-2", "scan-1", "scan-5"],
        ),
        (
            Engine,
            "engine.engine_group.name,ASC,engine.name",
            &["e-3", "e-1", "e-2"],
        ),
        (Report, "", &["r-2", "r-1"]),
        (
            Target,
            "target.enabled,DESC,target.domain",
            &["t-3", "t-1", "t-2"],
        ),
        (
            App,
            "app.name,DESC",
            &["app-beta", "app-oreilly", "app-alpha"],
        ),
    ]
};

async fn run_sorts(db: &mut Db) -> Vec<String> {
    let names = fixture(db).await;
    let mut failures = Vec::new();
    for (ty, sort, expected) in SORTS {
        let keys = parse_sort(*ty, sort).expect("valid sort");
        let mut sel = select(*ty, sea_query::Expr::cust("1 = 1"), Some(ORG_A));
        for k in keys {
            k.apply(&mut sel, db.dialect());
        }
        match db.ids(&sel).await {
            Ok(ids) => {
                let got: Vec<String> = ids.iter().map(|i| names.label(i)).collect();
                if got != *expected {
                    failures.push(format!(
                        "{:?} {sort}: got {got:?}, want {expected:?}",
                        db.dialect()
                    ));
                }
            }
            Err(e) => failures.push(format!("{:?} {sort}: {e}", db.dialect())),
        }
    }
    failures
}

#[tokio::test]
async fn sqlite_sorts_as_documented() {
    let mut db = Db::sqlite().await;
    let failures = run_sorts(&mut db).await;
    db.close().await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn postgres_sorts_as_documented() {
    let Some(mut db) = Db::postgres("sort").await else {
        return;
    };
    let failures = run_sorts(&mut db).await;
    db.close().await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
