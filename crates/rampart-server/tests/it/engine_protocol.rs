//! `/engine/v1` over HTTP: engine-credential authentication (not API keys, not roles —
//! hence no rows in the authorization matrix), claim scope, lease-owner isolation
//! between engines, engine heartbeats, revocation mid-scan.

use rampart_domain::job::{ExecutionDetails, Heartbeat};
use rampart_domain::*;
use rampart_testkit::TestApp;
use serde_json::{json, Value};

async fn key_of(app: &TestApp, e: EngineId) -> String {
    app.service
        .engine_credential(&app.keys.admin.principal, e)
        .await
        .unwrap()
}

fn hb() -> Value {
    serde_json::to_value(Heartbeat {
        status: ScanStatus::Running,
        details: ExecutionDetails::default(),
        checkpoint: None,
        coverage: None,
    })
    .unwrap()
}

async fn call(app: &TestApp, path: &str, key: &str, worker: &str, body: Value) -> (u16, Value) {
    let r = app
        .anon()
        .post(path)
        .header("Authorization", &format!("Bearer {key}"))
        .header("Rampart-Worker", worker)
        .json(&body)
        .send()
        .await;
    let text = r.text();
    let code = r.status;
    (code, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn engines_authenticate_claim_in_scope_and_touch_only_their_leases() {
    let app = TestApp::spawn().await;
    let g1 = app.fx_engine_group("g1").await;
    let g2 = app.fx_engine_group("g2").await;
    let e1 = app.fx_engine("one", Some(g1)).await;
    let e2 = app.fx_engine("two", Some(g2)).await;
    let (k1, k2) = (key_of(&app, e1).await, key_of(&app, e2).await);
    let claim = "/engine/v1/jobs/claim?wait=0";

    // Unknown tokens, API keys and a missing worker header are refused.
    for bad in ["rmpe_nope", app.keys.admin.token.as_str(), ""] {
        assert_eq!(call(&app, claim, bad, "w", json!({})).await.0, 401, "{bad}");
    }
    let r = app
        .anon()
        .post(claim)
        .header("Authorization", &format!("Bearer {k1}"))
        .json(&json!({}))
        .send()
        .await;
    assert_eq!(r.status, 400);

    // An empty queue: 204; the call counts as a heartbeat (IDLE).
    assert_eq!(call(&app, claim, &k1, "w", json!({})).await.0, 204);
    let view = app
        .service
        .get_engine(&app.keys.admin.principal, e1)
        .await
        .unwrap();
    assert_eq!(view.status, EngineStatus::Idle);

    // A scan assigned ON_PREMISE to g1: only g1's engine claims it.
    let a = app.fx_app("Shop").await;
    let cfg = app.fx_scan_config(a, "Shop config").await;
    app.fx_target("shop.example.test").await;
    app.service
        .write_scan_config_options(
            &app.keys.admin.principal,
            cfg,
            json!({"crawl_config": {"seed_url_list": [{"value": "https://shop.example.test/"}],
                "scope_constraint_list": [{"url": "https://shop.example.test/*"}]}}),
            rampart_service::OptionsWrite::Replace,
        )
        .await
        .unwrap();
    let mut c = app
        .admin()
        .get(&format!("/ias/v1/scan-configs/{cfg}"))
        .send()
        .await
        .status(200)
        .json();
    c["assignment"] =
        json!({"type": "ENGINE_GROUP", "id": g1.to_string(), "environment": "ON_PREMISE"});
    app.admin()
        .put(&format!("/ias/v1/scan-configs/{cfg}"))
        .json(&c)
        .send()
        .await
        .status(200);
    // Group g2's only engine never called in: a scan assigned to it fails at once.
    let mut c2 = c.clone();
    c2["assignment"]["id"] = json!(g2.to_string());
    c2["name"] = json!("Shop config on g2");
    let cfg2 = app
        .admin()
        .post("/ias/v1/scan-configs")
        .json(&c2)
        .send()
        .await
        .status(201)
        .location_id();
    app.service
        .write_scan_config_options(
            &app.keys.admin.principal,
            ScanConfigId(cfg2),
            json!({"crawl_config": {"seed_url_list": [{"value": "https://shop.example.test/"}],
                "scope_constraint_list": [{"url": "https://shop.example.test/*"}]}}),
            rampart_service::OptionsWrite::Replace,
        )
        .await
        .unwrap();
    let offline = app
        .rw()
        .post("/ias/v1/scans")
        .json(&json!({"scan_config": {"id": cfg2.to_string()}}))
        .send()
        .await
        .status(201)
        .location_id();
    let s = app
        .rw()
        .get(&format!("/ias/v1/scans/{offline}"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(
        (&s["status"], &s["failure_reason"]),
        (&json!("FAILED"), &json!("ENGINE_UNAVAILABLE")),
        "{s}"
    );
    let scan = app
        .rw()
        .post("/ias/v1/scans")
        .json(&json!({"scan_config": {"id": cfg.to_string()}}))
        .send()
        .await
        .status(201)
        .location_id();
    assert_eq!(
        call(&app, claim, &k2, "w", json!({})).await.0,
        204,
        "other group"
    );
    assert!(
        app.service.claim_job("embedded").await.unwrap().is_none(),
        "the server's own engines do not take ON_PREMISE scans"
    );
    let (code, spec) = call(&app, claim, &k1, "w", json!({})).await;
    assert_eq!(code, 200);
    assert_eq!(spec["scan"], scan.to_string());
    let job = app.store().find_job(ScanId(scan)).await.unwrap();
    assert_eq!(
        job.lease_owner.as_deref(),
        Some(format!("engine/{e1}/w").as_str()),
        "the owner is namespaced by the authenticated engine"
    );
    let view = app
        .service
        .get_engine(&app.keys.admin.principal, e1)
        .await
        .unwrap();
    assert_eq!(view.status, EngineStatus::Scanning);

    // Engine two naming the same worker slot cannot act on engine one's lease.
    let hb_path = format!("/engine/v1/jobs/{scan}/heartbeat");
    assert_eq!(call(&app, &hb_path, &k2, "w", hb()).await.0, 409);
    let fin = format!("/engine/v1/jobs/{scan}/finish");
    assert_eq!(
        call(&app, &fin, &k2, "w", json!({"outcome": "CANCELED"}))
            .await
            .0,
        409
    );
    let (code, reply) = call(&app, &hb_path, &k1, "w", hb()).await;
    assert_eq!(code, 200, "{reply}");

    // Revoked mid-scan: the next call is 401 and the scan is queued again at once.
    app.admin()
        .delete(&format!("/ias/v1/engines/{e1}/credential"))
        .send()
        .await
        .status(204);
    assert_eq!(call(&app, &hb_path, &k1, "w", hb()).await.0, 401);
    let job = app.store().find_job(ScanId(scan)).await.unwrap();
    assert_eq!(job.state, rampart_store::JobState::Queued);
    let s = app
        .rw()
        .get(&format!("/ias/v1/scans/{scan}"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(s["status"], "PENDING");
}
