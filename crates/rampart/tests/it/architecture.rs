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
        "rampart-store" | "rampart-engine" | "rampart-api-types" => 2,
        "rampart-store-sqlite"
        | "rampart-store-postgres"
        | "rampart-service"
        | "rampart-report" => 3,
        "rampart-server" | "rampart-worker" | "rampart-client" => 4,
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
