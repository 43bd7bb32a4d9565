//! What definition files add to a scan of the testbed's API area (requests, findings, time),
//! and what parsing and seeding a large OpenAPI document costs.
//! Run: `cargo bench -p rampart-engine --bench seeds`.

use rampart_engine::http::ReqwestTransport;
use rampart_engine::plan::{Definition, DefinitionKind, Modules};
use rampart_engine::scope::{MatchKind, RuleKind, ScopeRule};
use rampart_engine::seed::{self, openapi};
use rampart_engine::{Event, ScanPlan, Summary};
use rampart_testbed::{definitions, TestbedConfig};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use url::Url;

fn include(pattern: String) -> ScopeRule {
    ScopeRule {
        kind: RuleKind::Include,
        matcher: MatchKind::Wildcard,
        pattern,
        method: None,
    }
}

fn def(name: &str, kind: DefinitionKind, content: String, endpoint: Option<Url>) -> Definition {
    Definition {
        name: name.into(),
        kind,
        content: content.into_bytes(),
        endpoint,
        verb: None,
    }
}

async fn scan(base: &str, defs: Vec<Definition>) -> Summary {
    let mut plan = ScanPlan::for_url(Url::parse(&format!("{base}/api/v2/")).unwrap());
    plan.scope = vec![
        include(format!("{base}/api/v2/*")),
        include(format!("{base}/graphql*")),
    ];
    plan.modules = Modules::all();
    plan.limits.max_time_probe = Duration::from_secs(2);
    plan.definitions = defs;
    let transport = Arc::new(ReqwestTransport::new(false).unwrap());
    let (handle, mut rx) = rampart_engine::start(plan, transport, None).unwrap();
    while let Some(e) = rx.recv().await {
        if matches!(e, Event::Finished(_)) {
            break;
        }
    }
    handle.wait().await.unwrap()
}

/// A document of `n` operations: `n / 2` paths, each a GET with path, query and header
/// parameters and a POST with a `$ref`'d JSON body (allOf, enums, formats).
fn large_spec(n: usize) -> Value {
    let mut paths = serde_json::Map::new();
    for i in 0..n / 2 {
        paths.insert(
            format!("/resource{i}/{{id}}"),
            json!({
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
                "get": {"operationId": format!("get{i}"), "parameters": [
                    {"name": "q", "in": "query", "schema": {"type": "string"}},
                    {"name": "X-Tenant", "in": "header", "schema": {"type": "string", "format": "uuid"}}]},
                "post": {"operationId": format!("post{i}"), "requestBody": {"content": {"application/json":
                    {"schema": {"$ref": "#/components/schemas/Item"}}}}}
            }),
        );
    }
    json!({"openapi": "3.0.3", "servers": [{"url": "/v1"}], "paths": paths,
        "components": {"schemas": {
            "Base": {"type": "object", "properties": {"id": {"type": "string", "format": "uuid"}}},
            "Item": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"type": "object", "properties": {
                "name": {"type": "string", "example": "tent"}, "email": {"type": "string", "format": "email"},
                "kind": {"type": "string", "enum": ["a", "b"]}, "when": {"type": "string", "format": "date"},
                "tags": {"type": "array", "items": {"type": "string"}}}}]}}}})
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn seeding_cost() {
    let spec = large_spec(500);
    let json_text = spec.to_string();
    let yaml_text = serde_saphyr::to_string(&spec).unwrap_or_default();
    let hint = Url::parse("http://app.example/").unwrap();
    println!("| document | bytes | operations | parse + seed (median of 20) |");
    println!("| --- | ---: | ---: | ---: |");
    for (name, text) in [
        ("500 operations, JSON", &json_text),
        ("500 operations, YAML", &yaml_text),
    ] {
        if text.is_empty() {
            continue;
        }
        let mut times = Vec::new();
        let mut ops = 0;
        for _ in 0..20 {
            let t = Instant::now();
            let d = def("big", DefinitionKind::OpenApi, text.clone(), None);
            ops = seed::resources(&d, Some(&hint)).unwrap().len();
            times.push(t.elapsed());
        }
        println!(
            "| {name} | {} | {ops} | {:.1} ms |",
            text.len(),
            median(times).as_secs_f64() * 1000.0
        );
    }
    // The same document through the parts, to see where the time goes.
    let t = Instant::now();
    let v = openapi::parse(&json_text).unwrap();
    let parse = t.elapsed();
    let t = Instant::now();
    let n = openapi::resources_at(&v, &hint, None).len();
    println!(
        "\nJSON parse {:.1} ms, {n} resources built in {:.1} ms",
        parse.as_secs_f64() * 1000.0,
        t.elapsed().as_secs_f64() * 1000.0
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    seeding_cost();
    let tb = rampart_testbed::spawn(TestbedConfig {
        https_listen: None,
        ..TestbedConfig::default()
    })
    .await
    .unwrap();
    let base = tb.base_url();
    let ep = Url::parse(&format!("{base}/graphql")).unwrap();
    let api = || {
        def(
            "api.yaml",
            DefinitionKind::OpenApi,
            definitions::OPENAPI_YAML.into(),
            None,
        )
    };
    let gql = || {
        def(
            "schema.graphql",
            DefinitionKind::GraphQl,
            definitions::GRAPHQL_SDL.into(),
            Some(ep.clone()),
        )
    };
    let har = || {
        def(
            "session.har",
            DefinitionKind::Har,
            definitions::har(&base),
            None,
        )
    };
    let area: Vec<_> = tb
        .manifest()
        .into_iter()
        .filter(|c| c.needs_definition)
        .collect();
    println!("\n| files given | requests | findings | API-area vulnerable cases found | safe twins reported | time |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for (name, defs) in [
        ("none", vec![]),
        ("OpenAPI", vec![api()]),
        ("GraphQL", vec![gql()]),
        ("HAR", vec![har()]),
        ("OpenAPI + GraphQL + HAR", vec![api(), gql(), har()]),
    ] {
        let s = scan(&base, defs).await;
        let hit = |c: &rampart_testbed::Case| {
            s.findings.iter().any(|f| {
                let p =
                    (!f.root_cause_parameter.is_empty()).then_some(f.root_cause_parameter.as_str());
                c.matches(&f.module_key, &f.root_cause_url, p)
            })
        };
        let vuln = area.iter().filter(|c| c.vulnerable).count();
        let found = area.iter().filter(|c| c.vulnerable && hit(c)).count();
        let fp = area.iter().filter(|c| !c.vulnerable && hit(c)).count();
        println!(
            "| {name} | {} | {} | {found}/{vuln} | {fp} | {:.1} s |",
            s.progress.requests,
            s.findings.len(),
            s.duration_ms as f64 / 1000.0
        );
    }
    tb.shutdown().await;
}
