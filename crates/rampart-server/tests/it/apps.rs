//! `/apps`, `/apps/{id}/users`, `/apps/{id}/tags`.

use crate::{id_ref, snap};
use rampart_testkit::TestApp;
use serde_json::json;

#[tokio::test]
async fn app_crud_shapes() {
    let app = TestApp::spawn().await;
    let r = app
        .admin()
        .post("/ias/v1/apps")
        .json(&json!({"name": "Shop", "description": "the shop"}))
        .send()
        .await
        .status(201);
    assert!(r.body.is_empty(), "201 has an empty body");
    let id = r.location_id();
    assert_eq!(
        r.location().unwrap(),
        format!("{}/ias/v1/apps/{id}", app.base)
    );

    let item = app
        .admin()
        .get(&format!("/ias/v1/apps/{id}"))
        .send()
        .await
        .status(200);
    assert!(item.location().is_none(), "no Location on GET");
    assert_eq!(item.json()["id"], json!(id.to_string()));
    snap!("app_item", item.json());

    app.admin()
        .create("/ias/v1/apps", json!({"name": "Blog"}))
        .await;
    let list = app.admin().get("/ias/v1/apps").send().await.status(200);
    snap!("app_list", list.json());

    let r = app
        .admin()
        .put(&format!("/ias/v1/apps/{id}"))
        .json(&json!({"name": "Shop 2"}))
        .send()
        .await
        .status(200);
    assert!(
        r.body.is_empty() && r.location().is_none(),
        "PUT: 200, empty body, no Location"
    );
    let item = app
        .admin()
        .get(&format!("/ias/v1/apps/{id}"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(item["name"], "Shop 2");
    assert!(
        item.get("description").is_none(),
        "PUT replaces: the description was omitted"
    );

    app.admin()
        .delete(&format!("/ias/v1/apps/{id}"))
        .send()
        .await
        .status(204);
    app.admin()
        .get(&format!("/ias/v1/apps/{id}"))
        .send()
        .await
        .status(404)
        .error_body();
}

#[tokio::test]
async fn app_delete_takes_its_scan_configs() {
    let app = TestApp::spawn().await;
    let a = app.fx_app("Owner").await;
    let c = app.fx_scan_config(a, "cfg").await;
    app.admin()
        .get(&format!("/ias/v1/scan-configs/{c}"))
        .send()
        .await
        .status(200);
    app.admin()
        .delete(&format!("/ias/v1/apps/{a}"))
        .send()
        .await
        .status(204);
    app.admin()
        .get(&format!("/ias/v1/scan-configs/{c}"))
        .send()
        .await
        .status(404);
}

#[tokio::test]
async fn app_validation_and_conflicts() {
    let app = TestApp::spawn().await;
    let r = app
        .admin()
        .post("/ias/v1/apps")
        .json(&json!({"description": "no name"}))
        .send()
        .await
        .status(422);
    snap!("app_create_422", r.error_body());
    let long = "x".repeat(201);
    let r = app
        .admin()
        .post("/ias/v1/apps")
        .json(&json!({"name": long, "description": "d".repeat(2001)}))
        .send()
        .await
        .status(422);
    let errors = r.error_body()["errors"].clone();
    let contexts: Vec<_> = errors
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["context"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        contexts,
        ["name", "description"],
        "every problem is reported at once"
    );

    app.admin()
        .create("/ias/v1/apps", json!({"name": "Twin"}))
        .await;
    let r = app
        .admin()
        .post("/ias/v1/apps")
        .json(&json!({"name": "Twin"}))
        .send()
        .await
        .status(409);
    snap!("app_create_409", r.error_body());
    let other = app
        .admin()
        .create("/ias/v1/apps", json!({"name": "Other"}))
        .await;
    app.admin()
        .put(&format!("/ias/v1/apps/{other}"))
        .json(&json!({"name": "Twin"}))
        .send()
        .await
        .status(409);
    // Another tenant may use the same name.
    app.other()
        .create("/ias/v1/apps", json!({"name": "Twin"}))
        .await;
}

#[tokio::test]
async fn creator_becomes_member_org_key_adds_nobody() {
    let app = TestApp::spawn().await;
    let by_user = app
        .rw()
        .create("/ias/v1/apps", json!({"name": "Mine"}))
        .await;
    let users = app
        .admin()
        .get(&format!("/ias/v1/apps/{by_user}/users"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(
        users,
        json!([{"id": app.keys.read_write.id().to_string(), "email": "writer@example.test"}])
    );
    // The creator sees it; a non-member Read Only user does not.
    app.rw()
        .get(&format!("/ias/v1/apps/{by_user}"))
        .send()
        .await
        .status(200);
    app.ro()
        .get(&format!("/ias/v1/apps/{by_user}"))
        .send()
        .await
        .status(404);
    let list = app.ro().get("/ias/v1/apps").send().await.status(200).json();
    assert_eq!(list["metadata"]["total_data"], 0);

    let by_org = app
        .org()
        .create("/ias/v1/apps", json!({"name": "Org's"}))
        .await;
    let users = app
        .org()
        .get(&format!("/ias/v1/apps/{by_org}/users"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(users, json!([]));
}

#[tokio::test]
async fn app_users_add_list_remove() {
    let app = TestApp::spawn().await;
    let a = app.fx_private_app("Team").await;
    let path = format!("/ias/v1/apps/{a}/users");
    let ro = app.keys.read_only.id();
    app.ro()
        .get(&format!("/ias/v1/apps/{a}"))
        .send()
        .await
        .status(404);

    let r = app
        .admin()
        .post(&path)
        .json(&id_ref(ro))
        .send()
        .await
        .status(201);
    assert_eq!(
        r.location().unwrap(),
        format!("{}/ias/v1/apps/{a}/users/{ro}", app.base)
    );
    app.ro()
        .get(&format!("/ias/v1/apps/{a}"))
        .send()
        .await
        .status(200);
    let mut users = app.admin().get(&path).send().await.status(200).json();
    // Listed in id order; ids are random and redacted in the snapshot, so compare by email.
    if let Some(list) = users.as_array_mut() {
        list.sort_by(|x, y| x["email"].as_str().cmp(&y["email"].as_str()));
    }
    snap!("app_users", users);
    assert_eq!(users.as_array().unwrap().len(), 2);

    app.admin()
        .delete(&format!("{path}/{ro}"))
        .send()
        .await
        .status(204);
    app.ro()
        .get(&format!("/ias/v1/apps/{a}"))
        .send()
        .await
        .status(404);

    let r = app
        .admin()
        .post(&path)
        .json(&id_ref(uuid::Uuid::new_v4()))
        .send()
        .await
        .status(422);
    assert_eq!(r.error_body()["errors"][0]["context"], "id");
    // A user of another tenant is no user here.
    let r = app
        .admin()
        .post(&path)
        .json(&id_ref(app.keys.other.id()))
        .send()
        .await
        .status(422);
    assert_eq!(r.error_body()["errors"][0]["context"], "id");
    app.admin()
        .post(&path)
        .json(&json!({}))
        .send()
        .await
        .status(422);
}

#[tokio::test]
async fn app_tags_add_list_remove() {
    let app = TestApp::spawn().await;
    let a = app.fx_app("Tagged").await;
    let t = app.fx_tag("prod").await;
    let path = format!("/ias/v1/apps/{a}/tags");
    let r = app
        .rw()
        .post(&path)
        .json(&id_ref(t))
        .send()
        .await
        .status(201);
    assert_eq!(
        r.location().unwrap(),
        format!("{}/ias/v1/apps/{a}/tags/{t}", app.base)
    );
    // Applying it again is harmless.
    app.rw()
        .post(&path)
        .json(&id_ref(t))
        .send()
        .await
        .status(201);
    let tags = app.ro().get(&path).send().await.status(200).json();
    assert_eq!(tags.as_array().unwrap().len(), 1);
    snap!("app_tags", tags);
    app.rw()
        .delete(&format!("{path}/{t}"))
        .send()
        .await
        .status(204);
    assert_eq!(
        app.ro().get(&path).send().await.status(200).json(),
        json!([])
    );
    let r = app
        .rw()
        .post(&path)
        .json(&id_ref(uuid::Uuid::new_v4()))
        .send()
        .await
        .status(422);
    assert_eq!(r.error_body()["errors"][0]["context"], "id");
}
