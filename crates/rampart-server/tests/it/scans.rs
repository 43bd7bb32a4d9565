//! `/scans`: submission outcomes, the action state machine driven through the job
//! protocol (a tiny test worker), deletion, lease expiry, tenant isolation, events,
//! SCAN search (the in-process `LocalSource` is covered by `job_sources.rs`).

use crate::snap;
use rampart_domain::job::*;
use rampart_domain::time::Clock;
use rampart_domain::*;
use rampart_service::{JobError, OptionsWrite};
use rampart_testkit::TestApp;
use serde_json::{json, Value};

/// Every UUID string becomes `[id]` (parent ids, vulnerability ids, submitter ids…).
fn scrub(v: &Value) -> Value {
    match v {
        Value::String(s) if uuid::Uuid::parse_str(s).is_ok() => json!("[id]"),
        Value::String(s) => json!(crate::scrub_href(s)),
        Value::Array(a) => Value::Array(a.iter().map(scrub).collect()),
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), scrub(v))).collect()),
        other => other.clone(),
    }
}

/// An app with a config that is ready to scan `https://shop.example.test/` (an enabled
/// target covers it).
pub(crate) async fn ready(app: &TestApp, name: &str) -> (AppId, ScanConfigId) {
    let a = app.fx_app(name).await;
    let cfg = app.fx_scan_config(a, &format!("{name} config")).await;
    if app
        .service
        .list_targets(
            &app.keys.org.principal,
            &rampart_store::ListRequest::first(100),
        )
        .await
        .unwrap()
        .items
        .iter()
        .all(|t| t.domain != "shop.example.test")
    {
        app.fx_target("shop.example.test").await;
    }
    set_options(
        app,
        cfg,
        "https://shop.example.test/",
        "https://shop.example.test/*",
    )
    .await;
    (a, cfg)
}

async fn set_options(app: &TestApp, cfg: ScanConfigId, seed: &str, scope: &str) {
    app.service
        .write_scan_config_options(
            &app.keys.admin.principal,
            cfg,
            json!({"crawl_config": {"seed_url_list": [{"value": seed}],
                "scope_constraint_list": [{"url": scope}]}}),
            OptionsWrite::Replace,
        )
        .await
        .expect("set options");
}

async fn submit(app: &TestApp, cfg: ScanConfigId) -> ScanId {
    ScanId(
        app.rw()
            .post("/ias/v1/scans")
            .json(&json!({"scan_config": {"id": cfg.to_string()}}))
            .send()
            .await
            .status(201)
            .location_id(),
    )
}

async fn scan_json(app: &TestApp, id: ScanId) -> Value {
    app.ro()
        .get(&format!("/ias/v1/scans/{id}"))
        .send()
        .await
        .status(200)
        .json()
}

async fn status(app: &TestApp, id: ScanId) -> String {
    scan_json(app, id).await["status"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn action(app: &TestApp, id: ScanId, a: &str) -> rampart_testkit::Resp {
    app.rw()
        .put(&format!("/ias/v1/scans/{id}/action"))
        .json(&json!({ "action": a }))
        .send()
        .await
}

fn hb(status: ScanStatus) -> Heartbeat {
    Heartbeat {
        status,
        details: ExecutionDetails {
            links_crawled: 7,
            requests: 42,
            ..Default::default()
        },
        checkpoint: Some("crawl:7".into()),
        coverage: None,
    }
}

fn finding(url: &str) -> Finding {
    Finding {
        module: rampart_testkit::sample_catalogue()[0].id,
        root_cause: RootCause {
            url: url.into(),
            parameter: Some("id".into()),
            method: "GET".into(),
        },
        severity: Severity::High,
        vulnerability_score: Some(7.0),
        discovered: chrono::Utc::now(),
        vector_string: None,
        variances: Vec::new(),
    }
}

/// The test worker claims the next job (it must be `scan`).
async fn claim(app: &TestApp, worker: &str, scan: ScanId) -> JobSpec {
    let spec = app
        .service
        .claim_job(worker)
        .await
        .expect("claim")
        .expect("a job is queued");
    assert_eq!(spec.scan, scan);
    spec
}

async fn vulns_of(app: &TestApp, scan: ScanId) -> u64 {
    let q = rampart_query::parse_query(
        rampart_query::ResourceType::Vulnerability,
        &format!("vulnerability.scans.id = '{scan}'"),
    )
    .unwrap();
    let mut req = rampart_store::ListRequest::first(100);
    req.filter = Some(q);
    app.store()
        .list_vulnerabilities(app.keys.org.org(), &rampart_store::Visibility::All, &req)
        .await
        .unwrap()
        .total
}

#[tokio::test]
async fn a_submitted_scan_reads_pending_with_submitter_and_links() {
    let app = TestApp::spawn().await;
    let (a, cfg) = ready(&app, "Shop").await;
    let r = app
        .rw()
        .post("/ias/v1/scans")
        .json(&json!({"scan_config": {"id": cfg.to_string()}}))
        .send()
        .await
        .status(201);
    let id = r.location_id();
    assert_eq!(
        r.location().unwrap(),
        format!("{}/ias/v1/scans/{id}", app.base)
    );
    assert!(r.body.is_empty());
    let item = scan_json(&app, ScanId(id)).await;
    assert_eq!(item["status"], "PENDING");
    assert_eq!(item["app"]["id"], a.to_string());
    assert_eq!(
        item["submitter"],
        json!({"type": "USER", "id": app.keys.read_write.id().to_string()})
    );
    assert!(
        item.get("completion_time").is_none(),
        "absent while not done"
    );
    assert!(item.get("failure_reason").is_none());
    snap!("scan_item_pending", scrub(&item));

    // The EX use cases send the app too; an organization key submits as ORGANIZATION.
    app.clock.advance(chrono::Duration::seconds(1));
    let second = app
        .org()
        .post("/ias/v1/scans")
        .json(&json!({"app": {"id": a.to_string()}, "scan_config": {"id": cfg.to_string()}, "scan_type": "regular"}))
        .send()
        .await
        .status(201)
        .location_id();
    let item = scan_json(&app, ScanId(second)).await;
    assert_eq!(item["submitter"]["type"], "ORGANIZATION");
    assert_eq!(item["scan_type"], "REGULAR");

    let list = app
        .ro()
        .get("/ias/v1/scans")
        .send()
        .await
        .status(200)
        .json();
    let ids: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [second.to_string(), id.to_string()], "newest first");
    snap!("scan_list", scrub(&list));
    let events = app
        .ro()
        .get(&format!("/ias/v1/scans/{id}/platform-events"))
        .send()
        .await
        .status(200)
        .json();
    snap!("scan_platform_events_submitted", events);
    let engine = app
        .ro()
        .get(&format!("/ias/v1/scans/{id}/engine-events"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(engine, json!([]));
    let details = app
        .ro()
        .get(&format!("/ias/v1/scans/{id}/execution-details"))
        .send()
        .await
        .status(200)
        .json();
    snap!("scan_execution_details_zero", details);
    let r = app
        .ro()
        .get(&format!("/ias/v1/scans/{id}/action"))
        .send()
        .await
        .status(204);
    assert!(r.body.is_empty());
}

#[tokio::test]
async fn invalid_configs_and_targets_fail_the_scan_at_once() {
    let app = TestApp::spawn().await;
    let a = app.fx_app("Shop").await;
    // A new config has errors[] (no seed, no scope).
    let raw = app.fx_scan_config(a, "raw").await;
    let id = submit(&app, raw).await;
    let item = scan_json(&app, id).await;
    assert_eq!(
        (item["status"].as_str(), item["failure_reason"].as_str()),
        (Some("FAILED"), Some("CONFIGURATION_INVALID"))
    );
    assert!(item["completion_time"].is_string());
    snap!("scan_item_configuration_invalid", scrub(&item));
    let events = app
        .ro()
        .get(&format!("/ias/v1/scans/{id}/platform-events"))
        .send()
        .await
        .status(200)
        .json();
    snap!("scan_platform_events_configuration_invalid", events);

    // A seed outside every enabled target.
    app.fx_target("shop.example.test").await;
    let outside = app.fx_scan_config(a, "outside").await;
    set_options(
        &app,
        outside,
        "https://elsewhere.example.test/",
        "https://shop.example.test/*",
    )
    .await;
    let id = submit(&app, outside).await;
    assert_eq!(
        scan_json(&app, id).await["failure_reason"],
        "TARGETS_INVALID"
    );
    // A scope rule outside, and a disabled target does not count.
    let scope = app.fx_scan_config(a, "scope").await;
    set_options(
        &app,
        scope,
        "https://shop.example.test/",
        "https://other.example.test/*",
    )
    .await;
    assert_eq!(
        scan_json(&app, submit(&app, scope).await).await["failure_reason"],
        "TARGETS_INVALID"
    );
    let off = app.fx_target("off.example.test").await;
    app.service
        .update_target(
            &app.keys.org.principal,
            off,
            rampart_service::TargetInput {
                domain: "off.example.test".into(),
                enabled: false,
                archived: false,
            },
        )
        .await
        .unwrap();
    let disabled = app.fx_scan_config(a, "disabled").await;
    set_options(
        &app,
        disabled,
        "https://off.example.test/",
        "https://off.example.test/*",
    )
    .await;
    assert_eq!(
        scan_json(&app, submit(&app, disabled).await).await["failure_reason"],
        "TARGETS_INVALID"
    );
    // A subdomain of a target is fine.
    let sub = app.fx_scan_config(a, "sub").await;
    set_options(
        &app,
        sub,
        "https://api.shop.example.test/",
        "https://*.shop.example.test/*",
    )
    .await;
    assert_eq!(status(&app, submit(&app, sub).await).await, "PENDING");
    // Failed scans never reach an engine.
    let spec = app.service.claim_job("w").await.unwrap().unwrap();
    assert_eq!(
        scan_json(&app, spec.scan).await["scan_config"]["id"],
        sub.to_string()
    );
    assert!(app.service.claim_job("w").await.unwrap().is_none());
}

#[tokio::test]
async fn submit_validation_errors() {
    let app = TestApp::spawn().await;
    let (a, cfg) = ready(&app, "Shop").await;
    let (_, other_cfg) = ready(&app, "Other").await;
    let other_parent = submit(&app, other_cfg).await;
    let post = |body: Value| {
        let app = &app;
        async move { app.rw().post("/ias/v1/scans").json(&body).send().await }
    };
    let r = post(json!({})).await.status(422);
    snap!("scan_submit_422_missing_config", r.error_body());
    post(json!({"scan_config": {"id": uuid::Uuid::new_v4()}}))
        .await
        .status(422);
    let other_app = app.fx_app("Third").await;
    let r =
        post(json!({"scan_config": {"id": cfg.to_string()}, "app": {"id": other_app.to_string()}}))
            .await
            .status(422);
    assert_eq!(r.error_body()["errors"][0]["context"], "app.id");
    post(json!({"scan_config": {"id": cfg.to_string()}, "scan_type": "FULL"}))
        .await
        .status(422);
    let r = post(json!({"scan_config": {"id": cfg.to_string()}, "scan_type": "VERIFICATION"}))
        .await
        .status(422);
    snap!(
        "scan_submit_422_verification_without_parent",
        r.error_body()
    );
    let parent = submit(&app, cfg).await;
    post(json!({"scan_config": {"id": cfg.to_string()},
        "validation": {"parent_scan_id": parent.to_string()},
        "specialized_scan_parameters": {"parent_scan_id": parent.to_string()}}))
    .await
    .status(422);
    post(json!({"scan_config": {"id": cfg.to_string()},
        "validation": {"parent_scan_id": other_parent.to_string()}}))
    .await
    .status(422);
    post(json!({"scan_config": {"id": cfg.to_string()}, "validation": {}}))
        .await
        .status(422);
    post(
        json!({"scan_config": {"id": cfg.to_string()}, "scan_type": "REGULAR",
        "validation": {"parent_scan_id": parent.to_string()}}),
    )
    .await
    .status(422);
    app.ro()
        .post("/ias/v1/scans")
        .json(&json!({"scan_config": {"id": cfg.to_string()}}))
        .send()
        .await
        .status(403);
    // Valid: a verification scan of the same app.
    let v = app
        .rw()
        .post("/ias/v1/scans")
        .json(
            &json!({"app": {"id": a.to_string()}, "scan_config": {"id": cfg.to_string()},
            "validation": {"parent_scan_id": parent.to_string()}}),
        )
        .send()
        .await
        .status(201)
        .location_id();
    let item = scan_json(&app, ScanId(v)).await;
    assert_eq!(item["scan_type"], "VERIFICATION");
    assert_eq!(item["validation"]["parent_scan_id"], parent.to_string());
}

#[tokio::test]
async fn verification_scans_carry_the_parents_root_causes() {
    let app = TestApp::spawn().await;
    let (_, cfg) = ready(&app, "Shop").await;
    let parent = submit(&app, cfg).await;
    claim(&app, "w1", parent).await;
    let batch = FindingBatch {
        batch_id: "b1".into(),
        findings: vec![
            finding("https://shop.example.test/a"),
            finding("https://shop.example.test/b"),
        ],
    };
    app.service
        .job_findings(parent, "w1", &batch)
        .await
        .unwrap();
    app.service
        .job_finish(parent, "w1", &JobOutcome::Completed { partial: false })
        .await
        .unwrap();
    assert_eq!(status(&app, parent).await, "COMPLETE");
    let vulns = app
        .store()
        .list_vulnerabilities(
            app.keys.org.org(),
            &rampart_store::Visibility::All,
            &rampart_store::ListRequest::first(10),
        )
        .await
        .unwrap()
        .items;
    assert_eq!(vulns.len(), 2);

    // All of the parent's.
    let all = app
        .rw()
        .post("/ias/v1/scans")
        .json(&json!({"scan_config": {"id": cfg.to_string()}, "validation": {"parent_scan_id": parent.to_string()}}))
        .send()
        .await
        .status(201)
        .location_id();
    let spec = claim(&app, "w2", ScanId(all)).await;
    assert_eq!(spec.scan_type, ScanType::Verification);
    let mut urls: Vec<&str> = spec.verify.iter().map(|r| r.url.as_str()).collect();
    urls.sort();
    assert_eq!(
        urls,
        ["https://shop.example.test/a", "https://shop.example.test/b"]
    );
    assert_eq!(spec.recipe.allowed_domains, ["shop.example.test"]);
    // Only the modules of the vulnerabilities it verifies, not the template's others.
    let only = rampart_testkit::sample_catalogue()[0].id;
    assert_eq!(
        spec.modules.iter().map(|m| m.module).collect::<Vec<_>>(),
        vec![only]
    );
    let seeds: Vec<&str> = spec.recipe.seeds.iter().map(|u| u.as_str()).collect();
    assert_eq!(
        seeds[0], "https://shop.example.test/",
        "the config's seed first"
    );
    let mut verified = seeds[1..].to_vec();
    verified.sort();
    assert_eq!(
        verified,
        ["https://shop.example.test/a", "https://shop.example.test/b"],
        "then the root causes it verifies"
    );
    assert_eq!(
        spec.recipe.limits.max_crawl_results,
        Some(5000),
        "defaults overlaid"
    );

    // A listed subset (specialized scan parameters).
    let pick = vulns[0].id;
    let sub = app
        .rw()
        .post("/ias/v1/scans")
        .json(
            &json!({"scan_config": {"id": cfg.to_string()}, "specialized_scan_parameters":
            {"parent_scan_id": parent.to_string(), "vulnerability_ids": [pick.to_string()]}}),
        )
        .send()
        .await
        .status(201)
        .location_id();
    let item = scan_json(&app, ScanId(sub)).await;
    assert_eq!(
        item["specialized_scan_parameters"]["vulnerability_ids"],
        json!([pick.to_string()])
    );
    snap!("scan_item_specialized", scrub(&item));
    let spec = claim(&app, "w3", ScanId(sub)).await;
    assert_eq!(spec.verify, vec![vulns[0].root_cause.clone()]);
    assert_eq!(
        spec.modules.iter().map(|m| m.module).collect::<Vec<_>>(),
        vec![only]
    );
    // A vulnerability the parent did not find is refused.
    app.rw()
        .post("/ias/v1/scans")
        .json(
            &json!({"scan_config": {"id": cfg.to_string()}, "specialized_scan_parameters":
            {"parent_scan_id": parent.to_string(), "vulnerability_ids": [uuid::Uuid::new_v4()]}}),
        )
        .send()
        .await
        .status(422);
}

#[tokio::test]
async fn actions_before_an_engine_starts_the_scan() {
    let app = TestApp::spawn().await;
    let (_, cfg) = ready(&app, "Shop").await;
    let id = submit(&app, cfg).await;
    for illegal in ["PAUSE", "RESUME", "AUTHENTICATE"] {
        let r = action(&app, id, illegal).await.status(409);
        assert!(r.error_body()["message"]
            .as_str()
            .unwrap()
            .contains("PENDING"));
    }
    let r = action(&app, id, "PAUSE").await;
    snap!("scan_action_409", r.error_body());
    let r = action(&app, id, "JUMP").await.status(422);
    snap!("scan_action_422", r.error_body());
    action(&app, id, "").await.status(422);
    assert_eq!(status(&app, id).await, "PENDING");
    // Lower case is fine; a CANCEL before any engine fails the scan at once.
    let r = action(&app, id, "cancel").await.status(200);
    assert!(r.body.is_empty());
    let item = scan_json(&app, id).await;
    assert_eq!(
        (item["status"].as_str(), item["failure_reason"].as_str()),
        (Some("FAILED"), Some("CANCELED"))
    );
    assert!(
        app.service.claim_job("w").await.unwrap().is_none(),
        "job done"
    );
    for any in ["PAUSE", "RESUME", "STOP", "CANCEL", "AUTHENTICATE"] {
        action(&app, id, any).await.status(409);
    }
    // STOP before any engine: nothing to scan, it completes at once.
    let stopped = submit(&app, cfg).await;
    action(&app, stopped, "Stop").await.status(200);
    let item = scan_json(&app, stopped).await;
    assert_eq!(item["status"], "COMPLETE");
    assert!(item["completion_time"].is_string());
    assert!(app.service.claim_job("w").await.unwrap().is_none());
    let events = app
        .ro()
        .get(&format!("/ias/v1/scans/{stopped}/platform-events"))
        .send()
        .await
        .status(200)
        .json();
    snap!("scan_platform_events_stopped_before_start", events);
}

#[tokio::test]
async fn pause_resume_stop_drive_a_running_scan_to_complete() {
    let app = TestApp::spawn().await;
    let (_, cfg) = ready(&app, "Shop").await;
    let id = submit(&app, cfg).await;
    let spec = claim(&app, "w1", id).await;
    assert_eq!((spec.attempt, spec.lease_seconds), (1, 30));
    assert_eq!(status(&app, id).await, "RUNNING");
    let reply = app
        .service
        .job_heartbeat(id, "w1", &hb(ScanStatus::Running))
        .await
        .unwrap();
    assert_eq!(reply.action, None);
    let details = app
        .ro()
        .get(&format!("/ias/v1/scans/{id}/execution-details"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(
        (
            details["links_crawled"].as_i64(),
            details["requests"].as_i64()
        ),
        (Some(7), Some(42))
    );
    action(&app, id, "RESUME").await.status(409);

    action(&app, id, "PAUSE").await.status(200);
    assert_eq!(status(&app, id).await, "PAUSING");
    let pending = app
        .ro()
        .get(&format!("/ias/v1/scans/{id}/action"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(pending, json!({"action": "PAUSE"}));
    // The engine has not seen it yet: its RUNNING report does not undo PAUSING.
    let reply = app
        .service
        .job_heartbeat(id, "w1", &hb(ScanStatus::Running))
        .await
        .unwrap();
    assert_eq!(reply.action, Some(ScanAction::Pause), "delivered once");
    assert_eq!(status(&app, id).await, "PAUSING");
    app.ro()
        .get(&format!("/ias/v1/scans/{id}/action"))
        .send()
        .await
        .status(204);
    let reply = app
        .service
        .job_heartbeat(id, "w1", &hb(ScanStatus::Paused))
        .await
        .unwrap();
    assert_eq!(reply.action, None);
    assert_eq!(status(&app, id).await, "PAUSED");
    action(&app, id, "PAUSE").await.status(409);

    action(&app, id, "resume").await.status(200);
    assert_eq!(status(&app, id).await, "RESUMING");
    let reply = app
        .service
        .job_heartbeat(id, "w1", &hb(ScanStatus::Running))
        .await
        .unwrap();
    assert_eq!(reply.action, Some(ScanAction::Resume));
    assert_eq!(status(&app, id).await, "RUNNING");

    app.service
        .job_events(
            id,
            "w1",
            &[JobEvent {
                time: app.clock.now(),
                event: "Crawling https://shop.example.test/".into(),
            }],
        )
        .await
        .unwrap();
    let batch = FindingBatch {
        batch_id: "b1".into(),
        findings: vec![finding("https://shop.example.test/x")],
    };
    app.service.job_findings(id, "w1", &batch).await.unwrap();
    action(&app, id, "STOP").await.status(200);
    assert_eq!(status(&app, id).await, "STOPPING");
    action(&app, id, "STOP").await.status(409);
    let reply = app
        .service
        .job_heartbeat(id, "w1", &hb(ScanStatus::Running))
        .await
        .unwrap();
    assert_eq!(reply.action, Some(ScanAction::Stop));
    app.service
        .job_finish(id, "w1", &JobOutcome::Stopped)
        .await
        .unwrap();
    let item = scan_json(&app, id).await;
    assert_eq!(item["status"], "COMPLETE");
    assert!(item["completion_time"].is_string());
    snap!("scan_item_complete", scrub(&item));
    assert_eq!(vulns_of(&app, id).await, 1, "partial results stand");
    let engine = app
        .ro()
        .get(&format!("/ias/v1/scans/{id}/engine-events"))
        .send()
        .await
        .status(200)
        .json();
    snap!("scan_engine_events", engine);
    let platform = app
        .ro()
        .get(&format!("/ias/v1/scans/{id}/platform-events"))
        .send()
        .await
        .status(200)
        .json();
    snap!("scan_platform_events_stopped", platform);
    // Finished: the worker's lease is gone, every action is a conflict, no deletion.
    assert!(matches!(
        app.service
            .job_heartbeat(id, "w1", &hb(ScanStatus::Running))
            .await,
        Err(JobError::Refused(JobRefusal::LeaseLost))
    ));
    for any in ["PAUSE", "RESUME", "STOP", "CANCEL", "AUTHENTICATE"] {
        action(&app, id, any).await.status(409);
    }
    let r = app
        .rw()
        .delete(&format!("/ias/v1/scans/{id}"))
        .send()
        .await
        .status(409);
    snap!("scan_delete_409", r.error_body());
}

#[tokio::test]
async fn cancel_and_failures_of_a_running_scan() {
    let app = TestApp::spawn().await;
    let (_, cfg) = ready(&app, "Shop").await;
    let id = submit(&app, cfg).await;
    claim(&app, "w1", id).await;
    // AUTHENTICATE only while the engine waits for it.
    action(&app, id, "AUTHENTICATE").await.status(409);
    app.service
        .job_heartbeat(id, "w1", &hb(ScanStatus::AwaitingAuthentication))
        .await
        .unwrap();
    assert_eq!(status(&app, id).await, "AWAITING_AUTHENTICATION");
    action(&app, id, "AUTHENTICATE").await.status(200);
    assert_eq!(status(&app, id).await, "AUTHENTICATING");
    let reply = app
        .service
        .job_heartbeat(id, "w1", &hb(ScanStatus::Running))
        .await
        .unwrap();
    assert_eq!(reply.action, Some(ScanAction::Authenticate));
    assert_eq!(status(&app, id).await, "RUNNING");

    action(&app, id, "CANCEL").await.status(200);
    assert_eq!(status(&app, id).await, "CANCELING");
    action(&app, id, "CANCEL").await.status(409);
    // The engine finishes before it sees the CANCEL: the cancel still wins.
    app.service
        .job_finish(id, "w1", &JobOutcome::Completed { partial: false })
        .await
        .unwrap();
    let item = scan_json(&app, id).await;
    assert_eq!(
        (item["status"].as_str(), item["failure_reason"].as_str()),
        (Some("FAILED"), Some("CANCELED"))
    );

    // An engine failure carries its reason.
    let failed = submit(&app, cfg).await;
    claim(&app, "w1", failed).await;
    app.service
        .job_finish(
            failed,
            "w1",
            &JobOutcome::Failed {
                reason: FailureReason::NetworkUnavailable,
                message: "no route to host".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        scan_json(&app, failed).await["failure_reason"],
        "NETWORK_UNAVAILABLE"
    );
    // A worker-side CANCEL outcome.
    let canceled = submit(&app, cfg).await;
    claim(&app, "w1", canceled).await;
    action(&app, canceled, "CANCEL").await.status(200);
    app.service
        .job_finish(canceled, "w1", &JobOutcome::Canceled)
        .await
        .unwrap();
    assert_eq!(
        scan_json(&app, canceled).await["failure_reason"],
        "CANCELED"
    );
}

#[tokio::test]
async fn only_failed_scans_can_be_deleted() {
    let app = TestApp::spawn().await;
    let (_, cfg) = ready(&app, "Shop").await;
    let id = submit(&app, cfg).await;
    let r = app
        .rw()
        .delete(&format!("/ias/v1/scans/{id}"))
        .send()
        .await
        .status(409);
    assert!(r.error_body()["message"]
        .as_str()
        .unwrap()
        .contains("PENDING"));
    action(&app, id, "CANCEL").await.status(200);
    app.ro()
        .delete(&format!("/ias/v1/scans/{id}"))
        .send()
        .await
        .status(403);
    app.other()
        .delete(&format!("/ias/v1/scans/{id}"))
        .send()
        .await
        .status(404);
    app.rw()
        .delete(&format!("/ias/v1/scans/{id}"))
        .send()
        .await
        .status(204);
    app.ro()
        .get(&format!("/ias/v1/scans/{id}"))
        .send()
        .await
        .status(404);
    app.rw()
        .delete(&format!("/ias/v1/scans/{id}"))
        .send()
        .await
        .status(404);
}

#[tokio::test]
async fn expired_leases_requeue_then_fail_and_late_batches_are_refused() {
    let app = TestApp::spawn().await;
    let (_, cfg) = ready(&app, "Shop").await;
    let id = submit(&app, cfg).await;
    claim(&app, "w1", id).await;
    app.service
        .job_heartbeat(id, "w1", &hb(ScanStatus::Running))
        .await
        .unwrap();
    // w1 goes silent past its lease: the reaper queues the scan again.
    app.clock.advance(chrono::Duration::seconds(31));
    let report = app
        .service
        .requeue_expired(app.clock.now(), 2)
        .await
        .unwrap();
    assert_eq!(report.requeued, vec![id]);
    assert_eq!(
        status(&app, id).await,
        "PENDING",
        "never RUNNING without a lease"
    );
    let spec = claim(&app, "w2", id).await;
    assert_eq!(
        (spec.attempt, spec.checkpoint.as_deref()),
        (2, Some("crawl:7"))
    );
    assert_eq!(status(&app, id).await, "RUNNING");
    // w1 wakes up: everything it sends is refused and changes nothing.
    let late = FindingBatch {
        batch_id: "late".into(),
        findings: vec![finding("https://shop.example.test/late")],
    };
    assert!(matches!(
        app.service.job_findings(id, "w1", &late).await,
        Err(JobError::Refused(JobRefusal::LeaseLost))
    ));
    assert_eq!(vulns_of(&app, id).await, 0);
    assert!(matches!(
        app.service
            .job_heartbeat(id, "w1", &hb(ScanStatus::Running))
            .await,
        Err(JobError::Refused(JobRefusal::LeaseLost))
    ));
    assert!(matches!(
        app.service
            .job_finish(id, "w1", &JobOutcome::Completed { partial: false })
            .await,
        Err(JobError::Refused(JobRefusal::LeaseLost))
    ));
    assert!(matches!(
        app.service.job_events(id, "w1", &[]).await,
        Err(JobError::Refused(JobRefusal::LeaseLost))
    ));
    assert_eq!(status(&app, id).await, "RUNNING");
    // w2 goes silent too: out of attempts, the scan fails.
    app.clock.advance(chrono::Duration::seconds(31));
    let report = app
        .service
        .requeue_expired(app.clock.now(), 2)
        .await
        .unwrap();
    assert_eq!(report.failed, vec![id]);
    let item = scan_json(&app, id).await;
    assert_eq!(
        (item["status"].as_str(), item["failure_reason"].as_str()),
        (Some("FAILED"), Some("ENGINE_UNAVAILABLE"))
    );
    let events = app
        .ro()
        .get(&format!("/ias/v1/scans/{id}/platform-events"))
        .send()
        .await
        .status(200)
        .json();
    snap!("scan_platform_events_lease_expired", events);
    assert!(app.service.claim_job("w3").await.unwrap().is_none());

    // A scan stopping when its engine vanished is settled, not re-run.
    let stopping = submit(&app, cfg).await;
    claim(&app, "w1", stopping).await;
    action(&app, stopping, "STOP").await.status(200);
    app.clock.advance(chrono::Duration::seconds(31));
    let report = app
        .service
        .requeue_expired(app.clock.now(), 3)
        .await
        .unwrap();
    assert_eq!(report.settled, vec![stopping]);
    assert_eq!(status(&app, stopping).await, "COMPLETE");
}

#[tokio::test]
async fn another_tenant_and_non_members_see_nothing() {
    let app = TestApp::spawn().await;
    let (_, cfg) = ready(&app, "Shop").await;
    let id = submit(&app, cfg).await;
    let private = app.fx_private_app("Private").await;
    let pcfg = app.fx_scan_config(private, "p").await;
    let pid = ScanId(
        app.admin()
            .post("/ias/v1/scans")
            .json(&json!({"scan_config": {"id": pcfg.to_string()}}))
            .send()
            .await
            .status(201)
            .location_id(),
    );
    for suffix in [
        "",
        "/action",
        "/execution-details",
        "/engine-events",
        "/platform-events",
    ] {
        app.other()
            .get(&format!("/ias/v1/scans/{id}{suffix}"))
            .send()
            .await
            .status(404);
        app.ro()
            .get(&format!("/ias/v1/scans/{pid}{suffix}"))
            .send()
            .await
            .status(404);
    }
    app.other()
        .put(&format!("/ias/v1/scans/{id}/action"))
        .json(&json!({"action": "CANCEL"}))
        .send()
        .await
        .status(404);
    // The other tenant cannot submit our config either.
    app.other()
        .post("/ias/v1/scans")
        .json(&json!({"scan_config": {"id": cfg.to_string()}}))
        .send()
        .await
        .status(422);
    let theirs = app
        .other()
        .get("/ias/v1/scans")
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(theirs["metadata"]["total_data"], 0);
    let mine = app
        .ro()
        .get("/ias/v1/scans")
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(
        mine["metadata"]["total_data"], 1,
        "the private app's scan is hidden"
    );
    assert_eq!(status(&app, id).await, "PENDING");
}

#[tokio::test]
async fn scan_search() {
    let app = TestApp::spawn().await;
    let (a, cfg) = ready(&app, "Shop").await;
    let first = submit(&app, cfg).await;
    app.clock.advance(chrono::Duration::seconds(5));
    let second = submit(&app, cfg).await;
    action(&app, first, "CANCEL").await.status(200);
    let body =
        json!({"type": "SCAN", "query": format!("scan.app.id='{a}'&&scan.scan_config.id='{cfg}'")});
    let page = app
        .ro()
        .post("/ias/v1/search?sort=scan.submit_time,DESC")
        .json(&body)
        .send()
        .await
        .status(200)
        .json();
    let ids: Vec<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [second.to_string(), first.to_string()]);
    assert_eq!(
        page["data"][0]["links"][0]["href"],
        format!("{}/ias/v1/scans/{second}", app.base)
    );
    let failed = app
        .ro()
        .post("/ias/v1/search")
        .json(&json!({"type": "SCAN", "query": "scan.status = 'FAILED' && scan.failure_reason = 'CANCELED'"}))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(failed["metadata"]["total_data"], 1);
    assert_eq!(failed["data"][0]["id"], first.to_string());
    let theirs = app
        .other()
        .post("/ias/v1/search")
        .json(&body)
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(theirs["metadata"]["total_data"], 0);
    app.ro()
        .post("/ias/v1/search")
        .json(&json!({"type": "SCAN", "query": "scan.nope = 'x'"}))
        .send()
        .await
        .status(422);
}
