//! A few HTTP tests on PostgreSQL (one fresh schema each; `RAMPART_TEST_PG_URL`).

use rampart_testkit::TestApp;
use serde_json::json;

#[tokio::test]
async fn pg_app_crud_paging_and_tenant_isolation() {
    let Some(app) = TestApp::spawn_postgres().await else {
        return;
    };
    for name in ["b", "a", "c"] {
        app.admin()
            .create("/ias/v1/apps", json!({"name": name}))
            .await;
    }
    let page = app.ro().get("/ias/v1/apps").send().await.status(200).json();
    assert_eq!(
        page["metadata"]["total_data"], 0,
        "read-only user is a member of none"
    );
    let page = app
        .admin()
        .get("/ias/v1/apps?size=2&sort=app.name,DESC")
        .send()
        .await
        .status(200)
        .json();
    let names: Vec<_> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].clone())
        .collect();
    assert_eq!(names, [json!("c"), json!("b")]);
    let next = page["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "next")
        .unwrap()["href"]
        .as_str()
        .unwrap()
        .to_string();
    let last = app.admin().get(&next).send().await.status(200).json();
    assert!(last["links"]
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["rel"] != "next"));
    let id = page["data"][0]["id"].as_str().unwrap().to_string();
    app.other()
        .get(&format!("/ias/v1/apps/{id}"))
        .send()
        .await
        .status(404);
    app.admin()
        .post("/ias/v1/apps")
        .json(&json!({"name": "c"}))
        .send()
        .await
        .status(409);
    app.admin()
        .delete(&format!("/ias/v1/apps/{id}"))
        .send()
        .await
        .status(204);
}

#[tokio::test]
async fn pg_scan_config_options_and_target_rules() {
    let Some(app) = TestApp::spawn_postgres().await else {
        return;
    };
    let a = app.fx_app("a").await;
    let c = app.fx_scan_config(a, "c").await;
    let path = format!("/ias/v1/scan-configs/{c}/options");
    let partial = json!({"crawl_config": {"seed_url_list": [{"value": "http://127.0.0.1"}], "scope_constraint_list": [{"url": "http://127.0.0.1/*", "exclusion": "INCLUDE"}]}});
    app.rw().put(&path).json(&partial).send().await.status(200);
    app.rw()
        .patch(&path)
        .json(&json!({"detailed_logging": true}))
        .send()
        .await
        .status(200);
    let got = app.ro().get(&path).send().await.status(200).json();
    assert_eq!(
        got["crawl_config"]["seed_url_list"],
        partial["crawl_config"]["seed_url_list"]
    );
    assert_eq!(got["detailed_logging"], true);
    assert_eq!(
        app.ro()
            .get(&format!("/ias/v1/scan-configs/{c}"))
            .send()
            .await
            .status(200)
            .json()["errors"],
        json!([])
    );
    let t = app.fx_target("pg.example.test").await;
    app.fx_mark_scanned(t).await;
    app.admin()
        .delete(&format!("/ias/v1/targets/{t}"))
        .send()
        .await
        .status(409);
}

#[tokio::test]
async fn pg_authorization_matrix() {
    let Some(app) = TestApp::spawn_postgres().await else {
        return;
    };
    crate::matrix::run(&app).await;
}
