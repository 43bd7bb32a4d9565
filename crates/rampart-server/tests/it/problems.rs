//! The two error shapes, status by status: the identity and audit routes (AppSec+) answer
//! RFC 9457 `application/problem+json` with `code`, `message`, `details` and `request_id`
//! (decision 5); `/ias/v1` keeps its own `{status, message}` body. 400, 401, 403, 404,
//! 409, 422 and 429 on each.

use rampart_service::RateLimitConfig;
use rampart_testkit::{Resp, TestApp};
use serde_json::{json, Value};

/// Asserts an RFC 9457 body of `status` and `code`; returns it.
#[track_caller]
fn problem(r: &Resp, status: u16, code: &str) -> Value {
    assert_eq!(r.status, status, "{}", r.text());
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/problem+json"),
        "{}",
        r.text()
    );
    let v = r.json();
    assert_eq!(v["status"], status, "{v}");
    assert_eq!(v["code"], code, "{v}");
    assert_eq!(v["type"].as_str().map(|t| !t.is_empty()), Some(true), "{v}");
    assert!(v["title"].is_string() && v["detail"].is_string(), "{v}");
    assert_eq!(v["message"], v["detail"], "{v}");
    assert!(v["details"].is_object(), "{v}");
    assert_eq!(
        v["request_id"].as_str(),
        r.header("r7-correlation-id").as_deref(),
        "request_id is the response's correlation id"
    );
    v
}

/// Asserts the `/ias/v1` body of `status`.
#[track_caller]
fn ias(r: &Resp, status: u16) -> Value {
    assert_eq!(r.status, status, "{}", r.text());
    let ct = r.header("content-type").unwrap_or_default();
    assert!(ct.starts_with("application/json"), "{ct}");
    let v = r.error_body();
    assert!(
        v.get("code").is_none() && v.get("request_id").is_none(),
        "{v}"
    );
    v
}

#[tokio::test]
async fn identity_and_audit_routes_answer_problem_json() {
    let t = TestApp::spawn().await;
    // 400: a body that is not JSON; a malformed query parameter.
    let r = t.admin().post("/users").body("{").send().await;
    problem(&r, 400, "bad_request");
    let r = t
        .admin()
        .get("/v1/audit-logs")
        .query(&[("limit", "many")])
        .send()
        .await;
    problem(&r, 400, "bad_request");
    // 401: no credential, a wrong key, a malformed bearer token (with a challenge).
    for r in [
        t.anon().get("/users").send().await,
        t.anon()
            .get("/identity-groups")
            .header("X-Api-Key", "rmp_not_a_key")
            .send()
            .await,
        t.bearer("not.a.jwt").get("/audit-logs").send().await,
    ] {
        problem(&r, 401, "unauthorized");
        assert!(r
            .header("www-authenticate")
            .is_some_and(|h| h.starts_with("Bearer")));
    }
    // 403: the role may not; a token without the scope.
    let r = t.ro().get("/users").send().await;
    problem(&r, 403, "forbidden");
    let r = t.rw().get("/audit-logs").send().await;
    problem(&r, 403, "forbidden");
    let token = t.fx_token(&t.keys.admin, "read").await;
    let r = t.bearer(&token).get("/audit-logs").send().await;
    problem(&r, 403, "insufficient_scope");
    // 404: an unknown id, a malformed id, another tenant's object.
    let r = t
        .admin()
        .get(&format!("/users/{}", uuid::Uuid::new_v4()))
        .send()
        .await;
    problem(&r, 404, "not_found");
    problem(
        &t.admin().get("/service-accounts/nope").send().await,
        404,
        "not_found",
    );
    problem(
        &t.admin().get("/v1/audit-logs/nope").send().await,
        404,
        "not_found",
    );
    let r = t
        .other()
        .get(&format!("/users/{}", t.keys.read_only.id()))
        .send()
        .await;
    problem(&r, 404, "not_found");
    // 409: a taken email.
    let body = json!({"email": "dup@example.test", "role": "read-only"});
    t.admin()
        .post("/users")
        .json(&body)
        .send()
        .await
        .status(201);
    let r = t.admin().post("/users").json(&body).send().await;
    problem(&r, 409, "conflict");
    // 422: a wrong member, with an RFC 6901 pointer in details.errors.
    let r = t
        .admin()
        .post("/users")
        .json(&json!({"email": "x@example.test", "role": "boss"}))
        .send()
        .await;
    let v = problem(&r, 422, "validation_failed");
    assert_eq!(v["details"]["errors"][0]["pointer"], "/role", "{v}");
    let r = t
        .admin()
        .get("/audit-logs")
        .query(&[("limit", "0")])
        .send()
        .await;
    let v = problem(&r, 422, "validation_failed");
    assert_eq!(v["details"]["errors"][0]["pointer"], "/limit", "{v}");
    let r = t
        .admin()
        .post("/audit-logs/export")
        .json(&json!({"format": "xml"}))
        .send()
        .await;
    problem(&r, 422, "validation_failed");
}

#[tokio::test]
async fn ias_routes_keep_their_own_error_body() {
    let t = TestApp::spawn().await;
    ias(&t.admin().post("/ias/v1/apps").body("{").send().await, 400);
    ias(&t.anon().get("/ias/v1/apps").send().await, 401);
    let r = t
        .ro()
        .post("/ias/v1/apps")
        .json(&json!({"name": "x"}))
        .send()
        .await;
    ias(&r, 403);
    ias(
        &t.admin()
            .get(&format!("/ias/v1/apps/{}", uuid::Uuid::new_v4()))
            .send()
            .await,
        404,
    );
    let body = json!({"name": "dup app"});
    t.admin()
        .post("/ias/v1/apps")
        .json(&body)
        .send()
        .await
        .status(201);
    ias(
        &t.admin().post("/ias/v1/apps").json(&body).send().await,
        409,
    );
    let v = ias(
        &t.admin()
            .post("/ias/v1/apps")
            .json(&json!({"name": 5}))
            .send()
            .await,
        422,
    );
    assert!(v["errors"].is_array(), "{v}");
}

/// 429 in both shapes: a spent credential budget, with `Retry-After` and the RateLimit
/// fields; the problem carries the draft's quota-exceeded type and the violated policy.
#[tokio::test]
async fn a_spent_budget_is_429_in_each_family_shape() {
    let t = TestApp::builder()
        .rate_limits(RateLimitConfig {
            tenant: None,
            credential: Some(2),
            window_secs: 3600,
            token_failures_per_ip: None,
        })
        .manual_rate_clock()
        .spawn()
        .await
        .expect("sqlite");
    for _ in 0..2 {
        t.admin().get("/users").send().await.status(200);
    }
    let r = t.admin().get("/users").send().await;
    let v = problem(&r, 429, "rate_limited");
    assert!(
        v["type"]
            .as_str()
            .unwrap_or("")
            .ends_with("#quota-exceeded"),
        "{v}"
    );
    assert_eq!(
        v["details"]["violated-policies"],
        json!(["credential"]),
        "{v}"
    );
    assert!(r.header("retry-after").is_some());
    assert_eq!(r.header("ratelimit-remaining").as_deref(), Some("0"));
    let r = t.admin().get("/ias/v1/apps").send().await;
    ias(&r, 429);
    assert!(r.header("retry-after").is_some());
}
