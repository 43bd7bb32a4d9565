//! `/tags`.

use crate::{id_ref, snap};
use rampart_testkit::TestApp;
use serde_json::json;

#[tokio::test]
async fn tag_crud_shapes() {
    let app = TestApp::spawn().await;
    let id = app
        .rw()
        .create("/ias/v1/tags", json!({"name": "prod"}))
        .await;
    let item = app
        .ro()
        .get(&format!("/ias/v1/tags/{id}"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(
        item["creator"]["id"],
        json!(app.keys.read_write.id().to_string()),
        "the creator is the key's user"
    );
    assert_eq!(
        item["create_time"], "2026-01-02T03:04:05.678901",
        "UTC, microseconds, no zone"
    );
    snap!("tag_item", item);
    app.rw()
        .create("/ias/v1/tags", json!({"name": "beta"}))
        .await;
    snap!(
        "tag_list",
        app.ro()
            .get("/ias/v1/tags?root=true")
            .send()
            .await
            .status(200)
            .json()
    );

    app.rw()
        .put(&format!("/ias/v1/tags/{id}"))
        .json(&json!({"name": "production"}))
        .send()
        .await
        .status(200);
    assert_eq!(
        app.ro()
            .get(&format!("/ias/v1/tags/{id}"))
            .send()
            .await
            .status(200)
            .json()["name"],
        "production"
    );
    app.rw()
        .delete(&format!("/ias/v1/tags/{id}"))
        .send()
        .await
        .status(204);
    app.ro()
        .get(&format!("/ias/v1/tags/{id}"))
        .send()
        .await
        .status(404);
}

#[tokio::test]
async fn tag_validation_and_conflicts() {
    let app = TestApp::spawn().await;
    let r = app
        .admin()
        .post("/ias/v1/tags")
        .json(&json!({"name": ""}))
        .send()
        .await
        .status(422);
    assert_eq!(r.error_body()["errors"][0]["context"], "name");
    app.admin()
        .post("/ias/v1/tags")
        .json(&json!({"name": "t".repeat(101)}))
        .send()
        .await
        .status(422);
    app.admin()
        .create("/ias/v1/tags", json!({"name": "same"}))
        .await;
    app.admin()
        .post("/ias/v1/tags")
        .json(&json!({"name": "same"}))
        .send()
        .await
        .status(409)
        .error_body();
}

#[tokio::test]
async fn applied_tag_delete_needs_cascade() {
    let app = TestApp::spawn().await;
    let a = app.fx_app("tagged").await;
    let t = app.fx_tag("applied").await;
    app.admin()
        .post(&format!("/ias/v1/apps/{a}/tags"))
        .json(&id_ref(t))
        .send()
        .await
        .status(201);
    let r = app
        .admin()
        .delete(&format!("/ias/v1/tags/{t}"))
        .send()
        .await
        .status(409);
    snap!("tag_delete_applied_409", r.error_body());
    app.admin()
        .delete(&format!("/ias/v1/tags/{t}?cascade=false"))
        .send()
        .await
        .status(409);
    app.admin()
        .delete(&format!("/ias/v1/tags/{t}?cascade=true"))
        .send()
        .await
        .status(204);
    assert_eq!(
        app.admin()
            .get(&format!("/ias/v1/apps/{a}/tags"))
            .send()
            .await
            .status(200)
            .json(),
        json!([])
    );
}
