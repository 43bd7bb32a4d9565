//! `POST /search` (reference §3.12, §4): types that exist now, paging by re-POSTing to
//! `next`, visibility, errors.

use crate::snap;
use rampart_testkit::TestApp;
use serde_json::{json, Value};

fn names(page: &Value) -> Vec<&str> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn search_apps_pages_through_next_with_the_same_body() {
    let app = TestApp::spawn().await;
    for i in 0..5 {
        app.fx_app(&format!("shop-{i}")).await;
    }
    app.fx_app("blog").await;
    let body = json!({"type": "APP", "query": "app.name STARTS WITH 'shop-'"});
    let first = app
        .ro()
        .post("/ias/v1/search?size=2")
        .json(&body)
        .send()
        .await
        .status(200);
    assert!(
        first.location().is_none(),
        "no Location on a search response"
    );
    let first = first.json();
    assert_eq!(names(&first), ["shop-0", "shop-1"]);
    assert_eq!(first["metadata"]["total_data"], 5);
    snap!("search_apps_first_page", first);
    let mut next = first["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "next")
        .unwrap()["href"]
        .as_str()
        .unwrap()
        .to_string();
    let mut seen: Vec<String> = names(&first).into_iter().map(String::from).collect();
    loop {
        let page = app
            .ro()
            .post(&next)
            .json(&body)
            .send()
            .await
            .status(200)
            .json();
        seen.extend(names(&page).into_iter().map(String::from));
        match page["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "next")
        {
            Some(l) => next = l["href"].as_str().unwrap().to_string(),
            None => break,
        }
    }
    assert_eq!(seen, ["shop-0", "shop-1", "shop-2", "shop-3", "shop-4"]);
}

#[tokio::test]
async fn search_every_existing_type() {
    let app = TestApp::spawn().await;
    let a = app.fx_app("Shop").await;
    app.fx_scan_config(a, "Shop nightly").await;
    app.fx_target("shop.example.test").await;
    app.fx_tag("prod").await;
    for (ty, query, want) in [
        ("APP", "app.name='Shop'", "Shop"),
        (
            "SCAN_CONFIG",
            &format!("scanconfig.name='Shop nightly'&&scanconfig.app.id='{a}'"),
            "Shop nightly",
        ),
        (
            "ATTACK_TEMPLATE",
            "attacktemplate.system_defined = 'true' && attacktemplate.name = 'Crawl Only'",
            "Crawl Only",
        ),
        ("TAG", "tag.name CONTAINS 'ro'", "prod"),
    ] {
        let page = app
            .ro()
            .post("/ias/v1/search")
            .json(&json!({"type": ty, "query": query}))
            .send()
            .await
            .status(200)
            .json();
        assert_eq!(names(&page), [want], "{ty} {query}");
    }
    let page = app
        .ro()
        .post("/ias/v1/search")
        .json(&json!({"type": "TARGET", "query": "target.domain LIKE 'shop\\..*'"}))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(page["data"][0]["domain"], "shop.example.test");
    assert_eq!(
        page["data"][0]["links"][0]["href"],
        format!(
            "{}/ias/v1/targets/{}",
            app.base,
            page["data"][0]["id"].as_str().unwrap()
        ),
        "canonical self links"
    );
}

#[tokio::test]
async fn search_respects_tenant_and_membership() {
    let app = TestApp::spawn().await;
    app.fx_private_app("secret").await;
    let body = json!({"type": "APP", "query": "app.name='secret'"});
    for (caller, n) in [
        (app.admin(), 1),
        (app.org(), 1),
        (app.rw(), 0),
        (app.ro(), 0),
        (app.other(), 0),
    ] {
        let page = caller
            .post("/ias/v1/search")
            .json(&body)
            .send()
            .await
            .status(200)
            .json();
        assert_eq!(page["metadata"]["total_data"], n);
    }
    app.anon()
        .post("/ias/v1/search")
        .json(&body)
        .send()
        .await
        .status(401);
}

#[tokio::test]
async fn search_errors() {
    let app = TestApp::spawn().await;
    let r = app
        .ro()
        .post("/ias/v1/search")
        .json(&json!({"type": "APP", "query": "app.nme = 'x'"}))
        .send()
        .await
        .status(422);
    snap!("search_unknown_field_422", r.error_body());
    app.ro()
        .post("/ias/v1/search")
        .json(&json!({"type": "APP", "query": "app.name = "}))
        .send()
        .await
        .status(422)
        .error_body();
    app.ro()
        .post("/ias/v1/search")
        .json(&json!({"type": "NOPE", "query": "app.name='x'"}))
        .send()
        .await
        .status(422)
        .error_body();
    app.ro()
        .post("/ias/v1/search")
        .json(&json!({"query": "app.name='x'"}))
        .send()
        .await
        .status(422)
        .error_body();
    app.ro()
        .post("/ias/v1/search?sort=app.nope")
        .json(&json!({"type": "APP", "query": "app.name='x'"}))
        .send()
        .await
        .status(422);
    app.ro()
        .post("/ias/v1/search")
        .header("Content-Type", "text/plain")
        .body("x")
        .send()
        .await
        .status(415);
}

/// Injection attempts in values are inert: a result or a clean 422, never a 500, and the
/// classic tautology matches nothing (values are bound, never interpolated).
#[tokio::test]
async fn injection_attempts_are_inert() {
    let app = TestApp::spawn().await;
    app.fx_app("shop").await;
    app.fx_app("O'Reilly").await;
    let long = "x".repeat(1024 * 1024);
    let cases: Vec<(String, &[u16])> = vec![
        ("app.name = '' OR 1=1 --'".into(), &[422]),
        ("app.name = ''' OR 1=1 --'".into(), &[200]),
        ("app.name = '\\' OR '1'='1'".into(), &[200, 422]),
        ("app.name = 'a\u{0}b'".into(), &[200, 422]),
        (format!("app.name = '{long}'"), &[200, 422]),
        (format!("app.name CONTAINS '{long}'"), &[200, 422]),
        ("app.name LIKE '.*' || 1=1".into(), &[422]),
        ("app.name = 'shop'; DROP TABLE apps; --'".into(), &[422]),
    ];
    for (query, allowed) in &cases {
        let res = app
            .ro()
            .post("/ias/v1/search")
            .json(&json!({"type": "APP", "query": query}))
            .send()
            .await;
        let status = res.status;
        let shown: String = query.chars().take(60).collect();
        assert!(allowed.contains(&status), "{shown:?} answered {status}");
        if status == 200 {
            assert_eq!(
                res.json()["metadata"]["total_data"],
                0,
                "{shown:?} matched rows"
            );
        }
    }
    // The quote doubled inside a value is a literal quote: exactly one row.
    let page = app
        .ro()
        .post("/ias/v1/search")
        .json(&json!({"type": "APP", "query": "app.name = 'O''Reilly'"}))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(names(&page), ["O'Reilly"]);
    // Both apps still exist.
    let all = app.ro().get("/ias/v1/apps").send().await.status(200).json();
    assert_eq!(all["metadata"]["total_data"], 2);
}

/// The sorted names a FILE search finds.
async fn file_names(caller: rampart_testkit::Caller<'_>, q: String) -> Vec<String> {
    let page = caller
        .post("/ias/v1/search")
        .json(&json!({"type": "FILE", "query": q}))
        .send()
        .await
        .status(200)
        .json();
    let mut n: Vec<String> = names(&page).into_iter().map(String::from).collect();
    n.sort();
    n
}

/// FILE searches every catalogue field, on the database `app` runs on.
async fn file_search(app: TestApp) {
    let shop = app.fx_app("shop").await;
    let private = app.fx_private_app("private").await;
    let admin = &app.keys.admin.principal;
    let mk = |a, name: &str, kind, locked, description: &str| {
        let input = rampart_service::FileInput {
            name: name.into(),
            description: Some(description.into()),
            kind,
            locked,
        };
        let service = app.service.clone();
        let admin = admin.clone();
        async move { service.create_file(&admin, a, input).await.unwrap() }
    };
    use rampart_domain::file::FileType;
    let api = mk(shop, "api.yaml", FileType::Swagger, false, "the public API").await;
    mk(shop, "schema.graphql", FileType::Graphql, true, "graph").await;
    mk(
        private,
        "internal.json",
        FileType::Swagger,
        false,
        "internal API",
    )
    .await;
    assert_eq!(
        file_names(app.admin(), "file.type = 'SWAGGER'".into()).await,
        ["api.yaml", "internal.json"]
    );
    // The Read Write user is not a member of the private app: its file is filtered out.
    assert_eq!(
        file_names(app.rw(), "file.type = 'SWAGGER'".into()).await,
        ["api.yaml"]
    );
    assert_eq!(
        file_names(app.admin(), "file.locked = 'true'".into()).await,
        ["schema.graphql"]
    );
    assert_eq!(
        file_names(app.admin(), format!("file.apps.id = '{shop}'")).await,
        ["api.yaml", "schema.graphql"]
    );
    assert_eq!(
        file_names(app.admin(), format!("file.id = '{api}'")).await,
        ["api.yaml"]
    );
    assert_eq!(
        file_names(
            app.admin(),
            format!(
                "file.owner.id = '{}' && file.description CONTAINS 'API'",
                admin.id
            )
        )
        .await,
        ["api.yaml", "internal.json"]
    );
    assert_eq!(
        file_names(app.admin(), "file.name ENDS WITH '.graphql'".into()).await,
        ["schema.graphql"]
    );
    app.other()
        .post("/ias/v1/search")
        .json(&json!({"type": "FILE", "query": "file.type = 'SWAGGER'"}))
        .send()
        .await
        .status(200);
}

#[tokio::test]
async fn file_search_on_sqlite() {
    file_search(TestApp::spawn().await).await;
}

#[tokio::test]
async fn file_search_on_postgres() {
    if let Some(app) = TestApp::spawn_postgres().await {
        file_search(app).await;
    }
}
