//! Objects named through the wrong parent or from another tenant are not reachable.

use crate::id_ref;
use rampart_testkit::{sample_catalogue, TestApp};
use serde_json::json;

#[tokio::test]
async fn template_modules_only_through_their_own_template() {
    let app = TestApp::spawn().await;
    let a = app.fx_template("A").await;
    let b = app.fx_template("B").await;
    let mb = app.fx_template_module(b).await;
    let sys = app.fx_system_template("All Modules").await;
    let sys_modules = app
        .ro()
        .get(&format!("/ias/v1/attack-templates/{sys}/modules"))
        .send()
        .await
        .status(200)
        .json();
    let sys_module = sys_modules[0]["id"].as_str().unwrap().to_string();
    let body = json!({"module_config_id": sample_catalogue()[0].id.0, "severity": "LOW", "max_findings": 1});
    for m in [mb.to_string(), sys_module.clone()] {
        app.admin()
            .put(&format!("/ias/v1/attack-templates/{a}/modules/{m}"))
            .json(&body)
            .send()
            .await
            .status(404);
        app.admin()
            .delete(&format!("/ias/v1/attack-templates/{a}/modules/{m}"))
            .send()
            .await
            .status(404);
    }
    let still = app
        .ro()
        .get(&format!("/ias/v1/attack-templates/{b}/modules"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(still[0]["id"], json!(mb.to_string()), "B's module survived");
    let still = app
        .ro()
        .get(&format!("/ias/v1/attack-templates/{sys}/modules"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(still, sys_modules, "the system template's modules survived");
}

#[tokio::test]
async fn references_into_another_tenant_are_422() {
    let app = TestApp::spawn().await;
    let mine = app.fx_app("mine").await;
    let their_tag = app
        .other()
        .create("/ias/v1/tags", json!({"name": "theirs"}))
        .await;
    let r = app
        .admin()
        .post(&format!("/ias/v1/apps/{mine}/tags"))
        .json(&id_ref(their_tag))
        .send()
        .await
        .status(422);
    assert_eq!(r.error_body()["errors"][0]["context"], "id");
    let templates = app
        .other()
        .get("/ias/v1/attack-templates")
        .send()
        .await
        .status(200)
        .json();
    let their_tpl = templates["data"][0]["id"].as_str().unwrap().to_string();
    let body =
        json!({"name": "x", "app": {"id": mine.to_string()}, "attack_template": {"id": their_tpl}});
    let r = app
        .admin()
        .post("/ias/v1/scan-configs")
        .json(&body)
        .send()
        .await
        .status(422);
    assert_eq!(r.error_body()["errors"][0]["context"], "attack_template.id");
    // Each tenant has its own system templates, with their own ids.
    let ours = app
        .admin()
        .get("/ias/v1/attack-templates")
        .send()
        .await
        .status(200)
        .json();
    assert_ne!(ours["data"][0]["id"], templates["data"][0]["id"]);
    assert_eq!(ours["data"][0]["name"], templates["data"][0]["name"]);
}

#[tokio::test]
async fn a_scan_config_cannot_be_moved_into_an_app_the_caller_cannot_see() {
    let app = TestApp::spawn().await;
    let visible = app.fx_app("visible").await;
    let private = app.fx_private_app("private").await;
    let cfg = app.fx_scan_config(visible, "cfg").await;
    let sys = app.fx_system_template("All Modules").await;
    let body = json!({"name": "moved", "app": {"id": private.to_string()}, "attack_template": {"id": sys.to_string()}, "incremental": "true"});
    let r = app
        .rw()
        .put(&format!("/ias/v1/scan-configs/{cfg}"))
        .json(&body)
        .send()
        .await
        .status(422);
    assert_eq!(r.error_body()["errors"][0]["context"], "app.id");
    // The Product Admin may, and string booleans are accepted.
    app.admin()
        .put(&format!("/ias/v1/scan-configs/{cfg}"))
        .json(&body)
        .send()
        .await
        .status(200);
    let got = app
        .admin()
        .get(&format!("/ias/v1/scan-configs/{cfg}"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(
        (got["app"]["id"].clone(), got["incremental"].clone()),
        (json!(private.to_string()), json!(true))
    );
    app.rw()
        .get(&format!("/ias/v1/scan-configs/{cfg}"))
        .send()
        .await
        .status(404);
}
