//! PostgreSQL restarted in the middle of a scan and of API traffic. The shared cluster is
//! never restarted (other suites use it): a fault proxy between the server and
//! PostgreSQL closes every connection and refuses new ones for `outage`, which is what a
//! restart looks like to the server. While the database is away every request is
//! answered, 2xx or 503 with the documented body and `Retry-After` (never 500, never a
//! hang); afterwards the server serves again without a restart, the scan completes, and
//! its vulnerabilities are exactly those of the same scan run again without a fault:
//! none lost, none twice, every app whose creation was answered 201 is there.

use super::traffic::{Traffic, HANG};
use crate::server_proc::{self, Api};
use rampart_testkit::FaultProxy;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// What one run measured.
#[derive(Debug)]
pub struct Recovery {
    /// From the cut to the first 503.
    pub first_503: Duration,
    /// The slowest 503 (how long a request waits before the server gives up on the
    /// database).
    pub slowest_503: Duration,
    /// From the end of the outage to the first app created (201).
    pub writes_again: Duration,
    /// From the end of the outage to the scan's end.
    pub scan_done: Duration,
    pub answers: usize,
    pub answers_503: usize,
    pub vulnerabilities: usize,
}

fn bin() -> String {
    crate::cluster::bin()
}

/// Module, method, path and parameter: what makes a vulnerability the same one.
pub fn identity(v: &Value) -> String {
    let url = v["root_cause"]["url"].as_str().unwrap_or_default();
    let path = url::Url::parse(url)
        .map(|u| format!("{}?{}", u.path(), u.query().unwrap_or_default()))
        .unwrap_or_else(|_| url.to_string());
    format!(
        "{} {} {} {}",
        v["variances"][0]["module"]["id"],
        v["root_cause"]["method"],
        path,
        v["root_cause"]["parameter"]
    )
}

/// An app with a config scanning the testbed with five modules; returns the config id.
pub async fn scan_config(api: &Api, base: &str, name: &str) -> String {
    let app = api.create("/ias/v1/apps", json!({ "name": name })).await;
    let tpl = api
        .create("/ias/v1/attack-templates", json!({ "name": name }))
        .await;
    for key in [
        "sqli",
        "xss_reflected",
        "cmdi",
        "path_traversal",
        "open_redirect",
    ] {
        let m = rampart_engine::module(key).unwrap();
        api.create(
            &format!("/ias/v1/attack-templates/{tpl}/modules"),
            json!({"module_config_id": m.id.to_string(), "enabled": true,
                   "severity": m.severity.as_str(), "max_findings": 50}),
        )
        .await;
    }
    let cfg = api
        .create(
            "/ias/v1/scan-configs",
            json!({"name": name, "app": {"id": app}, "attack_template": {"id": tpl}}),
        )
        .await;
    let (s, v, _) = api
        .call(
            Method::PUT,
            &format!("/ias/v1/scan-configs/{cfg}/options"),
            Some(json!({"crawl_config": {
                "seed_url_list": [{"value": format!("{base}/")}],
                "scope_constraint_list": [{"url": format!("{base}/*"), "exclusion": "INCLUDE"}]}})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    cfg
}

/// Polls the scan until it ends; its final representation.
pub async fn settled(api: &Api, scan: &str, within: Duration) -> Value {
    let deadline = Instant::now() + within;
    loop {
        let (status, s, _) = api
            .call(Method::GET, &format!("/ias/v1/scans/{scan}"), None)
            .await;
        if status == 200 && matches!(s["status"].as_str(), Some("COMPLETE" | "FAILED")) {
            return s;
        }
        assert!(Instant::now() < deadline, "the scan did not end: {s}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The scan's vulnerabilities by identity; fails on one seen twice.
pub async fn identities(api: &Api, scan: &str) -> BTreeSet<String> {
    let vulns = api.scan_vulns(scan).await;
    let mut seen = BTreeSet::new();
    for v in &vulns {
        assert!(
            seen.insert(identity(v)),
            "{} stored twice: {vulns:?}",
            identity(v)
        );
        let id = v["id"].as_str().unwrap();
        let d = api
            .get(&format!("/ias/v1/vulnerabilities/{id}/discoveries"))
            .await;
        let of_scan = d["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["scan"]["id"] == json!(scan))
            .count();
        assert_eq!(of_scan, 1, "one discovery of {id} per scan: {d}");
    }
    seen
}

pub async fn restart_mid_scan(outage: Duration) -> Recovery {
    let url = rampart_store_postgres::test_url();
    let parsed = url::Url::parse(&url).expect("RAMPART_TEST_PG_URL is a URL");
    let target = format!(
        "{}:{}",
        parsed.host_str().unwrap_or("127.0.0.1"),
        parsed.port().unwrap_or(5432)
    );
    let target = tokio::net::lookup_host(target.as_str())
        .await
        .unwrap()
        .next()
        .expect("the PostgreSQL address");
    let schema = format!("rampart_test_faults_{}", uuid::Uuid::new_v4().simple());
    let admin = sqlx::PgPool::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("{}", rampart_store_postgres::unreachable(&url, e)));
    let _drop_schema = rampart_store_postgres::SchemaGuard {
        url: url.clone(),
        schema: schema.clone(),
    };
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&admin)
        .await
        .expect("create schema");
    admin.close().await;
    let proxy = FaultProxy::start(target).await;
    let mut through = parsed.clone();
    through.set_host(Some("127.0.0.1")).unwrap();
    through.set_port(Some(proxy.addr().port())).unwrap();
    let sep = if through.query().is_some() { '&' } else { '?' };
    let database = format!("{through}{sep}options=-c%20search_path%3D{schema}");

    let tb = rampart_testbed::spawn(rampart_testbed::TestbedConfig {
        https_listen: None,
        ..Default::default()
    })
    .await
    .expect("testbed");
    let base = tb.base_url().trim_end_matches('/').to_string();
    let instance = format!("faults-{}", uuid::Uuid::new_v4().simple());
    // A 60 s lease: the outage must not cost the scan its lease.
    let server = server_proc::start(&bin(), &database, Some(&instance), 60);
    let api = Api {
        http: reqwest::Client::builder().no_proxy().build().unwrap(),
        base: server.base.clone(),
        key: server.key.clone().expect("the first start prints a key"),
    };
    api.create(
        "/ias/v1/targets",
        json!({"domain": "127.0.0.1", "enabled": true}),
    )
    .await;
    let cfg = scan_config(&api, &base, "Restart").await;
    let scan = api
        .create("/ias/v1/scans", json!({"scan_config": {"id": cfg}}))
        .await;
    // Mid-scan: its first vulnerabilities are stored and it still runs.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let status = api.get(&format!("/ias/v1/scans/{scan}")).await["status"].clone();
        assert!(
            status == "PENDING" || status == "RUNNING",
            "the scan must still run at the cut, it is {status}"
        );
        if status == "RUNNING" && !api.scan_vulns(&scan).await.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "no vulnerability within 120 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let traffic = Traffic::start(&api.base, &api.key);
    // Traffic is flowing before the cut.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !traffic.answers().iter().any(|a| a.status == 201) {
        assert!(
            Instant::now() < deadline,
            "no traffic: {:?}",
            traffic.answers()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let cut = Instant::now();
    proxy.cut();
    // The outage's length is the fault itself, not a wait for something.
    tokio::time::sleep(outage).await;
    proxy.heal();
    let healed = Instant::now();
    let writes_again = loop {
        let (s, v, _) = api
            .call(
                Method::POST,
                "/ias/v1/apps",
                Some(json!({"name": format!("after {}", uuid::Uuid::new_v4())})),
            )
            .await;
        if s == 201 {
            break healed.elapsed();
        }
        assert_eq!(s, 503, "only 503 while the database comes back: {v}");
        assert!(
            healed.elapsed() < Duration::from_secs(60),
            "no recovery: {v}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let done = settled(&api, &scan, Duration::from_secs(300)).await;
    let scan_done = healed.elapsed();
    let (answers, created) = traffic.stop().await;
    assert_eq!(
        done["status"], "COMPLETE",
        "the scan survives the restart: {done}"
    );

    let wrong: Vec<_> = answers.iter().filter(|a| a.wrong.is_some()).collect();
    assert!(
        wrong.is_empty(),
        "every answer 2xx or a documented 503: {wrong:#?}"
    );
    let slow: Vec<_> = answers.iter().filter(|a| a.took >= HANG).collect();
    assert!(slow.is_empty(), "no request hangs: {slow:#?}");
    let unavailable: Vec<_> = answers.iter().filter(|a| a.status == 503).collect();
    assert!(
        !unavailable.is_empty(),
        "requests while the database was away are answered 503 ({} answers)",
        answers.len()
    );
    let first_503 = unavailable
        .iter()
        .map(|a| (a.at + a.took).saturating_duration_since(cut))
        .min()
        .unwrap();
    let slowest_503 = unavailable.iter().map(|a| a.took).max().unwrap();
    for id in &created {
        let (s, v, _) = api
            .call(Method::GET, &format!("/ias/v1/apps/{id}"), None)
            .await;
        assert_eq!(s, 200, "app {id}, answered 201, is kept: {v}");
    }

    // The same scan again, without a fault: the same vulnerabilities, none lost or twice.
    let faulted = identities(&api, &scan).await;
    let again = api
        .create("/ias/v1/scans", json!({"scan_config": {"id": cfg}}))
        .await;
    let done = settled(&api, &again, Duration::from_secs(300)).await;
    assert_eq!(done["status"], "COMPLETE", "{done}");
    let control = identities(&api, &again).await;
    assert!(!control.is_empty());
    assert_eq!(
        faulted, control,
        "the scan cut by the restart found what the same scan finds undisturbed"
    );
    drop(server);
    tb.shutdown().await;
    Recovery {
        first_503,
        slowest_503,
        writes_again,
        scan_done,
        answers: answers.len(),
        answers_503: unavailable.len(),
        vulnerabilities: faulted.len(),
    }
}
