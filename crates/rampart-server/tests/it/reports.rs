//! `/reports` as a real client uses it: request (201 + Location), poll the content
//! (204 while PROCESSING, then 200), `Accept` negotiation (JSON metadata, the report's
//! own content type, 406), FAILED with its reason, delete; every type reaches COMPLETE
//! from fixed data; the document an all-apps report is rendered from; search REPORT;
//! validation errors — on SQLite and PostgreSQL.

use rampart_domain::*;
use rampart_report::{DocFormat, ReportType};
use rampart_testkit::{fx_finding, fx_time, Backend, Resp, TestApp};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Two completed scans of one scan config of `app`: the first finds `a` and `b`, the
/// second `b` and `c` (so the trend has one new, one fixed, one still open).
async fn two_scans(t: &TestApp, app: AppId) -> (ScanId, ScanId) {
    let org = t.keys.admin.org();
    let config = ScanConfigId::new();
    let a = fx_finding("http://shop.test/a", Some("id"), Severity::High, 1);
    let b = fx_finding("http://shop.test/b", Some("q"), Severity::Medium, 2);
    let c = fx_finding("http://shop.test/c", None, Severity::Low, 3);
    let mut ids = Vec::new();
    for (minute, findings) in [(0, vec![a, b.clone()]), (40, vec![b, c])] {
        let scan = Scan {
            id: ScanId::new(),
            org,
            app,
            scan_config: config,
            submitter: Submitter {
                kind: SubmitterType::User,
                id: t.keys.admin.id().0,
            },
            submit_time: fx_time(minute),
            completion_time: Some(fx_time(minute + 10)),
            status: ScanStatus::Complete,
            failure_reason: None,
            scan_type: ScanType::Regular,
            parent: None,
            vulnerability_ids: Vec::new(),
        };
        t.store().create_scan(&scan, None, &[]).await.unwrap();
        t.store()
            .ingest_findings(org, scan.id, "fixture", &findings)
            .await
            .unwrap();
        ids.push(scan.id);
    }
    (ids[0], ids[1])
}

async fn request(t: &TestApp, body: Value) -> uuid::Uuid {
    t.admin()
        .post("/ias/v1/reports")
        .json(&body)
        .send()
        .await
        .status(201)
        .location_id()
}

async fn get_as(t: &TestApp, id: uuid::Uuid, accept: &str) -> Resp {
    t.admin()
        .get(&format!("/ias/v1/reports/{id}"))
        .header("Accept", accept)
        .send()
        .await
}

/// Polls the content as a client does until it is no longer 204.
async fn wait_content(t: &TestApp, id: uuid::Uuid, accept: &str) -> Resp {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let r = get_as(t, id, accept).await;
        if r.status != 204 {
            return r;
        }
        assert!(
            Instant::now() < deadline,
            "report {id} still PROCESSING after 60 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn polling_accept_and_delete(backend: Backend) {
    let Some(mut t) = TestApp::builder()
        .backend(backend)
        .report_generator(false)
        .spawn()
        .await
    else {
        return;
    };
    let app = t.fx_app("Shop").await;
    let (_, scan) = two_scans(&t, app).await;
    let id = request(
        &t,
        json!({"name": "Weekly summary", "type": "VULN_SUMMARY", "format": "PDF",
            "scan": {"id": scan.to_string()}}),
    )
    .await;

    // No generator yet: the content is 204 however it is asked for, the metadata says so.
    let r = get_as(&t, id, "application/pdf, application/json")
        .await
        .status(204);
    assert!(r.body.is_empty());
    get_as(&t, id, "application/pdf").await.status(204);
    let meta = get_as(&t, id, "application/json").await.status(200).json();
    assert_eq!(meta["status"], "PROCESSING");
    assert_eq!(meta["type"], "VULN_SUMMARY");
    assert_eq!(meta["format"], "PDF");
    assert_eq!(meta["app"]["id"], app.to_string());
    assert_eq!(meta["owner"]["id"], t.keys.admin.id().to_string());
    // Not Accept-able: another format's content type, or something else entirely.
    let e = get_as(&t, id, "text/csv").await.status(406).error_body();
    assert!(e["message"].as_str().unwrap().contains("application/pdf"));
    get_as(&t, id, "application/zip").await.status(406);
    get_as(&t, id, "image/png").await.status(406);
    // No Accept at all: the metadata (clients need not send one).
    let plain = t
        .admin()
        .get(&format!("/ias/v1/reports/{id}"))
        .send()
        .await
        .status(200);
    assert_eq!(plain.json()["status"], "PROCESSING");

    t.start_report_generator();
    let r = wait_content(&t, id, "application/pdf, application/json")
        .await
        .status(200);
    assert_eq!(r.header("content-type").as_deref(), Some("application/pdf"));
    assert!(r.body.starts_with(b"%PDF-"), "not a PDF");
    assert!(r
        .header("content-disposition")
        .unwrap()
        .contains("Weekly summary.pdf"));
    let meta = get_as(&t, id, "application/json").await.status(200).json();
    assert_eq!(meta["status"], "COMPLETE");
    assert!(meta.get("failure_reason").is_none());

    // Listed (newest first) and searchable.
    t.clock.advance(chrono::Duration::minutes(1));
    let second = request(
        &t,
        json!({"name": "csv", "type": "VULN_SUMMARY", "format": "CSV",
            "scan": {"id": scan.to_string()}}),
    )
    .await;
    let r = wait_content(&t, second, "text/csv").await.status(200);
    assert_eq!(r.header("content-type").as_deref(), Some("text/csv"));
    let page = t
        .admin()
        .get("/ias/v1/reports")
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(page["metadata"]["total_data"], 2);
    assert_eq!(page["data"][0]["id"], second.to_string());
    assert_eq!(page["data"][1]["id"], id.to_string());
    let found = t
        .admin()
        .post("/ias/v1/search")
        .json(&json!({"type": "REPORT",
            "query": format!("report.format = 'PDF' && report.app.id = '{app}'")}))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(found["metadata"]["total_data"], 1);
    assert_eq!(found["data"][0]["id"], id.to_string());
    let sorted = t
        .admin()
        .get("/ias/v1/reports?sort=report.name,ASC")
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(sorted["data"][0]["name"], "Weekly summary");

    // Delete: 204, then gone; another tenant never sees it.
    t.other()
        .delete(&format!("/ias/v1/reports/{id}"))
        .send()
        .await
        .status(404);
    t.admin()
        .delete(&format!("/ias/v1/reports/{id}"))
        .send()
        .await
        .status(204);
    get_as(&t, id, "application/json").await.status(404);
    get_as(&t, id, "application/pdf").await.status(404);
}

#[tokio::test]
async fn polling_accept_and_delete_sqlite() {
    polling_accept_and_delete(Backend::Sqlite).await;
}

#[tokio::test]
async fn polling_accept_and_delete_postgres() {
    polling_accept_and_delete(Backend::Postgres).await;
}

async fn every_type_completes(backend: Backend) {
    let Some(t) = TestApp::builder().backend(backend).spawn().await else {
        return;
    };
    let app = t.fx_app("Shop").await;
    let other_app = t.fx_app("Blog").await;
    let (_, scan) = two_scans(&t, app).await;
    two_scans(&t, other_app).await;
    let mut asked = Vec::new();
    for kind in ReportType::ALL {
        for format in kind.formats() {
            let mut body = json!({"name": format!("{} {}", kind.wire(), format.wire()),
                "type": kind.wire(), "format": format.wire()});
            if kind.needs_scan() {
                body["scan"] = json!({"id": scan.to_string()});
            } else if !kind.all_apps() {
                body["app"] = json!({"id": app.to_string()});
            }
            asked.push((request(&t, body).await, *kind, *format));
        }
    }
    for (id, kind, format) in asked {
        let r = wait_content(&t, id, format.content_type()).await;
        assert_eq!(
            r.status,
            200,
            "{} {}: {}",
            kind.wire(),
            format.wire(),
            get_as(&t, id, "application/json").await.text()
        );
        assert_eq!(
            r.header("content-type").as_deref(),
            Some(format.content_type())
        );
        let magic: &[u8] = match format {
            DocFormat::Pdf => b"%PDF",
            DocFormat::Html => b"PK",
            DocFormat::Csv => b"",
        };
        assert!(
            r.body.starts_with(magic),
            "{} {}",
            kind.wire(),
            format.wire()
        );
        assert!(!r.body.is_empty());
    }
}

#[tokio::test]
async fn every_type_and_format_completes_sqlite() {
    every_type_completes(Backend::Sqlite).await;
}

#[tokio::test]
async fn every_type_and_format_completes_postgres() {
    every_type_completes(Backend::Postgres).await;
}

#[tokio::test]
async fn a_failed_report_says_why() {
    let t = TestApp::builder()
        .report_generator(false)
        .spawn()
        .await
        .unwrap();
    let mut t = t;
    let app = t.fx_app("Shop").await;
    let (_, scan) = two_scans(&t, app).await;
    let id = request(
        &t,
        json!({"name": "gone", "type": "OWASP_2021_COMPLIANCE", "format": "HTML",
            "scan": {"id": scan.to_string()}}),
    )
    .await;
    // The scan disappears before the report is generated.
    t.store()
        .delete_scan(t.keys.admin.org(), scan)
        .await
        .unwrap();
    t.start_report_generator();
    let r = wait_content(&t, id, "application/zip, application/json")
        .await
        .status(409);
    let e = r.error_body();
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .starts_with("the report failed: "),
        "{e}"
    );
    let meta = get_as(&t, id, "application/json").await.status(200).json();
    assert_eq!(meta["status"], "FAILED");
    assert!(meta["failure_reason"].as_str().unwrap().contains("scan"));
}

#[tokio::test]
async fn requests_are_validated() {
    let t = TestApp::builder()
        .report_generator(false)
        .spawn()
        .await
        .unwrap();
    let app = t.fx_app("Shop").await;
    let (_, scan) = two_scans(&t, app).await;
    let contexts = |r: Resp| -> Vec<String> {
        let e = r.status(422).error_body();
        e["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["context"].as_str().unwrap().to_string())
            .collect()
    };
    let post = |body: Value| {
        let t = &t;
        async move { t.admin().post("/ias/v1/reports").json(&body).send().await }
    };
    assert_eq!(
        contexts(post(json!({"name": "x", "type": "NOPE", "format": "ODT"})).await),
        vec!["type", "format"]
    );
    // ALL_APPS executive reports are PDF only.
    assert_eq!(
        contexts(
            post(json!({"name": "x", "type": "EXEC_ALL_APPS_ALL_VULNS", "format": "CSV"})).await
        ),
        vec!["format"]
    );
    assert_eq!(
        contexts(post(json!({"name": "", "type": "PCI4_COMPLIANCE", "format": "PDF"})).await),
        vec!["name", "scan.id"]
    );
    assert_eq!(
        contexts(
            post(
                json!({"name": "x", "type": "EXEC_SINGLE_APP_ALL_VULNS", "format": "PDF",
                "app": {"id": app.to_string()}, "start": "2026-13-01", "end": "yesterday"})
            )
            .await
        ),
        vec!["start", "end"]
    );
    assert_eq!(
        contexts(
            post(
                json!({"name": "x", "type": "EXEC_SINGLE_APP_ALL_VULNS", "format": "PDF",
                "app": {"id": app.to_string()}, "month": "2026-1"})
            )
            .await
        ),
        vec!["month"]
    );
    // The filter is the search language over vulnerabilities, checked when requested.
    let r = post(json!({"name": "x", "type": "VULN_SUMMARY", "format": "CSV",
        "scan": {"id": scan.to_string()}, "filter": "vulnerability.severty = 'HIGH'"}))
    .await;
    let e = r.status(422).error_body();
    assert_eq!(e["errors"][0]["context"], "filter");
    assert!(e["errors"][0]["explanation"]
        .as_str()
        .unwrap()
        .contains("vulnerability.severty"));
    // A scan the caller cannot see is "not found" in the body.
    let private = t.fx_private_app("Private").await;
    let (_, hidden) = two_scans(&t, private).await;
    let r = t
        .rw()
        .post("/ias/v1/reports")
        .json(
            &json!({"name": "x", "type": "VULN_SUMMARY", "format": "CSV",
            "scan": {"id": hidden.to_string()}}),
        )
        .send()
        .await;
    assert_eq!(contexts(r), vec!["scan.id"]);
    // A good filter, month and app-scoped executive report are accepted.
    request(
        &t,
        json!({"name": "ok", "type": "EXEC_SINGLE_APP_NEW_VULNS", "format": "HTML",
            "app": {"id": app.to_string()}, "month": "2026-01",
            "filter": "vulnerability.severity >= 'MEDIUM'"}),
    )
    .await;
}

#[tokio::test]
async fn a_filtered_csv_lists_only_what_the_filter_keeps() {
    let t = TestApp::spawn().await;
    let app = t.fx_app("Shop").await;
    let (_, scan) = two_scans(&t, app).await;
    let all = request(
        &t,
        json!({"name": "all", "type": "VULN_SUMMARY", "format": "CSV",
            "scan": {"id": scan.to_string()}}),
    )
    .await;
    let high = request(
        &t,
        json!({"name": "medium+", "type": "VULN_SUMMARY", "format": "CSV",
            "scan": {"id": scan.to_string()}, "filter": "vulnerability.severity >= 'MEDIUM'"}),
    )
    .await;
    let all = wait_content(&t, all, "text/csv").await.status(200).text();
    let high = wait_content(&t, high, "text/csv").await.status(200).text();
    assert!(all.contains("http://shop.test/c"), "{all}");
    assert!(all.contains("http://shop.test/b"), "{all}");
    assert!(!high.contains("http://shop.test/c"), "{high}");
    assert!(high.contains("http://shop.test/b"), "{high}");
}

/// What an executive all-apps report is rendered from: every app the owner sees, each with
/// its latest scan, its findings and the trend since the previous scan of the config
/// (new `c`, fixed `a`, still open `b`); the NEW_VULNS variant lists only the new one.
#[tokio::test]
async fn an_all_apps_document_has_every_app_with_its_trend() {
    let t = TestApp::builder()
        .report_generator(false)
        .spawn()
        .await
        .unwrap();
    let shop = t.fx_app("Shop").await;
    let blog = t.fx_app("Blog").await;
    let (first, latest) = two_scans(&t, shop).await;
    two_scans(&t, blog).await;
    let state = rampart_server::AppState::new(
        t.service.clone(),
        &rampart_server::ServerConfig {
            max_file_bytes: 1024,
            ..rampart_server::ServerConfig::new(&t.base)
        },
    );
    for (kind, listed) in [
        (ReportType::ExecAllAppsAllVulns, 2),
        (ReportType::ExecAllAppsNewVulns, 1),
    ] {
        let id = request(
            &t,
            json!({"name": "all", "type": kind.wire(), "format": "PDF"}),
        )
        .await;
        let report = t
            .service
            .get_report(&t.keys.admin.principal, ReportId(id))
            .await
            .unwrap();
        let sections = t.service.report_sections(&report, true).await.unwrap();
        let doc = rampart_server::report_gen::document(&state, &report, kind, sections);
        let names: Vec<_> = doc.sections.iter().map(|s| s.app_name.as_str()).collect();
        assert_eq!(names, vec!["Blog", "Shop"], "by name");
        let s = doc.sections.iter().find(|s| s.app_id == shop.0).unwrap();
        assert_eq!(s.scan.as_ref().unwrap().id, latest.0, "the latest scan");
        let trend = s.trend.as_ref().unwrap();
        assert_eq!((trend.new, trend.fixed, trend.still_open), (1, 1, 1));
        let history: Vec<_> = trend.history.iter().map(|p| p.scan_id).collect();
        assert_eq!(history, vec![first.0, latest.0], "oldest first");
        assert_eq!(trend.history[1].counts.total(), 2);
        assert_eq!(s.model.findings.len(), listed, "{}", kind.wire());
    }
    // A member-only owner's all-apps report covers only its apps.
    let id = t
        .rw()
        .post("/ias/v1/reports")
        .json(&json!({"name": "mine", "type": "EXEC_ALL_APPS_ALL_VULNS", "format": "PDF"}))
        .send()
        .await
        .status(201)
        .location_id();
    let report = t
        .service
        .get_report(&t.keys.read_write.principal, ReportId(id))
        .await
        .unwrap();
    let private = t.fx_private_app("Private").await;
    two_scans(&t, private).await;
    let sections = t.service.report_sections(&report, true).await.unwrap();
    assert!(sections.iter().all(|s| s.app.id != private));
    t.ro()
        .get(&format!("/ias/v1/reports/{id}"))
        .send()
        .await
        .status(404);
}
