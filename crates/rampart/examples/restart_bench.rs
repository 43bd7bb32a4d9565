//! How long a crashed server's scan sits `RUNNING` before it runs again: a real
//! `rampart server` (one embedded engine slot, 30 s lease) runs a testbed scan, is SIGKILLed
//! while the scan runs, and is restarted on the same database; the time from the kill to the
//! platform event "Scan started by engine worker … (attempt 2)" is measured (the restart's
//! own start-up included). The restarted server recognises its instance (the
//! `instance-N.id` file next to the SQLite database; `RAMPART_INSTANCE_ID` on PostgreSQL)
//! and queues the job its slot held at once, instead of after the lease expired.
//!
//! ```sh
//! cargo build -p rampart --bin rampart --example restart_bench
//! ./target/debug/examples/restart_bench sqlite
//! RAMPART_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/test ./target/debug/examples/restart_bench postgres
//! ```
//! Environment (defaults): ROUNDS=5, RAMPART_BIN=target/debug/rampart. Not a test.

#[path = "../tests/it/server_proc.rs"]
mod server_proc;

use reqwest::Method;
use serde_json::json;
use server_proc::{Api, Server};
use std::time::{Duration, Instant};

fn start(database: &str, instance: Option<&str>) -> Server {
    let bin = std::env::var("RAMPART_BIN").unwrap_or_else(|_| "target/debug/rampart".into());
    server_proc::start(&bin, database, instance, 30)
}

async fn database(backend: &str) -> (String, Option<String>) {
    if backend == "postgres" {
        let url = std::env::var("RAMPART_TEST_PG_URL").expect("RAMPART_TEST_PG_URL");
        let schema = format!("rampart_bench_restart_{}", uuid::Uuid::new_v4().simple());
        let admin = sqlx::PgPool::connect(&url).await.expect("connect");
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&admin)
            .await
            .expect("create schema");
        admin.close().await;
        let sep = if url.contains('?') { '&' } else { '?' };
        let db = format!("{url}{sep}options=-c%20search_path%3D{schema}");
        (db, Some(format!("bench-{}", uuid::Uuid::new_v4().simple())))
    } else {
        let dir = std::env::temp_dir().join(format!("rampart-restart-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        (format!("sqlite://{}", dir.join("r.db").display()), None)
    }
}

async fn round(backend: &str, base: &str) -> Duration {
    let (db, instance) = database(backend).await;
    let first = start(&db, instance.as_deref());
    let api = Api {
        http: reqwest::Client::builder().no_proxy().build().unwrap(),
        base: first.base.clone(),
        key: first.key.clone().expect("the first start prints a key"),
    };
    let app = api.create("/ias/v1/apps", json!({"name": "Bench"})).await;
    api.create(
        "/ias/v1/targets",
        json!({"domain": "127.0.0.1", "enabled": true}),
    )
    .await;
    let tpl = api
        .create("/ias/v1/attack-templates", json!({"name": "bench"}))
        .await;
    for key in ["sqli", "xss_reflected", "cmdi", "path_traversal"] {
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
            json!({"name": "bench", "app": {"id": app}, "attack_template": {"id": tpl}}),
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
    let scan = api
        .create("/ias/v1/scans", json!({"scan_config": {"id": cfg}}))
        .await;
    loop {
        let st = api.get(&format!("/ias/v1/scans/{scan}")).await["status"].clone();
        if st == "RUNNING" {
            break;
        }
        assert_eq!(st, "PENDING", "the scan must still run");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut first = first;
    let killed = Instant::now();
    first.child.kill().expect("SIGKILL");
    first.child.wait().expect("reap");
    let second = start(&db, instance.as_deref());
    let api = Api {
        base: second.base.clone(),
        ..api
    };
    loop {
        let (s, v, _) = api
            .call(
                Method::GET,
                &format!("/ias/v1/scans/{scan}/platform-events"),
                None,
            )
            .await;
        if s == 200 && v.to_string().contains("(attempt 2)") {
            let took = killed.elapsed();
            drop(second);
            return took;
        }
        assert!(killed.elapsed() < Duration::from_secs(120), "no re-run");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let backend = std::env::args().nth(1).unwrap_or_else(|| "sqlite".into());
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let tb = rampart_testbed::spawn(rampart_testbed::TestbedConfig {
        https_listen: None,
        ..Default::default()
    })
    .await
    .expect("testbed");
    let base = tb.base_url().trim_end_matches('/').to_string();
    let mut took = Vec::new();
    for _ in 0..rounds {
        took.push(round(&backend, &base).await);
    }
    took.sort();
    let ms: Vec<String> = took
        .iter()
        .map(|d| format!("{:.2}", d.as_secs_f64()))
        .collect();
    println!(
        "{backend}: SIGKILL → scan claimed again (attempt 2): median {:.2} s, max {:.2} s over {rounds} rounds [{}]",
        took[took.len() / 2].as_secs_f64(),
        took[took.len() - 1].as_secs_f64(),
        ms.join(", ")
    );
    tb.shutdown().await;
}
