//! Discoverability: a naive same-origin crawler finds every case (but the guessed files).

use crate::support::Ctx;
use rampart_testbed::manifest;
use regex::Regex;
use std::collections::{BTreeSet, VecDeque};

async fn crawl(
    ctx: &Ctx,
    client: &reqwest::Client,
    seeds: &[&str],
    avoid: &str,
) -> BTreeSet<String> {
    let link = Regex::new(r##"(?:href|src|action)="([^"#]*)""##).unwrap();
    let loc = Regex::new(r"<loc>([^<]+)</loc>").unwrap();
    // Endpoints a page's script posts to (fetch, XMLHttpRequest).
    let script =
        Regex::new(r#"(?:fetch\(|\.open\(\s*["'](?:POST|PUT)["']\s*,)\s*["']([^"']+)["']"#)
            .unwrap();
    let mut seen = BTreeSet::new();
    let mut queue: VecDeque<String> = seeds.iter().map(|s| s.to_string()).collect();
    let mut paths = BTreeSet::new();
    while let Some(u) = queue.pop_front() {
        if seen.len() > 400 || !seen.insert(u.clone()) {
            continue;
        }
        let path = u.split('?').next().unwrap_or("").to_owned();
        paths.insert(path.clone());
        if path == avoid {
            continue;
        }
        let Ok(r) = client.get(ctx.url(&u)).send().await else {
            continue;
        };
        let body = r.text().await.unwrap_or_default();
        let mut found: Vec<String> = link
            .captures_iter(&body)
            .map(|c| c[1].replace("&amp;", "&"))
            .chain(script.captures_iter(&body).map(|c| c[1].to_owned()))
            .collect();
        if path == "/robots.txt" {
            found.extend(
                body.lines()
                    .filter_map(|l| l.strip_prefix("Disallow: "))
                    .map(str::to_owned),
            );
        }
        if path == "/sitemap.xml" {
            found.extend(loc.captures_iter(&body).map(|c| c[1].replace("&amp;", "&")));
        }
        if path == "/openapi.json" {
            let spec: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
            if let Some(p) = spec["paths"].as_object() {
                found.extend(p.keys().map(|k| k.replace("{id}", "1")));
            }
        }
        for f in found {
            let f = f.strip_prefix(&ctx.base).map(str::to_owned).unwrap_or(f);
            if f.starts_with('/') && !f.starts_with("//") {
                queue.push_back(f);
            } else if !f.starts_with("http") && !f.starts_with('?') && !f.is_empty() {
                let dir = &path[..=path.rfind('/').unwrap_or(0)];
                queue.push_back(format!("{dir}{f}"));
            }
        }
    }
    paths
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_case_is_reachable_by_crawling() {
    let ctx = Ctx::new().await;
    let mut found = crawl(
        &ctx,
        &ctx.client,
        &["/", "/robots.txt", "/sitemap.xml", "/openapi.json"],
        "/logout.php",
    )
    .await;
    let c = ctx.logged_in().await;
    found.extend(crawl(&ctx, &c, &["/account/"], "/logout.php").await);
    let account = c.get(ctx.url("/account/")).send().await.unwrap();
    assert_eq!(
        account.status(),
        200,
        "the login crawl did not follow the logout link"
    );
    for case in manifest()
        .iter()
        .filter(|c| c.module_key != "sensitive_files" && !c.tls && !c.needs_definition)
    {
        let ok = match case.path.split_once("{id}") {
            Some((prefix, _)) => found.iter().any(|p| p.starts_with(prefix)),
            None => found.contains(&case.path),
        };
        assert!(ok, "{} ({}) was not discovered", case.id, case.path);
    }
    // The API area is described only by files given to a scan: no link leads there.
    for case in manifest().iter().filter(|c| c.needs_definition) {
        assert!(
            !found
                .iter()
                .any(|p| p == &case.path || p.starts_with("/api/v2") || p == "/graphql"),
            "{} ({}) is linked",
            case.id,
            case.path
        );
    }
    let index = ctx.get("/", &[]).await.body;
    assert!(
        index.contains(&format!("{}/checkout.php", ctx.https)),
        "HTTPS cases are linked from the index"
    );
}
