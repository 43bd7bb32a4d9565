//! `/vulnerabilities`: shapes, triage with history, discoveries, comments, documentation,
//! search, and the error cases — on SQLite, and the main flow on PostgreSQL too.

use crate::{scrub_href, snap};
use rampart_domain::Severity;
use rampart_testkit::{fx_finding, TestApp};
use serde_json::{json, Value};

fn scrub_ui(mut v: Value) -> Value {
    if let Some(u) = v["insight_ui_url"].as_str() {
        v["insight_ui_url"] = json!(scrub_href(u));
    }
    v
}

/// Everything a client does with vulnerabilities, on one server.
async fn flow(t: &TestApp, snapshots: bool) {
    let a = t.fx_app(&t.unique("shop")).await;
    let scan = t
        .fx_scan_with_findings(
            a,
            &[
                fx_finding("http://shop.test/a", Some("id"), Severity::Medium, 1),
                fx_finding("http://shop.test/b", None, Severity::Critical, 1),
                fx_finding("http://shop.test/c", Some("q"), Severity::Low, 1),
                fx_finding("http://shop.test/d", Some("q"), Severity::High, 1),
            ],
        )
        .await;

    // List: default sort severity DESC by rank (CRITICAL, HIGH, MEDIUM, LOW).
    let page = t
        .ro()
        .get("/ias/v1/vulnerabilities?size=3")
        .send()
        .await
        .status(200)
        .json();
    let sev: Vec<_> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["severity"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(sev, ["CRITICAL", "HIGH", "MEDIUM"]);
    assert_eq!(page["metadata"]["total_data"], 4);
    let token = page["metadata"]["page_token"].as_str().unwrap().to_string();
    let rest = t
        .ro()
        .get(&format!(
            "/ias/v1/vulnerabilities?size=3&page-token={token}"
        ))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(rest["data"][0]["severity"], "LOW", "page-token pages on");
    let asc = t
        .ro()
        .get("/ias/v1/vulnerabilities?sort=vulnerability.severity,ASC")
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(asc["data"][0]["severity"], "LOW");

    let item = page["data"][1].clone();
    let id = item["id"].as_str().unwrap().to_string();
    let one = t
        .ro()
        .get(&format!("/ias/v1/vulnerabilities/{id}"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(one, item, "list items are the full resource");
    assert_eq!(
        one["variances"][0]["module"]["id"],
        json!(rampart_testkit::sample_catalogue()[0].id.to_string())
    );
    assert_eq!(one["variances"][0]["attack"]["id"], "SQLI_01");
    assert!(one["variances"][0]["attack_exchanges"][0]["request"]
        .as_str()
        .unwrap()
        .contains("\r\n"));
    let ui = one["insight_ui_url"].as_str().unwrap();
    let (prefix, route) = ui.split_once('#').expect("a # in the UI link");
    assert_eq!(prefix, format!("{}/", t.base));
    assert_eq!(route, format!("/apps/{a}/vulnerabilities/{id}"));
    assert_eq!(
        one["links"][0]["href"],
        json!(format!("{}/ias/v1/vulnerabilities/{id}", t.base))
    );
    if snapshots {
        snap!("vulnerability_item", scrub_ui(one.clone()));
    }

    // PUT: echo the whole resource with a new status; read-only fields are ignored.
    let mut body = one.clone();
    body["status"] = json!("VERIFIED");
    body["root_cause"]["url"] = json!("http://elsewhere.test/");
    body["newly_discovered"] = json!("false");
    let r = t
        .rw()
        .put(&format!("/ias/v1/vulnerabilities/{id}"))
        .json(&body)
        .send()
        .await
        .status(200);
    assert_eq!(r.location(), None);
    let after = t
        .ro()
        .get(&format!("/ias/v1/vulnerabilities/{id}"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(after["status"], "VERIFIED");
    assert_eq!(after["root_cause"], one["root_cause"], "read-only");
    assert_eq!(after["severity"], one["severity"]);
    assert_eq!(after["updated_time"], "2026-01-02T03:04:05.678901");
    t.clock.advance(chrono::Duration::seconds(1));
    t.org()
        .put(&format!("/ias/v1/vulnerabilities/{id}"))
        .json(&json!({"severity": "CRITICAL", "status": "VERIFIED"}))
        .send()
        .await
        .status(200);
    let history = t
        .ro()
        .get(&format!("/ias/v1/vulnerabilities/{id}/history"))
        .send()
        .await
        .status(200)
        .json();
    let h = history.as_array().unwrap();
    assert_eq!(h.len(), 2, "{history}");
    assert_eq!(h[0]["source"]["source_type"], "USER");
    assert_eq!(
        h[0]["source"]["source_id"],
        json!(t.keys.read_write.id().to_string())
    );
    assert_eq!(
        h[0]["changes"],
        json!([{"field": "STATUS", "previous_value": "UNREVIEWED", "new_value": "VERIFIED"}])
    );
    assert_eq!(h[1]["source"]["source_type"], "ORGANIZATION");
    assert_eq!(
        h[1]["changes"],
        json!([{"field": "SEVERITY", "previous_value": "HIGH", "new_value": "CRITICAL"}]),
        "only what changed"
    );
    if snapshots {
        let mut scrubbed = history.clone();
        for e in scrubbed.as_array_mut().unwrap() {
            e["source"]["source_id"] = json!("[id]");
        }
        snap!("vulnerability_history", scrubbed);
    }

    // Discoveries.
    let ds = t
        .ro()
        .get(&format!("/ias/v1/vulnerabilities/{id}/discoveries"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(ds["metadata"]["total_data"], 1);
    assert_eq!(ds["data"][0]["scan"]["id"], json!(scan.to_string()));
    let did = ds["data"][0]["id"].as_str().unwrap();
    let d = t
        .ro()
        .get(&format!("/ias/v1/vulnerabilities/{id}/discoveries/{did}"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(d, ds["data"][0]);
    if snapshots {
        snap!("vulnerability_discoveries", ds);
    }

    // Comments.
    let r = t
        .rw()
        .post(&format!("/ias/v1/vulnerabilities/{id}/comments"))
        .json(&json!({"content": "confirmed by hand"}))
        .send()
        .await
        .status(201);
    let cid = r.location_id();
    assert_eq!(
        r.location().unwrap(),
        format!("{}/ias/v1/vulnerabilities/{id}/comments/{cid}", t.base)
    );
    assert!(r.text().is_empty());
    t.admin()
        .put(&format!("/ias/v1/vulnerabilities/{id}/comments/{cid}"))
        .json(&json!({"content": "confirmed twice"}))
        .send()
        .await
        .status(200);
    let c = t
        .ro()
        .get(&format!("/ias/v1/vulnerabilities/{id}/comments/{cid}"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(c["content"], "confirmed twice");
    assert_eq!(c["author"]["id"], json!(t.keys.read_write.id().to_string()));
    assert_eq!(
        c["last_update_author"]["id"],
        json!(t.keys.admin.id().to_string())
    );
    let cs = t
        .ro()
        .get(&format!("/ias/v1/vulnerabilities/{id}/comments"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(cs["metadata"]["total_data"], 1);
    assert_eq!(cs["data"][0], c);
    t.rw()
        .delete(&format!("/ias/v1/vulnerabilities/{id}/comments/{cid}"))
        .send()
        .await
        .status(204);
    t.ro()
        .get(&format!("/ias/v1/vulnerabilities/{id}/comments/{cid}"))
        .send()
        .await
        .status(404);

    // Documentation of variances.
    let vid = one["variances"][0]["id"].as_str().unwrap();
    let doc = t
        .ro()
        .get(&format!(
            "/ias/v1/vulnerabilities/{id}/variances/{vid}/documentation"
        ))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(doc["id"], json!(vid));
    assert!(doc["references"]["CWE-89"].is_string(), "{doc}");
    assert!(!doc["recommendation"].as_str().unwrap().is_empty());
    let docs = t
        .ro()
        .post("/ias/v1/vulnerabilities/variances/documentation")
        .json(&json!({"scan_id": scan.to_string()}))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(
        docs.as_object().unwrap().len(),
        4,
        "one per variance of the scan"
    );
    assert_eq!(docs[vid], doc);
    let only = t
        .ro()
        .post("/ias/v1/vulnerabilities/variances/documentation")
        .json(&json!({"vuln_ids": [id], "variance_ids": [vid]}))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(only, json!({ vid: doc }));

    // Search: the clients' query, canonical self links.
    let found = t
        .ro()
        .post("/ias/v1/search?size=2")
        .json(&json!({"type": "VULNERABILITY", "query": format!("vulnerability.scans.id='{scan}' && (vulnerability.severity='CRITICAL' || vulnerability.severity='HIGH')")}))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(found["metadata"]["total_data"], 2);
    assert_eq!(found["data"][0]["severity"], "CRITICAL");
    for v in found["data"].as_array().unwrap() {
        assert_eq!(
            v["links"][0]["href"],
            json!(format!(
                "{}/ias/v1/vulnerabilities/{}",
                t.base,
                v["id"].as_str().unwrap()
            ))
        );
    }
    let by_name = t
        .ro()
        .post("/ias/v1/search")
        .json(&json!({"type": "VULNERABILITY", "query": "vulnerability.vulnerabilityScore > 4 && vulnerability.app.name STARTS WITH 'shop'"}))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(by_name["metadata"]["total_data"], 4);
    let disc = t
        .ro()
        .post("/ias/v1/search?sort=vulnerabilitydiscovery.discovered,DESC")
        .json(&json!({"type": "VULNERABILITY_DISCOVERY", "query": format!("vulnerabilitydiscovery.scan.id = '{scan}'")}))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(disc["metadata"]["total_data"], 4);
    assert!(disc["data"][0]["links"][0]["href"]
        .as_str()
        .unwrap()
        .contains("/discoveries/"));
    // Another tenant sees nothing, a non-member nothing either.
    let none = t
        .other()
        .post("/ias/v1/search")
        .json(
            &json!({"type": "VULNERABILITY", "query": format!("vulnerability.scans.id='{scan}'")}),
        )
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(none["metadata"]["total_data"], 0);
}

#[tokio::test]
async fn vulnerability_lifecycle_over_http() {
    flow(&TestApp::spawn().await, true).await;
}

#[tokio::test]
async fn pg_vulnerability_lifecycle_over_http() {
    if let Some(t) = TestApp::spawn_postgres().await {
        flow(&t, false).await;
    }
}

#[tokio::test]
async fn vulnerability_errors() {
    let t = TestApp::spawn().await;
    let a = t.fx_app("Shop").await;
    let (_, v) = t.fx_vulnerability(a).await;
    let id = v.id;
    let put = |body: Value| {
        let t = &t;
        async move {
            t.rw()
                .put(&format!("/ias/v1/vulnerabilities/{id}"))
                .json(&body)
                .send()
                .await
        }
    };
    let r = put(json!({"severity": "SEVERE", "status": "fixed"}))
        .await
        .status(422);
    let b = r.error_body();
    let contexts: Vec<_> = b["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["context"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(contexts, ["severity", "status"], "{b}");
    snap!("vulnerability_put_422", b);
    put(json!({"status": "verified"})).await.status(422);
    // An empty body changes nothing and records nothing.
    put(json!({})).await.status(200);
    let h = t
        .ro()
        .get(&format!("/ias/v1/vulnerabilities/{id}/history"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(h, json!([]));
    // Unknown ids, malformed ids, other tenants.
    let missing = uuid::Uuid::new_v4();
    for path in [
        format!("/ias/v1/vulnerabilities/{missing}"),
        "/ias/v1/vulnerabilities/not-a-uuid".to_string(),
        format!("/ias/v1/vulnerabilities/{missing}/discoveries"),
        format!("/ias/v1/vulnerabilities/{id}/discoveries/{missing}"),
        format!("/ias/v1/vulnerabilities/{id}/comments/{missing}"),
        format!("/ias/v1/vulnerabilities/{missing}/history"),
        format!("/ias/v1/vulnerabilities/{id}/variances/{missing}/documentation"),
    ] {
        t.admin().get(&path).send().await.status(404);
    }
    t.other()
        .get(&format!("/ias/v1/vulnerabilities/{id}"))
        .send()
        .await
        .status(404);
    t.other()
        .put(&format!("/ias/v1/vulnerabilities/{id}"))
        .json(&json!({"status": "nonsense"}))
        .send()
        .await
        .status(404);
    // Comment content: 1–5000 characters.
    let post = |content: Value| {
        let t = &t;
        async move {
            t.rw()
                .post(&format!("/ias/v1/vulnerabilities/{id}/comments"))
                .json(&json!({ "content": content }))
                .send()
                .await
        }
    };
    post(json!("")).await.status(422);
    post(json!("   ")).await.status(422);
    post(json!("x".repeat(5001))).await.status(422);
    post(json!("x".repeat(5000))).await.status(201);
    t.rw()
        .post(&format!("/ias/v1/vulnerabilities/{missing}/comments"))
        .json(&json!({"content": "x"}))
        .send()
        .await
        .status(404);
    // Documentation filter: something to document is required.
    t.ro()
        .post("/ias/v1/vulnerabilities/variances/documentation")
        .json(&json!({"variance_ids": [missing]}))
        .send()
        .await
        .status(422);
    // Bad sort fields are 422.
    t.ro()
        .get("/ias/v1/vulnerabilities?sort=vulnerability.nope")
        .send()
        .await
        .status(422);
    t.ro()
        .post("/ias/v1/search")
        .json(&json!({"type": "VULNERABILITY", "query": "vulnerability.severity = 'SEVERE'"}))
        .send()
        .await
        .status(422);
}

/// The engine's confidence of each variance is kept and sent (`LOW`…`CONFIRMED`); a
/// variance the engine said nothing about has no `confidence` key at all.
#[tokio::test]
async fn variances_carry_the_engine_confidence() {
    let t = TestApp::spawn().await;
    let a = t.fx_app("Shop").await;
    let mut sure = fx_finding("http://shop.test/a", Some("id"), Severity::High, 1);
    sure.variances[0].confidence = Some("CONFIRMED".into());
    let mut unsure = fx_finding("http://shop.test/b", Some("q"), Severity::Low, 1);
    unsure.variances[0].confidence = Some("LOW".into());
    let silent = fx_finding("http://shop.test/c", Some("p"), Severity::Medium, 1);
    t.fx_scan_with_findings(a, &[sure, unsure, silent]).await;
    let page = t
        .ro()
        .get("/ias/v1/vulnerabilities")
        .send()
        .await
        .status(200)
        .json();
    let mut got: Vec<(String, Value)> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["root_cause"]["url"].as_str().unwrap().to_string(),
                v["variances"][0]
                    .get("confidence")
                    .cloned()
                    .unwrap_or(Value::Null),
            )
        })
        .collect();
    got.sort_by(|x, y| x.0.cmp(&y.0));
    assert_eq!(
        got,
        vec![
            ("http://shop.test/a".to_string(), json!("CONFIRMED")),
            ("http://shop.test/b".to_string(), json!("LOW")),
            ("http://shop.test/c".to_string(), Value::Null),
        ]
    );
}
