//! `/scan-configs` and their options.

use crate::snap;
use rampart_testkit::TestApp;
use serde_json::{json, Value};

fn config_body(app: impl ToString, tpl: impl ToString, name: &str) -> Value {
    json!({"name": name, "description": "nightly", "app": {"id": app.to_string()}, "attack_template": {"id": tpl.to_string()}})
}

#[tokio::test]
async fn scan_config_crud_shapes_and_errors_of_a_new_config() {
    let app = TestApp::spawn().await;
    let a = app.fx_app("Shop").await;
    let tpl = app.fx_system_template("All Modules").await;
    let r = app
        .rw()
        .post("/ias/v1/scan-configs")
        .json(&config_body(a, tpl, "Nightly"))
        .send()
        .await
        .status(201);
    let id = r.location_id();
    assert_eq!(
        r.location().unwrap(),
        format!("{}/ias/v1/scan-configs/{id}", app.base)
    );

    let item = app
        .ro()
        .get(&format!("/ias/v1/scan-configs/{id}"))
        .send()
        .await
        .status(200)
        .json();
    let errors = item["errors"].as_array().expect("errors[] on a new config");
    assert!(
        errors.contains(&json!("Seed URL list must not be empty")),
        "{errors:?}"
    );
    assert!(
        errors.contains(&json!("Crawling Scope Constraint list must not be empty")),
        "{errors:?}"
    );
    assert_eq!(
        item["assignment"],
        json!({"type": "ENGINE_GROUP", "environment": "CLOUD"}),
        "default assignment is cloud"
    );
    snap!("scan_config_item", item);
    snap!(
        "scan_config_list",
        app.ro()
            .get("/ias/v1/scan-configs")
            .send()
            .await
            .status(200)
            .json()
    );
    let without = app
        .ro()
        .get("/ias/v1/scan-configs?include-errors=false")
        .send()
        .await
        .status(200)
        .json();
    assert!(
        without["data"][0].get("errors").is_none(),
        "include-errors=false drops errors[]"
    );

    let mut update = config_body(a, tpl, "Weekly");
    update["assignment"] = json!({"type": "ENGINE_GROUP", "environment": "CLOUD"});
    let r = app
        .rw()
        .put(&format!("/ias/v1/scan-configs/{id}"))
        .json(&update)
        .send()
        .await
        .status(200);
    assert!(r.body.is_empty() && r.location().is_none());
    assert_eq!(
        app.ro()
            .get(&format!("/ias/v1/scan-configs/{id}"))
            .send()
            .await
            .status(200)
            .json()["name"],
        "Weekly"
    );

    app.rw()
        .delete(&format!("/ias/v1/scan-configs/{id}"))
        .send()
        .await
        .status(204);
    app.ro()
        .get(&format!("/ias/v1/scan-configs/{id}"))
        .send()
        .await
        .status(404);
}

#[tokio::test]
async fn scan_config_validation() {
    let app = TestApp::spawn().await;
    let r = app
        .rw()
        .post("/ias/v1/scan-configs")
        .json(&json!({"name": "x"}))
        .send()
        .await
        .status(422);
    snap!("scan_config_create_422_missing_refs", r.error_body());
    let r = app
        .rw()
        .post("/ias/v1/scan-configs")
        .json(&config_body(uuid::Uuid::new_v4(), uuid::Uuid::new_v4(), ""))
        .send()
        .await
        .status(422);
    snap!("scan_config_create_422_unknown_refs", r.error_body());
    let a = app.fx_app("a").await;
    let tpl = app.fx_system_template("All Modules").await;
    let mut body = config_body(a, tpl, "on-prem");
    body["assignment"] = json!({"type": "ENGINE_GROUP", "environment": "ON_PREMISE"});
    let r = app
        .rw()
        .post("/ias/v1/scan-configs")
        .json(&body)
        .send()
        .await
        .status(422);
    assert_eq!(r.error_body()["errors"][0]["context"], "assignment.id");
    body["assignment"] = json!({"type": "AGENT", "environment": "MOON"});
    let r = app
        .rw()
        .post("/ias/v1/scan-configs")
        .json(&body)
        .send()
        .await
        .status(422);
    let contexts: Vec<Value> = r.error_body()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["context"].clone())
        .collect();
    assert_eq!(
        contexts,
        [json!("assignment.type"), json!("assignment.environment")]
    );
    // An app the caller cannot see is no app.
    let private = app.fx_private_app("private").await;
    let r = app
        .rw()
        .post("/ias/v1/scan-configs")
        .json(&config_body(private, tpl, "p"))
        .send()
        .await
        .status(422);
    assert_eq!(r.error_body()["errors"][0]["context"], "app.id");
}

#[tokio::test]
async fn default_options_document() {
    let app = TestApp::spawn().await;
    let d = app
        .ro()
        .get("/ias/v1/scan-configs/options/default")
        .send()
        .await
        .status(200)
        .json();
    snap!("scan_config_options_default", d);
    let a = app.fx_app("a").await;
    let c = app.fx_scan_config(a, "c").await;
    let fresh = app
        .ro()
        .get(&format!("/ias/v1/scan-configs/{c}/options"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(fresh, d, "a new config starts with the defaults");
}

#[tokio::test]
async fn put_partial_onboarding_document_then_get_merges_defaults() {
    let app = TestApp::spawn().await;
    let a = app.fx_app("a").await;
    let c = app.fx_scan_config(a, "c").await;
    let path = format!("/ias/v1/scan-configs/{c}/options");
    let partial = json!({"crawl_config": {
        "scope_constraint_list": [{"url": "http://127.0.0.1/*", "exclusion": "INCLUDE"}],
        "seed_url_list": [{"value": "http://127.0.0.1"}]}});
    let r = app.rw().put(&path).json(&partial).send().await.status(200);
    assert!(r.body.is_empty() && r.location().is_none());
    let got = app.ro().get(&path).send().await.status(200).json();
    let defaults = app
        .ro()
        .get("/ias/v1/scan-configs/options/default")
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(
        got["crawl_config"]["seed_url_list"],
        partial["crawl_config"]["seed_url_list"]
    );
    assert_eq!(
        got["crawl_config"]["scope_constraint_list"],
        partial["crawl_config"]["scope_constraint_list"]
    );
    assert_eq!(
        got["crawl_config"]["max_crawl_results"], defaults["crawl_config"]["max_crawl_results"],
        "defaults fill the rest of crawl_config"
    );
    assert_eq!(
        got["http_headers_config"], defaults["http_headers_config"],
        "omitted sections take their defaults"
    );
    snap!("scan_config_options_after_partial_put", got);
    let cfg = app
        .ro()
        .get(&format!("/ias/v1/scan-configs/{c}"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(
        cfg["errors"],
        json!([]),
        "seed URLs and scope set: no errors left"
    );

    // PUT replaces: a second PUT without crawl_config brings the empty defaults back.
    app.rw()
        .put(&path)
        .json(&json!({"detailed_logging": true}))
        .send()
        .await
        .status(200);
    let got = app.ro().get(&path).send().await.status(200).json();
    assert_eq!(got["crawl_config"]["seed_url_list"], json!([]));
    assert_eq!(got["detailed_logging"], true);
}

#[tokio::test]
async fn patch_merges_into_the_current_options() {
    let app = TestApp::spawn().await;
    let a = app.fx_app("a").await;
    let c = app.fx_scan_config(a, "c").await;
    let path = format!("/ias/v1/scan-configs/{c}/options");
    app.rw()
        .put(&path)
        .json(&json!({"crawl_config": {"seed_url_list": [{"value": "https://shop.example.test"}]}}))
        .send()
        .await
        .status(200);
    let patch = json!({"http_headers_config": {"custom_headers_list": [{"value": "X-Scan: rampart"}]}, "proxy_config": null});
    let r = app.rw().patch(&path).json(&patch).send().await.status(200);
    assert!(r.body.is_empty() && r.location().is_none());
    let got = app.ro().get(&path).send().await.status(200).json();
    assert_eq!(
        got["crawl_config"]["seed_url_list"],
        json!([{"value": "https://shop.example.test"}]),
        "PATCH keeps what it does not name"
    );
    assert_eq!(
        got["http_headers_config"]["custom_headers_list"],
        json!([{"value": "X-Scan: rampart"}])
    );
    assert_eq!(
        got["http_headers_config"]["user_agent"], "rampart",
        "merge is recursive"
    );
    assert!(got.get("proxy_config").is_none(), "null removes a member");
}

#[tokio::test]
async fn options_shape_errors_are_422() {
    let app = TestApp::spawn().await;
    let a = app.fx_app("a").await;
    let c = app.fx_scan_config(a, "c").await;
    let path = format!("/ias/v1/scan-configs/{c}/options");
    let r = app
        .rw()
        .put(&path)
        .json(&json!([1, 2]))
        .send()
        .await
        .status(422);
    assert_eq!(r.error_body()["errors"][0]["context"], "options");
    let r = app
        .rw()
        .put(&path)
        .json(&json!({"crawl_config": {"seed_url_list": "https://x.test"}}))
        .send()
        .await
        .status(422);
    snap!("scan_config_options_422", r.error_body());
    app.rw()
        .patch(&path)
        .json(&json!({"crawl_config": {"max_crawl_results": "many"}}))
        .send()
        .await
        .status(422);
}
