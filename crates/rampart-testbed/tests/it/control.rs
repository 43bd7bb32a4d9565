//! The control surface: manifest, toggles, request log, login facts, shutdown, outside links.

use crate::support::{client, Ctx};
use rampart_testbed::{manifest, Case, TestbedConfig};
use std::collections::HashSet;

#[tokio::test]
async fn manifest_is_served_and_ids_are_unique() {
    let ctx = Ctx::new().await;
    let served: Vec<Case> = ctx
        .client
        .get(ctx.url("/__testbed/manifest"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(served, manifest());
    assert_eq!(ctx.tb.manifest(), manifest());
    let ids: HashSet<_> = served.iter().map(|c| c.id.clone()).collect();
    assert_eq!(ids.len(), served.len());
    let raw: serde_json::Value = ctx
        .client
        .get(ctx.url("/__testbed/manifest"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(raw[0]["location"], "QUERY");
    assert_eq!(raw[0]["id"], "sqli-error-numeric");
}

#[tokio::test]
async fn cases_can_be_fixed_over_http() {
    let ctx = Ctx::new().await;
    let greet = || ctx.get("/greet.php", &[("name", "<b>z</b>")]);
    assert!(greet().await.body.contains("<b>z</b>"));
    let r = ctx
        .client
        .post(ctx.url("/__testbed/cases/xss-text/fixed"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(!greet().await.body.contains("<b>z</b>"));
    let states: serde_json::Value = ctx
        .client
        .get(ctx.url("/__testbed/cases"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let xss = states
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "xss-text")
        .unwrap();
    assert_eq!(xss["fixed"], true);
    let r = ctx
        .client
        .post(ctx.url("/__testbed/cases/xss-text/fixed"))
        .json(&serde_json::json!({ "fixed": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(greet().await.body.contains("<b>z</b>"));
    let r = ctx
        .client
        .post(ctx.url("/__testbed/cases/nope/fixed"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(ctx.tb.set_enabled("nope", false).is_err());
}

#[tokio::test]
async fn requests_are_logged_and_control_routes_are_not() {
    let ctx = Ctx::new().await;
    ctx.get("/search.php", &[("q", "lamp")]).await;
    ctx.form("/feedback.php", &[("message", "hi")]).await;
    ctx.get("/__testbed/manifest", &[]).await;
    let log = ctx.tb.requests();
    assert_eq!(ctx.tb.request_count(), 2);
    assert_eq!(
        (
            log[0].method.as_str(),
            log[0].path.as_str(),
            log[0].query.as_deref()
        ),
        ("GET", "/search.php", Some("q=lamp"))
    );
    assert_eq!(
        (log[1].method.as_str(), log[1].path.as_str()),
        ("POST", "/feedback.php")
    );
    let served: serde_json::Value = ctx
        .client
        .get(ctx.url("/__testbed/requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(served["count"], 2);
    ctx.client
        .delete(ctx.url("/__testbed/requests"))
        .send()
        .await
        .unwrap();
    assert_eq!(ctx.tb.request_count(), 0);
    ctx.client
        .get(format!("{}/secure/", ctx.https))
        .send()
        .await
        .unwrap();
    let log = ctx.tb.requests();
    assert_eq!(
        (log.len(), log[0].path.as_str(), log[0].tls),
        (1, "/secure/", true)
    );
}

#[tokio::test]
async fn login_markers_and_logout() {
    let ctx = Ctx::new().await;
    let info = ctx.tb.login_info();
    let logged = regex::Regex::new(&info.logged_in_regex).unwrap();
    let lost = regex::Regex::new(&info.session_loss_regex).unwrap();
    let anon = ctx.get("/account/", &[]).await;
    assert_eq!(anon.status, 302);
    assert!(lost.is_match(&anon.body) && !logged.is_match(&anon.body));
    let c = ctx.logged_in().await;
    let home = c
        .get(ctx.url("/account/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(logged.is_match(&home));
    assert!(home.contains(&format!("href=\"{}\"", info.logout_path)));
    c.get(ctx.url(&info.logout_path)).send().await.unwrap();
    let after = c.get(ctx.url("/account/")).send().await.unwrap();
    assert_eq!(after.status(), 302);
    assert!(lost.is_match(&after.text().await.unwrap()));
    let bad = ctx
        .form("/login", &[("username", "alice"), ("password", "nope")])
        .await;
    assert!(bad.body.contains("Invalid username or password"));
}

#[tokio::test]
async fn outside_links_point_to_the_other_server_and_shutdown_stops() {
    let outside = Ctx::new().await;
    let ctx = Ctx::with(TestbedConfig {
        outside_url: Some(outside.base.clone()),
        ..TestbedConfig::default()
    })
    .await;
    let index = ctx.get("/", &[]).await.body;
    assert!(index.contains(&format!("href=\"{}/\"", outside.base)));
    assert_eq!(
        outside.tb.request_count(),
        0,
        "nothing reached the outside server"
    );
    let base = ctx.base.clone();
    ctx.tb.shutdown().await;
    assert!(client(false).get(format!("{base}/")).send().await.is_err());
}

#[tokio::test]
async fn discovery_files_are_served() {
    let ctx = Ctx::new().await;
    assert!(ctx.get("/robots.txt", &[]).await.body.contains("Sitemap: "));
    assert!(ctx.get("/sitemap.xml", &[]).await.body.contains("<urlset"));
    let spec: serde_json::Value = ctx
        .client
        .get(ctx.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for c in manifest()
        .iter()
        .filter(|c| c.path.starts_with("/api/") && !c.needs_definition)
    {
        assert!(
            spec["paths"][&c.path].is_object(),
            "{} is described",
            c.path
        );
    }
    let nf = ctx.get("/no/such/page", &[]).await;
    assert_eq!(nf.status, 404);
}
