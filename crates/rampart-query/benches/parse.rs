//! Parse + type-check + compile time for every query shape real clients send (§4.4).

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use rampart_query::{compile, parse_query, Dialect, ResourceType};
use sea_query::{Alias, PostgresQueryBuilder};

const ID: &str = "12345678-1234-1234-1234-123456789012";

fn queries() -> Vec<(&'static str, ResourceType, String)> {
    use ResourceType::*;
    let q = |name, ty, text: &str| (name, ty, text.replace("{id}", ID));
    vec![
        q("ex_app_name", App, "app.name='My App'"),
        q("ex_attack_template", AttackTemplate, "attacktemplate.name='All Modules'"),
        q("ex_engine_group", EngineGroup, "enginegroup.name='Working Engines'"),
        q("ex_target", Target, "target.domain='example.com'"),
        q("ex_scanconfig_app", ScanConfig, "scanconfig.name='Weekly Scan'&&scanconfig.app.id='{id}'"),
        q("vuln_scans_id", Vulnerability, "vulnerability.scans.id='{id}'"),
        q("ex_scan_app_config", Scan, "scan.app.id='{id}'&&scan.scan_config.id='{id}'"),
        q("jenkins_user_query", Vulnerability, "vulnerability.scans.id='{id}' && (vulnerability.severity='CRITICAL' || vulnerability.severity='HIGH')"),
        q("gha_score", Vulnerability, "vulnerability.scans.id='{id}' && (vulnerability.vulnerabilityScore > 4)"),
        q("azdo_app_id", App, "app.id='{id}'"),
        q("azdo_config_pair", ScanConfig, "scanconfig.id='{id}' && scanconfig.app.id='{id}'"),
        q("tf_like", App, "app.name LIKE '.*'"),
        q("icon_between", Vulnerability, "vulnerability.first_discovered BETWEEN '2023-03-20T14:29:10.686575+00:00' AND '2023-03-21T14:29:10.686575+00:00'"),
        q("third_party_scan", Scan, "scan.app.id = '{id}' && scan.status = 'COMPLETE'"),
        q("third_party_vuln", Vulnerability, "vulnerability.app.id = '{id}' && vulnerability.scans.id = '{id}'"),
        q("spec_like_regex", App, "app.name CONTAINS 'production' && app.description LIKE '.*(South|North) America.*'"),
        q("spec_precedence", Scan, "scan.status = 'COMPLETE' || scan.status = 'FAILED' && scan.completion_time BETWEEN '2018-11-01T00:00:00' AND '2018-12-1T00:00:00'"),
    ]
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse_compile");
    for (name, ty, text) in queries() {
        group.bench_function(name, |b| {
            b.iter(|| {
                let q = parse_query(ty, black_box(&text)).expect("valid query");
                black_box(compile(&q, Dialect::Postgres))
            })
        });
    }
    group.finish();
    let (_, ty, text) = &queries()[7];
    c.bench_function("parse_compile_render/jenkins_user_query", |b| {
        b.iter(|| {
            let q = parse_query(*ty, black_box(text)).expect("valid query");
            let sel = sea_query::Query::select()
                .column((Alias::new(ty.table()), Alias::new("id")))
                .from(Alias::new(ty.table()))
                .and_where(compile(&q, Dialect::Postgres))
                .to_owned();
            black_box(sel.build(PostgresQueryBuilder))
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
