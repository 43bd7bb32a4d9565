//! Rate limits per tenant and per credential: the Insight triple and the draft's
//! `RateLimit-Policy`/`RateLimit` fields on every limited response, 429 + `Retry-After`
//! in each family's shape, one budget shared by replicas on PostgreSQL, and
//! `rampart-client` waiting out a 429 against the real server.

use rampart_domain::time::Clock as _;
use rampart_service::RateLimitConfig;
use rampart_testkit::{Backend, Resp, TestApp};

fn limits(tenant: u64, credential: u64, window_secs: u64) -> RateLimitConfig {
    RateLimitConfig {
        tenant: Some(tenant),
        credential: Some(credential),
        window_secs,
        token_failures_per_ip: None,
    }
}

async fn limited(backend: Backend, cfg: RateLimitConfig) -> Option<TestApp> {
    TestApp::builder()
        .backend(backend)
        .rate_limits(cfg)
        .manual_rate_clock()
        .spawn()
        .await
}

fn remaining(r: &Resp) -> u64 {
    r.header("ratelimit-remaining").unwrap().parse().unwrap()
}

#[tokio::test]
async fn headers_on_every_response_and_429_under_a_burst() {
    let t = limited(Backend::Sqlite, limits(100, 3, 60)).await.unwrap();
    for left in [2, 1, 0] {
        let r = t.rw().get("/ias/v1/apps").send().await.status(200);
        assert_eq!(remaining(&r), left);
        assert_eq!(r.header("ratelimit-limit").as_deref(), Some("3"));
        let reset: u64 = r.header("ratelimit-reset").unwrap().parse().unwrap();
        assert!((1..=60).contains(&reset), "{reset}");
        assert_eq!(
            r.header("ratelimit-policy").as_deref(),
            Some(r#""tenant";q=100;w=60, "credential";q=3;w=60"#)
        );
        let state = r.header("ratelimit").unwrap();
        assert!(
            state.contains(&format!(r#""credential";r={left};t="#)),
            "{state}"
        );
    }
    // /ias/v1 shape
    let r = t.rw().get("/ias/v1/apps").send().await.status(429);
    assert_eq!(r.error_body()["status"], "429 TOO_MANY_REQUESTS");
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait));
    assert_eq!(remaining(&r), 0);
    // AppSec+ shape (same credential)
    let r = t.rw().get("/oauth/clients").send().await.status(429);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    let p = r.json();
    assert_eq!(p["code"], "rate_limited");
    assert_eq!(
        p["type"],
        "https://iana.org/assignments/http-problem-types#quota-exceeded"
    );
    assert_eq!(
        p["details"]["violated-policies"],
        serde_json::json!(["credential"])
    );
    assert!(r.header("retry-after").is_some());
    // another credential of the tenant still has its own budget
    t.ro().get("/ias/v1/apps").send().await.status(200);
    // and a bearer token counts as its OAuth client
    let tok = t.fx_token(&t.keys.read_write, "read").await;
    let r = t.bearer(&tok).get("/ias/v1/apps").send().await.status(200);
    assert_eq!(remaining(&r), 2);
    // the next window starts afresh
    t.set_clock(t.clock.now() + chrono::Duration::seconds(60));
    t.rw().get("/ias/v1/apps").send().await.status(200);
}

#[tokio::test]
async fn the_tenant_budget_is_shared_by_every_credential() {
    let t = limited(Backend::Sqlite, limits(4, 100, 60)).await.unwrap();
    for c in [t.rw(), t.ro(), t.admin(), t.org()] {
        c.get("/ias/v1/apps").send().await.status(200);
    }
    let r = t.ro().get("/ias/v1/apps").send().await.status(429);
    assert!(r.text().contains("tenant"), "{}", r.text());
    // another tenant is not affected
    t.other().get("/ias/v1/apps").send().await.status(200);
    // unauthenticated requests are not counted against anyone
    t.anon().get("/ias/v1/apps").send().await.status(401);
}

#[tokio::test]
async fn without_limits_no_header_is_sent() {
    let t = TestApp::spawn().await;
    let r = t.rw().get("/ias/v1/apps").send().await.status(200);
    assert!(r.header("ratelimit-limit").is_none());
}

/// Two replicas on one PostgreSQL schema count into one window: 4 requests spread over
/// both spend a budget of 4.
#[tokio::test]
async fn replicas_share_one_budget_on_postgres() {
    let Some(t) = limited(Backend::Postgres, limits(1000, 4, 60)).await else {
        return;
    };
    let b = t.spawn_replica().await;
    let http = reqwest::Client::new();
    let on_b = || {
        http.get(b.url("/ias/v1/apps"))
            .header("X-Api-Key", &t.keys.read_write.token)
            .send()
    };
    t.rw().get("/ias/v1/apps").send().await.status(200);
    assert_eq!(on_b().await.unwrap().status(), 200);
    t.rw().get("/ias/v1/apps").send().await.status(200);
    let r = on_b().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["ratelimit-remaining"], "0");
    t.rw().get("/ias/v1/apps").send().await.status(429);
    assert_eq!(on_b().await.unwrap().status(), 429);
}

/// `rampart-client` against the real server: a 429 with `Retry-After` is waited out and
/// the call succeeds (wall-clock windows of 1 s).
#[tokio::test]
async fn rampart_client_waits_out_a_429() {
    let t = TestApp::builder()
        .rate_limits(limits(1000, 2, 1))
        .spawn()
        .await
        .unwrap();
    let client = rampart_client::Client::new(&t.base, &t.keys.read_write.token).unwrap();
    // spend the budget and see the refusal, then let the client call
    let mut refused = false;
    for _ in 0..10 {
        let r = t.rw().get("/ias/v1/apps").send().await;
        refused = r.status == 429 && r.header("retry-after").is_some();
        if refused {
            break;
        }
    }
    assert!(refused, "a window of 2 refuses its third request");
    for _ in 0..5 {
        let m = client.validate().await.unwrap();
        assert_eq!(m.message, "Authorized");
        let apps: serde_json::Value = client.get("ias/v1/apps").await.unwrap();
        assert!(apps["data"].is_array());
    }
}
