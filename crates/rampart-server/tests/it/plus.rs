//! AppSec+ applications, scans (imports and engine runs) and vulnerabilities, over real
//! HTTP on SQLite and PostgreSQL: cross-API visibility both ways, re-import semantics,
//! dry runs, refused documents.

use rampart_testkit::TestApp;
use serde_json::{json, Value};

const BANDIT: &str = include_str!("../../../rampart-ingest/tests/fixtures/bandit.sarif");
const VEX: &str = include_str!("../../../rampart-ingest/tests/fixtures/vex.cdx.json");
const VEX_XML: &str = include_str!("../../../rampart-ingest/tests/fixtures/vex.cdx.xml");
const SPDX: &str = include_str!("../../../rampart-ingest/tests/fixtures/npm.spdx.json");
const SPDX_ADVISORIES: &str =
    include_str!("../../../rampart-ingest/tests/fixtures/npm-advisories.spdx.json");

/// Imports `doc` with a `Content-Type`, expecting `status`.
async fn upload(t: &TestApp, path: &str, content_type: &str, doc: &str, status: u16) -> Value {
    t.admin()
        .post(path)
        .header("Content-Type", content_type)
        .body(doc.to_string())
        .send()
        .await
        .status(status)
        .json()
}

async fn import(t: &TestApp, app: &str, doc: &str, query: &str) -> Value {
    let r = t
        .admin()
        .post(&format!("/v1/applications/{app}/scans?{query}"))
        .header("Content-Type", "application/sarif+json")
        .body(doc.to_string())
        .send()
        .await;
    let want = if query.contains("dryRun=true") {
        200
    } else {
        201
    };
    r.status(want).json()
}

fn counts(v: &Value) -> [u64; 4] {
    let s = if v.get("summary").is_some() {
        &v["summary"]
    } else {
        v
    };
    ["new", "unchanged", "reopened", "closed"].map(|k| s[k].as_u64().unwrap())
}

/// Applications: created on one API, read and changed on the other; filters, archive.
async fn applications(t: &TestApp) {
    let body = json!({"name": t.unique("shop"), "description": "the shop", "criticality": "high",
        "owner": "team-a", "repoUrl": "https://git.example.test/shop", "serviceUrl": "https://shop.example.test",
        "language": "python", "businessUnit": "retail", "tags": ["pci", "web"], "ignored": 1});
    let r = t
        .admin()
        .post("/applications")
        .json(&body)
        .send()
        .await
        .status(201);
    let created = r.json();
    let id = created["id"].as_str().unwrap().to_string();
    assert!(r
        .location()
        .unwrap()
        .ends_with(&format!("/applications/{id}")));
    assert_eq!(created["criticality"], "high");
    assert_eq!(created["tags"], json!(["pci", "web"]));
    // The same app on /ias/v1, tags included.
    let ias = t
        .admin()
        .get(&format!("/ias/v1/apps/{id}"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(ias["name"], body["name"]);
    let tags = t
        .admin()
        .get(&format!("/ias/v1/apps/{id}/tags"))
        .send()
        .await
        .status(200)
        .json();
    let mut names: Vec<&str> = tags
        .get("data")
        .unwrap_or(&tags)
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["pci", "web"]);
    // Renamed on /ias/v1: AppSec+ sees the new name, its own fields kept.
    let renamed = t.unique("shop2");
    t.admin()
        .put(&format!("/ias/v1/apps/{id}"))
        .json(&json!({"name": renamed, "description": "d"}))
        .send()
        .await
        .status(200);
    let plus = t
        .admin()
        .get(&format!("/v1/applications/{id}"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(plus["name"], json!(renamed));
    assert_eq!(plus["owner"], "team-a");
    assert_eq!(plus["businessUnit"], "retail");
    // Created on /ias/v1, changed on AppSec+ (a full overwrite), read back on /ias/v1.
    let ias_id = t
        .admin()
        .create("/ias/v1/apps", json!({"name": t.unique("legacy")}))
        .await;
    let plus = t
        .admin()
        .get(&format!("/applications/{ias_id}"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(plus["criticality"], "medium");
    assert_eq!(plus["tags"], json!([]));
    let new_name = t.unique("legacy2");
    let put = t
        .admin()
        .put(&format!("/applications/{ias_id}"))
        .json(&json!({"name": new_name, "criticality": "critical", "tags": ["pci"]}))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(put["criticality"], "critical");
    let ias = t
        .admin()
        .get(&format!("/ias/v1/apps/{ias_id}"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(ias["name"], json!(new_name));
    // Filters.
    let list = t
        .admin()
        .get("/applications?criticality=critical&tag=pci")
        .send()
        .await
        .status(200)
        .json();
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [ias_id.to_string().as_str()]);
    let list = t
        .admin()
        .get("/v1/applications?owner=team-a")
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    // Archive: readable, no import; unarchive.
    let a = t
        .admin()
        .post(&format!("/applications/{id}/archive"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(a["archived"], true);
    let r = t
        .admin()
        .post(&format!("/applications/{id}/scans?scanType=sast"))
        .header("Content-Type", "application/sarif+json")
        .body(BANDIT.to_string())
        .send()
        .await
        .status(409);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    let list = t
        .admin()
        .get("/applications?archived=false")
        .send()
        .await
        .status(200)
        .json();
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["id"] != json!(id)));
    t.admin()
        .post(&format!("/v1/applications/{id}/unarchive"))
        .send()
        .await
        .status(200);
    // Errors are problem+json naming the member.
    let bad = t
        .admin()
        .post("/applications")
        .json(&json!({"name": "x", "criticality": "huge"}))
        .send()
        .await
        .status(422)
        .json();
    assert_eq!(bad["code"], "validation_failed");
    assert_eq!(bad["details"]["errors"][0]["pointer"], "/criticality");
    t.admin()
        .post("/applications")
        .json(&json!({"name": renamed}))
        .send()
        .await
        .status(409);
    t.other()
        .get(&format!("/applications/{id}"))
        .send()
        .await
        .status(404);
    t.ro()
        .get(&format!("/applications/{id}"))
        .send()
        .await
        .status(404);
    t.admin()
        .delete(&format!("/applications/{id}"))
        .send()
        .await
        .status(204);
    t.admin()
        .get(&format!("/ias/v1/apps/{id}"))
        .send()
        .await
        .status(404);
}

#[tokio::test]
async fn applications_are_ias_apps_both_ways() {
    applications(&TestApp::spawn().await).await;
}

#[tokio::test]
async fn pg_applications_are_ias_apps_both_ways() {
    let Some(t) = TestApp::spawn_postgres().await else {
        return;
    };
    applications(&t).await;
}

/// Bandit's SARIF with the results at `drop` removed.
fn without(drop: &[usize]) -> String {
    let mut doc: Value = serde_json::from_str(BANDIT).unwrap();
    let results = doc["runs"][0]["results"].as_array_mut().unwrap();
    let kept: Vec<Value> = results
        .iter()
        .enumerate()
        .filter(|(i, _)| !drop.contains(i))
        .map(|(_, r)| r.clone())
        .collect();
    *results = kept;
    doc.to_string()
}

/// Import, re-import, triage, partial re-import, dry run, reopen.
async fn reimport(t: &TestApp) {
    let app = t
        .admin()
        .post("/applications")
        .json(&json!({"name": t.unique("py")}))
        .send()
        .await
        .status(201)
        .json();
    let app = app["id"].as_str().unwrap().to_string();
    let first = import(t, &app, BANDIT, "scanType=sast").await;
    assert_eq!(first["scanType"], "sast");
    assert_eq!(first["status"], "completed");
    assert_eq!(first["tools"], json!(["Bandit"]));
    assert_eq!(counts(&first), [7, 0, 0, 0]);
    assert_eq!(first["summary"]["totalFindings"], 7);
    let again = import(t, &app, BANDIT, "scanType=sast").await;
    assert_eq!(counts(&again), [0, 7, 0, 0], "never duplicates");
    let list = t
        .admin()
        .get(&format!(
            "/vulnerabilities?applicationId={app}&sort=severity"
        ))
        .send()
        .await
        .status(200)
        .json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 7);
    // Triage: accept one finding.
    let doc: Value = serde_json::from_str(BANDIT).unwrap();
    let accepted_rule = doc["runs"][0]["results"][1]["ruleId"]
        .as_str()
        .unwrap()
        .to_string();
    let accepted_line = doc["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["region"]
        ["startLine"]
        .as_u64()
        .unwrap();
    let target = list
        .iter()
        .find(|v| {
            v["ruleId"] == json!(accepted_rule)
                && v["location"] == json!(format!("vulnerable.py:{accepted_line}"))
        })
        .unwrap();
    let vid = target["id"].as_str().unwrap().to_string();
    let patched = t
        .admin()
        .patch(&format!("/vulnerabilities/{vid}"))
        .json(&json!({"status": "accepted"}))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(patched["status"], "accepted");
    // The tool no longer reports results 0 and 1: only the open one closes.
    let partial = import(t, &app, &without(&[0, 1]), "scanType=sast").await;
    assert_eq!(counts(&partial), [0, 5, 0, 1]);
    let resolved = t
        .admin()
        .get(&format!(
            "/applications/{app}/vulnerabilities?status=resolved"
        ))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(resolved.as_array().unwrap().len(), 1);
    // A dry run of the full file tells, and writes nothing.
    let dry = import(t, &app, BANDIT, "scanType=sast&dryRun=true").await;
    assert_eq!(dry["dryRun"], true);
    assert_eq!(counts(&dry), [0, 6, 1, 0]);
    let resolved = t
        .admin()
        .get(&format!(
            "/applications/{app}/vulnerabilities?status=resolved"
        ))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(
        resolved.as_array().unwrap().len(),
        1,
        "the dry run changed nothing"
    );
    // The real one reopens; the triage decision stays.
    let back = import(t, &app, BANDIT, "scanType=sast").await;
    assert_eq!(counts(&back), [0, 6, 1, 0]);
    let v = t
        .admin()
        .get(&format!("/vulnerabilities/{vid}"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(v["status"], "accepted");
    let open = t
        .admin()
        .get(&format!("/vulnerabilities?applicationId={app}&status=open"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(open.as_array().unwrap().len(), 6);
    // Another scan type is another scope.
    let sca = t
        .admin()
        .post(&format!("/scans?applicationId={app}&scanType=sca"))
        .header("Content-Type", "application/vnd.cyclonedx+json")
        .body(VEX.to_string())
        .send()
        .await
        .status(201)
        .json();
    assert_eq!(counts(&sca), [3, 0, 0, 0]);
    let sca_list = t
        .admin()
        .get(&format!(
            "/vulnerabilities?applicationId={app}&scanType=sca&sort=-severity"
        ))
        .send()
        .await
        .status(200)
        .json();
    let statuses: Vec<(&str, &str)> = sca_list
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["severity"].as_str().unwrap(),
                v["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(statuses[0], ("critical", "accepted"), "VEX not_affected");
    assert!(statuses.contains(&("high", "in_progress")), "VEX in_triage");
    let scans = t
        .admin()
        .get(&format!("/applications/{app}/scans"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(scans.as_array().unwrap().len(), 5);
    let one = &scans[0];
    let got = t
        .admin()
        .get(&format!("/scans/{}", one["id"].as_str().unwrap()))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(&got, one);
    t.other()
        .get(&format!("/vulnerabilities/{vid}"))
        .send()
        .await
        .status(404);
    let mine = t
        .other()
        .get("/vulnerabilities")
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(mine, json!([]));
}

#[tokio::test]
async fn reimport_closes_reopens_and_keeps_triage() {
    reimport(&TestApp::spawn().await).await;
}

#[tokio::test]
async fn pg_reimport_closes_reopens_and_keeps_triage() {
    let Some(t) = TestApp::spawn_postgres().await else {
        return;
    };
    reimport(&t).await;
}

#[tokio::test]
async fn a_refused_document_names_the_first_error() {
    let t = TestApp::spawn().await;
    let app = t.fx_app(&t.unique("a")).await;
    let doc = r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t"}},"results":[
        {"message":{"text":"a"}},{"message":{"text":"b"}},{"message":{"text":"c"}},
        {"ruleId":7,"message":{"text":"d"}}]}]}"#;
    let r = t
        .admin()
        .post(&format!(
            "/applications/{app}/scans?scanType=sast&format=sarif"
        ))
        .header("Content-Type", "application/json")
        .body(doc)
        .send()
        .await
        .status(422);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    let p = r.json();
    assert_eq!(p["code"], "invalid_document");
    assert_eq!(
        p["details"]["errors"][0]["pointer"],
        "/runs/0/results/3/ruleId"
    );
    assert!(p["detail"]
        .as_str()
        .unwrap()
        .contains("/runs/0/results/3/ruleId"));
    // Truncated JSON, a wrong version, a CycloneDX spec version.
    for (doc, ty, pointer) in [
        (&BANDIT[..BANDIT.len() / 2], "application/sarif+json", None),
        (
            r#"{"version":"2.0.0","runs":[]}"#,
            "application/sarif+json",
            Some("/version"),
        ),
        (
            r#"{"bomFormat":"CycloneDX","specVersion":"1.2"}"#,
            "application/vnd.cyclonedx+json",
            Some("/specVersion"),
        ),
    ] {
        let p = t
            .admin()
            .post(&format!("/applications/{app}/scans?scanType=sca"))
            .header("Content-Type", ty)
            .body(doc.to_string())
            .send()
            .await
            .status(422)
            .json();
        if let Some(ptr) = pointer {
            assert_eq!(p["details"]["errors"][0]["pointer"], ptr, "{doc}");
        }
    }
    // Nothing was stored.
    let scans = t
        .admin()
        .get(&format!("/applications/{app}/scans"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(scans, json!([]));
}

/// A dast scan is an `/ias/v1` scan; engine vulnerabilities are AppSec+ vulnerabilities
/// with the mapped status, changed on either API.
#[tokio::test]
async fn dast_scans_and_vulnerabilities_cross_the_apis() {
    let t = TestApp::spawn().await;
    let app = t.fx_app(&t.unique("web")).await;
    let cfg = t.fx_scan_config(app, &t.unique("cfg")).await;
    let r = t
        .admin()
        .post("/scans")
        .json(&json!({"applicationId": app.to_string(), "scanType": "dast"}))
        .send()
        .await;
    // The fixture config has no seed yet: admitted, and failed at once (as on /ias/v1).
    assert_eq!(r.status, 202, "{}", r.text());
    assert_eq!(r.json()["status"], "failed");
    let domain = format!("{}.example.test", t.unique("web"));
    t.service
        .write_scan_config_options(
            &t.keys.admin.principal,
            cfg,
            json!({"crawl_config": {"seed_url_list": [{"value": format!("https://{domain}/")}],
            "scope_constraint_list": [{"url": format!("https://{domain}/*")}]}}),
            rampart_service::OptionsWrite::Replace,
        )
        .await
        .unwrap();
    t.fx_target(&domain).await;
    let scan = t
        .admin()
        .post("/v1/scans")
        .json(&json!({"applicationId": app.to_string(), "scanType": "dast"}))
        .send()
        .await
        .status(202)
        .json();
    assert_eq!(scan["scanType"], "dast");
    assert_eq!(scan["source"], "engine");
    let id = scan["id"].as_str().unwrap();
    t.admin()
        .get(&format!("/ias/v1/scans/{id}"))
        .send()
        .await
        .status(200);
    let listed = t
        .admin()
        .get(&format!("/scans?applicationId={app}&scanType=dast"))
        .send()
        .await
        .status(200)
        .json();
    // Listed among the app's DAST scans (the fixture may have made others).
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == json!(id) && s["scanType"] == "dast"),
        "{listed}"
    );
    // An engine vulnerability, both ways.
    let (_, v) = t.fx_vulnerability(app).await;
    let plus = t
        .admin()
        .get(&format!("/vulnerabilities/{}", v.id))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(plus["scanType"], "dast");
    assert_eq!(plus["status"], "open");
    t.admin()
        .patch(&format!("/vulnerabilities/{}", v.id))
        .json(&json!({"status": "accepted"}))
        .send()
        .await
        .status(200);
    let ias = t
        .admin()
        .get(&format!("/ias/v1/vulnerabilities/{}", v.id))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(ias["status"], "IGNORED");
    t.admin()
        .put(&format!("/ias/v1/vulnerabilities/{}", v.id))
        .json(&json!({"status": "REMEDIATED"}))
        .send()
        .await
        .status(200);
    let plus = t
        .admin()
        .get(&format!(
            "/applications/{app}/vulnerabilities?scanType=dast"
        ))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(plus[0]["status"], "resolved");
}

/// Gate policies over imported findings: the verdict and the findings that decided it.
#[tokio::test]
async fn policies_evaluate_with_the_deciding_findings() {
    let t = TestApp::spawn().await;
    let app = t
        .admin()
        .post("/applications")
        .json(&json!({"name": t.unique("py")}))
        .send()
        .await
        .status(201)
        .json();
    let app = app["id"].as_str().unwrap().to_string();
    import(&t, &app, BANDIT, "scanType=sast").await;
    let all = t
        .admin()
        .get(&format!("/vulnerabilities?applicationId={app}"))
        .send()
        .await
        .status(200)
        .json();
    let high: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| ["high", "critical"].contains(&v["severity"].as_str().unwrap()))
        .map(|v| v["id"].as_str().unwrap())
        .collect();
    assert!(!high.is_empty());
    let cwe78 = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["cwe"] == "CWE-78")
        .count() as u64;
    // (policy body, result, matched)
    let cases = [
        (
            json!({"name": "no high", "action": "block", "conditions": {"vulnerabilitySeverity": "high"}}),
            "fail",
            high.len() as u64,
        ),
        (
            json!({"name": "few high", "action": "block", "conditions": {"minSeverity": "high", "maxCount": 100}}),
            "pass",
            high.len() as u64,
        ),
        (
            json!({"name": "watch", "action": "monitor", "conditions": {"cwe": ["cwe-78"]}}),
            "warn",
            cwe78,
        ),
        (
            json!({"name": "sca only", "action": "block", "conditions": {"scanTypes": ["sca"]}}),
            "pass",
            0,
        ),
        (
            json!({"name": "old only", "action": "block", "conditions": {"minAgeDays": 30}}),
            "pass",
            0,
        ),
    ];
    for (body, result, matched) in cases {
        let policy = t
            .admin()
            .post("/v1/policies")
            .json(&body)
            .send()
            .await
            .status(201)
            .json();
        assert_eq!(
            policy["conditions"]["minSeverity"],
            policy["conditions"]["vulnerabilitySeverity"]
        );
        let id = policy["id"].as_str().unwrap();
        let e = t
            .ro()
            .post(&format!("/policies/{id}/evaluate"))
            .json(&json!({"applicationId": app}))
            .send()
            .await;
        // The Read Only user is no member of this app: 404, never a verdict.
        e.status(404);
        let e = t
            .admin()
            .post(&format!("/policies/{id}/evaluate"))
            .json(&json!({"applicationId": app}))
            .send()
            .await
            .status(200)
            .json();
        assert_eq!(e["result"], result, "{body}");
        assert_eq!(e["matched"], matched, "{body}");
        let deciding = e["decidingFindings"].as_array().unwrap();
        if result == "pass" {
            assert!(deciding.is_empty());
        } else {
            assert_eq!(deciding.len() as u64, matched);
        }
        if body["name"] == "no high" {
            let mut got: Vec<&str> = deciding.iter().map(|v| v["id"].as_str().unwrap()).collect();
            got.sort();
            let mut want = high.clone();
            want.sort();
            assert_eq!(got, want);
        }
    }
    let bad = t
        .admin()
        .post("/policies")
        .json(&json!({"name": "x", "action": "explode", "conditions": {"minSeverity": "worse"}}))
        .send()
        .await
        .status(422)
        .json();
    assert_eq!(bad["details"]["errors"].as_array().unwrap().len(), 2);
    t.admin()
        .post("/policies")
        .json(&json!({"name": "no high", "action": "block"}))
        .send()
        .await
        .status(409);
    let list = t.rw().get("/policies").send().await.status(200).json();
    assert_eq!(list.as_array().unwrap().len(), 5);
}

/// CycloneDX XML and SPDX JSON import as SCA scans: the XML and JSON encodings of one BOM
/// are the same findings (a re-import across encodings changes nothing), an SPDX SBOM's
/// advisories become findings and its re-import without them closes them, and a broken
/// XML document is refused naming its element.
async fn sbom_formats(t: &TestApp) {
    let app = t
        .admin()
        .post("/applications")
        .json(&json!({"name": t.unique("sbom")}))
        .send()
        .await
        .status(201)
        .json();
    let app = app["id"].as_str().unwrap().to_string();
    let path = format!("/v1/applications/{app}/scans");
    let xml = upload(t, &path, "application/vnd.cyclonedx+xml", VEX_XML, 201).await;
    assert_eq!(xml["scanType"], "sca");
    assert_eq!(counts(&xml), [3, 0, 0, 0]);
    // Fixability: a CycloneDX `recommendation` is a known fix.
    let listed = t
        .admin()
        .get(&format!(
            "/vulnerabilities?applicationId={app}&sort=firstSeen"
        ))
        .send()
        .await
        .status(200)
        .json();
    let mut fixable: Vec<(&str, bool)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["ruleId"].as_str().unwrap(),
                v["fixAvailable"].as_bool().unwrap(),
            )
        })
        .collect();
    fixable.sort();
    assert_eq!(
        fixable,
        [
            ("CVE-2018-1000656", true),
            ("CVE-2018-18074", true),
            ("CVE-2019-10906", false)
        ]
    );
    for (want, matched) in [(true, "CVE-2018-1000656"), (false, "CVE-2019-10906")] {
        let policy = t
            .admin()
            .post("/policies")
            .json(&json!({"name": format!("fix {want}"), "action": "block",
                "conditions": {"fixAvailable": want, "applicationIds": [app]}}))
            .send()
            .await
            .status(201)
            .json();
        assert_eq!(policy["conditions"]["fixAvailable"], want);
        let e = t
            .admin()
            .post(&format!(
                "/policies/{}/evaluate",
                policy["id"].as_str().unwrap()
            ))
            .send()
            .await
            .status(200)
            .json();
        // The accepted (VEX not_affected) finding never counts: open and in_progress only.
        assert_eq!(e["result"], "fail", "{e}");
        assert_eq!(e["decidingFindings"][0]["ruleId"], matched, "{e}");
        assert_eq!(e["matched"], 1, "{e}");
    }
    let json = upload(t, &path, "application/vnd.cyclonedx+json", VEX, 201).await;
    assert_eq!(counts(&json), [0, 3, 0, 0]);
    // `format=cyclonedx` with a generic type: the first byte tells XML from JSON.
    let again = upload(
        t,
        &format!("{path}?scanType=sca&format=cyclonedx"),
        "application/xml",
        VEX_XML,
        201,
    )
    .await;
    assert_eq!(counts(&again), [0, 3, 0, 0]);
    let spdx = upload(t, &path, "application/spdx+json", SPDX_ADVISORIES, 201).await;
    assert_eq!(spdx["scanType"], "sca");
    assert_eq!(counts(&spdx), [4, 0, 0, 0]);
    let found = t
        .admin()
        .get(&format!(
            "/vulnerabilities?applicationId={app}&tool=npm/cli"
        ))
        .send()
        .await
        .status(200)
        .json();
    let mut ids: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["ruleId"].as_str().unwrap())
        .collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            "CVE-2020-7598",
            "CVE-2020-8203",
            "CVE-2021-44906",
            "GHSA-35jh-r3h4-6jhm"
        ]
    );
    // The same SBOM without the advisories: the tool no longer reports them.
    let fixed = upload(
        t,
        &format!("{path}?scanType=sca&format=spdx"),
        "application/json",
        SPDX,
        201,
    )
    .await;
    assert_eq!(counts(&fixed), [0, 0, 0, 4]);
    // The CycloneDX findings are another tool's: untouched.
    let open = t
        .admin()
        .get(&format!(
            "/vulnerabilities?applicationId={app}&tool=cyclonedx-py"
        ))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(open.as_array().unwrap().len(), 3);
    // A broken XML document: 422 naming the element, nothing written.
    let broken = VEX_XML.replacen("<score>7.5</score>", "<score>seven</score>", 1);
    let bad = upload(t, &path, "application/vnd.cyclonedx+xml", &broken, 422).await;
    let e = &bad["details"]["errors"][0];
    assert_eq!(
        e["pointer"], "/bom/vulnerabilities/vulnerability[1]/ratings/rating[1]/score",
        "{bad}"
    );
    assert!(e["line"].as_u64().unwrap() > 1, "{bad}");
    let bad = upload(t, &format!("{path}?format=csv"), "text/csv", "a,b", 422).await;
    assert!(bad.to_string().contains("spdx"), "{bad}");
    let scans = t
        .admin()
        .get(&format!("/v1/applications/{app}/scans"))
        .send()
        .await
        .status(200)
        .json();
    let scans = scans
        .get("data")
        .unwrap_or(&scans)
        .as_array()
        .unwrap()
        .len();
    assert_eq!(scans, 5, "the refused uploads made no scan");
    // Paging bounds: 422 naming the parameter, never a 500.
    for (query, pointer) in [
        ("limit=0", "/limit"),
        ("limit=1001", "/limit"),
        ("offset=10001", "/offset"),
        ("offset=9223372036854775808", "/offset"),
    ] {
        let bad = t
            .admin()
            .get(&format!("/v1/vulnerabilities?{query}"))
            .send()
            .await
            .status(422)
            .json();
        assert_eq!(bad["details"]["errors"][0]["pointer"], pointer, "{bad}");
    }
}

#[tokio::test]
async fn sbom_formats_import_as_sca() {
    sbom_formats(&TestApp::spawn().await).await;
}

#[tokio::test]
async fn pg_sbom_formats_import_as_sca() {
    let Some(t) = TestApp::spawn_postgres().await else {
        return;
    };
    sbom_formats(&t).await;
}

/// SLA policies: every covered finding gets `slaDueAt` (first seen + the days for its
/// severity, the earliest of the policies), `slaBreached` once past it while open; the
/// policy's evaluation fails on the overdue findings only, and a fixed finding is never
/// breached.
async fn sla_policies(t: &TestApp) {
    let app = t
        .admin()
        .post("/applications")
        .json(&json!({"name": t.unique("sla")}))
        .send()
        .await
        .status(201)
        .json();
    let app = app["id"].as_str().unwrap().to_string();
    import(t, &app, BANDIT, "scanType=sast").await;
    async fn list(t: &TestApp, app: &str) -> Value {
        t.admin()
            .get(&format!("/vulnerabilities?applicationId={app}"))
            .send()
            .await
            .status(200)
            .json()
    }
    let before = list(t, &app).await;
    assert!(before
        .as_array()
        .unwrap()
        .iter()
        .all(|v| v["slaDueAt"].is_null() && v["slaBreached"] == false));
    let policy = t
        .admin()
        .post("/v1/policies")
        .json(
            &json!({"name": "fix in time", "type": "sla", "action": "block",
            "sla": {"highDays": 5}}),
        )
        .send()
        .await
        .status(201)
        .json();
    assert_eq!(policy["type"], "sla");
    assert_eq!(
        policy["sla"],
        json!({"criticalDays": 7, "highDays": 5, "mediumDays": 90, "lowDays": 120, "infoDays": null})
    );
    let id = policy["id"].as_str().unwrap().to_string();
    let vulns = list(t, &app).await;
    let vulns = vulns.as_array().unwrap();
    for v in vulns {
        let days = match v["severity"].as_str().unwrap() {
            "critical" => Some(7),
            "high" => Some(5),
            "medium" => Some(90),
            "low" => Some(120),
            _ => None,
        };
        let first: chrono::DateTime<chrono::Utc> =
            v["firstSeenAt"].as_str().unwrap().parse().unwrap();
        match days {
            Some(d) => {
                let due: chrono::DateTime<chrono::Utc> =
                    v["slaDueAt"].as_str().unwrap().parse().unwrap();
                assert_eq!(due - first, chrono::Duration::days(d), "{v}");
            }
            None => assert!(v["slaDueAt"].is_null(), "{v}"),
        }
        assert_eq!(v["slaBreached"], false);
    }
    async fn evaluate(t: &TestApp, id: &str) -> Value {
        t.admin()
            .post(&format!("/policies/{id}/evaluate"))
            .send()
            .await
            .status(200)
            .json()
    }
    assert_eq!(evaluate(t, &id).await["result"], "pass");
    let high: Vec<String> = vulns
        .iter()
        .filter(|v| v["severity"] == "high")
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    assert!(!high.is_empty());
    // One high finding is fixed before the deadline.
    t.admin()
        .patch(&format!("/vulnerabilities/{}", high[0]))
        .json(&json!({"status": "resolved"}))
        .send()
        .await
        .status(200);
    t.clock.advance(chrono::Duration::days(6));
    let e = evaluate(t, &id).await;
    assert_eq!(e["result"], "fail", "{e}");
    let mut deciding: Vec<&str> = e["decidingFindings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            assert_eq!(v["slaBreached"], true, "{v}");
            v["id"].as_str().unwrap()
        })
        .collect();
    deciding.sort();
    let mut want: Vec<&str> = high[1..].iter().map(String::as_str).collect();
    want.sort();
    assert_eq!(deciding, want);
    let one = t
        .admin()
        .get(&format!("/vulnerabilities/{}", high[0]))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(one["slaBreached"], false, "fixed in time: {one}");
    assert!(one["slaDueAt"].is_string());
    // Refused: days out of range, days on a gate policy, an unknown type.
    for (body, pointer) in [
        (
            json!({"name": "x", "type": "sla", "action": "block", "sla": {"lowDays": 0}}),
            "/sla/lowDays",
        ),
        (
            json!({"name": "y", "type": "gate", "action": "block", "sla": {"lowDays": 3}}),
            "/sla",
        ),
        (
            json!({"name": "z", "type": "weekly", "action": "block"}),
            "/type",
        ),
    ] {
        let bad = t
            .admin()
            .post("/policies")
            .json(&body)
            .send()
            .await
            .status(422)
            .json();
        assert_eq!(bad["details"]["errors"][0]["pointer"], pointer, "{bad}");
    }
    // Disabled: no due dates any more.
    let mut update = policy.clone();
    update["enabled"] = json!(false);
    t.admin()
        .put(&format!("/policies/{id}"))
        .json(&update)
        .send()
        .await
        .status(200);
    let after = list(t, &app).await;
    assert!(after
        .as_array()
        .unwrap()
        .iter()
        .all(|v| v["slaDueAt"].is_null()));
}

#[tokio::test]
async fn sla_policies_set_due_dates_and_fail_on_overdue_findings() {
    sla_policies(&TestApp::spawn().await).await;
}

#[tokio::test]
async fn pg_sla_policies_set_due_dates_and_fail_on_overdue_findings() {
    let Some(t) = TestApp::spawn_postgres().await else {
        return;
    };
    sla_policies(&t).await;
}

/// An application's engine vulnerabilities are listed however many the organization has:
/// the list reads the engine's by application in the database, page by page (it once read
/// the organization's first 1,000 and filtered those).
#[tokio::test]
async fn engine_vulnerabilities_beyond_the_first_thousand_are_listed() {
    beyond_the_first_thousand(&TestApp::spawn().await).await;
}

#[tokio::test]
async fn pg_engine_vulnerabilities_beyond_the_first_thousand_are_listed() {
    let Some(t) = TestApp::spawn_postgres().await else {
        return;
    };
    beyond_the_first_thousand(&t).await;
}

async fn beyond_the_first_thousand(t: &TestApp) {
    use rampart_testkit::fx_finding;
    let busy = t.fx_app(&t.unique("busy")).await;
    let quiet = t.fx_app(&t.unique("quiet")).await;
    let many: Vec<_> = (0..1100)
        .map(|i| {
            fx_finding(
                &format!("http://busy.test/p{i}"),
                Some("id"),
                rampart_domain::Severity::High,
                30,
            )
        })
        .collect();
    t.fx_scan_with_findings(busy, &many).await;
    let few: Vec<_> = (0..2)
        .map(|i| {
            fx_finding(
                &format!("http://quiet.test/p{i}"),
                Some("id"),
                rampart_domain::Severity::Low,
                1,
            )
        })
        .collect();
    t.fx_scan_with_findings(quiet, &few).await;
    for path in [
        format!("/applications/{quiet}/vulnerabilities?scanType=dast"),
        format!("/v1/vulnerabilities?applicationId={quiet}"),
        format!("/vulnerabilities?applicationId={quiet}&sort=severity"),
    ] {
        let listed = t.admin().get(&path).send().await.status(200).json();
        let items = listed
            .as_array()
            .or_else(|| listed["items"].as_array())
            .unwrap_or_else(|| panic!("{path}: {listed}"));
        assert_eq!(items.len(), 2, "{path}: {listed}");
        assert!(
            items
                .iter()
                .all(|v| v["applicationId"] == json!(quiet.to_string())),
            "{path}: {listed}"
        );
    }
    // The busy application's list pages through all of them.
    let listed = t
        .admin()
        .get(&format!(
            "/vulnerabilities?applicationId={busy}&limit=10&offset=1095"
        ))
        .send()
        .await
        .status(200)
        .json();
    let items = listed
        .as_array()
        .or_else(|| listed["items"].as_array())
        .unwrap_or_else(|| panic!("{listed}"));
    assert_eq!(items.len(), 5, "{listed}");
}

/// A SARIF log of `n` results of one run, result `bad` replaced by `with` (JSON text).
fn sarif_with(n: usize, bad: usize, with: &str) -> String {
    let results: Vec<String> = (0..n)
        .map(|i| {
            if i == bad {
                with.to_string()
            } else {
                format!(
                    r#"{{"ruleId":"r{}","level":"warning","message":{{"text":"m{i}"}}}}"#,
                    i % 7
                )
            }
        })
        .collect();
    format!(
        r#"{{"version":"2.1.0","runs":[{{"tool":{{"driver":{{"name":"t"}}}},"results":[{}]}}]}}"#,
        results.join(",")
    )
}

/// A CycloneDX 1.5 BOM with `components`, `vulnerabilities` and `extra` top-level members.
fn bom_with(components: &str, vulnerabilities: &str, extra: &str) -> String {
    format!(
        r#"{{"bomFormat":"CycloneDX","specVersion":"1.5","version":1{extra},"components":[{components}],"vulnerabilities":[{vulnerabilities}]}}"#
    )
}

/// An SPDX 2.3 document with `packages`, `files`, `relationships` and `extra` top-level
/// members.
fn spdx_with(packages: &str, files: &str, relationships: &str, extra: &str) -> String {
    format!(
        r#"{{"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"t","documentNamespace":"https://example.test/t","creationInfo":{{"creators":["Tool: t-1"],"created":"2026-01-01T00:00:00Z"}}{extra},"packages":[{packages}],"files":[{files}],"relationships":[{relationships}]}}"#
    )
}

/// `n` SPDX packages, package `bad` replaced by `with` (JSON text).
fn spdx_packages(n: usize, bad: usize, with: &str) -> String {
    (0..n)
        .map(|i| {
            if i == bad {
                with.to_string()
            } else {
                format!(
                    r#"{{"name":"p{i}","SPDXID":"SPDXRef-p{i}","downloadLocation":"NOASSERTION","externalRefs":[{{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:npm/p{i}@1.0.0"}}]}}"#
                )
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Documents that break the format's schema, on the HTTP route: 422 naming the offending
/// value's pointer in the upload and the schema rule it broke (as the schema's path ends).
#[tokio::test]
async fn uploads_are_checked_against_the_schema() {
    let t = TestApp::spawn().await;
    let app = t.fx_app(&t.unique("a")).await;
    let lib = r#"{"type":"library","name":"a","bom-ref":"a"}"#;
    let vuln = r#"{"id":"CVE-1","affects":[{"ref":"a"}]}"#;
    let pkgs = spdx_packages(3, 9, "");
    let file = r#"{"SPDXID":"SPDXRef-f","fileName":"./a.js","checksums":[{"algorithm":"SHA1","checksumValue":"ab"}]}"#;
    let rel = |ty: &str| {
        format!(
            r#"{{"spdxElementId":"SPDXRef-DOCUMENT","relatedSpdxElement":"SPDXRef-p0","relationshipType":"{ty}"}}"#
        )
    };
    let rels = [rel("DESCRIBES"), rel("DEPENDS_ON"), rel("DEPENDS")].join(",");
    let cases: Vec<(&str, String, &str, &str)> = vec![
        (
            "a result of the wrong type",
            sarif_with(5, 2, r#"{"message":{"text":5}}"#),
            "/runs/0/results/2/message/text",
            "/type",
        ),
        (
            "a result without its required message",
            sarif_with(5, 1, r#"{"ruleId":"r1"}"#),
            "/runs/0/results/1",
            "/required",
        ),
        (
            "a level out of the enum",
            sarif_with(5, 0, r#"{"level":"warn","message":{"text":"m"}}"#),
            "/runs/0/results/0/level",
            "/enum",
        ),
        (
            "a bad kind deep in the 40,000th result",
            sarif_with(
                40_000,
                39_999,
                r#"{"kind":"failed","message":{"text":"m"}}"#,
            ),
            "/runs/0/results/39999/kind",
            "/enum",
        ),
        (
            "a property the envelope does not allow",
            sarif_with(3, 9, "").replacen(r#""name":"t""#, r#""name":"t","colour":1"#, 1),
            "/runs/0/tool/driver",
            "/additionalProperties",
        ),
        (
            "a driver name of the wrong type",
            sarif_with(3, 9, "").replacen(r#""name":"t""#, r#""name":3"#, 1),
            "/runs/0/tool/driver/name",
            "/type",
        ),
        (
            "a component without its name",
            bom_with(&format!(r#"{lib},{{"type":"library"}}"#), vuln, ""),
            "/components/1",
            "/required",
        ),
        (
            "a component type out of the enum",
            bom_with(r#"{"type":"lib","name":"a"}"#, "", ""),
            "/components/0/type",
            "/enum",
        ),
        (
            "a rating severity out of the enum",
            bom_with(
                lib,
                r#"{"id":"CVE-1","ratings":[{"severity":"severe"}],"affects":[{"ref":"a"}]}"#,
                "",
            ),
            "/vulnerabilities/0/ratings/0/severity",
            "/enum",
        ),
        (
            "a serial number that is not a URN",
            bom_with(lib, vuln, r#","serialNumber":"abc""#),
            "/serialNumber",
            "/pattern",
        ),
        (
            "an SPDX package without its download location",
            spdx_with(
                &spdx_packages(3, 1, r#"{"name":"p1","SPDXID":"SPDXRef-p1"}"#),
                "",
                "",
                "",
            ),
            "/packages/1",
            "/required",
        ),
        (
            "an SPDX reference category out of the enum in the 30,000th package",
            spdx_with(
                &spdx_packages(
                    30_000,
                    29_999,
                    r#"{"name":"p","SPDXID":"SPDXRef-p","downloadLocation":"NONE","externalRefs":[{"referenceCategory":"SECURTY","referenceType":"advisory","referenceLocator":"u"}]}"#,
                ),
                "",
                "",
                "",
            ),
            "/packages/29999/externalRefs/0/referenceCategory",
            "/enum",
        ),
        (
            "an SPDX package member the schema does not allow",
            spdx_with(
                &spdx_packages(
                    2,
                    0,
                    r#"{"name":"p","SPDXID":"SPDXRef-p","downloadLocation":"NONE","colour":1}"#,
                ),
                "",
                "",
                "",
            ),
            "/packages/0",
            "/additionalProperties",
        ),
        (
            "an SPDX file checksum algorithm out of the enum",
            spdx_with(&pkgs, &file.replace("SHA1", "SHA-1"), "", ""),
            "/files/0/checksums/0/algorithm",
            "/enum",
        ),
        (
            "an SPDX relationship type out of the enum",
            spdx_with(&pkgs, file, &rels, ""),
            "/relationships/2/relationshipType",
            "/enum",
        ),
        (
            "an SPDX creation info without its date",
            spdx_with(&pkgs, file, "", "").replacen(r#","created":"2026-01-01T00:00:00Z""#, "", 1),
            "/creationInfo",
            "/required",
        ),
        (
            "an SPDX document member of the wrong type",
            spdx_with(&pkgs, file, "", r#","comment":7"#),
            "/comment",
            "/type",
        ),
    ];
    for (what, doc, pointer, rule) in cases {
        let ty = if doc.contains("bomFormat") {
            "application/vnd.cyclonedx+json"
        } else if doc.contains("spdxVersion") {
            "application/spdx+json"
        } else {
            "application/sarif+json"
        };
        let p = upload(
            &t,
            &format!("/applications/{app}/scans?scanType=sca"),
            ty,
            &doc,
            422,
        )
        .await;
        assert_eq!(p["code"], "invalid_document", "{what}: {p}");
        let e = &p["details"]["errors"][0];
        assert_eq!(e["pointer"], pointer, "{what}: {p}");
        let schema_path = e["schemaPath"].as_str().unwrap_or_default();
        assert!(schema_path.ends_with(rule), "{what}: {p}");
        assert!(p["detail"].as_str().unwrap().contains(pointer), "{what}");
    }
    // The same documents, corrected, import.
    let fine = sarif_with(40_000, 0, r#"{"kind":"fail","message":{"text":"m"}}"#);
    let out = upload(
        &t,
        &format!("/applications/{app}/scans?scanType=sast"),
        "application/sarif+json",
        &fine,
        201,
    )
    .await;
    assert_eq!(out["summary"]["totalFindings"], 40_000, "{out}");
    let bom = bom_with(
        lib,
        vuln,
        r#","serialNumber":"urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79""#,
    );
    upload(
        &t,
        &format!("/applications/{app}/scans?scanType=sca"),
        "application/vnd.cyclonedx+json",
        &bom,
        201,
    )
    .await;
    let spdx = spdx_with(
        &spdx_packages(
            30_000,
            0,
            r#"{"name":"p","SPDXID":"SPDXRef-p","downloadLocation":"NONE","externalRefs":[{"referenceCategory":"SECURITY","referenceType":"advisory","referenceLocator":"https://nvd.nist.gov/vuln/detail/CVE-2021-23337"}]}"#,
        ),
        file,
        &[rel("DESCRIBES"), rel("DEPENDS_ON")].join(","),
        "",
    );
    let out = upload(
        &t,
        &format!("/applications/{app}/scans?scanType=sca"),
        "application/spdx+json",
        &spdx,
        201,
    )
    .await;
    assert_eq!(out["summary"]["totalFindings"], 1, "{out}");
}
