//! The error table: 400, 401, 403, 404, 405, 409, 415, 422 bodies (reference §5.1, §10.1).

use crate::snap;
use rampart_testkit::TestApp;
use serde_json::json;

#[tokio::test]
async fn unauthorized_body_is_exact() {
    let app = TestApp::spawn().await;
    let want = json!({"status": "401 UNAUTHORIZED", "message": "Unauthorized"});
    for r in [
        app.anon().get("/ias/v1/apps").send().await,
        app.anon()
            .get("/ias/v1/apps")
            .header("X-Api-Key", "")
            .send()
            .await,
        app.anon()
            .get("/ias/v1/apps")
            .header("X-Api-Key", "rmp_forged")
            .send()
            .await,
        app.anon()
            .get("/ias/v1/apps")
            .header("Authorization", &format!("Bearer {}", app.keys.admin.token))
            .send()
            .await,
        app.anon()
            .post("/ias/v1/apps")
            .json(&json!({"name": "x"}))
            .send()
            .await,
        app.anon()
            .delete(&format!("/ias/v1/apps/{}", uuid::Uuid::new_v4()))
            .send()
            .await,
    ] {
        let r = r.status(401);
        assert_eq!(r.json(), want, "{}", r.what);
        assert_eq!(
            r.header("content-type").as_deref(),
            Some("application/json;charset=UTF-8")
        );
    }
}

#[tokio::test]
async fn key_header_name_is_case_insensitive() {
    let app = TestApp::spawn().await;
    for name in ["X-Api-Key", "x-api-key", "X-API-KEY"] {
        let head = format!(
            "GET /ias/v1/apps HTTP/1.1\r\nHost: {}\r\n{name}: {}",
            app.host(),
            app.keys.admin.token
        );
        assert_eq!(app.raw(&head, None).await.status, 200, "{name}");
    }
}

#[tokio::test]
async fn forbidden_body() {
    let app = TestApp::spawn().await;
    let r = app
        .ro()
        .post("/ias/v1/apps")
        .json(&json!({"name": "x"}))
        .send()
        .await
        .status(403);
    snap!("forbidden_403", r.error_body());
    let r = app
        .rw()
        .post("/ias/v1/targets")
        .json(&json!({"domain": "x.example.test"}))
        .send()
        .await
        .status(403);
    assert_eq!(r.error_body()["status"], "403 FORBIDDEN");
}

#[tokio::test]
async fn not_found_for_other_tenants_objects_and_malformed_ids() {
    let app = TestApp::spawn().await;
    let a = app.fx_app("mine").await;
    let t = app.fx_target("mine.example.test").await;
    let r = app
        .other()
        .get(&format!("/ias/v1/apps/{a}"))
        .send()
        .await
        .status(404);
    snap!("not_found_404", r.error_body());
    app.other()
        .put(&format!("/ias/v1/apps/{a}"))
        .json(&json!({"name": "stolen"}))
        .send()
        .await
        .status(404);
    app.other()
        .delete(&format!("/ias/v1/apps/{a}"))
        .send()
        .await
        .status(404);
    app.other()
        .get(&format!("/ias/v1/targets/{t}"))
        .send()
        .await
        .status(404);
    app.other()
        .delete(&format!("/ias/v1/targets/{t}"))
        .send()
        .await
        .status(404);
    for path in [
        "/ias/v1/apps/not-a-uuid",
        "/ias/v1/apps/123",
        "/ias/v1/targets/%20",
        "/ias/v1/scan-configs/x/options",
        "/ias/v1/attack-templates/zzz/modules",
        "/ias/v1/modules/1",
        "/ias/v1/tags/abc",
    ] {
        app.admin().get(path).send().await.status(404).error_body();
    }
    app.admin()
        .delete("/ias/v1/apps/not-a-uuid/users/also-not")
        .send()
        .await
        .status(404);
    app.admin()
        .get("/ias/v1/no-such-collection")
        .send()
        .await
        .status(404)
        .error_body();
    app.anon()
        .get("/nowhere")
        .send()
        .await
        .status(404)
        .error_body();
}

#[tokio::test]
async fn unsupported_media_type_and_post_to_item_url() {
    let app = TestApp::spawn().await;
    for ct in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/xml",
    ] {
        let r = app
            .admin()
            .post("/ias/v1/apps")
            .header("Content-Type", ct)
            .body(r#"{"name":"x"}"#)
            .send()
            .await
            .status(415);
        r.error_body();
    }
    let a = app.fx_app("a").await;
    let r = app
        .admin()
        .post(&format!("/ias/v1/apps/{a}"))
        .json(&json!({"name": "x"}))
        .send()
        .await
        .status(415);
    snap!("post_to_item_415", r.error_body());
    let r = app
        .admin()
        .patch("/ias/v1/apps")
        .json(&json!({}))
        .send()
        .await
        .status(405);
    assert_eq!(r.error_body()["status"], "405 METHOD_NOT_ALLOWED");
}

#[tokio::test]
async fn malformed_json_is_400_and_wrong_types_are_422() {
    let app = TestApp::spawn().await;
    let r = app
        .admin()
        .post("/ias/v1/apps")
        .header("Content-Type", "application/json")
        .body(r#"{"name": "#)
        .send()
        .await
        .status(400);
    assert_eq!(r.error_body()["status"], "400 BAD_REQUEST");
    app.admin()
        .post("/ias/v1/apps")
        .header("Content-Type", "application/json")
        .body("")
        .send()
        .await
        .status(400);
    app.admin()
        .post("/ias/v1/apps")
        .header("Content-Type", "application/json")
        .body("not json")
        .send()
        .await
        .status(400);
    let r = app
        .admin()
        .post("/ias/v1/apps")
        .json(&json!({"name": 5}))
        .send()
        .await
        .status(422);
    let body = r.error_body();
    snap!("wrong_type_422", body);
    assert_eq!(body["errors"][0]["type"], "PROPERTY");
    let r = app
        .admin()
        .post("/ias/v1/targets")
        .json(&json!({"domain": "x.example.test", "enabled": [true]}))
        .send()
        .await
        .status(422);
    assert_eq!(r.error_body()["errors"][0]["context"], "enabled");
}

#[tokio::test]
async fn unknown_members_are_ignored() {
    let app = TestApp::spawn().await;
    let id = app
        .admin()
        .create(
            "/ias/v1/apps",
            json!({"name": "x", "id": uuid::Uuid::new_v4(), "links": [], "extra": {"a": 1}}),
        )
        .await;
    app.admin()
        .get(&format!("/ias/v1/apps/{id}"))
        .send()
        .await
        .status(200);
}

#[tokio::test]
async fn renames_onto_an_existing_name_are_409() {
    let app = TestApp::spawn().await;
    let t1 = app.fx_target("one.example.test").await;
    app.fx_target("two.example.test").await;
    let r = app
        .admin()
        .put(&format!("/ias/v1/targets/{t1}"))
        .json(&json!({"domain": "two.example.test"}))
        .send()
        .await;
    r.status(409).error_body();
    let g1 = app.fx_tag("one").await;
    app.fx_tag("two").await;
    app.admin()
        .put(&format!("/ias/v1/tags/{g1}"))
        .json(&json!({"name": "two"}))
        .send()
        .await
        .status(409);
    let p1 = app.fx_template("one").await;
    app.fx_template("two").await;
    app.admin()
        .put(&format!("/ias/v1/attack-templates/{p1}"))
        .json(&json!({"name": "two"}))
        .send()
        .await
        .status(409);
    // A custom template may not take a system template's name either.
    app.admin()
        .put(&format!("/ias/v1/attack-templates/{p1}"))
        .json(&json!({"name": "All Modules"}))
        .send()
        .await
        .status(409);
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_an_error_body() {
    let app = TestApp::spawn().await;
    let big = format!(
        r#"{{"name":"x","description":"{}"}}"#,
        "d".repeat(5 * 1024 * 1024)
    );
    let r = app
        .admin()
        .post("/ias/v1/apps")
        .header("Content-Type", "application/json")
        .body(big)
        .send()
        .await;
    let r = r.status(413);
    assert_eq!(r.error_body()["status"], "413 PAYLOAD_TOO_LARGE");
}

/// POST on a route that only reads (a collection or an operational path) is 405; only a
/// POST to an item URL keeps the reference's 415.
#[tokio::test]
async fn post_on_a_read_only_route_is_405() {
    let app = TestApp::spawn().await;
    for path in [
        "/ias/v1/vulnerabilities",
        "/healthz",
        "/ias/v1/engine-groups/x/engines",
    ] {
        let r = app.admin().post(path).json(&json!({})).send().await;
        if r.status == 404 {
            continue;
        }
        let r = r.status(405);
        assert_eq!(r.error_body()["status"], "405 METHOD_NOT_ALLOWED", "{path}");
    }
}

/// NUL and other control characters in names are refused with 422 on both databases
/// (PostgreSQL cannot store NUL; ESC and C1 would reach terminals and logs); descriptions
/// keep line breaks and tabs. A NUL in the URL is 400.
async fn control_characters(app: TestApp) {
    for bad in [r"a\u0000b", r"red\u001b[31m", r"x\u009b2J", r"two\nlines"] {
        let body = format!(r#"{{"name": "{bad}"}}"#);
        let r = app
            .admin()
            .post("/ias/v1/apps")
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .status(422);
        let e = r.error_body();
        assert_eq!(e["status"], "422 UNPROCESSABLE_ENTITY", "{bad}: {e}");
        assert!(e.to_string().contains("name"), "{bad}: {e}");
    }
    for path in ["/ias/v1/tags", "/ias/v1/engine-groups"] {
        app.admin()
            .post(path)
            .header("Content-Type", "application/json")
            .body(r#"{"name": "n\u0000"}"#)
            .send()
            .await
            .status(422);
    }
    app.admin()
        .post("/ias/v1/apps")
        .header("Content-Type", "application/json")
        .body(r#"{"name": "ok", "description": "bad\u0000"}"#)
        .send()
        .await
        .status(422);
    app.admin()
        .create(
            "/ias/v1/apps",
            json!({"name": "Shop", "description": "line one\nline two\tend"}),
        )
        .await;
    let r = app
        .admin()
        .get("/ias/v1/apps?sort=app.name%00")
        .send()
        .await
        .status(400);
    r.error_body();
    identity_control_characters(&app).await;
}

/// The names and emails of the identity code (organizations, users, service accounts,
/// identity groups, OAuth clients) follow the same one-line rule: NUL, ESC, DEL and C1
/// are refused with 422 naming the field, and nothing is stored.
async fn identity_control_characters(app: &TestApp) {
    let bad = [r"a\u0000b", r"red\u001b[31m", r"del\u007f", r"x\u009b2J"];
    for b in bad {
        let cases = [
            (
                "POST",
                "/organizations",
                format!(r#"{{"name": "{b}"}}"#),
                "name",
            ),
            (
                "PUT",
                "/organization",
                format!(r#"{{"name": "{b}"}}"#),
                "name",
            ),
            (
                "POST",
                "/users",
                format!(r#"{{"email": "u{b}@example.test", "role": "read-only"}}"#),
                "email",
            ),
            (
                "POST",
                "/service-accounts",
                format!(r#"{{"name": "{b}", "role": "read-only"}}"#),
                "name",
            ),
            (
                "POST",
                "/identity-groups",
                format!(r#"{{"name": "{b}"}}"#),
                "name",
            ),
            (
                "POST",
                "/oauth/clients",
                format!(r#"{{"name": "{b}", "role": "read-only", "scopes": "read"}}"#),
                "name",
            ),
        ];
        for (method, path, body, field) in cases {
            let req = if method == "POST" {
                app.admin().post(path)
            } else {
                app.admin().put(path)
            };
            let r = req
                .header("Content-Type", "application/json")
                .body(body)
                .send()
                .await
                .status(422);
            // The identity routes answer the problem shape (`status` a number).
            let e = r.json();
            assert_eq!(e["status"], 422, "{method} {path} {b}: {e}");
            assert!(e.to_string().contains(field), "{method} {path} {b}: {e}");
        }
    }
    // Nothing of it was stored, and the organization kept its name.
    let orgs = app
        .admin()
        .get("/organizations")
        .send()
        .await
        .status(200)
        .text();
    let users = app.admin().get("/users").send().await.status(200).text();
    for listed in [orgs, users] {
        for marker in [
            "\\u0000", "\\u001b", "\\u007f", "\\u009b", "\u{1b}", "\u{7f}", "\u{9b}",
        ] {
            assert!(!listed.contains(marker), "{marker} stored: {listed}");
        }
    }
}

#[tokio::test]
async fn control_characters_are_refused_on_sqlite() {
    control_characters(TestApp::spawn().await).await;
}

#[tokio::test]
async fn control_characters_are_refused_on_postgres() {
    let app = TestApp::spawn_postgres().await.expect("PostgreSQL");
    control_characters(app).await;
}
