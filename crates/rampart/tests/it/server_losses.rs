//! What a server scan lost (pages dropped, attack jobs abandoned, per reason) reaches the
//! reports built from server data as it reaches a local one: the embedded engine scans a
//! site that closes connections under some requests, then the server's own report (HTML)
//! and `rampart report`'s (JSON, HTML, from `/ias/v1` data) show the losses with their
//! reasons — on SQLite and PostgreSQL.

use crate::e2e::{details, scan_config, submit, wait_scan};
use rampart_report::Format;
use rampart_testbed::dropping::CLOSED;
use rampart_testkit::{Backend, TestApp};
use serde_json::json;
use std::io::Read;
use std::time::{Duration, Instant};

/// `report.html` of the server's HTML report (a ZIP of one DEFLATE or stored entry).
fn unzip_html(zip: &[u8]) -> String {
    assert_eq!(&zip[..4], b"PK\x03\x04", "a ZIP archive");
    let method = u16::from_le_bytes([zip[8], zip[9]]);
    let csize = u32::from_le_bytes([zip[18], zip[19], zip[20], zip[21]]) as usize;
    let name_len = u16::from_le_bytes([zip[26], zip[27]]) as usize;
    let extra = u16::from_le_bytes([zip[28], zip[29]]) as usize;
    let body = &zip[30 + name_len + extra..30 + name_len + extra + csize];
    match method {
        0 => String::from_utf8(body.to_vec()).unwrap(),
        _ => {
            let mut s = String::new();
            flate2::read::DeflateDecoder::new(body)
                .read_to_string(&mut s)
                .unwrap();
            s
        }
    }
}

async fn losses_reach_server_reports(backend: Backend) {
    let site = rampart_testbed::dropping::spawn().await.unwrap();
    let Some(app) = TestApp::builder().backend(backend).engines(1).spawn().await else {
        return;
    };
    let cfg = scan_config(&app, &site.base_url(), &["xss_reflected", "sqli"]).await;
    let id = submit(&app, &cfg, json!({})).await;
    let done = wait_scan(&app, &id, "finished", Duration::from_secs(180), |s| {
        matches!(s["status"].as_str(), Some("COMPLETE" | "FAILED"))
    })
    .await;
    assert_eq!(done["status"], "COMPLETE", "{done}");

    // The platform keeps them structured (a rampart extension of execution-details).
    let d = details(&app, &id).await;
    let dropped = d["coverage"]["dropped"][CLOSED].as_u64();
    let abandoned = d["coverage"]["abandoned"][CLOSED].as_u64();
    assert_eq!(dropped, Some(1), "/gone never answered: {d}");
    let abandoned = abandoned.unwrap_or(0);
    assert!(abandoned >= 1, "the form closes on quotes: {d}");
    let dropped_line = format!("1 ({CLOSED})");
    let abandoned_line = format!("{abandoned} ({CLOSED})");

    // `rampart report`: the model from `/ias/v1` data, rendered as JSON and HTML.
    let scan_id: uuid::Uuid = id.parse().unwrap();
    let c = rampart_client::Client::new(&app.base, &app.keys.admin.token).unwrap();
    let tool = rampart_report::Tool {
        name: "rampart".into(),
        version: "test".into(),
    };
    let model = rampart_automation::report::assemble(&c, tool, &[scan_id])
        .await
        .unwrap();
    let doc: serde_json::Value =
        serde_json::from_str(&rampart_report::render(&model, Format::Json).unwrap()).unwrap();
    assert_eq!(doc["dropped"][CLOSED], 1, "{}", doc["dropped"]);
    assert_eq!(doc["abandoned"][CLOSED], abandoned, "{}", doc["abandoned"]);
    let html = rampart_report::render(&model, Format::Html).unwrap();
    let wants = [
        "Pages not crawled (no answer)",
        dropped_line.as_str(),
        "Attack jobs abandoned",
        abandoned_line.as_str(),
    ];
    for want in wants {
        assert!(
            html.contains(want),
            "{want:?} missing from the HTML of `rampart report`"
        );
    }

    // The server's own report (`/reports`, HTML).
    let report = app
        .admin()
        .post("/ias/v1/reports")
        .json(
            &json!({"name": "losses", "type": "VULN_SUMMARY", "format": "HTML",
            "scan": {"id": id}}),
        )
        .send()
        .await
        .status(201)
        .location_id();
    let deadline = Instant::now() + Duration::from_secs(60);
    let zip = loop {
        let r = app
            .admin()
            .get(&format!("/ias/v1/reports/{report}"))
            .header("Accept", "application/zip")
            .send()
            .await;
        if r.status == 200 {
            break r.body;
        }
        assert_eq!(r.status, 204, "{}", r.text());
        assert!(
            Instant::now() < deadline,
            "report {report} not generated in 60 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let html = unzip_html(&zip);
    for want in wants {
        assert!(
            html.contains(want),
            "{want:?} missing from the server's HTML report"
        );
    }
    drop(site);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_report_shows_the_losses_of_its_scan_sqlite() {
    losses_reach_server_reports(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_report_shows_the_losses_of_its_scan_postgres() {
    losses_reach_server_reports(Backend::Postgres).await;
}
