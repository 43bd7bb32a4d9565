//! A hardened site with a catch-all 200 page: the engine must stay silent and must not
//! take soft-404 pages for real ones.

use axum::http::{Method, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use rampart_engine::events::SkipReason;
use rampart_engine::ScanPlan;
use url::Url;

async fn catch_all(method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::POST {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let headers = [
        (
            "content-security-policy",
            "default-src 'self'; frame-ancestors 'none'",
        ),
        ("x-frame-options", "DENY"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
    ];
    let body = match uri.path() {
        "/" => "<html><body><h1>Home</h1><a href=\"/real?x=1\">real</a><a href=\"/docs/guide\">guide</a></body></html>".to_string(),
        "/real" => "<html><body><h1>Real page</h1><p>with its own, rather different content and a table</p><table><tr><td>1</td></tr></table></body></html>".to_string(),
        "/robots.txt" => return (headers, "User-agent: *\nDisallow: /secret/\n").into_response(),
        // Every other path: a 200 "not found" page that echoes the path, like many frameworks.
        p => format!("<html><body><h1>Sorry</h1><p>The page {p} does not exist.</p><a href=\"/\">home</a></body></html>"),
    };
    (headers, Html(body)).into_response()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hardened_site_with_soft_404s_yields_no_findings() {
    let router = axum::Router::new().fallback(catch_all);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let plan = ScanPlan::for_url(Url::parse(&format!("http://{addr}/")).unwrap());
    let (s, _) = crate::run(plan).await;
    let names: Vec<String> = s
        .findings
        .iter()
        .map(|f| format!("{} {}", f.module_key, f.root_cause_url))
        .collect();
    assert!(s.findings.is_empty(), "{names:?}");
    assert!(s.crawled.iter().any(|u| u.contains("/real?x=1")));
    assert!(
        s.skipped.contains_key(&SkipReason::Soft404),
        "{:?}",
        s.skipped
    );
    assert!(!s.crawled.iter().any(|u| u.ends_with("/secret/")));
}
