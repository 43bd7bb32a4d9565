//! Scan-config secrets: write-only over the API (reads show `********`), sealed at rest, kept
//! when a write sends the marker back; the SQLite file is private.

use rampart_store::Visibility;
use rampart_testkit::TestApp;
use serde_json::{json, Value};

const PASSWORD: &str = "Pa55-form-secret";
const CERT_PASSWORD: &str = "cert-secret-77";
const BEARER: &str = "Bearer hdr-secret-99";
const COOKIE: &str = "sid=cookie-secret-55";

fn secrets_doc() -> Value {
    json!({
        "auth_config": {"type": "FORM", "username_form": "alice", "password_form": PASSWORD},
        "ssl_cert_config": {"type": "CERTIFICATE", "file": "client.p12", "password": CERT_PASSWORD},
        "http_headers_config": {
            "cookie": COOKIE,
            "custom_headers_list": [{"value": format!("Authorization: {BEARER}")}, {"value": "X-Trace: on"}]
        }
    })
}

fn assert_no_secret(text: &str) {
    for s in [PASSWORD, CERT_PASSWORD, "hdr-secret-99", "cookie-secret-55"] {
        assert!(!text.contains(s), "{s} leaked: {text}");
    }
}

#[tokio::test]
async fn secrets_are_write_only_sealed_and_kept_by_the_marker() {
    let t = TestApp::spawn().await;
    let app = t.fx_app("Shop").await;
    let cfg = t.fx_scan_config(app, "Nightly").await;
    let path = format!("/ias/v1/scan-configs/{cfg}/options");
    t.rw()
        .put(&path)
        .json(&secrets_doc())
        .send()
        .await
        .status(200);

    // Every reader, read-only included, sees the marker, never the secret.
    for who in [t.ro(), t.rw(), t.admin(), t.org()] {
        let doc = who.get(&path).send().await.status(200).json();
        assert_no_secret(&doc.to_string());
        assert_eq!(doc["auth_config"]["password_form"], "********");
        assert_eq!(doc["auth_config"]["username_form"], "alice");
        assert_eq!(doc["ssl_cert_config"]["password"], "********");
        assert_eq!(doc["http_headers_config"]["cookie"], "********");
        assert_eq!(
            doc["http_headers_config"]["custom_headers_list"],
            json!([{"value": "Authorization: ********"}, {"value": "X-Trace: on"}])
        );
        let item = who
            .get(&format!("/ias/v1/scan-configs/{cfg}"))
            .send()
            .await
            .status(200);
        assert_no_secret(&item.text());
        let list = who.get("/ias/v1/scan-configs").send().await.status(200);
        assert_no_secret(&list.text());
    }

    // At rest: sealed, not in clear anywhere in the database.
    let stored = t
        .store()
        .get_scan_config(t.keys.admin.principal.org, cfg, &Visibility::All)
        .await
        .unwrap()
        .options;
    let sealed = stored["auth_config"]["password_form"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(sealed.starts_with("sealed:v1:"), "{sealed}");
    assert_no_secret(&t.dump_text().await);

    // A PUT that sends the document back as read keeps every secret; a changed field changes.
    let mut doc = t.rw().get(&path).send().await.status(200).json();
    doc["auth_config"]["username_form"] = json!("bob");
    t.rw().put(&path).json(&doc).send().await.status(200);
    let stored = t
        .store()
        .get_scan_config(t.keys.admin.principal.org, cfg, &Visibility::All)
        .await
        .unwrap()
        .options;
    assert_eq!(stored["auth_config"]["password_form"], json!(sealed));
    assert_eq!(stored["auth_config"]["username_form"], "bob");
    assert!(stored["ssl_cert_config"]["password"]
        .as_str()
        .unwrap()
        .starts_with("sealed:v1:"));
    // A PATCH with the marker keeps it too; a new value replaces it.
    t.rw()
        .patch(&path)
        .json(&json!({"auth_config": {"password_form": "********"}}))
        .send()
        .await
        .status(200);
    let again = t
        .store()
        .get_scan_config(t.keys.admin.principal.org, cfg, &Visibility::All)
        .await
        .unwrap()
        .options;
    assert_eq!(again["auth_config"]["password_form"], json!(sealed));
    t.rw()
        .patch(&path)
        .json(&json!({"auth_config": {"password_form": "new-secret-1"}}))
        .send()
        .await
        .status(200);
    let changed = t
        .store()
        .get_scan_config(t.keys.admin.principal.org, cfg, &Visibility::All)
        .await
        .unwrap()
        .options;
    assert_ne!(changed["auth_config"]["password_form"], json!(sealed));
    assert!(!changed.to_string().contains("new-secret-1"));
    assert_no_secret(&t.dump_text().await);
}

#[tokio::test]
async fn the_recipe_stored_with_a_job_is_sealed_too() {
    let t = TestApp::spawn().await;
    let app = t.fx_app("Shop").await;
    let domain = "login.example.test";
    t.fx_target(domain).await;
    let cfg = t.fx_scan_config(app, "Nightly").await;
    let mut doc = secrets_doc();
    doc["ssl_cert_config"] = json!({"type": "NO_CERT"});
    doc["crawl_config"] = json!({"seed_url_list": [{"value": format!("https://{domain}/")}],
        "scope_constraint_list": [{"url": format!("https://{domain}/*")}]});
    t.rw()
        .put(&format!("/ias/v1/scan-configs/{cfg}/options"))
        .json(&doc)
        .send()
        .await
        .status(200);
    let scan = t
        .rw()
        .create(
            "/ias/v1/scans",
            json!({"scan_config": {"id": cfg.to_string()}}),
        )
        .await;
    let s = t
        .rw()
        .get(&format!("/ias/v1/scans/{scan}"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(s["status"], "PENDING", "{s}");
    assert_no_secret(&t.dump_text().await);
    // The engine that claims it gets the secrets in clear.
    let spec = t
        .service
        .claim_job("test-engine")
        .await
        .unwrap()
        .expect("a job");
    let login = spec.recipe.login.as_ref().expect("FORM login");
    assert_eq!(login.password, PASSWORD);
    assert!(spec
        .recipe
        .headers
        .contains(&("Authorization".to_string(), BEARER.to_string())));
    assert_eq!(spec.recipe.cookie.as_deref(), Some(COOKIE));
    assert!(!format!("{:?}", spec.recipe).contains(PASSWORD));
    assert!(!format!("{:?}", spec.recipe).contains("hdr-secret-99"));
}

#[tokio::test]
async fn the_sqlite_database_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("rampart-mode-{}", uuid::Uuid::new_v4()));
    let db = dir.join("rampart.db");
    let t = TestApp::builder()
        .sqlite_url(&format!("sqlite://{}", db.display()))
        .spawn()
        .await
        .unwrap();
    t.admin().create("/ias/v1/apps", json!({"name": "x"})).await;
    let mut checked = 0;
    for suffix in ["", "-wal", "-shm"] {
        let p = format!("{}{suffix}", db.display());
        if let Ok(m) = std::fs::metadata(&p) {
            assert_eq!(m.permissions().mode() & 0o777, 0o600, "{p}");
            checked += 1;
        }
    }
    assert!(checked >= 2, "the database and its WAL exist");
    drop(t);
    let _ = std::fs::remove_dir_all(&dir);
}
