//! AppSec+ webhooks over real HTTP on SQLite and PostgreSQL: deliveries to a receiver bound
//! to 127.0.0.1:0 whose signatures an independent Python `hmac` verifies, retries with
//! backoff until the receiver answers, the 24 h give-up, refusals, the delivery log and
//! replays, and an outbox that survives a server restart.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use rampart_domain::time::Clock;
use rampart_testkit::TestApp;
use serde_json::{json, Value};
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BANDIT: &str = include_str!("../../../rampart-ingest/tests/fixtures/bandit.sarif");

/// What the receiver got: the `X-Rampart-*` headers and the raw body.
#[derive(Clone, Debug)]
pub(crate) struct Got {
    pub(crate) event: String,
    pub(crate) delivery: String,
    pub(crate) timestamp: String,
    pub(crate) signature: String,
    pub(crate) body: String,
}

/// A webhook receiver on 127.0.0.1:0 that answers `fail_status` to the first `fail_first`
/// requests, then 204.
#[derive(Clone)]
pub(crate) struct Receiver {
    pub(crate) url: String,
    got: Arc<Mutex<Vec<Got>>>,
    fail_first: Arc<AtomicUsize>,
    fail_status: Arc<AtomicUsize>,
}

#[derive(Clone)]
struct Shared {
    got: Arc<Mutex<Vec<Got>>>,
    fail_first: Arc<AtomicUsize>,
    fail_status: Arc<AtomicUsize>,
}

async fn receive(State(s): State<Shared>, headers: HeaderMap, body: String) -> StatusCode {
    let h = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    s.got.lock().unwrap().push(Got {
        event: h("x-rampart-event"),
        delivery: h("x-rampart-delivery"),
        timestamp: h("x-rampart-timestamp"),
        signature: h("x-rampart-signature"),
        body,
    });
    let failing = s
        .fail_first
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if failing {
        StatusCode::from_u16(s.fail_status.load(Ordering::SeqCst) as u16).unwrap()
    } else {
        StatusCode::NO_CONTENT
    }
}

impl Receiver {
    pub(crate) async fn start(fail_first: usize, fail_status: u16) -> Receiver {
        let shared = Shared {
            got: Arc::default(),
            fail_first: Arc::new(AtomicUsize::new(fail_first)),
            fail_status: Arc::new(AtomicUsize::new(fail_status as usize)),
        };
        let app = axum::Router::new()
            .route("/hook", post(receive))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver {
            url: format!("http://{addr}/hook"),
            got: shared.got,
            fail_first: shared.fail_first,
            fail_status: shared.fail_status,
        }
    }

    pub(crate) fn got(&self) -> Vec<Got> {
        self.got.lock().unwrap().clone()
    }

    pub(crate) fn of(&self, event: &str) -> Vec<Got> {
        self.got()
            .into_iter()
            .filter(|g| g.event == event)
            .collect()
    }
}

/// Polls `f` until it returns `Some`, moving the manual clock `step` forward each round
/// (so due retries become due), for at most 20 s.
pub(crate) async fn until<T>(
    t: &TestApp,
    step: chrono::Duration,
    mut f: impl FnMut() -> Option<T>,
) -> T {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out");
        if step > chrono::Duration::zero() {
            t.clock.advance(step);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Polls the delivery log until `f` holds of one of its entries (the newest such).
pub(crate) async fn log_until(t: &TestApp, hook: &str, f: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let log = t
            .admin()
            .get(&format!("/webhooks/{hook}/deliveries"))
            .send()
            .await
            .status(200)
            .json();
        if let Some(d) = log.as_array().unwrap().iter().find(|d| f(d)) {
            return d.clone();
        }
        assert!(Instant::now() < deadline, "timed out; log: {log}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// An independent verification of the documented scheme: Python's `hmac` over
/// `"<timestamp>.<body>"`, compared in constant time with the header.
pub(crate) fn python_verifies(secret: &str, g: &Got) -> bool {
    let script = r#"
import hashlib, hmac, sys
secret, ts, sig = sys.argv[1], sys.argv[2], sys.argv[3]
body = sys.stdin.buffer.read()
mac = hmac.new(secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
sys.exit(0 if hmac.compare_digest("v1=" + mac, sig) else 1)
"#;
    let mut child = Command::new("python3")
        .args(["-c", script, secret, &g.timestamp, &g.signature])
        .stdin(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(g.body.as_bytes())
        .unwrap();
    child.wait().unwrap().success()
}

pub(crate) async fn subscribe(t: &TestApp, url: &str, events: &[&str]) -> (String, String) {
    let r = t
        .admin()
        .post("/webhooks")
        .json(&json!({"name": t.unique("hook"), "url": url, "events": events}))
        .send()
        .await
        .status(201);
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    let w = r.json();
    let secret = w["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_") && secret.len() > 20, "{w}");
    (w["id"].as_str().unwrap().to_string(), secret)
}

pub(crate) async fn new_app(t: &TestApp) -> String {
    let app = t
        .admin()
        .post("/applications")
        .json(&json!({"name": t.unique("py")}))
        .send()
        .await
        .status(201)
        .json();
    app["id"].as_str().unwrap().to_string()
}

pub(crate) async fn import(t: &TestApp, app: &str, doc: &str) -> Value {
    t.admin()
        .post(&format!("/applications/{app}/scans?scanType=sast"))
        .header("Content-Type", "application/sarif+json")
        .body(doc.to_string())
        .send()
        .await
        .status(201)
        .json()
}

/// The same tool reporting nothing: every finding of the first import closes.
pub(crate) fn empty_bandit() -> String {
    let mut doc: Value = serde_json::from_str(BANDIT).unwrap();
    doc["runs"][0]["results"] = json!([]);
    doc.to_string()
}

/// Events of an import and of a failed evaluation reach the receiver signed; reads never
/// show the secret; the database never holds it in clear.
async fn signed_events(t: &TestApp) {
    let rx = Receiver::start(0, 500).await;
    let (hook, secret) = subscribe(
        t,
        &rx.url,
        &[
            "scan.completed",
            "vulnerability.created",
            "vulnerability.closed",
            "policy.failed",
        ],
    )
    .await;
    let read = t
        .admin()
        .get(&format!("/webhooks/{hook}"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(read["secret"], "****");
    assert_eq!(
        read["events"],
        json!([
            "scan.completed",
            "vulnerability.created",
            "vulnerability.closed",
            "policy.failed"
        ])
    );
    let listed = t
        .admin()
        .get("/v1/webhooks")
        .send()
        .await
        .status(200)
        .json();
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .all(|w| w["secret"] == "****"));
    assert!(
        !t.dump_text().await.contains(&secret),
        "the secret is sealed"
    );

    let app = new_app(t).await;
    let scan = import(t, &app, BANDIT).await;
    let created = until(t, chrono::Duration::zero(), || {
        rx.of("vulnerability.created").pop()
    })
    .await;
    let completed = until(t, chrono::Duration::zero(), || {
        rx.of("scan.completed").pop()
    })
    .await;
    for g in [&created, &completed] {
        assert!(python_verifies(&secret, g), "{g:?}");
        let tampered = Got {
            body: g.body.replace('"', "'"),
            ..g.clone()
        };
        assert!(!python_verifies(&secret, &tampered));
        assert!(!python_verifies("whsec_another_secret", g));
        let ts: i64 = g.timestamp.parse().unwrap();
        assert_eq!(ts, t.clock.now().timestamp());
    }
    let body: Value = serde_json::from_str(&completed.body).unwrap();
    assert_eq!(body["eventType"], "scan.completed");
    assert_eq!(body["data"]["scanId"], scan["id"]);
    assert_eq!(body["data"]["applicationId"], app.as_str());
    assert_eq!(body["data"]["scanType"], "sast");
    assert_eq!(body["data"]["summary"]["new"], 7);
    let body: Value = serde_json::from_str(&created.body).unwrap();
    assert_eq!(body["data"]["count"], 7);
    assert_eq!(body["data"]["vulnerabilities"].as_array().unwrap().len(), 7);
    assert!(body["eventId"].as_str().is_some());

    // Re-import with nothing reported: closed.
    import(t, &app, &empty_bandit()).await;
    let closed = until(t, chrono::Duration::zero(), || {
        rx.of("vulnerability.closed").pop()
    })
    .await;
    assert!(python_verifies(&secret, &closed));
    let body: Value = serde_json::from_str(&closed.body).unwrap();
    assert_eq!(body["data"]["count"], 7);

    // A failing evaluation.
    let policy = t
        .admin()
        .post("/policies")
        .json(&json!({"name": t.unique("any"), "action": "block", "conditions": {"statuses": ["resolved"]}}))
        .send()
        .await
        .status(201)
        .json();
    let pid = policy["id"].as_str().unwrap();
    let e = t
        .admin()
        .post(&format!("/policies/{pid}/evaluate"))
        .json(&json!({"applicationId": app}))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(e["result"], "fail");
    let failed = until(t, chrono::Duration::zero(), || rx.of("policy.failed").pop()).await;
    assert!(python_verifies(&secret, &failed));
    let body: Value = serde_json::from_str(&failed.body).unwrap();
    assert_eq!(body["data"]["policyId"], pid);
    assert_eq!(body["data"]["matched"], 7);

    // Every delivery is logged as delivered, with the receiver's status.
    let log = t
        .admin()
        .get(&format!("/webhooks/{hook}/deliveries"))
        .send()
        .await
        .status(200)
        .json();
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), rx.got().len(), "{log:?}");
    for d in log {
        assert_eq!(d["status"], "delivered", "{d}");
        assert_eq!(d["attempts"], 1);
        assert_eq!(d["responseStatus"], 204);
        assert!(rx.got().iter().any(|g| g.delivery == d["id"]));
    }
    // An unsubscribed event is not sent: the DAST-only event list of another hook.
    assert!(rx.of("vulnerability.reopened").is_empty());
}

#[tokio::test]
async fn webhook_events_are_signed_and_verified_by_python() {
    signed_events(&TestApp::spawn().await).await;
}

#[tokio::test]
async fn pg_webhook_events_are_signed_and_verified_by_python() {
    let Some(t) = TestApp::spawn_postgres().await else {
        return;
    };
    signed_events(&t).await;
}

fn at(v: &Value, k: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(v[k].as_str().unwrap())
        .unwrap()
        .to_utc()
}

/// A receiver that fails three times gets the delivery on the fourth try, each wait
/// longer than the one before; one that never answers 2xx is given up after 24 h and
/// replayed by hand; a 4xx is final at once.
async fn retries(t: &TestApp) {
    let rx = Receiver::start(3, 503).await;
    let (hook, secret) = subscribe(t, &rx.url, &["scan.completed"]).await;
    let app = new_app(t).await;
    import(t, &app, BANDIT).await;
    let mut gaps = Vec::new();
    let mut last = Value::Null;
    for attempt in 1..=3 {
        // Recorded (a claim counts the attempt before its try is recorded).
        let d = log_until(t, &hook, |d| {
            d["attempts"] == attempt && d["status"] == "pending" && d["lastAttemptAt"] != last
        })
        .await;
        last = d["lastAttemptAt"].clone();
        assert_eq!(d["responseStatus"], 503);
        assert_eq!(d["lastError"], "the receiver answered 503");
        let next = at(&d, "nextAttemptAt");
        gaps.push(next - at(&d, "lastAttemptAt"));
        // Nothing is sent before it is due.
        assert_eq!(rx.got().len(), attempt as usize);
        // Times are shown to the millisecond: due within the next one.
        t.set_clock(next + chrono::Duration::milliseconds(1));
    }
    assert!(gaps[2] > gaps[0], "exponential: {gaps:?}");
    let d = log_until(t, &hook, |d| d["status"] == "delivered").await;
    assert_eq!(d["attempts"], 4);
    assert!(d["nextAttemptAt"].is_null());
    let got = rx.got();
    assert_eq!(got.len(), 4);
    assert!(got.iter().all(|g| g.delivery == got[0].delivery));
    assert!(got.iter().all(|g| python_verifies(&secret, g)));

    // Never 2xx: retried until the 24 h window closes, then failed.
    rx.fail_first.store(usize::MAX, Ordering::SeqCst);
    rx.fail_status.store(500, Ordering::SeqCst);
    let before = rx.got().len();
    import(t, &app, &empty_bandit()).await;
    log_until(t, &hook, |d| {
        d["attempts"] == 1 && !d["lastAttemptAt"].is_null()
    })
    .await;
    t.clock.advance(chrono::Duration::hours(25));
    let failed = log_until(t, &hook, |d| d["status"] == "failed").await;
    assert_eq!(failed["responseStatus"], 500);
    assert_eq!(failed["attempts"], 2);
    assert_eq!(rx.got().len(), before + 2);

    // Replay: a new delivery of the same event, delivered once the receiver is back.
    let fid = failed["id"].as_str().unwrap();
    rx.fail_first.store(0, Ordering::SeqCst);
    let r = t
        .admin()
        .post(&format!("/webhooks/{hook}/deliveries/{fid}/replay"))
        .send()
        .await
        .status(202);
    let replay = r.json();
    assert!(r.location().unwrap().ends_with(&format!(
        "/webhooks/{hook}/deliveries/{}",
        replay["id"].as_str().unwrap()
    )));
    assert_eq!(replay["replayOf"], failed["id"]);
    assert_eq!(replay["eventId"], failed["eventId"]);
    assert_eq!(replay["status"], "pending");
    let done = log_until(t, &hook, |d| {
        d["id"] == replay["id"] && d["status"] == "delivered"
    })
    .await;
    assert_eq!(done["payload"], failed["payload"]);
    let one = t
        .admin()
        .get(&format!("/webhooks/{hook}/deliveries/{fid}"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(one["status"], "failed");
    // A pending delivery cannot be replayed; an unknown one is 404.
    rx.fail_first.store(usize::MAX, Ordering::SeqCst);
    import(t, &app, BANDIT).await;
    let pending = log_until(t, &hook, |d| d["status"] == "pending" && d["attempts"] == 1).await;
    let pid = pending["id"].as_str().unwrap();
    t.admin()
        .post(&format!("/webhooks/{hook}/deliveries/{pid}/replay"))
        .send()
        .await
        .status(409);
    t.admin()
        .post(&format!(
            "/webhooks/{hook}/deliveries/{}/replay",
            uuid::Uuid::new_v4()
        ))
        .send()
        .await
        .status(404);

    // A 4xx other than 408/429 is final at once.
    let gone = Receiver::start(usize::MAX, 410).await;
    let (hook2, _) = subscribe(t, &gone.url, &["scan.completed"]).await;
    import(t, &app, &empty_bandit()).await;
    let d = log_until(t, &hook2, |d| d["status"] != "pending").await;
    assert_eq!(d["status"], "failed");
    assert_eq!(d["attempts"], 1);
    assert_eq!(d["responseStatus"], 410);
}

#[tokio::test]
async fn webhook_retries_back_off_give_up_after_a_day_and_replay() {
    retries(&TestApp::spawn().await).await;
}

#[tokio::test]
async fn pg_webhook_retries_back_off_give_up_after_a_day_and_replay() {
    let Some(t) = TestApp::spawn_postgres().await else {
        return;
    };
    retries(&t).await;
}

/// The server stores the event and stops before sending it; another sender took it and
/// died holding its lease. After a restart the outbox row is sent once the lease expires.
async fn restart(mut t: TestApp) {
    let rx = Receiver::start(0, 500).await;
    let (hook, secret) = subscribe(&t, &rx.url, &["scan.completed"]).await;
    let app = new_app(&t).await;
    import(&t, &app, BANDIT).await;
    let d = log_until(&t, &hook, |_| true).await;
    assert_eq!(d["status"], "pending");
    assert_eq!(d["attempts"], 0);
    // A sender that claims the delivery and dies.
    let dead = t
        .replica_service()
        .await
        .claim_webhook_delivery("webhooks/dead-sender", Duration::from_secs(60))
        .await
        .unwrap();
    assert!(dead.is_some());
    t.restart_webhook_deliverer().await;
    // The lease holds for 60 s of the server's clock; past it the new server sends.
    let got = until(&t, chrono::Duration::seconds(5), || rx.got().pop()).await;
    assert!(t.clock.now() >= at(&d, "createdAt") + chrono::Duration::seconds(60));
    assert!(python_verifies(&secret, &got));
    let d = log_until(&t, &hook, |d| d["status"] == "delivered").await;
    assert_eq!(d["attempts"], 2, "the dead sender's try counts");
    assert_eq!(rx.got().len(), 1);
}

#[tokio::test]
async fn webhook_outbox_survives_a_server_restart() {
    restart(
        TestApp::builder()
            .webhook_deliverer(false)
            .spawn()
            .await
            .unwrap(),
    )
    .await;
}

#[tokio::test]
async fn pg_webhook_outbox_survives_a_server_restart() {
    let Some(t) = TestApp::builder()
        .webhook_deliverer(false)
        .backend(rampart_testkit::Backend::Postgres)
        .spawn()
        .await
    else {
        return;
    };
    restart(t).await;
}

/// Validation, tenancy and the write-only secret on update.
#[tokio::test]
async fn webhook_subscriptions_validate_and_stay_in_their_tenant() {
    let t = TestApp::spawn().await;
    let r = t
        .admin()
        .post("/webhooks")
        .json(&json!({"name": "x", "url": "ftp://h/x", "events": ["scan.completed", "scan.exploded"]}))
        .send()
        .await
        .status(422);
    let text = r.text();
    assert!(text.contains("/events/1"), "{text}");
    let r = t
        .admin()
        .post("/webhooks")
        .json(&json!({"name": "x", "url": "ftp://h/x", "events": ["scan.completed"]}))
        .send()
        .await
        .status(422);
    assert!(r.text().contains("/url"), "{}", r.text());
    let (id, secret) = subscribe(&t, "http://127.0.0.1:9/hook", &["scan.completed"]).await;
    t.other()
        .get(&format!("/webhooks/{id}"))
        .send()
        .await
        .status(404);
    t.rw().get("/webhooks").send().await.status(403);
    // PUT with the mask keeps the secret; with a new one replaces it.
    let put = json!({"name": "renamed", "url": "http://127.0.0.1:9/hook", "events": ["policy.failed"],
        "status": "disabled", "secret": "****"});
    let w = t
        .admin()
        .put(&format!("/webhooks/{id}"))
        .json(&put)
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(w["status"], "disabled");
    assert_eq!(w["secret"], "****");
    assert!(!t.dump_text().await.contains(&secret));
    t.admin()
        .delete(&format!("/webhooks/{id}"))
        .send()
        .await
        .status(204);
    t.admin()
        .get(&format!("/webhooks/{id}"))
        .send()
        .await
        .status(404);
}
