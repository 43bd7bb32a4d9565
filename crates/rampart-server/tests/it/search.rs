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
    let cfg = app.fx_scan_config(a, "Shop nightly").await;
    app.fx_target("shop.example.test").await;
    app.fx_tag("prod").await;
    let schedule = app
        .service
        .create_schedule(
            &app.keys.admin.principal,
            rampart_service::ScheduleInput {
                name: "Shop weekly".into(),
                enabled: Some(true),
                scan_config: Some(cfg),
                first_start: Some("2026-01-05".into()),
                rrule: Some("FREQ=WEEKLY;BYDAY=MO".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
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
        (
            "SCHEDULE",
            &format!(
                "schedule.enabled = true && schedule.app.id = '{a}' && schedule.scan_config.id = '{cfg}' \
                 && schedule.id = '{schedule}' && schedule.name STARTS WITH 'Shop'"
            ),
            "Shop weekly",
        ),
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

async fn blackout_names(caller: rampart_testkit::Caller<'_>, q: String) -> Vec<String> {
    let page = caller
        .post("/ias/v1/search")
        .json(&json!({"type": "BLACKOUT", "query": q}))
        .send()
        .await
        .status(200)
        .json();
    let mut n: Vec<String> = names(&page).into_iter().map(String::from).collect();
    n.sort();
    n
}

/// `BLACKOUT` searches every catalogue field, on both databases; a global blackout is
/// found only by callers with Manage Global Blackouts.
async fn search_blackouts_on(backend: rampart_testkit::Backend) {
    let Some(t) = TestApp::builder().backend(backend).spawn().await else {
        return;
    };
    let a = t.fx_app("shop").await;
    let window = json!({"first_start": "2019-10-15T21:00:00Z", "first_end": "2019-10-15T23:00:00Z",
        "frequency": {"type": "ONCE", "interval": 0}});
    let mut ids = Vec::new();
    for (name, enabled, app) in [
        ("freeze", true, Some(a)),
        ("paused freeze", false, Some(a)),
        ("holiday", true, None),
    ] {
        let mut body = window.clone();
        body["name"] = json!(name);
        body["enabled"] = json!(enabled);
        if let Some(app) = app {
            body["app"] = json!({"id": app.to_string()});
        }
        ids.push(t.admin().create("/ias/v1/blackouts", body).await);
    }
    for (q, want) in [
        (format!("blackout.id = '{}'", ids[0]), vec!["freeze"]),
        (
            "blackout.name STARTS WITH 'paused'".to_string(),
            vec!["paused freeze"],
        ),
        (
            "blackout.enabled = 'true'".to_string(),
            vec!["freeze", "holiday"],
        ),
        (
            format!("blackout.app.id = '{a}'"),
            vec!["freeze", "paused freeze"],
        ),
        ("blackout.scope = 'GLOBAL'".to_string(), vec!["holiday"]),
        ("blackout.app.id IS NULL".to_string(), vec!["holiday"]),
        (
            "blackout.scope = 'APP' && blackout.enabled = 'false'".to_string(),
            vec!["paused freeze"],
        ),
    ] {
        assert_eq!(blackout_names(t.admin(), q.clone()).await, want, "{q}");
    }
    assert_eq!(
        blackout_names(t.rw(), "blackout.enabled = 'true'".into()).await,
        ["freeze"],
        "no global blackout without Manage Global Blackouts"
    );
    assert!(
        blackout_names(t.other(), "blackout.enabled = 'true'".into())
            .await
            .is_empty()
    );
    t.ro()
        .post("/ias/v1/search")
        .json(&json!({"type": "BLACKOUT", "query": "blackout.active = 'true'"}))
        .send()
        .await
        .status(422);
}

#[tokio::test]
async fn search_blackouts_sqlite() {
    search_blackouts_on(rampart_testkit::Backend::Sqlite).await;
}

#[tokio::test]
async fn search_blackouts_postgres() {
    search_blackouts_on(rampart_testkit::Backend::Postgres).await;
}
