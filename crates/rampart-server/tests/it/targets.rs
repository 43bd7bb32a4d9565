//! `/targets`.

use crate::snap;
use rampart_testkit::TestApp;
use serde_json::json;

#[tokio::test]
async fn target_crud_shapes() {
    let app = TestApp::spawn().await;
    let id = app
        .admin()
        .create(
            "/ias/v1/targets",
            json!({"domain": "Shop.Example.TEST", "enabled": true}),
        )
        .await;
    let item = app
        .admin()
        .get(&format!("/ias/v1/targets/{id}"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(
        item["domain"], "shop.example.test",
        "domains are stored lower-case"
    );
    snap!("target_item", item);
    app.admin()
        .create(
            "/ias/v1/targets",
            json!({"domain": "api.example.test:8443"}),
        )
        .await;
    let list = app
        .ro()
        .get("/ias/v1/targets")
        .send()
        .await
        .status(200)
        .json();
    snap!("target_list", list);

    let r = app
        .admin()
        .put(&format!("/ias/v1/targets/{id}"))
        .json(&json!({"domain": "shop.example.test", "enabled": false, "archived": true}))
        .send()
        .await
        .status(200);
    assert!(r.body.is_empty() && r.location().is_none());
    let item = app
        .admin()
        .get(&format!("/ias/v1/targets/{id}"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(
        (item["enabled"].clone(), item["archived"].clone()),
        (json!(false), json!(true))
    );
    app.admin()
        .delete(&format!("/ias/v1/targets/{id}"))
        .send()
        .await
        .status(204);
    app.admin()
        .get(&format!("/ias/v1/targets/{id}"))
        .send()
        .await
        .status(404);
}

#[tokio::test]
async fn target_string_booleans_are_accepted() {
    let app = TestApp::spawn().await;
    let id = app
        .admin()
        .create(
            "/ias/v1/targets",
            json!({"domain": "a.example.test", "enabled": "false", "archived": "true"}),
        )
        .await;
    let item = app
        .admin()
        .get(&format!("/ias/v1/targets/{id}"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(
        (item["enabled"].clone(), item["archived"].clone()),
        (json!(false), json!(true))
    );
    let r = app
        .admin()
        .post("/ias/v1/targets")
        .json(&json!({"domain": "b.example.test", "enabled": "maybe"}))
        .send()
        .await
        .status(422);
    assert_eq!(r.error_body()["errors"][0]["context"], "enabled");
}

#[tokio::test]
async fn target_validation_and_conflicts() {
    let app = TestApp::spawn().await;
    for bad in ["https://x.example.test", "x.example.test/path", "", "a b"] {
        let r = app
            .admin()
            .post("/ias/v1/targets")
            .json(&json!({"domain": bad}))
            .send()
            .await
            .status(422);
        assert_eq!(r.error_body()["errors"][0]["context"], "domain", "{bad:?}");
    }
    app.admin()
        .create("/ias/v1/targets", json!({"domain": "dup.example.test"}))
        .await;
    let r = app
        .admin()
        .post("/ias/v1/targets")
        .json(&json!({"domain": "DUP.example.test"}))
        .send()
        .await
        .status(409);
    snap!("target_create_409", r.error_body());
}

#[tokio::test]
async fn scanned_target_cannot_be_deleted_but_can_be_disabled() {
    let app = TestApp::spawn().await;
    let t = app.fx_target("scanned.example.test").await;
    app.fx_mark_scanned(t).await;
    let r = app
        .admin()
        .delete(&format!("/ias/v1/targets/{t}"))
        .send()
        .await
        .status(409);
    snap!("target_delete_scanned_409", r.error_body());
    app.admin()
        .put(&format!("/ias/v1/targets/{t}"))
        .json(&json!({"domain": "scanned.example.test", "enabled": false}))
        .send()
        .await
        .status(200);
    app.admin()
        .get(&format!("/ias/v1/targets/{t}"))
        .send()
        .await
        .status(200);
}
