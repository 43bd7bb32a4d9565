//! AppSec+ triage policies (scope by tag, Product Admin only, expiry that gives back only
//! what nobody changed since, the trail), `sla.breached` announced once per breach, the
//! `vulnerability.*` events of engine scans, and the webhook SSRF guard — on SQLite and
//! PostgreSQL, over real HTTP.

use crate::webhooks::{import, new_app, python_verifies, subscribe, until, Receiver};
use rampart_domain::job::*;
use rampart_domain::time::Clock;
use rampart_domain::*;
use rampart_testkit::TestApp;
use serde_json::{json, Value};

const BANDIT: &str = include_str!("../../../rampart-ingest/tests/fixtures/bandit.sarif");

async fn vulns_of(t: &TestApp, app: &str) -> Vec<Value> {
    t.admin()
        .get(&format!("/vulnerabilities?applicationId={app}&limit=1000"))
        .send()
        .await
        .status(200)
        .json()
        .as_array()
        .unwrap()
        .clone()
}

fn statuses(list: &[Value]) -> Vec<String> {
    let mut s: Vec<String> = list
        .iter()
        .map(|v| v["status"].as_str().unwrap().to_string())
        .collect();
    s.sort();
    s
}

/// The id of what the Product Admin user creates by posting `body` to `path`.
async fn created(t: &TestApp, path: &str, body: Value) -> String {
    t.admin()
        .post(path)
        .json(&body)
        .send()
        .await
        .status(201)
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Waits for the first delivery of `event`, checks its signature with Python's `hmac`, and
/// returns its body and how many deliveries of `event` had arrived.
async fn first_signed(t: &TestApp, rx: &Receiver, event: &str, secret: &str) -> (Value, usize) {
    let got = until(t, chrono::Duration::zero(), || {
        let g = rx.of(event);
        (!g.is_empty()).then_some(g)
    })
    .await;
    assert!(python_verifies(secret, &got[0]));
    (serde_json::from_str(&got[0].body).unwrap(), got.len())
}

async fn tagged_app(t: &TestApp, tags: &[&str]) -> String {
    let body = json!({"name": t.unique("triaged"), "tags": tags});
    created(t, "/applications", body).await
}

async fn triage(t: &TestApp) {
    let pci = tagged_app(t, &["pci"]).await;
    let other = new_app(t).await;
    import(t, &pci, BANDIT).await;
    import(t, &other, BANDIT).await;
    let until_at = t.clock.now() + chrono::Duration::days(2);
    let body = json!({
        "name": "suppress pci test data",
        "type": "triage",
        "action": "monitor",
        "conditions": {"tags": ["PCI"]},
        "triage": {"status": "accepted", "justification": "fixtures, not production code",
                   "until": until_at.to_rfc3339()},
    });
    // Only a Product Admin manages triage policies: they change every app in scope.
    let refused = t
        .rw()
        .post("/policies")
        .json(&body)
        .send()
        .await
        .status(403)
        .json();
    assert!(
        refused["detail"]
            .as_str()
            .is_some_and(|d| d.contains("Product Admin")),
        "{refused}"
    );
    // Invalid triage policies name the member.
    for (bad, member) in [
        (
            json!({"name": "x", "action": "monitor", "triage": {"status": "accepted", "justification": ""}}),
            "triage.justification",
        ),
        (
            json!({"name": "x", "action": "monitor", "triage": {"status": "gone", "justification": "j"}}),
            "triage.status",
        ),
        (
            json!({"name": "x", "action": "monitor", "triage": {"status": "accepted", "justification": "j", "until": "tomorrow"}}),
            "triage.until",
        ),
        (
            json!({"name": "x", "action": "monitor", "type": "triage"}),
            "triage",
        ),
        (
            json!({"name": "x", "action": "monitor", "type": "gate", "triage": {"status": "accepted", "justification": "j"}}),
            "triage",
        ),
        (
            json!({"name": "x", "action": "monitor", "sla": {}, "triage": {"status": "accepted", "justification": "j"}}),
            "sla",
        ),
    ] {
        let p = t
            .admin()
            .post("/policies")
            .json(&bad)
            .send()
            .await
            .status(422)
            .json();
        let pointer = format!("\"/{}\"", member.replace('.', "/"));
        assert!(p.to_string().contains(&pointer), "{member}: {p}");
    }

    let policy = t
        .admin()
        .post("/policies")
        .json(&body)
        .send()
        .await
        .status(201)
        .json();
    assert_eq!(policy["type"], "triage");
    assert_eq!(policy["triage"]["status"], "accepted");
    assert_eq!(policy["conditions"]["tags"], json!(["PCI"]));
    let id = policy["id"].as_str().unwrap();
    // Applied at once, to the tagged app only.
    let suppressed = vulns_of(t, &pci).await;
    assert_eq!(suppressed.len(), 7);
    assert_eq!(statuses(&suppressed), vec!["accepted"; 7]);
    assert_eq!(statuses(&vulns_of(t, &other).await), vec!["open"; 7]);
    let trail = t
        .admin()
        .get(&format!("/policies/{id}/changes"))
        .send()
        .await
        .status(200)
        .json();
    let trail = trail.as_array().unwrap();
    assert_eq!(trail.len(), 7);
    for c in trail {
        assert_eq!(
            (c["previousStatus"].as_str(), c["status"].as_str()),
            (Some("open"), Some("accepted"))
        );
        assert_eq!(c["justification"], "fixtures, not production code");
        assert_eq!(c["policyName"], "suppress pci test data");
        assert!(c["endedAt"].is_null());
    }
    t.ro()
        .get(&format!("/policies/{id}/changes?limit=0"))
        .send()
        .await
        .status(422);
    // Evaluating it again changes nothing more.
    let again = t
        .admin()
        .post(&format!("/policies/{id}/evaluate"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(
        (again["result"].as_str(), again["matched"].as_u64()),
        (Some("pass"), Some(0))
    );
    t.rw()
        .post(&format!("/policies/{id}/evaluate"))
        .send()
        .await
        .status(403);

    // Someone takes one finding in hand; then the policy expires.
    let mine = suppressed[0]["id"].as_str().unwrap();
    t.admin()
        .patch(&format!("/vulnerabilities/{mine}"))
        .json(&json!({"status": "in_progress"}))
        .send()
        .await
        .status(200);
    let before = t.service.policy_duties().await.unwrap();
    assert_eq!((before.reverted, before.kept), (0, 0), "not expired yet");
    t.clock.advance(chrono::Duration::days(3));
    let r = t.service.policy_duties().await.unwrap();
    assert_eq!((r.reverted, r.kept), (6, 1));
    let back = vulns_of(t, &pci).await;
    let mut want = vec!["in_progress".to_string()];
    want.extend(vec!["open".to_string(); 6]);
    want.sort();
    assert_eq!(
        statuses(&back),
        want,
        "given back, except the one changed since"
    );
    let trail = t
        .admin()
        .get(&format!("/policies/{id}/changes"))
        .send()
        .await
        .status(200)
        .json();
    let ends: Vec<&str> = trail
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["end"].as_str().unwrap())
        .collect();
    assert_eq!(ends.iter().filter(|e| **e == "reverted").count(), 6);
    assert_eq!(ends.iter().filter(|e| **e == "kept").count(), 1);
    // Expired: a new import does not suppress again, and a second run undoes nothing.
    assert_eq!(t.service.policy_duties().await.unwrap().reverted, 0);
    assert!(statuses(&vulns_of(t, &pci).await)
        .iter()
        .all(|s| s != "accepted"));
}

#[tokio::test]
async fn triage_policies_suppress_by_tag_expire_and_leave_a_trail() {
    triage(&TestApp::spawn().await).await;
}

#[tokio::test]
async fn pg_triage_policies_suppress_by_tag_expire_and_leave_a_trail() {
    let Some(t) = TestApp::spawn_postgres().await else {
        return;
    };
    triage(&t).await;
}

async fn sla_breaches(t: &TestApp) {
    let rx = Receiver::start(0, 500).await;
    let (_, secret) = subscribe(t, &rx.url, &["sla.breached"]).await;
    let app = new_app(t).await;
    import(t, &app, BANDIT).await;
    t.admin()
        .post("/policies")
        .json(&json!({"name": "fast", "type": "sla", "action": "block",
            "sla": {"highDays": 1, "mediumDays": 3, "lowDays": 30}}))
        .send()
        .await
        .status(201);
    assert_eq!(
        t.service.policy_duties().await.unwrap().breaches,
        0,
        "nothing due yet"
    );
    t.clock.advance(chrono::Duration::days(2));
    // The two high findings (1 day) are past due; the mediums (3 days) are not.
    assert_eq!(t.service.policy_duties().await.unwrap().breaches, 2);
    let (body, sent) = first_signed(t, &rx, "sla.breached", &secret).await;
    assert_eq!(sent, 1);
    assert_eq!(body["data"]["count"], 2);
    let listed = body["data"]["vulnerabilities"].as_array().unwrap();
    assert!(listed
        .iter()
        .all(|v| v["severity"] == "high" && v["slaDueAt"].is_string()));
    // Announced once: the next runs (and another day for the mediums) add only new ones.
    assert_eq!(t.service.policy_duties().await.unwrap().breaches, 0);
    t.clock.advance(chrono::Duration::days(2));
    assert_eq!(t.service.policy_duties().await.unwrap().breaches, 2);
    until(t, chrono::Duration::zero(), || {
        (rx.of("sla.breached").len() == 2).then_some(())
    })
    .await;
}

#[tokio::test]
async fn sla_breaches_are_announced_once() {
    sla_breaches(&TestApp::spawn().await).await;
}

#[tokio::test]
async fn pg_sla_breaches_are_announced_once() {
    let Some(t) = TestApp::spawn_postgres().await else {
        return;
    };
    sla_breaches(&t).await;
}

fn finding(url: &str, param: &str) -> Finding {
    Finding {
        module: rampart_testkit::sample_catalogue()[0].id,
        root_cause: RootCause {
            url: url.into(),
            parameter: Some(param.into()),
            method: "GET".into(),
        },
        severity: Severity::High,
        vulnerability_score: Some(7.0),
        discovered: chrono::Utc::now(),
        vector_string: None,
        variances: Vec::new(),
    }
}

/// One engine scan of `cfg` run by a test worker that reports `findings` and finishes.
async fn engine_scan(t: &TestApp, cfg: ScanConfigId, findings: Vec<Finding>) -> ScanId {
    let id = t.fx_scan(cfg).await;
    let spec = t.service.claim_job("w1").await.unwrap().expect("a job");
    assert_eq!(spec.scan, id);
    let batch = FindingBatch {
        batch_id: "b1".into(),
        findings,
    };
    t.service.job_findings(id, "w1", &batch).await.unwrap();
    t.service
        .job_finish(id, "w1", &JobOutcome::Completed { partial: false })
        .await
        .unwrap();
    id
}

async fn dast_events(t: &TestApp) {
    let rx = Receiver::start(0, 500).await;
    let (_, secret) = subscribe(
        t,
        &rx.url,
        &["vulnerability.created", "vulnerability.reopened"],
    )
    .await;
    let (_, cfg) = crate::scans::ready(t, &t.unique("dast events")).await;
    let a = "https://shop.example.test/item";
    engine_scan(t, cfg, vec![finding(a, "id"), finding(a, "q")]).await;
    let (body, _) = first_signed(t, &rx, "vulnerability.created", &secret).await;
    assert_eq!(body["data"]["count"], 2);
    assert_eq!(body["data"]["scanType"], "dast");
    let listed = body["data"]["vulnerabilities"].as_array().unwrap();
    assert!(listed
        .iter()
        .all(|v| v["status"] == "open" && v["severity"] == "high"));
    // One is fixed, then found again by the next scan: reopened.
    let fixed = listed[0]["id"].as_str().unwrap();
    t.admin()
        .put(&format!("/ias/v1/vulnerabilities/{fixed}"))
        .json(&json!({"status": "REMEDIATED"}))
        .send()
        .await
        .status(200);
    engine_scan(t, cfg, vec![finding(a, "id"), finding(a, "q")]).await;
    let reopened = until(t, chrono::Duration::zero(), || {
        let g = rx.of("vulnerability.reopened");
        (!g.is_empty()).then_some(g)
    })
    .await;
    let body: Value = serde_json::from_str(&reopened[0].body).unwrap();
    assert_eq!(body["data"]["count"], 1);
    assert_eq!(body["data"]["vulnerabilities"][0]["id"], fixed);
    assert_eq!(
        rx.of("vulnerability.created").len(),
        1,
        "nothing new the second time"
    );

    // A triage policy applies to engine findings after each scan too: a third finding
    // is suppressed when its scan completes (IGNORED on /ias/v1).
    t.admin()
        .post("/policies")
        .json(
            &json!({"name": "ignore the q parameter's twin", "action": "monitor",
            "triage": {"status": "accepted", "justification": "accepted risk"},
            "conditions": {"scanTypes": ["dast"], "statuses": ["open"]}}),
        )
        .send()
        .await
        .status(201);
    engine_scan(t, cfg, vec![finding(a, "z")]).await;
    let list = t
        .admin()
        .get("/ias/v1/vulnerabilities")
        .send()
        .await
        .status(200)
        .json();
    let data = list["data"].as_array().unwrap();
    assert_eq!(data.len(), 3);
    assert!(
        data.iter().all(|v| v["status"] == "IGNORED"),
        "every open engine finding suppressed: {list}"
    );
}

#[tokio::test]
async fn engine_scans_send_vulnerability_events_and_meet_triage() {
    dast_events(&TestApp::spawn().await).await;
}

#[tokio::test]
async fn pg_engine_scans_send_vulnerability_events_and_meet_triage() {
    let Some(t) = TestApp::spawn_postgres().await else {
        return;
    };
    dast_events(&t).await;
}

/// With private receivers refused (`rampart server`'s default), a loopback literal is
/// refused at subscription and a name that resolves to loopback is never contacted.
#[tokio::test]
async fn webhook_receivers_on_private_addresses_are_refused() {
    let t = TestApp::builder()
        .private_webhooks(false)
        .spawn()
        .await
        .unwrap();
    let rx = Receiver::start(0, 500).await;
    for url in [
        rx.url.clone(),
        "http://169.254.169.254/latest/meta-data".into(),
        "http://10.0.0.8/hook".into(),
        "http://[::1]:8080/hook".into(),
    ] {
        let p = t
            .admin()
            .post("/webhooks")
            .json(&json!({"name": t.unique("h"), "url": url, "events": ["scan.completed"]}))
            .send()
            .await
            .status(422)
            .json();
        assert!(
            p.to_string().contains("receivers must be public"),
            "{url}: {p}"
        );
    }
    // A name is checked when it is resolved, at every try.
    let by_name = rx.url.replace("127.0.0.1", "localhost");
    let (hook, _) = subscribe(&t, &by_name, &["scan.completed"]).await;
    let app = new_app(&t).await;
    import(&t, &app, BANDIT).await;
    let d = crate::webhooks::log_until(&t, &hook, |d| d["lastError"].is_string()).await;
    assert!(
        d["lastError"]
            .as_str()
            .unwrap()
            .contains("only delivers to public receivers"),
        "{d}"
    );
    assert!(rx.got().is_empty(), "the receiver was never contacted");
    // The same guard protects a webhook connector's test.
    let c = t
        .admin()
        .post("/connectors")
        .json(&json!({"name": "hook", "type": "webhook", "config": {"url": by_name}}))
        .send()
        .await
        .status(201)
        .json();
    let r = t
        .admin()
        .post(&format!("/connectors/{}/test", c["id"].as_str().unwrap()))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(r["ok"], false);
    assert_eq!(r["connector"]["status"], "error");
    assert!(rx.got().is_empty());
}

async fn policy(t: &TestApp, body: Value) -> String {
    created(t, "/policies", body).await
}

/// Gate policies judge every completed scan: an import's answer, `GET /scans/{id}` and the
/// list carry the verdict; each failing policy sends one signed `policy.failed`; an engine
/// scan is judged when it completes, and its `scan.completed` is sent once; a scan whose
/// judging a crash interrupted is judged by the policy duty, once.
async fn scan_gates(t: &TestApp) {
    let rx = Receiver::start(0, 500).await;
    let (_, secret) = subscribe(t, &rx.url, &["policy.failed", "scan.completed"]).await;
    let app = new_app(t).await;
    let elsewhere = new_app(t).await;
    let no_high = policy(
        t,
        json!({"name": "no high findings", "action": "block",
            "conditions": {"minSeverity": "high", "applicationIds": [app]}}),
    )
    .await;
    // Judges every app, passes under 100 findings; not gates: scoped elsewhere, SLA,
    // disabled.
    let watch = policy(
        t,
        json!({"name": "watch", "action": "monitor", "conditions": {"maxCount": 100}}),
    )
    .await;
    policy(
        t,
        json!({"name": "other app", "action": "block",
            "conditions": {"applicationIds": [elsewhere]}}),
    )
    .await;
    policy(
        t,
        json!({"name": "sla", "type": "sla", "action": "block", "sla": {"highDays": 1}}),
    )
    .await;
    policy(
        t,
        json!({"name": "off", "action": "block", "enabled": false, "conditions": {}}),
    )
    .await;

    let scan = import(t, &app, BANDIT).await;
    let pe = &scan["policyEvaluation"];
    assert_eq!(pe["result"], "fail", "{scan}");
    assert_eq!(pe["evaluatedPolicies"], 2, "{pe}");
    let v = pe["violations"].as_array().unwrap();
    assert_eq!(v.len(), 1, "{pe}");
    assert_eq!(v[0]["policyId"], no_high.as_str());
    assert_eq!(
        (v[0]["action"].as_str(), v[0]["result"].as_str()),
        (Some("block"), Some("fail"))
    );
    assert_eq!(v[0]["matched"], 2, "the fixture's two high findings: {pe}");
    let high: Vec<String> = vulns_of(t, &app)
        .await
        .iter()
        .filter(|x| x["severity"] == "high")
        .map(|x| x["id"].as_str().unwrap().to_string())
        .collect();
    let mut deciding: Vec<String> = v[0]["vulnerabilityIds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect();
    deciding.sort();
    let mut want = high.clone();
    want.sort();
    assert_eq!(deciding, want);
    let id = scan["id"].as_str().unwrap();
    let got = t
        .admin()
        .get(&format!("/scans/{id}"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(got["policyEvaluation"], *pe);
    let listed = t
        .admin()
        .get(&format!("/scans?applicationId={app}"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(listed[0]["policyEvaluation"], *pe);

    let (body, _) = first_signed(t, &rx, "policy.failed", &secret).await;
    assert_eq!(body["data"]["scanId"], id);
    assert_eq!(body["data"]["policyId"], no_high.as_str());
    assert_eq!(body["data"]["applicationId"], app.as_str());
    assert_eq!(body["data"]["matched"], 2);

    // Another app: the monitor and the block policy scoped to it judge it, and pass on
    // no finding; nothing is announced.
    let calm = import(t, &elsewhere, &crate::webhooks::empty_bandit()).await;
    let pe = &calm["policyEvaluation"];
    assert_eq!(
        (pe["result"].as_str(), pe["evaluatedPolicies"].as_u64()),
        (Some("pass"), Some(2)),
        "{pe}"
    );
    assert_eq!(pe["violations"], json!([]));
    let _ = watch;

    // An engine scan is judged when it completes; its scan.completed is written once.
    let no_dast = policy(
        t,
        json!({"name": "no dast findings", "action": "block", "conditions": {"scanTypes": ["dast"]}}),
    )
    .await;
    let (dast_app, cfg) = crate::scans::ready(t, &t.unique("gated")).await;
    let a = "https://shop.example.test/item";
    let dast = engine_scan(t, cfg, vec![finding(a, "id")]).await;
    let got = t
        .admin()
        .get(&format!("/scans/{dast}"))
        .send()
        .await
        .status(200)
        .json();
    let pe = &got["policyEvaluation"];
    assert_eq!(pe["result"], "fail", "{got}");
    assert_eq!(pe["violations"][0]["policyId"], no_dast.as_str());
    assert_eq!(pe["violations"][0]["matched"], 1);
    let completed = until(t, chrono::Duration::zero(), || {
        let g: Vec<_> = rx
            .of("scan.completed")
            .into_iter()
            .filter(|d| d.body.contains(&dast.to_string()))
            .collect();
        (!g.is_empty()).then_some(g)
    })
    .await;
    assert_eq!(completed.len(), 1);
    until(t, chrono::Duration::zero(), || {
        (rx.of("policy.failed").len() == 2).then_some(())
    })
    .await;

    // A crash between an engine scan's completion and its judging: the note and the
    // completion are stored, the verdict is not. The duty judges it once.
    let org = t.keys.org.principal.org;
    let crashed = t.fx_scan(cfg).await;
    let now = t.clock.now();
    t.store()
        .expect_scan_evaluation(org, crashed.0, dast_app, now)
        .await
        .unwrap();
    assert!(t
        .store()
        .transition_scan(
            org,
            crashed,
            ScanStatus::Pending,
            ScanStatus::Complete,
            None,
            Some(now)
        )
        .await
        .unwrap());
    // A scan noted but never completed (its note is dropped a day later).
    let stuck = t.fx_scan(cfg).await;
    t.store()
        .expect_scan_evaluation(org, stuck.0, dast_app, now)
        .await
        .unwrap();
    let before = t
        .admin()
        .get(&format!("/scans/{crashed}"))
        .send()
        .await
        .status(200)
        .json();
    assert!(before.get("policyEvaluation").is_none(), "{before}");
    let duty = t.service.policy_duties().await.unwrap();
    assert_eq!((duty.judged, duty.dropped), (0, 0), "not due for a minute");
    t.clock.advance(chrono::Duration::minutes(2));
    let duty = t.service.policy_duties().await.unwrap();
    assert_eq!((duty.judged, duty.dropped), (1, 0));
    let after = t
        .admin()
        .get(&format!("/scans/{crashed}"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(after["policyEvaluation"]["result"], "fail", "{after}");
    let failed = until(t, chrono::Duration::zero(), || {
        let g = rx.of("policy.failed");
        (g.len() == 3).then_some(g)
    })
    .await;
    assert!(failed.iter().any(|d| d.body.contains(&crashed.to_string())));
    t.clock.advance(chrono::Duration::hours(25));
    let duty = t.service.policy_duties().await.unwrap();
    assert_eq!((duty.judged, duty.dropped), (0, 1));
    assert_eq!(t.service.policy_duties().await.unwrap().dropped, 0);
    assert_eq!(
        rx.of("policy.failed").len(),
        3,
        "each failing verdict announced once"
    );
}

#[tokio::test]
async fn gate_policies_judge_every_completed_scan_once() {
    scan_gates(&TestApp::spawn().await).await;
}

#[tokio::test]
async fn pg_gate_policies_judge_every_completed_scan_once() {
    let Some(t) = TestApp::spawn_postgres().await else {
        return;
    };
    scan_gates(&t).await;
}
