//! The console's administration pages over real HTTP, on SQLite and PostgreSQL: apps,
//! targets and scan configs (create, edit, the service's validation errors shown inline,
//! the config's `errors[]` and their live preview, "test login" against a small login
//! app), API keys (the secret shown once, revoke), engines; CSRF, a read-only user, another
//! tenant, and the audit log of the console's writes.

use crate::console::{csrf_in, Browser};
use axum::body::Bytes;
use axum::http::StatusCode as AxStatus;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use rampart_domain::audit::AuditFilter;
use rampart_testkit::TestApp;
use reqwest::StatusCode;

/// The id at the end of a console redirect (`/console/apps/{id}?saved=1`).
fn id_in(loc: &Option<String>) -> String {
    let loc = loc.as_deref().expect("a redirect");
    let path = loc.split('?').next().expect("path");
    path.rsplit('/').next().expect("id").to_string()
}

async fn actions(t: &TestApp) -> Vec<String> {
    t.service
        .list_audit(&t.keys.admin.principal, &AuditFilter::default(), None, 500)
        .await
        .expect("audit")
        .into_iter()
        .filter(|e| e.route.starts_with("/console/"))
        .map(|e| format!("{} {}", e.action, e.status))
        .collect()
}

async fn apps_targets_and_configs(t: TestApp) {
    let mut b = Browser::new(&t);
    b.sign_in_key(&t.keys.admin.token).await;
    let csrf = b.csrf("/console/apps").await;

    // Apps: an empty name is the service's problem, shown on the field.
    let (s, html, _) = b
        .post(
            "/console/apps",
            &[("csrf", &csrf), ("name", ""), ("description", "x")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(
        html.contains(r#"id="name-error""#) && html.contains(r#"aria-invalid="true""#),
        "{html}"
    );
    let (s, _, loc) = b
        .post(
            "/console/apps",
            &[
                ("csrf", &csrf),
                ("name", "Shop"),
                ("description", "The shop"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let app = id_in(&loc);
    let (s, html, _) = b.get(&format!("/console/apps/{app}?saved=1")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("Saved.") && html.contains("The shop"),
        "{html}"
    );
    // The same name twice is the service's conflict, on the form.
    let (s, html, _) = b
        .post("/console/apps", &[("csrf", &csrf), ("name", "Shop")])
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("an app with this name already exists"),
        "{html}"
    );
    let (s, _, _) = b
        .post(
            &format!("/console/apps/{app}"),
            &[("csrf", &csrf), ("name", "Shop 2"), ("description", "")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let got = t
        .service
        .get_app(&t.keys.admin.principal, app.parse().expect("id"))
        .await
        .expect("app");
    assert_eq!((got.name.as_str(), got.description), ("Shop 2", None));

    // Targets: the API's domain rule.
    let (s, html, _) = b
        .post(
            "/console/targets",
            &[
                ("csrf", &csrf),
                ("domain", "https://shop.example.test/path"),
                ("enabled", "1"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains(r#"id="domain-error""#) && html.contains("fully qualified domain name"),
        "{html}"
    );
    let (s, _, loc) = b
        .post(
            "/console/targets",
            &[
                ("csrf", &csrf),
                ("domain", "Shop.Example.test"),
                ("enabled", "1"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let target = id_in(&loc);
    let (s, _, _) = b
        .post(
            &format!("/console/targets/{target}"),
            &[("csrf", &csrf), ("domain", "shop.example.test")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let got = t
        .service
        .get_target(&t.keys.admin.principal, target.parse().expect("id"))
        .await
        .expect("target");
    assert_eq!(
        (got.domain.as_str(), got.enabled),
        ("shop.example.test", false)
    );

    // Scan configs: created with the default options, whose errors[] the editor shows.
    let tpl = t.fx_system_template("All Modules").await;
    let (s, html, _) = b
        .post(
            "/console/scan-configs",
            &[
                ("csrf", &csrf),
                ("name", "Weekly"),
                ("app", "not-an-id"),
                ("attack_template", &tpl.to_string()),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains(r#"id="app-error""#) && html.contains("no such app"),
        "{html}"
    );
    let (s, _, loc) = b
        .post(
            "/console/scan-configs",
            &[
                ("csrf", &csrf),
                ("name", "Weekly"),
                ("app", &app),
                ("attack_template", &tpl.to_string()),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let cfg = id_in(&loc);
    let page = format!("/console/scan-configs/{cfg}");
    let (_, html, _) = b.get(&page).await;
    assert!(html.contains("Seed URL list must not be empty"), "{html}");

    // An invalid seed is saved (as the API saves it) and shown as the config's error.
    let tpl_s = tpl.to_string();
    let form = |seeds: &str, include: &str| -> Vec<(&'static str, String)> {
        [
            ("name", "Weekly"),
            ("app", app.as_str()),
            ("attack_template", tpl_s.as_str()),
            ("engine_group", ""),
            ("seeds", seeds),
            ("scope_include", include),
            ("scope_exclude", "https://shop.example.test/logout*"),
            ("auth", "FORM"),
            ("login_url", "https://shop.example.test/login"),
            ("username", "alice"),
            ("password", "s3cret"),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.to_string()))
        .collect()
    };
    let (s, html, _) = send(
        &mut b,
        &csrf,
        &page,
        form("not a url", "https://shop.example.test/*"),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{html}");
    let (_, html, _) = b.get(&page).await;
    assert!(
        html.contains("Seed URL &#39;not a url&#39; is not a valid http(s) URL")
            || html.contains("Seed URL 'not a url' is not a valid http(s) URL"),
        "{html}"
    );
    assert!(!html.contains("s3cret"), "the password is never shown");
    let stored = t
        .service
        .get_scan_config(&t.keys.admin.principal, cfg.parse().expect("id"))
        .await
        .expect("config");
    assert_eq!(
        stored.config.options["auth_config"]["username_form"],
        "alice"
    );
    assert_eq!(
        stored.config.options["crawl_config"]["scope_constraint_list"][1]["exclusion"],
        "EXCLUDE"
    );

    // The live preview: the errors of the form's values, nothing saved.
    let (s, json, _) = send(
        &mut b,
        &csrf,
        &format!("{page}/errors"),
        form(
            "https://shop.example.test/",
            "regex:https://shop.example.test/(",
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(
        v["errors"],
        serde_json::json!(["Scope constraint regex 'https://shop.example.test/(' is invalid"])
    );
    let (_, json, _) = send(
        &mut b,
        &csrf,
        &format!("{page}/errors"),
        form("https://shop.example.test/", "https://shop.example.test/*"),
    )
    .await;
    assert_eq!(json, r#"{"errors":[]}"#);
    let (_, html, _) = b.get(&page).await;
    assert!(html.contains("not a url"), "the preview saved nothing");
    // A shape problem the service refuses is shown inline (an unknown engine group).
    let mut bad = form("https://shop.example.test/", "https://shop.example.test/*");
    let nobody = uuid::Uuid::new_v4().to_string();
    bad.retain(|(k, _)| *k != "engine_group");
    bad.push(("engine_group", nobody));
    let (s, html, _) = send(&mut b, &csrf, &page, bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains(r#"id="engine_group-error""#) && html.contains("no such engine group"),
        "{html}"
    );
    // Saved right, the config has no error.
    let (s, _, _) = send(
        &mut b,
        &csrf,
        &page,
        form("https://shop.example.test/", "https://shop.example.test/*"),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html, _) = b.get(&page).await;
    assert!(html.contains("No configuration error"), "{html}");

    // Every write above is in the audit log under the API's action names.
    let log = actions(&t).await;
    for want in [
        "app.create 303",
        "app.create 422",
        "app.update 303",
        "target.create 422",
        "target.create 303",
        "target.update 303",
        "scan_config.create 303",
        "scan_config.update 303",
        "scan_config.update 422",
    ] {
        assert!(log.iter().any(|a| a == want), "no {want} in {log:?}");
    }
    assert!(
        !log.iter().any(|a| a.starts_with("scan_config.error")),
        "{log:?}"
    );
}

#[tokio::test]
async fn console_admin_apps_targets_and_scan_configs() {
    apps_targets_and_configs(TestApp::spawn().await).await;
}

#[tokio::test]
async fn console_admin_apps_targets_and_scan_configs_postgres() {
    apps_targets_and_configs(TestApp::spawn_postgres().await.expect("postgres")).await;
}

async fn keys_and_engines(t: TestApp) {
    let mut b = Browser::new(&t);
    b.sign_in_key(&t.keys.admin.token).await;
    let csrf = b.csrf("/console/api-keys").await;
    let (s, html, _) = b
        .post(
            "/console/api-keys",
            &[
                ("csrf", &csrf),
                ("name", "ci"),
                ("role", "read-only"),
                ("owner", "organization"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{html}");
    let at = html
        .find(r#"id="new-secret""#)
        .expect("the secret is shown");
    let token = html[at..]
        .split("value=\"")
        .nth(1)
        .and_then(|v| v.split('"').next())
        .expect("secret value")
        .to_string();
    let p = t
        .service
        .authenticate(&token)
        .await
        .expect("the new key works");
    assert_eq!(p.role, rampart_domain::Role::ReadOnly);
    // Shown once: the list never has it.
    let (_, list, _) = b.get("/console/api-keys").await;
    assert!(!list.contains(&token) && list.contains("ci"), "{list}");
    let key = t
        .service
        .list_keys(&t.keys.admin.principal, None)
        .await
        .expect("keys")
        .into_iter()
        .find(|k| k.key.name == "ci")
        .expect("listed")
        .key
        .id;
    // A key without a name is the service's problem.
    let (s, html, _) = b
        .post(
            "/console/api-keys",
            &[("csrf", &csrf), ("name", ""), ("role", "read-only")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(r#"id="name-error""#), "{html}");
    let (s, _, loc) = b
        .post(
            &format!("/console/api-keys/{key}/revoke"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(
        (s, loc.as_deref()),
        (StatusCode::SEE_OTHER, Some("/console/api-keys?revoked=1"))
    );
    assert!(t.service.authenticate(&token).await.is_err(), "revoked");
    let log = actions(&t).await;
    assert!(log.contains(&"api_key.create 200".to_string()), "{log:?}");
    assert!(log.contains(&"api_key.delete 303".to_string()), "{log:?}");

    // Engines: a group, an engine that called in and one that never did.
    let g = t.fx_engine_group("edge").await;
    let admin = &t.keys.admin.principal;
    let seen = t
        .service
        .create_engine(
            admin,
            rampart_service::EngineInput {
                name: "eu-1".into(),
                engine_group: Some(g),
                auto_upgrade: None,
            },
        )
        .await
        .expect("engine");
    t.service
        .create_engine(
            admin,
            rampart_service::EngineInput {
                name: "eu-2".into(),
                engine_group: Some(g),
                auto_upgrade: None,
            },
        )
        .await
        .expect("engine");
    let token = t
        .service
        .engine_credential(admin, seen)
        .await
        .expect("credential");
    let engine = t
        .service
        .authenticate_engine(&token)
        .await
        .expect("engine auth");
    t.service
        .record_engine_heartbeat(
            &engine,
            rampart_service::EngineReport {
                version: "1.0.0".into(),
                active_scans: 0,
                failure_reason: None,
            },
        )
        .await
        .expect("heartbeat");
    let (s, html, _) = b.get("/console/engines").await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(
        html.contains("edge") && html.contains("eu-1") && html.contains("eu-2"),
        "{html}"
    );
    assert!(html.contains("0 s ago") && html.contains("never"), "{html}");
    assert!(html.contains("health-offline"), "{html}");
}

#[tokio::test]
async fn console_admin_keys_and_engines() {
    keys_and_engines(TestApp::spawn().await).await;
}

#[tokio::test]
async fn console_admin_keys_and_engines_postgres() {
    keys_and_engines(TestApp::spawn_postgres().await.expect("postgres")).await;
}

async fn refusals(t: TestApp) {
    let app = t.fx_app("shop").await;
    let target = t.fx_target("shop.example.test").await;
    let cfg = t.fx_scan_config(app, "weekly").await;
    let writes = [
        ("/console/apps".to_string(), vec![("name", "X")]),
        (format!("/console/apps/{app}"), vec![("name", "X")]),
        (
            "/console/targets".to_string(),
            vec![("domain", "x.example.test")],
        ),
        (
            format!("/console/targets/{target}"),
            vec![("domain", "x.example.test")],
        ),
        (format!("/console/scan-configs/{cfg}"), vec![("name", "X")]),
        (format!("/console/scan-configs/{cfg}/test-login"), vec![]),
        (
            "/console/api-keys".to_string(),
            vec![("name", "X"), ("role", "read-only")],
        ),
    ];

    // Without the session's CSRF token, nothing is done.
    let mut admin = Browser::new(&t);
    admin.sign_in_key(&t.keys.admin.token).await;
    for (path, form) in &writes {
        let (s, _, _) = admin.post(path, form).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "no csrf: {path}");
        let mut forged = form.clone();
        forged.push(("csrf", "forged"));
        let (s, _, _) = admin.post(path, &forged).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "forged csrf: {path}");
    }
    let got = t
        .service
        .get_app(&t.keys.admin.principal, app)
        .await
        .expect("app");
    assert_eq!(got.name, "shop");

    // A read-only user sees no write control, and the server refuses the writes anyway.
    let mut ro = Browser::new(&t);
    ro.sign_in_key(&t.keys.read_only.token).await;
    for path in [
        "/console/apps".to_string(),
        format!("/console/apps/{app}"),
        "/console/targets".to_string(),
        format!("/console/targets/{target}"),
        "/console/scan-configs".to_string(),
        format!("/console/scan-configs/{cfg}"),
    ] {
        let (s, html, _) = ro.get(&path).await;
        assert_eq!(s, StatusCode::OK, "{path}");
        let forms = html.matches("<form").count();
        assert_eq!(forms, 1, "{path} shows only the sign-out form: {html}");
        assert!(
            !html.contains("Test login") && !html.contains("/console/api-keys"),
            "{path}"
        );
    }
    let (s, _, _) = ro.get("/console/api-keys").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, html, _) = ro.get("/console/apps").await;
    let csrf = csrf_in(&html).expect("the sign-out form's token");
    for (path, form) in &writes {
        let mut f = form.clone();
        f.push(("csrf", &csrf));
        let (s, _, _) = ro.post(path, &f).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "read-only: {path}");
    }
    let got = t
        .service
        .get_app(&t.keys.admin.principal, app)
        .await
        .expect("app");
    assert_eq!(got.name, "shop");
    let log = actions(&t).await;
    assert!(
        log.iter().any(|a| a == "app.update 403"),
        "refused writes are audited: {log:?}"
    );

    // Another tenant's objects do not exist for it.
    let mut other = Browser::new(&t);
    other.sign_in_key(&t.keys.other.token).await;
    for path in [
        format!("/console/apps/{app}"),
        format!("/console/targets/{target}"),
        format!("/console/scan-configs/{cfg}"),
    ] {
        let (s, _, _) = other.get(&path).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
    }
    let (_, html, _) = other.get("/console/apps").await;
    assert!(!html.contains(&app.to_string()), "{html}");
    let csrf = csrf_in(&html).expect("token");
    let (s, _, _) = other
        .post(
            &format!("/console/apps/{app}"),
            &[("csrf", &csrf), ("name", "mine")],
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, _) = other
        .post(
            &format!("/console/scan-configs/{cfg}/errors"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn console_admin_refuses_csrf_read_only_and_other_tenant() {
    refusals(TestApp::spawn().await).await;
}

#[tokio::test]
async fn console_admin_refuses_csrf_read_only_and_other_tenant_postgres() {
    refusals(TestApp::spawn_postgres().await.expect("postgres")).await;
}

/// A login form at `/login` (alice / s3cret) that lands on `/account`.
async fn login_app() -> std::net::SocketAddr {
    async fn page() -> Html<&'static str> {
        Html("<html><body><form method=post action=/login><input name=user><input type=password name=pass><button>Sign in</button></form></body></html>")
    }
    async fn post(body: Bytes) -> Response {
        let f: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
        if f.contains(&("user".into(), "alice".into()))
            && f.contains(&("pass".into(), "s3cret".into()))
        {
            (
                AxStatus::FOUND,
                [("location", "/account"), ("set-cookie", "sid=1; HttpOnly")],
            )
                .into_response()
        } else {
            Html("<html><body>Wrong password<form method=post action=/login><input name=user><input type=password name=pass></form></body></html>").into_response()
        }
    }
    async fn account(h: axum::http::HeaderMap) -> Html<&'static str> {
        let cookie = h.get("cookie").and_then(|v| v.to_str().ok()).unwrap_or("");
        if cookie.contains("sid=1") {
            Html("<html><body>Welcome alice</body></html>")
        } else {
            Html("<html><body>Please log in</body></html>")
        }
    }
    let router = axum::Router::new()
        .route("/login", get(page).post(post))
        .route("/account", get(account));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });
    addr
}

/// Posts `form` with the session's CSRF token.
async fn send(
    b: &mut Browser<'_>,
    csrf: &str,
    path: &str,
    form: Vec<(&'static str, String)>,
) -> (StatusCode, String, Option<String>) {
    let mut f: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    f.push(("csrf", csrf));
    b.post(path, &f).await
}

async fn test_login(t: TestApp) {
    let addr = login_app().await;
    let app = t.fx_app("shop").await;
    let cfg = t.fx_scan_config(app, "weekly").await;
    let tpl = t.fx_system_template("All Modules").await.to_string();
    let mut b = Browser::new(&t);
    b.sign_in_key(&t.keys.admin.token).await;
    let page = format!("/console/scan-configs/{cfg}");
    let csrf = b.csrf(&page).await;
    let base = format!("http://{addr}");
    let (seed, scope, login) = (
        format!("{base}/account"),
        format!("{base}/*"),
        format!("{base}/login"),
    );
    let save = |password: &'static str, logged_in: &'static str| {
        vec![
            ("name", "weekly".to_string()),
            ("app", app.to_string()),
            ("attack_template", tpl.clone()),
            ("engine_group", String::new()),
            ("seeds", seed.clone()),
            ("scope_include", scope.clone()),
            ("auth", "FORM".into()),
            ("login_url", login.clone()),
            ("username", "alice".into()),
            ("password", password.into()),
            ("logged_in_regex", logged_in.into()),
        ]
    };
    // No target for the login app's host yet: refused before anything is sent.
    let (s, _, _) = send(&mut b, &csrf, &page, save("s3cret", "Welcome alice")).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, html, _) = send(&mut b, &csrf, &format!("{page}/test-login"), vec![]).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(
        html.contains("Login failed.") && html.contains("target"),
        "{html}"
    );
    t.fx_target("127.0.0.1").await;
    let (_, html, _) = send(&mut b, &csrf, &format!("{page}/test-login"), vec![]).await;
    assert!(
        html.contains("Logged in.") && html.contains("logged-in pattern"),
        "{html}"
    );
    // A wrong password: the login does not take, and the page says so.
    let (s, _, _) = send(&mut b, &csrf, &page, save("wrong", "Welcome alice")).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html, _) = send(&mut b, &csrf, &format!("{page}/test-login"), vec![]).await;
    assert!(
        html.contains("Login failed.") && html.contains("does not match the logged-in pattern"),
        "{html}"
    );
    assert!(
        !html.contains("wrong") || !html.contains("password: wrong"),
        "{html}"
    );
    let log = actions(&t).await;
    assert!(
        log.iter().any(|a| a.starts_with("scan_config.test_login")),
        "{log:?}"
    );
}

#[tokio::test]
async fn console_admin_test_login_runs_the_engines_login() {
    test_login(TestApp::spawn().await).await;
}

#[tokio::test]
async fn console_admin_test_login_runs_the_engines_login_postgres() {
    test_login(TestApp::spawn_postgres().await.expect("postgres")).await;
}
