//! The OpenAPI document: 3.1, and every route of the authorization matrix in `paths`.

use crate::matrix::{cases, Case};
use crate::snap;
use rampart_testkit::TestApp;

/// Whether a spec path (`/ias/v1/apps/{id}`) names the route template (`/ias/v1/apps/{app}`):
/// parameters match parameters, literals match literals.
fn same_route(spec: &str, route: &str) -> bool {
    let is_param = |s: &str| s.starts_with('{') && s.ends_with('}');
    let (a, b): (Vec<&str>, Vec<&str>) = (spec.split('/').collect(), route.split('/').collect());
    a.len() == b.len()
        && a.iter().zip(&b).all(|(x, y)| {
            if is_param(x) || is_param(y) {
                is_param(x) && is_param(y)
            } else {
                x == y
            }
        })
}

#[tokio::test]
async fn openapi_is_3_1_and_documents_every_route() {
    let app = TestApp::spawn().await;
    let doc = app
        .anon()
        .get("/ias/v1/openapi.json")
        .send()
        .await
        .status(200)
        .json();
    let version = doc["openapi"].as_str().unwrap_or_default();
    assert!(version.starts_with("3.1"), "OpenAPI version {version}");
    assert!(
        doc["components"]["securitySchemes"]["api_key"].is_object(),
        "the X-Api-Key scheme is declared"
    );
    let paths = doc["paths"].as_object().expect("paths");
    let mut missing = Vec::new();
    for Case(method, route, _, _) in cases() {
        // The document does not describe itself.
        if route == "/ias/v1/openapi.json" {
            continue;
        }
        let route = route
            .split('?')
            .next()
            .unwrap_or_default()
            .replace("SQLI_01", "{attack}");
        let found = paths.iter().any(|(p, ops)| {
            same_route(p, &route) && ops.get(method.to_ascii_lowercase()).is_some()
        });
        if !found {
            missing.push(format!("{method} {route}"));
        }
    }
    // And the other way round: a documented route without a matrix row fails here.
    let routes: Vec<(String, String)> = cases()
        .into_iter()
        .map(|Case(m, r, _, _)| {
            (
                m.to_string(),
                r.split('?')
                    .next()
                    .unwrap_or_default()
                    .replace("SQLI_01", "{attack}"),
            )
        })
        .collect();
    let mut unchecked = Vec::new();
    for (p, ops) in paths {
        // `/engine/v1` is authenticated by engine credentials, not API keys and roles:
        // `tests/it/engine_protocol.rs` checks its authentication instead of the matrix.
        if p.starts_with("/engine/v1/") {
            continue;
        }
        for m in ops.as_object().unwrap().keys() {
            let m = m.to_ascii_uppercase();
            if !routes.iter().any(|(rm, r)| *rm == m && same_route(p, r)) {
                unchecked.push(format!("{m} {p}"));
            }
        }
    }
    assert!(
        unchecked.is_empty(),
        "documented routes without a row in the authorization matrix (tests/it/matrix.rs):\n{}",
        unchecked.join("\n")
    );
    // The route inventory, one "METHOD path" line each: a removed route shows in review.
    let mut inventory: Vec<String> = paths
        .iter()
        .flat_map(|(p, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(move |m| format!("{} {p}", m.to_ascii_uppercase()))
        })
        .collect();
    inventory.sort();
    snap!("openapi_routes", inventory);
    assert!(
        missing.is_empty(),
        "routes missing from openapi.json paths:\n{}",
        missing.join("\n")
    );
}

/// The whole document, snapshotted: any change to a path, parameter, schema or status code shows
/// up in review as a diff of `it__openapi__openapi_document.snap`, not only added or removed routes.
#[tokio::test]
async fn openapi_document_is_snapshotted_whole() {
    let app = TestApp::spawn().await;
    let doc = app
        .anon()
        .get("/ias/v1/openapi.json")
        .send()
        .await
        .status(200)
        .json();
    assert!(
        doc["components"]["schemas"]
            .as_object()
            .is_some_and(|s| s.len() > 20),
        "the document carries its schemas"
    );
    insta::with_settings!({ sort_maps => true }, {
        insta::assert_json_snapshot!("openapi_document", doc);
    });
}

#[test]
fn route_matching_is_strict() {
    assert!(same_route("/ias/v1/apps/{id}", "/ias/v1/apps/{app}"));
    assert!(!same_route(
        "/ias/v1/attack-templates/{id}",
        "/ias/v1/attack-templates/module-configs"
    ));
    assert!(!same_route("/ias/v1/apps", "/ias/v1/apps/{app}"));
}
