//! Fails the build when a forbidden dependency edge appears (architecture page rules).

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

/// Crates that must stay free of transport, storage and CLI crates, even transitively.
const PURE: &[&str] = &["rampart-domain", "rampart-query", "rampart-service"];
const FORBIDDEN_IN_PURE: &[&str] = &[
    "axum",
    "sqlx",
    "sqlx-core",
    "reqwest",
    "clap",
    "hyper",
    "tower",
];
/// Only the binary (and dev-only helpers) may name a concrete store.
const CONCRETE_STORES: &[&str] = &["rampart-store-sqlite", "rampart-store-postgres"];
const MAY_NAME_STORES: &[&str] = &["rampart", "rampart-testkit"];

/// Layer of each workspace crate; a crate may only depend on lower layers.
fn layer(name: &str) -> Option<u8> {
    Some(match name {
        "rampart-domain" => 0,
        // The store port speaks the query AST, so the query crate sits just below it.
        "rampart-query" => 1,
        // The job protocol: wire types, the JobSource port, routes, long-poll, backoff.
        "rampart-protocol" => 1,
        // Pure parsers of external tool results (SARIF, CycloneDX) and the re-import rule.
        "rampart-ingest" => 1,
        "rampart-store" | "rampart-engine" | "rampart-api-types" => 2,
        "rampart-store-sqlite"
        | "rampart-store-postgres"
        | "rampart-service"
        | "rampart-report"
        // The engine's browser plug-in (Chromium over the DevTools protocol).
        | "rampart-browser" => 3,
        "rampart-worker" | "rampart-client" => 4,
        // The web console: pages over the service layer, mounted by the server.
        "rampart-console" => 4,
        "rampart-server" => 5,
        // What the CI commands do over the API, so the binary stays thin.
        "rampart-automation" => 5,
        "rampart" => 6,
        "rampart-testkit" | "rampart-testbed" => 7,
        _ => return None,
    })
}

struct Graph {
    /// package name → names of its normal (non-dev, non-build) dependencies.
    normal: BTreeMap<String, BTreeSet<String>>,
    workspace: BTreeSet<String>,
}

fn graph() -> Graph {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--filter-platform",
            "x86_64-unknown-linux-gnu",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).expect("metadata json");
    let names: BTreeMap<String, String> = meta["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            (
                p["id"].as_str().unwrap_or("").to_string(),
                p["name"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let workspace = meta["workspace_members"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|id| names.get(id.as_str()?).cloned())
        .collect();
    let mut normal = BTreeMap::new();
    for node in meta["resolve"]["nodes"].as_array().into_iter().flatten() {
        let from = names
            .get(node["id"].as_str().unwrap_or(""))
            .cloned()
            .unwrap_or_default();
        let deps: BTreeSet<String> = node["deps"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|d| {
                d["dep_kinds"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|k| k["kind"].is_null())
            })
            .filter_map(|d| names.get(d["pkg"].as_str()?).cloned())
            .collect();
        normal
            .entry(from)
            .or_insert_with(BTreeSet::new)
            .extend(deps);
    }
    Graph { normal, workspace }
}

fn closure(g: &Graph, root: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![root.to_string()];
    while let Some(n) = stack.pop() {
        for d in g.normal.get(&n).into_iter().flatten() {
            if seen.insert(d.clone()) {
                stack.push(d.clone());
            }
        }
    }
    seen
}

#[test]
fn pure_crates_import_no_transport_storage_or_cli_crate() {
    let g = graph();
    for krate in PURE {
        let all = closure(&g, krate);
        let bad: Vec<_> = FORBIDDEN_IN_PURE
            .iter()
            .filter(|f| all.contains(**f))
            .collect();
        assert!(
            bad.is_empty(),
            "{krate} depends (perhaps transitively) on {bad:?}"
        );
    }
}

#[test]
fn only_the_binary_names_a_concrete_store() {
    let g = graph();
    for krate in &g.workspace {
        if MAY_NAME_STORES.contains(&krate.as_str()) || CONCRETE_STORES.contains(&krate.as_str()) {
            continue;
        }
        let direct = g.normal.get(krate).cloned().unwrap_or_default();
        let named: Vec<_> = CONCRETE_STORES
            .iter()
            .filter(|s| direct.contains(**s))
            .collect();
        assert!(
            named.is_empty(),
            "{krate} names the concrete store(s) {named:?}; only the binary may"
        );
    }
}

#[test]
fn crates_depend_only_on_lower_layers() {
    let g = graph();
    for krate in &g.workspace {
        let Some(mine) = layer(krate) else {
            panic!("{krate} has no layer: add it to the architecture test")
        };
        for dep in g
            .normal
            .get(krate)
            .into_iter()
            .flatten()
            .filter(|d| g.workspace.contains(*d))
        {
            let theirs = layer(dep).unwrap_or(u8::MAX);
            assert!(
                theirs < mine,
                "{krate} (layer {mine}) depends on {dep} (layer {theirs})"
            );
        }
    }
}

/// The worker runs the engine over the job protocol and nothing else of ours: the
/// in-process source lives with the service, so a remote engine never links the service,
/// the store or the server.
#[test]
fn the_worker_depends_only_on_the_engine_and_the_protocol() {
    let g = graph();
    let ours: BTreeSet<String> = g
        .normal
        .get("rampart-worker")
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|d| g.workspace.contains(d))
        .collect();
    let allowed: BTreeSet<String> = ["rampart-domain", "rampart-engine", "rampart-protocol"]
        .map(String::from)
        .into();
    assert!(
        ours.is_subset(&allowed),
        "rampart-worker depends on {:?}",
        ours.difference(&allowed).collect::<Vec<_>>()
    );
    let all = closure(&g, "rampart-worker");
    for f in [
        "rampart-service",
        "rampart-store",
        "rampart-server",
        "sqlx",
        "axum",
    ] {
        assert!(!all.contains(f), "rampart-worker reaches {f}");
    }
}

/// The console is pages over the service layer: among our crates it reaches the domain, the
/// query language, the store's types, the service and the report catalogue, never an
/// adapter or the API router.
#[test]
fn the_console_calls_only_the_service_layer() {
    let g = graph();
    let ours: BTreeSet<String> = g
        .normal
        .get("rampart-console")
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|d| g.workspace.contains(d))
        .collect();
    // No store adapter, no API router, no engine: every read and write goes through
    // `rampart_service::Service`, the API's authorization included.
    let allowed: BTreeSet<String> = [
        "rampart-domain",
        "rampart-query",
        "rampart-store",
        "rampart-service",
        // The report catalogue (types and formats a scan's reports are requested in);
        // generation and content still go through the service.
        "rampart-report",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert!(
        ours.is_subset(&allowed),
        "rampart-console may only call the service layer, found {:?}",
        ours.difference(&allowed).collect::<Vec<_>>()
    );
}

/// The browser crawler plugs into the engine's `BrowserCrawler` trait: among our crates it
/// depends on the engine (and the domain) only, and the engine never links the DevTools client.
#[test]
fn the_browser_crawler_is_a_plug_in_of_the_engine() {
    let g = graph();
    let ours: BTreeSet<String> = g
        .normal
        .get("rampart-browser")
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|d| g.workspace.contains(d))
        .collect();
    let allowed: BTreeSet<String> = ["rampart-domain", "rampart-engine"]
        .map(String::from)
        .into();
    assert!(ours.contains("rampart-engine"), "{ours:?}");
    assert!(
        ours.is_subset(&allowed),
        "rampart-browser depends on {:?}",
        ours.difference(&allowed).collect::<Vec<_>>()
    );
    assert!(!closure(&g, "rampart-engine").contains("chromiumoxide"));
}

#[test]
fn the_engine_knows_nothing_of_storage_api_or_cli() {
    let g = graph();
    let direct = g.normal.get("rampart-engine").cloned().unwrap_or_default();
    for f in [
        "sqlx",
        "clap",
        "rampart-store",
        "rampart-server",
        "rampart-api-types",
        "rampart-service",
    ] {
        assert!(!direct.contains(f), "rampart-engine depends on {f}");
    }
}

/// `crates/sql-shared` is not a crate (each adapter includes it with `#[path]`), so the
/// dependency graph cannot see it: read its files instead. The shared SQL must stay
/// neutral (the adapter defines `Db`, `QB` and `DIALECT`; nothing here names a backend)
/// and import only the storage layer and the libraries below it.
#[test]
fn sql_shared_is_backend_neutral_and_imports_only_storage_crates() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../sql-shared");
    let allowed = [
        "rampart_domain",
        "rampart_query",
        "rampart_store",
        "sea_query",
        "sea_query_binder",
        "sqlx",
        "serde_json",
        "uuid",
        "chrono",
        "async_trait",
        "tokio",
        "std",
        "super",
        "self",
        "crate",
    ];
    let backend_names = [
        "sqlx::Sqlite",
        "sqlx::sqlite",
        "sqlx::Postgres",
        "sqlx::postgres",
        "SqliteQueryBuilder",
        "PostgresQueryBuilder",
        "Dialect::Sqlite",
        "Dialect::Postgres",
        "if sqlite",
        "if postgres",
        "rampart_store_sqlite",
        "rampart_store_postgres",
    ];
    let mut files = 0;
    let mut problems = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("read crates/sql-shared") {
        let path = entry.expect("dir entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("rs") {
            continue;
        }
        files += 1;
        let text = std::fs::read_to_string(&path).expect("read a sql-shared file");
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for b in backend_names {
                if code.contains(b) {
                    problems.push(format!("{name}:{}: names a backend: {b}", n + 1));
                }
            }
            for above in [
                "rampart_service",
                "rampart_server",
                "rampart_worker",
                "rampart_engine",
                "rampart_api_types",
                "rampart_client",
                "axum",
                "reqwest",
            ] {
                if code.contains(&format!("{above}::")) {
                    problems.push(format!("{name}:{}: names `{above}`", n + 1));
                }
            }
            let Some(path) = code.trim().strip_prefix("use ") else {
                continue;
            };
            let root = path
                .trim_start_matches("::")
                .split([':', ';', ' ', '{'])
                .next()
                .unwrap_or("");
            if !allowed.contains(&root) {
                problems.push(format!(
                    "{name}:{}: imports `{root}`, above the storage layer",
                    n + 1
                ));
            }
        }
    }
    assert!(files >= 10, "found only {files} files in {}", dir.display());
    assert!(problems.is_empty(), "sql-shared: {problems:#?}");
}
