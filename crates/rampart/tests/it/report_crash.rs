//! Crash safety of server-side reports: the real `rampart server` SIGKILLed while it
//! generates a large report, restarted on the same database. The report must end
//! COMPLETE (never stay PROCESSING): the restarted instance frees the lease its previous
//! run held and generates the report again — the lease is 10 minutes, so waiting for it
//! to expire would fail the test.

use crate::server_proc::{Api, Server};
use rampart_domain::*;
use reqwest::Method;
use serde_json::json;
use std::time::{Duration, Instant};

/// Findings in the report: enough that generating it takes a while.
const FINDINGS: usize = 5_000;

fn start(database: &str) -> Server {
    crate::server_proc::start(env!("CARGO_BIN_EXE_rampart"), database, None, 600)
}

/// A COMPLETE scan of `app` with [`FINDINGS`] findings, written through the store.
async fn big_scan(store: &rampart_store_sqlite::SqliteStore, app: &str) -> ScanId {
    let (org,): (uuid::Uuid,) = sqlx::query_as("SELECT org_id FROM apps WHERE id = ?")
        .bind(uuid::Uuid::parse_str(app).unwrap())
        .fetch_one(store.pool())
        .await
        .unwrap();
    let org = OrgId(org);
    let sqli = rampart_engine::module("sqli").unwrap();
    let scan = Scan {
        id: ScanId::new(),
        org,
        app: AppId(uuid::Uuid::parse_str(app).unwrap()),
        scan_config: ScanConfigId::new(),
        submitter: Submitter {
            kind: SubmitterType::User,
            id: uuid::Uuid::new_v4(),
        },
        submit_time: rampart_testkit::fx_time(0),
        completion_time: Some(rampart_testkit::fx_time(30)),
        status: ScanStatus::Complete,
        failure_reason: None,
        scan_type: ScanType::Regular,
        parent: None,
        vulnerability_ids: Vec::new(),
    };
    use rampart_store::{ScanStore, VulnStore};
    store.create_scan(&scan, None, &[]).await.unwrap();
    let findings: Vec<Finding> = (0..FINDINGS)
        .map(|i| {
            let mut f = rampart_testkit::fx_finding(
                &format!("http://shop.test/item/{i}"),
                Some("id"),
                Severity::ALL[i % Severity::ALL.len()],
                1,
            );
            f.module = sqli.id;
            f
        })
        .collect();
    store
        .ingest_findings(org, scan.id, "crash-report", &findings)
        .await
        .unwrap();
    scan.id
}

async fn report_row(
    store: &rampart_store_sqlite::SqliteStore,
    id: &str,
) -> (String, Option<String>) {
    sqlx::query_as("SELECT status, lease_owner FROM reports WHERE id = ?")
        .bind(uuid::Uuid::parse_str(id).unwrap())
        .fetch_one(store.pool())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_generates_its_report_after_a_restart() {
    let dir = std::env::temp_dir().join(format!("rampart-report-crash-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("r.db").display());
    let mut first = start(&url);
    let api = Api {
        http: reqwest::Client::builder().no_proxy().build().unwrap(),
        base: first.base.clone(),
        key: first.key.clone().expect("the first start prints a key"),
    };
    let app = api.create("/ias/v1/apps", json!({"name": "Crash"})).await;
    let store = rampart_store_sqlite::connect(&url).await.unwrap();
    let scan = big_scan(&store, &app).await;
    let report = api
        .create(
            "/ias/v1/reports",
            json!({"name": "big", "type": "VULN_SUMMARY", "format": "HTML",
                "scan": {"id": scan.to_string()}}),
        )
        .await;

    // Kill the server once it holds the report's lease (it is generating it).
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, owner) = report_row(&store, &report).await;
        assert_eq!(
            status, "PROCESSING",
            "generated before the kill: raise FINDINGS"
        );
        if owner.is_some() {
            break;
        }
        assert!(Instant::now() < deadline, "no generator claimed the report");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    first.child.kill().expect("SIGKILL the server");
    first.child.wait().expect("reap the server");
    let (status, owner) = report_row(&store, &report).await;
    assert_eq!(
        status, "PROCESSING",
        "generated before the kill: raise FINDINGS"
    );
    assert!(owner.is_some(), "the dead server's lease is still there");

    let second = start(&url);
    let api = Api {
        base: second.base.clone(),
        ..api
    };
    let deadline = Instant::now() + Duration::from_secs(240);
    let zip = loop {
        let (s, body, _) = api
            .raw(
                Method::GET,
                &format!("/ias/v1/reports/{report}"),
                "application/zip, application/json",
            )
            .await;
        if s == 200 {
            break body;
        }
        assert_eq!(s, 204, "while generating: 204");
        assert!(
            Instant::now() < deadline,
            "the report did not complete after the restart"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(zip.starts_with(b"PK\x03\x04"), "the zipped HTML report");
    let meta = api.get(&format!("/ias/v1/reports/{report}")).await;
    assert_eq!(meta["status"], "COMPLETE", "{meta}");
    drop(second);
    store.pool().close().await;
    std::fs::remove_dir_all(dir).ok();
}
