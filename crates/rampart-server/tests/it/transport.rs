//! Transport leniency and exactness over raw sockets: title-case `Location`, path
//! normalisation, absolute-form targets, content types (reference §2.1, §2.2, §8).

use rampart_testkit::TestApp;
use serde_json::json;

#[tokio::test]
async fn created_location_is_title_case_on_the_wire_and_absolute() {
    let app = TestApp::spawn().await;
    let head = format!(
        "POST /ias/v1/apps HTTP/1.1\r\nHost: {}\r\nX-Api-Key: {}\r\nContent-Type: application/json",
        app.host(),
        app.keys.admin.token
    );
    let r = app.raw(&head, Some(r#"{"name":"raw"}"#)).await;
    assert_eq!(r.status, 201, "{}", r.head);
    assert!(
        r.header_names().contains(&"Location"),
        "Location must be spelled exactly so: {}",
        r.head
    );
    let id = r.location_id();
    assert_eq!(
        r.header("location"),
        Some(format!("{}/ias/v1/apps/{id}", app.base).as_str())
    );
    assert!(r.body.is_empty());

    // Not on GET, PUT or DELETE.
    let get = format!(
        "GET /ias/v1/apps/{id} HTTP/1.1\r\nHost: {}\r\nX-Api-Key: {}",
        app.host(),
        app.keys.admin.token
    );
    let r = app.raw(&get, None).await;
    assert_eq!(r.status, 200);
    assert!(r.header("location").is_none(), "{}", r.head);
    let put = format!("PUT /ias/v1/apps/{id} HTTP/1.1\r\nHost: {}\r\nX-Api-Key: {}\r\nContent-Type: application/json", app.host(), app.keys.admin.token);
    let r = app.raw(&put, Some(r#"{"name":"raw 2"}"#)).await;
    assert_eq!(r.status, 200);
    assert!(r.header("location").is_none(), "{}", r.head);
    let list = format!(
        "GET /ias/v1/apps HTTP/1.1\r\nHost: {}\r\nX-Api-Key: {}",
        app.host(),
        app.keys.admin.token
    );
    assert!(app.raw(&list, None).await.header("location").is_none());
}

#[tokio::test]
async fn absolute_form_request_targets_route_by_path() {
    let app = TestApp::spawn().await;
    let head = format!(
        "POST http://us.api.insight.rapid7.com/ias/v1/apps HTTP/1.1\r\nHost: us.api.insight.rapid7.com\r\nx-api-key: {}\r\nContent-Type: application/json\r\nUser-Agent: r7:insightappsec-github-actions/1.3.5",
        app.keys.admin.token
    );
    let r = app.raw(&head, Some(r#"{"name":"via proxy"}"#)).await;
    assert_eq!(r.status, 201, "{}", r.head);
    let id = r.location_id();
    assert!(
        r.header("location").unwrap().starts_with(&app.base),
        "Location uses the public URL, not the Host header"
    );
    let head = format!("GET https://us.api.insight.rapid7.com:443/ias/v1/apps/{id}/ HTTP/1.1\r\nHost: us.api.insight.rapid7.com\r\nx-api-key: {}", app.keys.admin.token);
    let r = app.raw(&head, None).await;
    assert_eq!(r.status, 200, "{}", r.head);
    assert_eq!(r.json()["name"], "via proxy");
}

#[tokio::test]
async fn doubled_and_trailing_slashes_are_normalised() {
    let app = TestApp::spawn().await;
    let id = app
        .admin()
        .create("/ias/v1/apps/", json!({"name": "slashes"}))
        .await;
    for path in [
        format!("/ias/v1/apps//{id}"),
        format!("/ias/v1/apps/{id}/"),
        format!("/ias/v1//apps/{id}"),
        "/ias/v1/apps/".to_string(),
        "/ias/v1/apps/?size=5".to_string(),
    ] {
        app.admin().get(&path).send().await.status(200);
    }
    app.admin().get("/validate/").send().await.status(200);
    app.admin()
        .put(&format!("/ias/v1/apps//{id}/"))
        .json(&json!({"name": "s2"}))
        .send()
        .await
        .status(200);
    app.admin()
        .delete(&format!("/ias/v1/apps//{id}"))
        .send()
        .await
        .status(204);
}

#[tokio::test]
async fn json_content_types_with_and_without_charset_or_none_at_all() {
    let app = TestApp::spawn().await;
    for (i, ct) in [
        "application/json; charset=UTF-8",
        "application/json;charset=UTF-8",
        "Application/JSON",
        "application/vnd.api+json",
    ]
    .iter()
    .enumerate()
    {
        let r = app
            .admin()
            .post("/ias/v1/apps")
            .header("Content-Type", ct)
            .body(json!({"name": format!("ct {i}")}).to_string())
            .send()
            .await;
        r.status(201);
    }
    // No Content-Type at all.
    let head = format!(
        "POST /ias/v1/tags HTTP/1.1\r\nHost: {}\r\nX-Api-Key: {}",
        app.host(),
        app.keys.admin.token
    );
    let r = app.raw(&head, Some(r#"{"name":"untyped"}"#)).await;
    assert_eq!(r.status, 201, "{}", r.head);
    // Content-Type on a bodiless GET, with and without Accept.
    for accept in [
        None,
        Some("*/*"),
        Some("application/json"),
        Some("application/json;charset=UTF-8"),
    ] {
        let mut req = app
            .admin()
            .get("/ias/v1/apps")
            .header("Content-Type", "application/json");
        if let Some(a) = accept {
            req = req.header("Accept", a);
        }
        let r = req.send().await.status(200);
        assert_eq!(
            r.header("content-type").as_deref(),
            Some("application/json;charset=UTF-8")
        );
    }
}

#[tokio::test]
async fn every_response_carries_a_fresh_correlation_id() {
    let app = TestApp::spawn().await;
    // Resp::send asserts the header on every response of the whole suite; here: fresh ids.
    let a = app
        .admin()
        .get("/ias/v1/apps")
        .send()
        .await
        .header("r7-correlation-id");
    let b = app
        .anon()
        .get("/ias/v1/apps")
        .send()
        .await
        .header("r7-correlation-id");
    let c = app
        .anon()
        .get("/healthz")
        .send()
        .await
        .header("r7-correlation-id");
    assert!(a != b && b != c && a != c);
    let r = app
        .raw(
            &format!("GET /nowhere HTTP/1.1\r\nHost: {}", app.host()),
            None,
        )
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn concurrent_creates_all_succeed_with_distinct_ids() {
    let app = TestApp::spawn().await;
    let rw = app.rw();
    let creates =
        (0..40).map(|i| rw.create("/ias/v1/apps", json!({"name": format!("parallel {i}")})));
    let mut ids = futures::future::join_all(creates).await;
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 40);
    let page = app
        .rw()
        .get("/ias/v1/apps?size=1000")
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(page["metadata"]["total_data"], 40);
}
