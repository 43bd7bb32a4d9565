//! What the schema fuzzer (`bench/fuzz/run.sh`) found on the AppSec+ routes, held here
//! without it, on both databases: bounds the document states are enforced, words it lists
//! are the ones accepted, malformed query parameters answer in the family's shape.

use rampart_testkit::TestApp;
use serde_json::{json, Value};

/// A problem+json 422 naming `pointer` among its errors.
fn refused(r: &rampart_testkit::Resp, pointer: &str) {
    assert_eq!(r.status, 422, "{pointer}: {}", r.text());
    let v = r.json();
    let errors = v["details"]["errors"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        errors.iter().any(|e| e["pointer"] == pointer),
        "{pointer} not named: {v}"
    );
}

async fn policies(t: &TestApp) {
    let policy = |conditions: Value| json!({"name": t.unique("p"), "action": "block", "conditions": conditions});
    // `maxCount` and `minAgeDays` stop where the document says (int64 / int32 would let
    // 2^63 and 2^31 through, and they were stored).
    for (conditions, pointer) in [
        (
            json!({"maxCount": 1_000_000_001u64}),
            "/conditions/maxCount",
        ),
        (
            json!({"maxCount": 9_223_372_036_854_775_808u64}),
            "/conditions/maxCount",
        ),
        (json!({"minAgeDays": 36_501}), "/conditions/minAgeDays"),
        (
            json!({"minAgeDays": 2_147_483_648u64}),
            "/conditions/minAgeDays",
        ),
        (json!({"statuses": ["closed"]}), "/conditions/statuses/0"),
        (json!({"tags": [""]}), "/conditions/tags/0"),
        // The threshold's two names: a bad word in either is refused, also beside a good
        // one in the other (it was dropped and the policy stored), and two must agree.
        (
            json!({"minSeverity": "high", "vulnerabilitySeverity": "AAA"}),
            "/conditions/vulnerabilitySeverity",
        ),
        (
            json!({"minSeverity": "AAA", "vulnerabilitySeverity": "high"}),
            "/conditions/minSeverity",
        ),
        (
            json!({"minSeverity": "high", "vulnerabilitySeverity": "low"}),
            "/conditions/vulnerabilitySeverity",
        ),
    ] {
        let r = t
            .admin()
            .post("/policies")
            .json(&policy(conditions))
            .send()
            .await;
        refused(&r, pointer);
    }
    // A whole number written as a float is the integer it names (JSON Schema's view).
    let made = t
        .admin()
        .post("/v1/policies")
        .json(&policy(
            json!({"maxCount": 34.0, "minAgeDays": 7.0, "statuses": ["accepted"]}),
        ))
        .send()
        .await
        .status(201)
        .json();
    assert_eq!(made["conditions"]["maxCount"], 34, "{made}");
    let same = t
        .admin()
        .post("/policies")
        .json(&policy(
            json!({"minSeverity": "high", "vulnerabilitySeverity": "HIGH"}),
        ))
        .send()
        .await
        .status(201)
        .json();
    assert_eq!(
        same["conditions"]["vulnerabilitySeverity"], "high",
        "{same}"
    );
    assert_eq!(made["conditions"]["minAgeDays"], 7, "{made}");
    // So are an SLA policy's days (`31.0` was refused: `expected u32`).
    let sla = t
        .admin()
        .post("/policies")
        .json(
            &json!({"name": t.unique("sla"), "type": "sla", "action": "monitor",
            "sla": {"lowDays": 31.0, "criticalDays": 7}}),
        )
        .send()
        .await
        .status(201)
        .json();
    assert_eq!(sla["sla"]["lowDays"], 31, "{sla}");
    assert_eq!(sla["sla"]["criticalDays"], 7, "{sla}");
    let r = t
        .admin()
        .post("/policies")
        .json(&policy(json!({"maxCount": 34.5})))
        .send()
        .await;
    assert_eq!(r.status, 422, "{}", r.text());
    // The evaluation's body is optional, as documented.
    let id = made["id"].as_str().unwrap();
    let v = t
        .admin()
        .post(&format!("/policies/{id}/evaluate"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(v["policyId"], id, "{v}");
    let v = t
        .admin()
        .post(&format!("/v1/policies/{id}/evaluate"))
        .header("Content-Type", "application/json")
        .body("null")
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(v["policyId"], id, "{v}");
}

async fn webhooks(t: &TestApp) {
    let hook = t
        .admin()
        .post("/webhooks")
        .json(&json!({"name": t.unique("h"), "url": "https://hooks.example.test/in", "events": ["scan.completed"]}))
        .send()
        .await
        .status(201)
        .json();
    let id = hook["id"].as_str().unwrap();
    // A malformed query parameter is 400 in problem+json (axum's plain-text refusal was
    // undocumented), and the log's paging is the AppSec+ one (422 naming the parameter).
    let r = t
        .admin()
        .get(&format!("/webhooks/{id}/deliveries?offset=-1"))
        .send()
        .await
        .status(400);
    let ct = r.header("content-type").unwrap_or_default();
    assert!(ct.starts_with("application/problem+json"), "{ct}");
    for (query, pointer) in [
        ("limit=0", "/limit"),
        ("limit=1001", "/limit"),
        ("offset=100001", "/offset"),
    ] {
        let r = t
            .admin()
            .get(&format!("/v1/webhooks/{id}/deliveries?{query}"))
            .send()
            .await;
        refused(&r, pointer);
    }
    t.admin()
        .get(&format!(
            "/webhooks/{id}/deliveries?limit=1000&offset=100000"
        ))
        .send()
        .await
        .status(200);
    // `status` takes the two words the document lists; the empty word is not one.
    let r = t
        .admin()
        .put(&format!("/webhooks/{id}"))
        .json(&json!({"name": "h", "url": "https://hooks.example.test/in", "events": ["scan.completed"], "status": ""}))
        .send()
        .await;
    refused(&r, "/status");
}

/// Names with NUL or another control character are 422 on the AppSec+ routes too.
async fn control_characters(t: &TestApp) {
    for bad in ["a\u{0}b", "red\u{1b}[31m", "x\u{9b}2J"] {
        let cases = [
            ("/applications", json!({"name": bad})),
            ("/policies", json!({"name": bad, "action": "block"})),
            (
                "/webhooks",
                json!({"name": bad, "url": "https://hooks.example.test/in", "events": ["scan.completed"]}),
            ),
            (
                "/connectors",
                json!({"name": bad, "type": "webhook", "config": {"url": "https://hooks.example.test/in"}}),
            ),
        ];
        for (path, body) in cases {
            let r = t.admin().post(path).json(&body).send().await;
            refused(&r, "/name");
        }
    }
}

async fn all(t: TestApp) {
    policies(&t).await;
    webhooks(&t).await;
    control_characters(&t).await;
}

#[tokio::test]
async fn fuzzed_plus_rules_hold_on_sqlite() {
    all(TestApp::spawn().await).await;
}

#[tokio::test]
async fn fuzzed_plus_rules_hold_on_postgres() {
    all(TestApp::spawn_postgres().await.expect("PostgreSQL")).await;
}
