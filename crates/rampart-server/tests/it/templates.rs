//! `/attack-templates`, their modules and `/attack-templates/module-configs`.

use crate::snap;
use rampart_testkit::{sample_catalogue, TestApp};
use serde_json::json;

#[tokio::test]
async fn system_templates_are_listed_and_read_only() {
    let app = TestApp::spawn().await;
    let list = app
        .ro()
        .get("/ias/v1/attack-templates")
        .send()
        .await
        .status(200)
        .json();
    snap!("template_list", list);
    let all = app.fx_system_template("All Modules").await;
    let item = app
        .ro()
        .get(&format!("/ias/v1/attack-templates/{all}"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(item["system_defined"], true);
    snap!("template_system_item", item);
    let modules = app
        .ro()
        .get(&format!("/ias/v1/attack-templates/{all}/modules"))
        .send()
        .await
        .status(200)
        .json();
    snap!("template_system_modules", modules);
    let mid = modules[0]["id"].as_str().unwrap().to_string();

    for caller in [app.admin(), app.rw(), app.org()] {
        let r = caller
            .put(&format!("/ias/v1/attack-templates/{all}"))
            .json(&json!({"name": "Mine now"}))
            .send()
            .await
            .status(403);
        r.error_body();
        caller
            .delete(&format!("/ias/v1/attack-templates/{all}"))
            .send()
            .await
            .status(403);
        let module = json!({"module_config_id": sample_catalogue()[1].id.0, "severity": "LOW", "max_findings": 1});
        caller
            .post(&format!("/ias/v1/attack-templates/{all}/modules"))
            .json(&module)
            .send()
            .await
            .status(403);
        caller
            .put(&format!("/ias/v1/attack-templates/{all}/modules/{mid}"))
            .json(&module)
            .send()
            .await
            .status(403);
        caller
            .delete(&format!("/ias/v1/attack-templates/{all}/modules/{mid}"))
            .send()
            .await
            .status(403);
    }
    let r = app
        .admin()
        .put(&format!("/ias/v1/attack-templates/{all}"))
        .json(&json!({"name": "x"}))
        .send()
        .await
        .status(403);
    snap!("template_system_put_403", r.error_body());
}

#[tokio::test]
async fn custom_template_crud_answers_200_with_location_on_create() {
    let app = TestApp::spawn().await;
    let body = json!({"name": "Fast", "description": "quick checks", "browser_encoding_enabled": "true",
        "attack_prioritization": "SEQUENTIAL", "advanced_attacks_enabled": false, "false_positive_regex": "^ok$"});
    let r = app
        .rw()
        .post("/ias/v1/attack-templates")
        .json(&body)
        .send()
        .await
        .status(200);
    assert!(r.body.is_empty());
    let id = r.location_id();
    assert_eq!(
        r.location().unwrap(),
        format!("{}/ias/v1/attack-templates/{id}", app.base)
    );
    let item = app
        .ro()
        .get(&format!("/ias/v1/attack-templates/{id}"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(item["system_defined"], false);
    snap!("template_custom_item", item);
    assert_eq!(
        app.ro()
            .get(&format!("/ias/v1/attack-templates/{id}/modules"))
            .send()
            .await
            .status(200)
            .json(),
        json!([])
    );

    let r = app
        .rw()
        .put(&format!("/ias/v1/attack-templates/{id}"))
        .json(&json!({"name": "Faster"}))
        .send()
        .await
        .status(200);
    assert!(r.location().is_none());
    let item = app
        .ro()
        .get(&format!("/ias/v1/attack-templates/{id}"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(
        (item["name"].clone(), item["attack_prioritization"].clone()),
        (json!("Faster"), json!("SEQUENTIAL"))
    );

    app.rw()
        .post("/ias/v1/attack-templates")
        .json(&json!({"name": "Faster"}))
        .send()
        .await
        .status(409)
        .error_body();
    let r = app
        .rw()
        .post("/ias/v1/attack-templates")
        .json(&json!({"name": "Bad", "attack_prioritization": "FAST"}))
        .send()
        .await
        .status(422);
    assert_eq!(
        r.error_body()["errors"][0]["context"],
        "attack_prioritization"
    );
    app.rw()
        .post("/ias/v1/attack-templates")
        .json(&json!({"name": ""}))
        .send()
        .await
        .status(422);

    app.rw()
        .delete(&format!("/ias/v1/attack-templates/{id}"))
        .send()
        .await
        .status(204);
    app.ro()
        .get(&format!("/ias/v1/attack-templates/{id}"))
        .send()
        .await
        .status(404);
}

#[tokio::test]
async fn custom_template_modules() {
    let app = TestApp::spawn().await;
    let tpl = app.fx_template("Custom").await;
    let path = format!("/ias/v1/attack-templates/{tpl}/modules");
    let sqli = sample_catalogue()[0].id.0;
    let body = json!({"module_config_id": sqli, "enabled": "true", "parameter_locations": ["QUERY", "COOKIE"], "severity": "CRITICAL", "max_findings": 3});
    let r = app.rw().post(&path).json(&body).send().await.status(200);
    let mid = r.location_id();
    assert_eq!(r.location().unwrap(), format!("{}{path}/{mid}", app.base));
    snap!(
        "template_custom_modules",
        app.ro().get(&path).send().await.status(200).json()
    );

    app.rw()
        .post(&path)
        .json(&body)
        .send()
        .await
        .status(409)
        .error_body();
    let bad = json!({"module_config_id": uuid::Uuid::new_v4(), "parameter_locations": ["NOWHERE"], "severity": "SEVERE"});
    let r = app.rw().post(&path).json(&bad).send().await.status(422);
    snap!("template_module_422", r.error_body());
    let r = app.rw().post(&path).json(&json!({"module_config_id": uuid::Uuid::new_v4(), "severity": "LOW", "max_findings": 1})).send().await.status(422);
    assert_eq!(r.error_body()["errors"][0]["context"], "module_config_id");

    let update = json!({"module_config_id": sqli, "enabled": false, "parameter_locations": [], "severity": "LOW", "max_findings": 0});
    app.rw()
        .put(&format!("{path}/{mid}"))
        .json(&update)
        .send()
        .await
        .status(200);
    let list = app.ro().get(&path).send().await.status(200).json();
    assert_eq!(
        (list[0]["enabled"].clone(), list[0]["severity"].clone()),
        (json!(false), json!("LOW"))
    );
    app.rw()
        .put(&format!("{path}/{}", uuid::Uuid::new_v4()))
        .json(&update)
        .send()
        .await
        .status(404);
    app.rw()
        .delete(&format!("{path}/{mid}"))
        .send()
        .await
        .status(204);
    app.rw()
        .delete(&format!("{path}/{mid}"))
        .send()
        .await
        .status(404);
}

#[tokio::test]
async fn template_in_use_cannot_be_deleted() {
    let app = TestApp::spawn().await;
    let tpl = app.fx_template("Used").await;
    let a = app.fx_app("app").await;
    let body = json!({"name": "cfg", "app": {"id": a.to_string()}, "attack_template": {"id": tpl.to_string()}});
    let cfg = app.admin().create("/ias/v1/scan-configs", body).await;
    app.admin()
        .delete(&format!("/ias/v1/attack-templates/{tpl}"))
        .send()
        .await
        .status(409)
        .error_body();
    app.admin()
        .delete(&format!("/ias/v1/scan-configs/{cfg}"))
        .send()
        .await
        .status(204);
    app.admin()
        .delete(&format!("/ias/v1/attack-templates/{tpl}"))
        .send()
        .await
        .status(204);
}

#[tokio::test]
async fn module_configs_list_the_catalogue_defaults() {
    let app = TestApp::spawn().await;
    let list = app
        .ro()
        .get("/ias/v1/attack-templates/module-configs")
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(list.as_array().unwrap().len(), sample_catalogue().len());
    snap!("module_configs", list);
}
