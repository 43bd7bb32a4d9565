//! `/validate`, `/healthz`, `/readyz`.

use rampart_testkit::TestApp;
use serde_json::json;

#[tokio::test]
async fn validate_answers_authorized_for_every_key_and_unauthorized_otherwise() {
    let app = TestApp::spawn().await;
    for caller in [app.admin(), app.rw(), app.ro(), app.org(), app.other()] {
        let r = caller.get("/validate").send().await.status(200);
        assert_eq!(r.json(), json!({"message": "Authorized"}));
    }
    let r = app.anon().get("/validate").send().await.status(401);
    assert_eq!(r.json(), json!({"message": "Unauthorized"}));
    let r = app
        .anon()
        .get("/validate")
        .header("X-Api-Key", "rmp_not-a-key")
        .send()
        .await
        .status(401);
    assert_eq!(r.json(), json!({"message": "Unauthorized"}));
    let r = app
        .anon()
        .get("/validate")
        .header("x-api-key", "garbage")
        .send()
        .await
        .status(401);
    assert_eq!(r.json(), json!({"message": "Unauthorized"}));
    assert!(r.location().is_none());
}

#[tokio::test]
async fn health_and_readiness_need_no_key() {
    let app = TestApp::spawn().await;
    let r = app.anon().get("/healthz").send().await.status(200);
    assert_eq!(r.json(), json!({"message": "ok"}));
    let r = app.anon().get("/readyz").send().await.status(200);
    assert_eq!(r.json(), json!({"message": "ready"}));
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/json;charset=UTF-8")
    );
}

#[tokio::test]
async fn readiness_fails_and_errors_are_503_when_the_database_is_gone() {
    let app = TestApp::spawn().await;
    app.close_database().await;
    let r = app.anon().get("/readyz").send().await.status(503);
    assert_eq!(r.json(), json!({"message": "database unreachable"}));
    app.anon().get("/healthz").send().await.status(200);
    // Authentication needs the database: the failure is a 503 with the error body and a
    // Retry-After, saying what is wrong, never a leaked cause.
    let r = app.admin().get("/ias/v1/apps").send().await.status(503);
    assert_eq!(r.header("retry-after").as_deref(), Some("5"));
    assert_eq!(
        r.error_body(),
        json!({"status": "503 SERVICE_UNAVAILABLE", "message": rampart_store::DATABASE_AWAY})
    );
    assert!(
        !r.text().to_lowercase().contains("pool"),
        "no internal cause in the body: {}",
        r.text()
    );
    // The AppSec+ routes answer in their problem shape.
    let r = app.admin().get("/v1/applications").send().await.status(503);
    let p = r.json();
    assert_eq!(p["code"], "service_unavailable", "{p}");
    assert_eq!(p["message"], rampart_store::DATABASE_AWAY, "{p}");
    assert_eq!(r.header("retry-after").as_deref(), Some("5"));
}
