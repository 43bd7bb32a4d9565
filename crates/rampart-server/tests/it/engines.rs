//! `/engine-groups` and `/engines`: shapes, derived statuses, credentials, upgrades,
//! errors, tenant isolation, search, and scan-config assignments to engine groups.

use crate::snap;
use rampart_service::{Availability, SecretKey, Service, ServiceError, SERVER_VERSION};
use rampart_testkit::TestApp;
use serde_json::{json, Value};

async fn engine_json(app: &TestApp, id: impl std::fmt::Display) -> Value {
    app.ro()
        .get(&format!("/ias/v1/engines/{id}"))
        .send()
        .await
        .status(200)
        .json()
}

async fn key_of(app: &TestApp, id: impl std::fmt::Display) -> String {
    app.admin()
        .get(&format!("/ias/v1/engines/{id}/credential"))
        .send()
        .await
        .status(200)
        .json()["api_key"]
        .as_str()
        .expect("api_key")
        .to_string()
}

#[tokio::test]
async fn engine_group_crud_shapes_and_rules() {
    let app = TestApp::spawn().await;
    let r = app
        .admin()
        .post("/ias/v1/engine-groups")
        .json(&json!({"name": "Working Engines", "description": "on-premise, DMZ"}))
        .send()
        .await
        .status(201);
    assert!(r.body.is_empty());
    let id = r.location_id();
    assert_eq!(
        r.location().unwrap(),
        format!("{}/ias/v1/engine-groups/{id}", app.base)
    );
    let item = app
        .ro()
        .get(&format!("/ias/v1/engine-groups/{id}"))
        .send()
        .await
        .status(200)
        .json();
    snap!("engine_group_item", item);
    app.admin()
        .create("/ias/v1/engine-groups", json!({"name": "Lab"}))
        .await;
    snap!(
        "engine_group_list",
        app.rw()
            .get("/ias/v1/engine-groups")
            .send()
            .await
            .status(200)
            .json()
    );

    let r = app
        .admin()
        .post("/ias/v1/engine-groups")
        .json(&json!({"name": "Lab"}))
        .send()
        .await
        .status(409);
    snap!("engine_group_create_409", r.error_body());
    let r = app
        .admin()
        .post("/ias/v1/engine-groups")
        .json(&json!({"name": " ", "description": "x".repeat(2001)}))
        .send()
        .await
        .status(422);
    snap!("engine_group_create_422", r.error_body());

    app.admin()
        .put(&format!("/ias/v1/engine-groups/{id}"))
        .json(&json!({"name": "Working Engines", "description": null}))
        .send()
        .await
        .status(200);
    let item = app
        .ro()
        .get(&format!("/ias/v1/engine-groups/{id}"))
        .send()
        .await
        .status(200)
        .json();
    assert!(item.get("description").is_none(), "{item}");

    // Refused while it has engines, or a scan config is assigned to it.
    let group = rampart_domain::EngineGroupId(id);
    let engine = app.fx_engine("e1", Some(group)).await;
    let r = app
        .admin()
        .delete(&format!("/ias/v1/engine-groups/{id}"))
        .send()
        .await
        .status(409);
    snap!("engine_group_delete_with_engines_409", r.error_body());
    app.admin()
        .delete(&format!("/ias/v1/engines/{engine}"))
        .send()
        .await
        .status(204);
    let a = app.fx_app("Shop").await;
    let cfg = app.fx_scan_config(a, "on-prem").await;
    let tpl = app.fx_system_template("All Modules").await;
    app.admin()
        .put(&format!("/ias/v1/scan-configs/{cfg}"))
        .json(&json!({"name": "on-prem", "app": {"id": a.to_string()}, "attack_template": {"id": tpl.to_string()},
            "assignment": {"type": "ENGINE_GROUP", "id": id, "environment": "ON_PREMISE"}}))
        .send()
        .await
        .status(200);
    let r = app
        .admin()
        .delete(&format!("/ias/v1/engine-groups/{id}"))
        .send()
        .await
        .status(409);
    assert!(
        r.error_body()["message"]
            .as_str()
            .unwrap()
            .contains("scan config"),
        "{}",
        r.text()
    );
    app.admin()
        .delete(&format!("/ias/v1/scan-configs/{cfg}"))
        .send()
        .await
        .status(204);
    app.admin()
        .delete(&format!("/ias/v1/engine-groups/{id}"))
        .send()
        .await
        .status(204);
    app.admin()
        .get(&format!("/ias/v1/engine-groups/{id}"))
        .send()
        .await
        .status(404);
}

#[tokio::test]
async fn engine_crud_shapes_and_derived_status() {
    let app = TestApp::spawn().await;
    let group = app.fx_engine_group("Working Engines").await;
    let id = app
        .admin()
        .create(
            "/ias/v1/engines",
            json!({"name": "dmz-1", "engine_group": {"id": group.to_string()}, "auto_upgrade": false}),
        )
        .await;
    let item = engine_json(&app, id).await;
    assert_eq!(
        (item["status"].clone(), item["latest_version"].clone()),
        (json!("OFFLINE"), json!(false)),
        "never seen: OFFLINE, version unknown"
    );
    snap!("engine_item_never_seen", item);

    let e = rampart_domain::EngineId(id);
    app.fx_engine_heartbeat(e, SERVER_VERSION, 0).await;
    let item = engine_json(&app, id).await;
    assert_eq!(
        (
            &item["status"],
            &item["latest_version"],
            &item["upgradeable"]
        ),
        (&json!("IDLE"), &json!(true), &json!(false))
    );
    app.fx_engine_heartbeat(e, SERVER_VERSION, 2).await;
    assert_eq!(engine_json(&app, id).await["status"], "SCANNING");
    app.clock.advance(chrono::Duration::seconds(90));
    assert_eq!(
        engine_json(&app, id).await["status"],
        "SCANNING",
        "90 s is still online"
    );
    app.clock.advance(chrono::Duration::seconds(1));
    assert_eq!(engine_json(&app, id).await["status"], "OFFLINE");

    // The Default group: no engine_group member.
    let d = app.fx_engine("default-1", None).await;
    app.fx_engine_heartbeat(d, "0.0.1", 0).await;
    let item = engine_json(&app, d).await;
    assert!(item.get("engine_group").is_none(), "{item}");
    assert_eq!(
        (
            &item["status"],
            &item["latest_version"],
            &item["upgradeable"]
        ),
        (&json!("IDLE"), &json!(false), &json!(true))
    );
    snap!(
        "engine_list",
        app.ro()
            .get("/ias/v1/engines")
            .send()
            .await
            .status(200)
            .json()
    );
    let page = app
        .ro()
        .get(&format!("/ias/v1/engine-groups/{group}/engines"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(page["metadata"]["total_data"], 1);
    assert_eq!(page["data"][0]["name"], "dmz-1");

    // PUT: move to the Default group, auto_upgrade kept when omitted.
    app.admin()
        .put(&format!("/ias/v1/engines/{id}"))
        .json(&json!({"name": "dmz-one", "auto_upgrade": true}))
        .send()
        .await
        .status(200);
    app.admin()
        .put(&format!("/ias/v1/engines/{id}"))
        .json(&json!({"name": "dmz-one"}))
        .send()
        .await
        .status(200);
    let item = engine_json(&app, id).await;
    assert!(item.get("engine_group").is_none(), "{item}");
    assert_eq!(
        (&item["name"], &item["auto_upgrade"]),
        (&json!("dmz-one"), &json!(true))
    );

    // Errors: unknown group (or another tenant's), duplicate names, missing name.
    let foreign = app
        .other()
        .create("/ias/v1/engine-groups", json!({"name": "theirs"}))
        .await;
    for gid in [uuid::Uuid::new_v4(), foreign] {
        let r = app
            .admin()
            .post("/ias/v1/engines")
            .json(&json!({"name": "x", "engine_group": {"id": gid}}))
            .send()
            .await
            .status(422);
        assert_eq!(r.error_body()["errors"][0]["context"], "engine_group.id");
    }
    let r = app
        .admin()
        .post("/ias/v1/engines")
        .json(&json!({"engine_group": {"id": uuid::Uuid::new_v4()}, "auto_upgrade": "maybe"}))
        .send()
        .await
        .status(422);
    assert_eq!(r.error_body()["errors"][0]["context"], "auto_upgrade");
    let r = app
        .admin()
        .post("/ias/v1/engines")
        .json(&json!({"engine_group": {"id": uuid::Uuid::new_v4()}}))
        .send()
        .await
        .status(422);
    snap!("engine_create_422", r.error_body());
    let r = app
        .admin()
        .post("/ias/v1/engines")
        .json(&json!({"name": "dmz-one"}))
        .send()
        .await
        .status(409);
    snap!("engine_create_409", r.error_body());

    app.admin()
        .delete(&format!("/ias/v1/engines/{id}"))
        .send()
        .await
        .status(204);
    app.ro()
        .get(&format!("/ias/v1/engines/{id}"))
        .send()
        .await
        .status(404);
}

#[tokio::test]
async fn engine_credentials_are_sealed_regenerated_and_revoked() {
    let app = TestApp::spawn().await;
    let e = app.fx_engine("dmz-1", None).await;
    let key = key_of(&app, e).await;
    assert!(key.starts_with("rmpe_") && key.len() == 5 + 43, "{key}");
    assert_eq!(key_of(&app, e).await, key, "GET shows the same key again");
    let engine = app
        .service
        .authenticate_engine(&key)
        .await
        .expect("the key authenticates");
    assert_eq!((engine.id, engine.org), (e, app.keys.admin.org()));

    // Stored as a hash and a sealed copy, never in clear.
    let stored = app
        .store()
        .get_engine_credential(app.keys.admin.org(), e)
        .await
        .unwrap();
    assert_eq!(stored.hash, rampart_service::hash_token(&key));
    assert!(!stored.sealed.contains(&key[5..]) && key.starts_with(&stored.prefix));

    // An engine key is not an API key, and an API key is not an engine key.
    app.anon()
        .get("/ias/v1/apps")
        .header("X-Api-Key", &key)
        .send()
        .await
        .status(401);
    assert!(matches!(
        app.service.authenticate_engine(&app.keys.org.token).await,
        Err(ServiceError::Unauthorized)
    ));

    // Regenerate: the new key is returned, the old one stops working at once.
    let r = app
        .admin()
        .put(&format!("/ias/v1/engines/{e}/credential"))
        .send()
        .await
        .status(200)
        .json();
    let new = r["api_key"].as_str().unwrap().to_string();
    assert_ne!(new, key);
    assert_eq!(key_of(&app, e).await, new);
    assert!(matches!(
        app.service.authenticate_engine(&key).await,
        Err(ServiceError::Unauthorized)
    ));
    app.service
        .authenticate_engine(&new)
        .await
        .expect("the new key works");

    // Revoke: nothing authenticates, GET is 404 until a new one is issued.
    app.admin()
        .delete(&format!("/ias/v1/engines/{e}/credential"))
        .send()
        .await
        .status(204);
    assert!(app.service.authenticate_engine(&new).await.is_err());
    let r = app
        .admin()
        .get(&format!("/ias/v1/engines/{e}/credential"))
        .send()
        .await
        .status(404);
    snap!("engine_credential_revoked_404", r.error_body());
    app.admin()
        .delete(&format!("/ias/v1/engines/{e}/credential"))
        .send()
        .await
        .status(404);
    app.admin()
        .put(&format!("/ias/v1/engines/{e}/credential"))
        .send()
        .await
        .status(200);
    let third = key_of(&app, e).await;
    app.service
        .authenticate_engine(&third)
        .await
        .expect("re-issued");

    // Another server secret key (a restart without a key file) cannot show it: 409.
    let other = Service::new(
        app.store().clone(),
        std::sync::Arc::new(rampart_domain::time::SystemClock),
        rampart_testkit::sample_catalogue(),
    );
    assert!(matches!(
        other.engine_credential(&app.keys.admin.principal, e).await,
        Err(ServiceError::Conflict(_))
    ));
    other
        .authenticate_engine(&third)
        .await
        .expect("authentication needs only the hash");
    let same_key = SecretKey::generate();
    let a = Service::new(
        app.store().clone(),
        std::sync::Arc::new(rampart_domain::time::SystemClock),
        rampart_testkit::sample_catalogue(),
    )
    .with_secret_key(same_key.clone());
    let token = a
        .regenerate_engine_credential(&app.keys.admin.principal, e)
        .await
        .unwrap();
    let b = Service::new(
        app.store().clone(),
        std::sync::Arc::new(rampart_domain::time::SystemClock),
        rampart_testkit::sample_catalogue(),
    )
    .with_secret_key(SecretKey::from_base64(&same_key.to_base64()).unwrap());
    assert_eq!(
        b.engine_credential(&app.keys.admin.principal, e)
            .await
            .unwrap(),
        token,
        "the same key file shows it after a restart"
    );
}

#[tokio::test]
async fn engine_upgrades() {
    let app = TestApp::spawn().await;
    let e = app.fx_engine("dmz-1", None).await;
    let upgrade = |who: u16| {
        let path = format!("/ias/v1/engines/{e}/upgrade");
        let app = &app;
        async move { app.admin().post(&path).send().await.status(who) }
    };
    let r = upgrade(409).await;
    snap!("engine_upgrade_offline_409", r.error_body());
    app.fx_engine_heartbeat(e, SERVER_VERSION, 0).await;
    let r = upgrade(422).await;
    snap!("engine_upgrade_latest_422", r.error_body());
    app.fx_engine_heartbeat(e, "0.0.1", 1).await;
    upgrade(409).await;

    app.fx_engine_heartbeat(e, "0.0.1", 0).await;
    let r = upgrade(202).await;
    assert!(r.body.is_empty());
    let item = engine_json(&app, e).await;
    assert_eq!(item["status"], "UPGRADING");
    upgrade(409).await;
    assert!(
        app.fx_engine_heartbeat(e, "0.0.1", 0).await.upgrade,
        "the engine is told to upgrade on its heartbeat"
    );
    assert!(!app.fx_engine_heartbeat(e, SERVER_VERSION, 0).await.upgrade);
    let item = engine_json(&app, e).await;
    assert_eq!(
        (&item["status"], &item["latest_version"]),
        (&json!("IDLE"), &json!(true))
    );

    // auto_upgrade: an idle engine on an old version is told to upgrade by itself.
    let auto = app
        .admin()
        .create(
            "/ias/v1/engines",
            json!({"name": "auto", "auto_upgrade": true}),
        )
        .await;
    let auto = rampart_domain::EngineId(auto);
    assert!(
        !app.fx_engine_heartbeat(auto, "0.0.1", 3).await.upgrade,
        "not while scanning"
    );
    assert!(app.fx_engine_heartbeat(auto, "0.0.1", 0).await.upgrade);
    assert_eq!(engine_json(&app, auto).await["status"], "UPGRADING");
}

#[tokio::test]
async fn another_tenant_sees_no_engine() {
    let app = TestApp::spawn().await;
    let g = app.fx_engine_group("Working Engines").await;
    let e = app.fx_engine("dmz-1", Some(g)).await;
    app.fx_engine_heartbeat(e, "0.0.1", 0).await;
    for (method, path) in [
        ("GET", format!("/ias/v1/engine-groups/{g}")),
        ("PUT", format!("/ias/v1/engine-groups/{g}")),
        ("DELETE", format!("/ias/v1/engine-groups/{g}")),
        ("GET", format!("/ias/v1/engine-groups/{g}/engines")),
        ("GET", format!("/ias/v1/engines/{e}")),
        ("PUT", format!("/ias/v1/engines/{e}")),
        ("DELETE", format!("/ias/v1/engines/{e}")),
        ("GET", format!("/ias/v1/engines/{e}/credential")),
        ("PUT", format!("/ias/v1/engines/{e}/credential")),
        ("DELETE", format!("/ias/v1/engines/{e}/credential")),
        ("POST", format!("/ias/v1/engines/{e}/upgrade")),
    ] {
        let mut req = app.other().request(method.parse().unwrap(), &path);
        if method == "PUT" {
            req = req.json(&json!({"name": "stolen"}));
        }
        req.send().await.status(404);
    }
    for path in ["/ias/v1/engines", "/ias/v1/engine-groups"] {
        let page = app.other().get(path).send().await.status(200).json();
        assert_eq!(page["metadata"]["total_data"], 0, "{path}");
    }
    for (ty, q) in [
        ("ENGINE", "engine.name = 'dmz-1'"),
        ("ENGINE_GROUP", "enginegroup.name = 'Working Engines'"),
    ] {
        let page = app
            .other()
            .post("/ias/v1/search")
            .json(&json!({"type": ty, "query": q}))
            .send()
            .await
            .status(200)
            .json();
        assert_eq!(page["metadata"]["total_data"], 0, "{ty}");
    }
    // And a bad id is 404, not 400.
    app.admin()
        .get("/ias/v1/engines/not-a-uuid")
        .send()
        .await
        .status(404);
}

#[tokio::test]
async fn engine_and_engine_group_search() {
    let app = TestApp::spawn().await;
    let working = app.fx_engine_group("Working Engines").await;
    app.fx_engine_group("Spare").await;
    let idle = app.fx_engine("idle-1", Some(working)).await;
    app.fx_engine_heartbeat(idle, SERVER_VERSION, 0).await;
    let busy = app.fx_engine("busy-1", Some(working)).await;
    app.fx_engine_heartbeat(busy, SERVER_VERSION, 1).await;
    app.fx_engine("never-1", None).await;
    let search = |ty: &'static str, q: &'static str| {
        let app = &app;
        async move {
            let page = app
                .ro()
                .post("/ias/v1/search?sort=engine.name")
                .json(&json!({"type": ty, "query": q}))
                .send()
                .await
                .status(200)
                .json();
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["name"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(search("ENGINE", "engine.status = 'IDLE'").await, ["idle-1"]);
    assert_eq!(
        search("ENGINE", "engine.status = 'OFFLINE'").await,
        ["never-1"]
    );
    assert_eq!(
        search("ENGINE", "engine.engine_group.name = 'Working Engines'").await,
        ["busy-1", "idle-1"]
    );
    assert_eq!(
        search("ENGINE", "engine.engine_group.id IS NULL").await,
        ["never-1"]
    );
    let page = app
        .ro()
        .post("/ias/v1/search")
        .json(&json!({"type": "ENGINE_GROUP", "query": "enginegroup.name='Working Engines'"}))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(page["data"][0]["id"], working.to_string());
    snap!("engine_group_search", page);
    let r = app
        .ro()
        .post("/ias/v1/search")
        .json(&json!({"type": "ENGINE", "query": "engine.status = 'ASLEEP'"}))
        .send()
        .await
        .status(422);
    assert_eq!(
        r.error_body()["errors"][0]["context"],
        "engine.status",
        "{}",
        r.text()
    );
}

#[tokio::test]
async fn scan_config_assignments_name_engine_groups_of_the_organization() {
    let app = TestApp::spawn().await;
    let a = app.fx_app("Shop").await;
    let tpl = app.fx_system_template("All Modules").await;
    let group = app.fx_engine_group("Working Engines").await;
    let foreign = app
        .other()
        .create("/ias/v1/engine-groups", json!({"name": "theirs"}))
        .await;
    let body = |assignment: Value| {
        json!({"name": "cfg", "app": {"id": a.to_string()}, "attack_template": {"id": tpl.to_string()},
            "assignment": assignment})
    };
    let id = app
        .rw()
        .create(
            "/ias/v1/scan-configs",
            body(json!({"type": "ENGINE_GROUP", "id": group.to_string(), "environment": "ON_PREMISE"})),
        )
        .await;
    let item = app
        .ro()
        .get(&format!("/ias/v1/scan-configs/{id}"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(
        item["assignment"],
        json!({"type": "ENGINE_GROUP", "id": group.to_string(), "environment": "ON_PREMISE"})
    );
    // CLOUD may carry the id of a group of the organization (EX onboarding does).
    app.rw()
        .put(&format!("/ias/v1/scan-configs/{id}"))
        .json(&body(
            json!({"type": "ENGINE_GROUP", "id": group.to_string(), "environment": "CLOUD"}),
        ))
        .send()
        .await
        .status(200);
    for bad in [
        json!({"type": "ENGINE_GROUP", "environment": "ON_PREMISE"}),
        json!({"type": "ENGINE_GROUP", "id": uuid::Uuid::new_v4(), "environment": "ON_PREMISE"}),
        json!({"type": "ENGINE_GROUP", "id": foreign, "environment": "ON_PREMISE"}),
        json!({"type": "ENGINE_GROUP", "id": uuid::Uuid::new_v4(), "environment": "CLOUD"}),
    ] {
        let r = app
            .rw()
            .put(&format!("/ias/v1/scan-configs/{id}"))
            .json(&body(bad.clone()))
            .send()
            .await
            .status(422);
        assert_eq!(
            r.error_body()["errors"][0]["context"],
            "assignment.id",
            "{bad}"
        );
    }
    let r = app
        .rw()
        .post("/ias/v1/scan-configs")
        .json(&body(
            json!({"type": "ENGINE_GROUP", "id": foreign, "environment": "ON_PREMISE"}),
        ))
        .send()
        .await
        .status(422);
    snap!("scan_config_foreign_engine_group_422", r.error_body());
}

#[tokio::test]
async fn engine_group_availability_follows_heartbeats() {
    let app = TestApp::spawn().await;
    let org = app.keys.admin.org();
    let s = &app.service;
    assert_eq!(
        s.engine_group_availability(org, None).await.unwrap(),
        Availability::NoGroup
    );
    let g = app.fx_engine_group("Working Engines").await;
    assert_eq!(
        s.engine_group_availability(org, Some(g)).await.unwrap(),
        Availability::AllOffline,
        "an empty group"
    );
    let e = app.fx_engine("dmz-1", Some(g)).await;
    assert_eq!(
        s.engine_group_availability(org, Some(g)).await.unwrap(),
        Availability::AllOffline
    );
    app.fx_engine_heartbeat(e, SERVER_VERSION, 3).await;
    assert_eq!(
        s.engine_group_availability(org, Some(g)).await.unwrap(),
        Availability::Online
    );
    assert_eq!(
        s.engine_group_availability(app.keys.other.org(), Some(g))
            .await
            .unwrap(),
        Availability::AllOffline,
        "another tenant's group"
    );
    app.clock.advance(chrono::Duration::seconds(91));
    assert_eq!(
        s.engine_group_availability(org, Some(g)).await.unwrap(),
        Availability::AllOffline
    );
    assert!(!Availability::AllOffline.is_available());
    assert!(Availability::NoGroup.is_available() && Availability::Online.is_available());
}
