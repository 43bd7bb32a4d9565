//! Secrets end to end: a scan with a FORM login against the testbed (embedded engine, real
//! worker), after which the login password — and the secret header values — appear nowhere:
//! not in any table of the database, not in any report format (rampart-report over the API
//! adapter), not in the log output; a read-only key reads the marker; a PUT of the marker
//! keeps the secret (the scan still logs in). Both databases.

use crate::e2e::{details, scan_config, submit, testbed, wait_scan};
use rampart_testkit::TestApp;
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// Everything logged in this process at debug level and above.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn log() -> &'static Captured {
    static LOG: OnceLock<Captured> = OnceLock::new();
    LOG.get_or_init(|| {
        let c = Captured::default();
        let writer = c.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only log subscriber");
        c
    })
}

const HEADER_SECRET: &str = "hdr-e2e-secret-4711";
const API_KEY_SECRET: &str = "apikey-e2e-secret-0815";

async fn form_login_scan_leaves_no_secret(app: TestApp) {
    let captured = log();
    let tb = testbed().await;
    let base = tb.base_url().trim_end_matches('/').to_string();
    let li = tb.login_info();
    let password = li.password.clone();
    let cfg = scan_config(
        &app,
        &base,
        &["xss_reflected", "cookie_flags", "csrf", "open_redirect"],
    )
    .await;
    let options = format!("/ias/v1/scan-configs/{cfg}/options");
    app.rw()
        .patch(&options)
        .json(&json!({
            "auth_config": {
                "type": "FORM",
                "username_form": li.username,
                "password_form": password,
                "seed_link": format!("{base}{}", li.login_path),
                "logged_in_regex": li.logged_in_regex,
                "session_loss_regex": li.session_loss_regex,
            },
            "http_headers_config": {"custom_headers_list": [
                {"value": format!("Authorization: Bearer {HEADER_SECRET}")},
                {"value": format!("X-Api-Key: {API_KEY_SECRET}")}
            ]}
        }))
        .send()
        .await
        .status(200);

    // A read-only key (a member of the app) reads the marker; the document is written back
    // as read.
    let c = app
        .rw()
        .get(&format!("/ias/v1/scan-configs/{cfg}"))
        .send()
        .await
        .status(200)
        .json();
    let app_id = c["app"]["id"].as_str().unwrap().to_string();
    app.admin()
        .post(&format!("/ias/v1/apps/{app_id}/users"))
        .json(&json!({"id": app.keys.read_only.id().to_string()}))
        .send()
        .await
        .status(201);
    let read = app.ro().get(&options).send().await.status(200).json();
    assert_eq!(read["auth_config"]["password_form"], "********");
    let as_read = app.rw().get(&options).send().await.status(200).json();
    app.rw()
        .put(&options)
        .json(&as_read)
        .send()
        .await
        .status(200);

    let id = submit(&app, &cfg, json!({})).await;
    let done = wait_scan(&app, &id, "finished", Duration::from_secs(300), |s| {
        matches!(s["status"].as_str(), Some("COMPLETE" | "FAILED"))
    })
    .await;
    assert_eq!(done["status"], "COMPLETE", "{done}");
    let d = details(&app, &id).await;
    assert_eq!(
        d["logged_in"], true,
        "the secret kept by the marker still logs in: {d}"
    );
    assert!(d["vulnerable"].as_i64().unwrap() > 0, "{d}");

    let secrets = [password.as_str(), HEADER_SECRET, API_KEY_SECRET];
    let check = |what: &str, text: &str| {
        for s in secrets {
            assert!(!text.contains(s), "{s} found in {what}");
        }
    };
    // Every table of the database.
    let dump = app.dump_text().await;
    assert!(dump.contains("[REDACTED]") || dump.contains("sealed:v1:"));
    check("the database", &dump);
    // Every API read of the scan's results.
    for path in [
        format!("/ias/v1/scans/{id}/engine-events"),
        format!("/ias/v1/scans/{id}/platform-events"),
    ] {
        check(
            &path,
            &app.admin().get(&path).send().await.status(200).text(),
        );
    }
    // Every report format, over the API adapter.
    let client = rampart_client::Client::new(&app.base, &app.keys.admin.token).unwrap();
    let tool = rampart_report::Tool {
        name: "rampart".into(),
        version: "test".into(),
    };
    let model = rampart_automation::report::assemble(&client, tool, &[id.parse().unwrap()])
        .await
        .expect("report model");
    assert!(!model_is_empty(&model), "the report has findings");
    // Every text format, and the PDF as poppler's pdftotext reads it.
    for f in rampart_report::Format::ALL
        .iter()
        .filter(|f| **f != rampart_report::Format::Pdf)
    {
        let text = rampart_report::render(&model, *f).expect("render");
        check(&format!("the {f} report"), &text);
    }
    let pdf = rampart_report::render_bytes(&model, rampart_report::Format::Pdf).expect("pdf");
    check("the PDF report", &pdf_text(&pdf));
    // The log of everything that ran in this process (server, service, worker, engine).
    let logged = String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned();
    assert!(!logged.is_empty(), "the log was captured");
    check("the log", &logged);
    tb.shutdown().await;
}

/// The text of a PDF as poppler's `pdftotext` extracts it (CI installs poppler-utils).
fn pdf_text(pdf: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("rampart-secrets-pdf-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("r.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) must be installed: apt-get install poppler-utils");
    assert!(out.status.success(), "pdftotext failed");
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(!text.trim().is_empty(), "the PDF has text");
    text
}

fn model_is_empty(m: &rampart_report::ReportModel) -> bool {
    m.findings.is_empty()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_form_login_scan_leaves_no_secret_on_sqlite() {
    form_login_scan_leaves_no_secret(TestApp::with_engines(1).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_form_login_scan_leaves_no_secret_on_postgres() {
    let Some(app) = TestApp::builder()
        .backend(rampart_testkit::Backend::Postgres)
        .engines(1)
        .spawn()
        .await
    else {
        return;
    };
    form_login_scan_leaves_no_secret(app).await;
}
