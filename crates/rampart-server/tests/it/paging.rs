//! Pagination and sorting (reference §2.4): envelope, links, edges, tokens, sort terms.

use crate::snap;
use rampart_testkit::TestApp;
use serde_json::{json, Value};

async fn five_apps() -> TestApp {
    let app = TestApp::spawn().await;
    for name in ["delta", "alpha", "echo", "charlie", "bravo"] {
        app.fx_app(name).await;
    }
    app
}

fn names(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_string())
        .collect()
}

fn link<'a>(page: &'a Value, rel: &str) -> Option<&'a str> {
    page["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == rel)
        .map(|l| l["href"].as_str().unwrap())
}

fn rels(page: &Value) -> Vec<&str> {
    page["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["rel"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn first_middle_last_and_past_the_end() {
    let app = five_apps().await;
    let first = app
        .ro()
        .get("/ias/v1/apps?size=2")
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(
        names(&first),
        ["alpha", "bravo"],
        "default sort is name ascending"
    );
    assert_eq!(rels(&first), ["first", "self", "next", "last"]);
    assert_eq!(
        (
            first["metadata"]["total_data"].clone(),
            first["metadata"]["total_pages"].clone()
        ),
        (json!(5), json!(3))
    );
    assert!(first["metadata"]["page_token"].is_string());
    snap!("paging_first_page", first);

    let middle = app
        .ro()
        .get("/ias/v1/apps?index=1&size=2")
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(rels(&middle), ["first", "previous", "self", "next", "last"]);

    let last = app
        .ro()
        .get("/ias/v1/apps?index=2&size=2")
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(names(&last), ["echo"]);
    assert!(link(&last, "next").is_none(), "no next on the last page");
    assert!(
        last["metadata"].get("page_token").is_none(),
        "no token on the last page"
    );
    snap!("paging_last_page", last);

    let past = app
        .ro()
        .get("/ias/v1/apps?index=10&size=2")
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(past["data"], json!([]));
    assert!(link(&past, "next").is_none());
    assert_eq!(past["metadata"]["total_data"], 5);

    for page in [&first, &middle, &last, &past] {
        for l in page["links"].as_array().unwrap() {
            assert!(
                l["href"]
                    .as_str()
                    .unwrap()
                    .starts_with(&format!("{}/ias/v1/apps", app.base)),
                "absolute: {l}"
            );
        }
    }
    assert_eq!(
        link(&first, "self"),
        Some(format!("{}/ias/v1/apps", app.base).as_str()),
        "self has no query string"
    );
}

#[tokio::test]
async fn empty_collection() {
    let app = TestApp::spawn().await;
    let page = app.ro().get("/ias/v1/tags").send().await.status(200).json();
    assert_eq!(page["metadata"]["total_pages"], 0);
    assert!(link(&page, "next").is_none());
    snap!("paging_empty", page);
}

#[tokio::test]
async fn size_bounds_and_bad_numbers() {
    let app = five_apps().await;
    for q in [
        "size=0",
        "size=1001",
        "size=abc",
        "index=-1",
        "size=-5",
        "index=x",
    ] {
        let r = app
            .ro()
            .get(&format!("/ias/v1/apps?{q}"))
            .send()
            .await
            .status(422);
        let body = r.error_body();
        assert!(
            body["errors"].as_array().is_some_and(|e| !e.is_empty()),
            "{q}: {body}"
        );
    }
    let r = app.ro().get("/ias/v1/apps?size=1001").send().await;
    snap!("paging_size_1001_422", r.error_body());
    let all = app
        .ro()
        .get("/ias/v1/apps?size=1000")
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(
        (
            all["metadata"]["size"].clone(),
            all["metadata"]["total_pages"].clone()
        ),
        (json!(1000), json!(1))
    );
    assert_eq!(names(&all).len(), 5);
    let one = app
        .ro()
        .get("/ias/v1/apps?size=1")
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(one["metadata"]["total_pages"], 5);
    // Empty values take the defaults.
    let d = app
        .ro()
        .get("/ias/v1/apps?size=&index=")
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(
        (
            d["metadata"]["size"].clone(),
            d["metadata"]["index"].clone()
        ),
        (json!(50), json!(0))
    );
}

#[tokio::test]
async fn following_next_links_visits_every_item_once() {
    let app = five_apps().await;
    let mut url = "/ias/v1/apps?size=2".to_string();
    let mut seen = Vec::new();
    for _ in 0..10 {
        let page = app.ro().get(&url).send().await.status(200).json();
        seen.extend(names(&page));
        match link(&page, "next") {
            Some(next) => url = next.to_string(),
            None => break,
        }
    }
    assert_eq!(seen, ["alpha", "bravo", "charlie", "delta", "echo"]);
}

#[tokio::test]
async fn page_token_round_trip() {
    let app = five_apps().await;
    let first = app
        .ro()
        .get("/ias/v1/apps?size=2")
        .send()
        .await
        .status(200)
        .json();
    let token = first["metadata"]["page_token"]
        .as_str()
        .unwrap()
        .to_string();
    let by_token = app
        .ro()
        .get("/ias/v1/apps")
        .query(&[("size", "2"), ("page-token", &token)])
        .send()
        .await
        .status(200)
        .json();
    let by_index = app
        .ro()
        .get("/ias/v1/apps?size=2&index=1")
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(names(&by_token), names(&by_index));
    assert_eq!(by_token["metadata"]["index"], 1);
    let mut token = by_token["metadata"]["page_token"]
        .as_str()
        .unwrap()
        .to_string();
    let last = app
        .ro()
        .get("/ias/v1/apps")
        .query(&[("size", "2"), ("page-token", &token)])
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(names(&last), ["echo"]);
    token.push('!');
    let r = app
        .ro()
        .get("/ias/v1/apps")
        .query(&[("page-token", &token)])
        .send()
        .await
        .status(422);
    assert_eq!(r.error_body()["errors"][0]["context"], "page-token");
    app.ro()
        .get("/ias/v1/apps?page-token=NDM0NTk0NTIyOjo6X1M6OjpiYW5hbmFz")
        .send()
        .await
        .status(422);
}

#[tokio::test]
async fn sort_terms() {
    let app = five_apps().await;
    let desc = app
        .ro()
        .get("/ias/v1/apps?sort=app.name,DESC")
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(names(&desc), ["echo", "delta", "charlie", "bravo", "alpha"]);
    assert_eq!(desc["metadata"]["sort"], "app.name,DESC", "sort is echoed");
    let lower = app
        .ro()
        .get("/ias/v1/apps?sort=app.name,desc")
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(names(&lower), names(&desc), "lower-case direction");
    let asc = app
        .ro()
        .get("/ias/v1/apps?sort=app.name%2CASC&size=2")
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(names(&asc), ["alpha", "bravo"]);
    let next = link(&asc, "next").unwrap().to_string();
    assert!(
        next.contains("sort=app.name%2CASC"),
        "links keep the sort: {next}"
    );
    assert_eq!(
        names(&app.ro().get(&next).send().await.status(200).json()),
        ["charlie", "delta"]
    );
    let r = app
        .ro()
        .get("/ias/v1/apps?sort=app.nope,DESC")
        .send()
        .await
        .status(422);
    snap!("sort_unknown_field_422", r.error_body());
    app.ro()
        .get("/ias/v1/apps?sort=scan.submit_time,DESC")
        .send()
        .await
        .status(422);
    app.ro()
        .get("/ias/v1/apps?sort=app.name,SIDEWAYS")
        .send()
        .await
        .status(422);
    let t = app
        .ro()
        .get("/ias/v1/targets?sort=target.domain,DESC")
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(t["metadata"]["total_data"], 0);
    app.ro()
        .get("/ias/v1/scan-configs?sort=scanconfig.name,DESC")
        .send()
        .await
        .status(200);
    app.ro()
        .get("/ias/v1/attack-templates?sort=attacktemplate.name,DESC")
        .send()
        .await
        .status(200);
    app.ro()
        .get("/ias/v1/tags?sort=tag.name,DESC")
        .send()
        .await
        .status(200);
}

#[tokio::test]
async fn huge_indexes_are_422_not_a_crash() {
    let app = five_apps().await;
    for q in [
        "index=18446744073709551615",
        "index=18446744073709551614&size=1000",
        "index=9223372036854775807",
        "index=99999999999999999999",
    ] {
        let r = app
            .ro()
            .get(&format!("/ias/v1/apps?{q}"))
            .send()
            .await
            .status(422);
        assert_eq!(r.error_body()["errors"][0]["context"], "index", "{q}");
    }
    // A forged token for a huge index, in the server's own token format.
    let token = "cmFtcGFydDoxODQ0Njc0NDA3MzcwOTU1MTYxNQ"; // base64url("rampart:18446744073709551615")
    app.ro()
        .get(&format!("/ias/v1/apps?page-token={token}"))
        .send()
        .await
        .status(422);
    // The largest index that still fits is an ordinary page past the end.
    let r = app
        .ro()
        .get("/ias/v1/apps?index=9223372036854775&size=1000")
        .send()
        .await
        .status(200);
    assert_eq!(r.json()["data"], json!([]));
}
