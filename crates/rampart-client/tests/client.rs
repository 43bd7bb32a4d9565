//! The client against a small scripted HTTP server on 127.0.0.1:0: retries, rate limits,
//! errors, pagination, ids from `Location`.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use rampart_api_types::ias::App;
use rampart_client::{Client, Error, RetryPolicy};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Default)]
struct Counters {
    flaky: AtomicU32,
    limited: AtomicU32,
    budget: AtomicU32,
}

async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    format!("http://{addr}")
}

fn apps_page(q: &HashMap<String, String>) -> Value {
    // 7 apps, served in pages of `size`.
    let index: usize = q.get("index").and_then(|v| v.parse().ok()).unwrap_or(0);
    let size: usize = q.get("size").and_then(|v| v.parse().ok()).unwrap_or(50);
    let all: Vec<Value> = (0..7)
        .map(|i| json!({"id": uuid::Uuid::from_u128(i + 1), "name": format!("app{i}")}))
        .collect();
    let data: Vec<Value> = all.iter().skip(index * size).take(size).cloned().collect();
    json!({"data": data, "metadata": {"index": index, "size": size, "total_data": 7,
        "total_pages": 7_usize.div_ceil(size)}, "links": []})
}

async fn router() -> (String, Arc<Counters>) {
    let c = Arc::new(Counters::default());
    let app = Router::new()
        .route(
            "/ias/v1/apps",
            get(|Query(q): Query<HashMap<String, String>>| async move { Json(apps_page(&q)) })
                .post(|h: HeaderMap| async move {
                    if h.get("x-api-key").map(|v| v.as_bytes()) != Some(b"good") {
                        return (
                            StatusCode::UNAUTHORIZED,
                            [("r7-correlation-id", "cid-401")],
                            Json(json!({"message": "Unauthorized"})),
                        )
                            .into_response();
                    }
                    (
                        StatusCode::CREATED,
                        [(
                            "Location",
                            "http://elsewhere:443/ias/v1/apps/00000000-0000-0000-0000-00000000002a",
                        )],
                    )
                        .into_response()
                }),
        )
        .route(
            "/ias/v1/flaky",
            get(|State(c): State<Arc<Counters>>| async move {
                if c.flaky.fetch_add(1, Ordering::SeqCst) < 2 {
                    return (StatusCode::SERVICE_UNAVAILABLE, "busy").into_response();
                }
                Json(json!({"message": "ok"})).into_response()
            }),
        )
        .route(
            "/ias/v1/limited",
            get(|State(c): State<Arc<Counters>>| async move {
                if c.limited.fetch_add(1, Ordering::SeqCst) == 0 {
                    return (
                        StatusCode::TOO_MANY_REQUESTS,
                        [("Retry-After", "1"), ("r7-correlation-id", "cid")],
                        Json(json!({"status": "429 TOO_MANY_REQUESTS", "message": "slow down"})),
                    )
                        .into_response();
                }
                Json(json!({"message": "ok"})).into_response()
            }),
        )
        .route(
            "/ias/v1/budget",
            get(|State(c): State<Arc<Counters>>| async move {
                let n = c.budget.fetch_add(1, Ordering::SeqCst);
                let remaining = if n == 0 { "0" } else { "10" };
                (
                    [("RateLimit-Remaining", remaining), ("RateLimit-Reset", "1")],
                    Json(json!({"message": "ok"})),
                )
                    .into_response()
            }),
        )
        .route(
            "/ias/v1/invalid",
            post(|| async {
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    [("r7-correlation-id", "1b4e28ba-2fa1-11d2-883f-0016d3cca427")],
                    Json(json!({"status": "422 UNPROCESSABLE_ENTITY", "message": "Validation failed",
                        "errors": [{"type": "PROPERTY", "context": "name", "explanation": "must not be empty"}]})),
                )
                    .into_response()
            }),
        )
        .with_state(c.clone());
    (serve(app).await, c)
}

fn fast(server: &str, key: &str) -> Client {
    Client::builder(server, key)
        .retry(RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_secs(5),
        })
        .page_size(3)
        .build()
        .unwrap()
}

#[tokio::test]
async fn pages_are_read_until_the_last() {
    let (base, _) = router().await;
    let c = fast(&base, "good");
    let apps: Vec<App> = c.apps().all().await.unwrap();
    assert_eq!(apps.len(), 7);
    assert_eq!(apps[6].name, "app6");
    let mut p = c.apps();
    let mut sizes = vec![];
    while let Some(page) = p.next_page().await.unwrap() {
        sizes.push(page.len());
    }
    assert_eq!(sizes, vec![3, 3, 1]);
    assert_eq!(p.total(), Some(7));
    use futures::TryStreamExt;
    let names: Vec<String> = c
        .apps()
        .items()
        .map_ok(|a| a.name)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names.len(), 7);
}

#[tokio::test]
async fn the_id_comes_from_the_location_and_errors_carry_message_and_correlation_id() {
    let (base, _) = router().await;
    let id = fast(&base, "good")
        .create_app(&App {
            name: "x".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(id, uuid::Uuid::from_u128(42));
    let err = fast(&base, "bad")
        .create_app(&App::default())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(
        err.to_string(),
        "POST /ias/v1/apps failed with 401: Unauthorized (correlation id cid-401)"
    );
    let err = fast(&base, "good")
        .post_json::<_, Value>("ias/v1/invalid", &json!({}))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "POST /ias/v1/invalid failed with 422: Validation failed; name: must not be empty \
         (correlation id 1b4e28ba-2fa1-11d2-883f-0016d3cca427)"
    );
}

#[tokio::test]
async fn unavailable_answers_are_retried_with_backoff() {
    let (base, c) = router().await;
    let v: Value = fast(&base, "good").get("ias/v1/flaky").await.unwrap();
    assert_eq!(v["message"], "ok");
    assert_eq!(c.flaky.load(Ordering::SeqCst), 3);
    // Without retries the 503 is the answer.
    let none = Client::builder(&base, "good")
        .retry(RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        })
        .build()
        .unwrap();
    c.flaky.store(0, Ordering::SeqCst);
    let err = none.get::<Value>("ias/v1/flaky").await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert!(err.to_string().contains("busy"), "{err}");
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let (base, c) = router().await;
    let t = Instant::now();
    let v: Value = fast(&base, "good").get("ias/v1/limited").await.unwrap();
    assert_eq!(v["message"], "ok");
    assert_eq!(c.limited.load(Ordering::SeqCst), 2);
    assert!(
        t.elapsed() >= Duration::from_millis(950),
        "waited {:?}, Retry-After said 1 s (backoff alone is 10 ms)",
        t.elapsed()
    );
}

#[tokio::test]
async fn a_spent_rate_limit_budget_delays_the_next_request() {
    let (base, c) = router().await;
    let client = fast(&base, "good");
    let _: Value = client.get("ias/v1/budget").await.unwrap();
    let t = Instant::now();
    let _: Value = client.get("ias/v1/budget").await.unwrap();
    assert!(
        t.elapsed() >= Duration::from_millis(950),
        "RateLimit-Remaining: 0 + Reset: 1 → the next request waits ~1 s, waited {:?}",
        t.elapsed()
    );
    let t = Instant::now();
    let _: Value = client.get("ias/v1/budget").await.unwrap();
    assert!(t.elapsed() < Duration::from_millis(900));
    assert_eq!(c.budget.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_server_that_is_down_is_reported_as_unreachable() {
    // Bind then drop: nothing listens on that port any more.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let err = fast(&format!("http://127.0.0.1:{port}"), "k")
        .validate()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unreachable { .. }), "{err:?}");
    assert!(
        err.to_string().starts_with(&format!(
            "cannot reach the server at http://127.0.0.1:{port}/"
        )),
        "{err}"
    );
}

#[test]
fn bad_settings_are_usage_errors() {
    for (server, key, msg) in [
        ("", "k", "--server"),
        ("http://h", " ", "--api-key"),
        ("ftp://h", "k", "expected http(s)"),
        ("not a url", "k", "invalid server URL"),
    ] {
        let err = Client::new(server, key).unwrap_err();
        assert!(
            matches!(err, Error::Usage(_)) && err.to_string().contains(msg),
            "{err}"
        );
    }
    let c = Client::new("http://h:1/ias/v1/", "k").unwrap();
    assert_eq!(c.server().as_str(), "http://h:1/");
    assert_eq!(rampart_client::quote("O'Reilly"), "'O''Reilly'");
}
