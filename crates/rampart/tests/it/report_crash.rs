//! Crash safety of server-side reports: the real `rampart server` SIGKILLed while it
//! generates a large PDF report, restarted on the same database (SQLite and PostgreSQL). The report must end
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

fn start(database: &str, instance: Option<&str>) -> Server {
    crate::server_proc::start(env!("CARGO_BIN_EXE_rampart"), database, instance, 600)
}

/// The database the servers share, opened by the test to seed findings and read the
/// report's row.
enum Db {
    Lite(rampart_store_sqlite::SqliteStore),
    Pg(rampart_store_postgres::PostgresStore),
}

impl Db {
    async fn org_of(&self, app: uuid::Uuid) -> OrgId {
        let (org,): (uuid::Uuid,) = match self {
            Db::Lite(s) => sqlx::query_as("SELECT org_id FROM apps WHERE id = ?")
                .bind(app)
                .fetch_one(s.pool())
                .await
                .unwrap(),
            Db::Pg(s) => sqlx::query_as("SELECT org_id FROM apps WHERE id = $1")
                .bind(app)
                .fetch_one(s.pool())
                .await
                .unwrap(),
        };
        OrgId(org)
    }

    /// The report's status and lease owner.
    async fn report_row(&self, id: &str) -> (String, Option<String>) {
        let id = uuid::Uuid::parse_str(id).unwrap();
        match self {
            Db::Lite(s) => sqlx::query_as("SELECT status, lease_owner FROM reports WHERE id = ?")
                .bind(id)
                .fetch_one(s.pool())
                .await
                .unwrap(),
            Db::Pg(s) => sqlx::query_as("SELECT status, lease_owner FROM reports WHERE id = $1")
                .bind(id)
                .fetch_one(s.pool())
                .await
                .unwrap(),
        }
    }

    async fn close(&self) {
        match self {
            Db::Lite(s) => s.pool().close().await,
            Db::Pg(s) => s.pool().close().await,
        }
    }
}

/// A COMPLETE scan of `app` with [`FINDINGS`] findings, written through the store.
async fn big_scan(db: &Db, app: &str) -> ScanId {
    use rampart_store::{ScanStore, VulnStore};
    let app = uuid::Uuid::parse_str(app).unwrap();
    let org = db.org_of(app).await;
    let sqli = rampart_engine::module("sqli").unwrap();
    let scan = Scan {
        id: ScanId::new(),
        org,
        app: AppId(app),
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
    match db {
        Db::Lite(s) => {
            s.create_scan(&scan, None, &[]).await.unwrap();
            s.ingest_findings(org, scan.id, "crash-report", &findings)
                .await
                .unwrap();
        }
        Db::Pg(s) => {
            s.create_scan(&scan, None, &[]).await.unwrap();
            s.ingest_findings(org, scan.id, "crash-report", &findings)
                .await
                .unwrap();
        }
    }
    scan.id
}

/// Requests a PDF report of a big scan, SIGKILLs the server while it generates it,
/// restarts it on the same database (and instance id) and waits for the PDF.
async fn killed_while_generating_and_restarted(url: &str, instance: Option<&str>, db: Db) {
    let mut first = start(url, instance);
    let api = Api {
        http: reqwest::Client::builder().no_proxy().build().unwrap(),
        base: first.base.clone(),
        key: first.key.clone().expect("the first start prints a key"),
    };
    let app = api.create("/ias/v1/apps", json!({"name": "Crash"})).await;
    let scan = big_scan(&db, &app).await;
    let report = api
        .create(
            "/ias/v1/reports",
            json!({"name": "big", "type": "VULN_SUMMARY", "format": "PDF",
                "scan": {"id": scan.to_string()}}),
        )
        .await;

    // Kill the server once it holds the report's lease (it is generating it).
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, owner) = db.report_row(&report).await;
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
    let (status, owner) = db.report_row(&report).await;
    assert_eq!(
        status, "PROCESSING",
        "generated before the kill: raise FINDINGS"
    );
    assert!(owner.is_some(), "the dead server's lease is still there");

    let second = start(url, instance);
    let api = Api {
        base: second.base.clone(),
        ..api
    };
    let deadline = Instant::now() + Duration::from_secs(240);
    let pdf = loop {
        let (s, body, _) = api
            .raw(
                Method::GET,
                &format!("/ias/v1/reports/{report}"),
                "application/pdf, application/json",
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
    assert!(pdf.starts_with(b"%PDF-"), "the PDF report");
    let meta = api.get(&format!("/ias/v1/reports/{report}")).await;
    assert_eq!(meta["status"], "COMPLETE", "{meta}");
    drop(second);
    db.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_generates_its_report_after_a_restart() {
    let dir = std::env::temp_dir().join(format!("rampart-report-crash-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("r.db").display());
    // The test's connection creates and migrates the database; the server finds it ready.
    let db = Db::Lite(rampart_store_sqlite::connect(&url).await.unwrap());
    killed_while_generating_and_restarted(&url, None, db).await;
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_generates_its_report_after_a_restart_on_postgres() {
    let Ok(url) = std::env::var("RAMPART_TEST_PG_URL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "RAMPART_TEST_PG_URL must be set in CI"
        );
        eprintln!("notice: RAMPART_TEST_PG_URL is not set: skipping a PostgreSQL test");
        return;
    };
    let schema = format!("rampart_test_rcrash_{}", uuid::Uuid::new_v4().simple());
    let admin = sqlx::PgPool::connect(&url).await.expect("connect");
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&admin)
        .await
        .expect("create schema");
    admin.close().await;
    let db = Db::Pg(
        rampart_store_postgres::connect(&url, Some(&schema))
            .await
            .unwrap(),
    );
    let sep = if url.contains('?') { '&' } else { '?' };
    // Several servers share ./rampart-data on PostgreSQL tests: an explicit instance id, the
    // same for both runs (the restarted instance frees the leases of its previous run).
    let instance = format!("rcrash-{}", uuid::Uuid::new_v4().simple());
    killed_while_generating_and_restarted(
        &format!("{url}{sep}options=-c%20search_path%3D{schema}"),
        Some(&instance),
        db,
    )
    .await;
}
