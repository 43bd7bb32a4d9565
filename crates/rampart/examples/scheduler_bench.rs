//! Scheduler lag (see docs/BENCHMARKS.md): due time → scan `PENDING`, with 10,000 enabled
//! schedules on the real wall clock, the scheduler ticking every second as in `rampart server`.
//! `spread`: the schedules' first occurrences spread over 60 s (167 due per second); `burst`:
//! all due at one instant. Not a test.
//!
//! ```sh
//! cargo run -p rampart --example scheduler_bench -- sqlite     # a WAL file database
//! RAMPART_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/test \
//!   cargo run -p rampart --example scheduler_bench -- postgres
//! ```
//! Environment (default): RAMPART_BENCH_SCHEDULES=10000.

use chrono::{Duration, Utc};
use rampart_domain::*;
use rampart_service::{OptionsWrite, Service};
use rampart_store::{ListRequest, Visibility};
use rampart_testkit::TestApp;
use serde_json::json;

/// An app with a target and a scan config whose options compile (seed and scope on it).
async fn ready(app: &TestApp) -> ScanConfigId {
    let a = app.fx_app("Shop").await;
    let cfg = app.fx_scan_config(a, "Shop config").await;
    app.fx_target("shop.example.test").await;
    app.service
        .write_scan_config_options(
            &app.keys.admin.principal,
            cfg,
            json!({"crawl_config": {"seed_url_list": [{"value": "https://shop.example.test/"}],
                "scope_constraint_list": [{"url": "https://shop.example.test/*"}]}}),
            OptionsWrite::Replace,
        )
        .await
        .expect("set options");
    cfg
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    use rampart_domain::recurrence::{format_time, Recurrence, RecurrenceInput};
    use std::collections::HashMap;
    let db = std::env::args().nth(1).unwrap_or_else(|| "sqlite".into());
    let n: usize = std::env::var("RAMPART_BENCH_SCHEDULES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let dir = std::env::temp_dir().join(format!("rampart-lag-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let app = match db.as_str() {
        "postgres" => TestApp::spawn_postgres()
            .await
            .expect("RAMPART_TEST_PG_URL"),
        _ => TestApp::builder()
            .sqlite_url(&format!("sqlite://{}", dir.join("lag.db").display()))
            .spawn()
            .await
            .unwrap(),
    };
    let cfg = ready(&app).await;
    let cfg = app
        .store()
        .get_scan_config(app.keys.org.org(), cfg, &Visibility::All)
        .await
        .unwrap();
    let service = Service::new(
        app.store().clone(),
        std::sync::Arc::new(rampart_domain::time::SystemClock),
        app.service.catalogue(),
    );
    for scenario in ["spread", "burst"] {
        let start = Utc::now() + Duration::seconds(5) + Duration::seconds(n as i64 / 400);
        let mut due_of = HashMap::new();
        let made = std::time::Instant::now();
        for i in 0..n {
            let first = match scenario {
                "spread" => start + Duration::microseconds((i as i64) * 60_000_000 / n as i64),
                _ => start,
            };
            let recurrence = Recurrence::parse(&RecurrenceInput {
                first_start: &format_time(first, None),
                frequency: Some((Some("HOURLY"), Some(1))),
                ..Default::default()
            })
            .unwrap();
            let s = Schedule {
                id: ScheduleId::new(),
                org: cfg.org,
                app: cfg.app,
                scan_config: Some(cfg.id),
                name: format!("{scenario}-{i}"),
                enabled: true,
                next_run_at: Some(recurrence.first_start()),
                recurrence,
                last_fired_at: None,
                disabled_reason: None,
                created_at: Utc::now(),
                updated_at: Utc::now(),
            };
            due_of.insert(s.id.0, s.recurrence.first_start());
            app.store().create_schedule(&s).await.unwrap();
        }
        eprintln!(
            "{db} {scenario}: {n} schedules written in {:?}",
            made.elapsed()
        );
        assert!(Utc::now() < start, "writing the schedules took too long");
        // The scheduler loop of `rampart server`: fire_due every second until all fired.
        let mut fired = 0;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(600);
        while fired < n {
            assert!(std::time::Instant::now() < deadline, "{fired}/{n} fired");
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            fired += service.fire_due(Utc::now()).await.unwrap().fired.len();
        }
        let mut lags = Vec::new();
        let mut req = ListRequest::first(1000);
        loop {
            let page = app
                .store()
                .list_scans(app.keys.org.org(), &Visibility::All, &req)
                .await
                .unwrap();
            for s in &page.items {
                if let Some(due) = due_of.get(&s.submitter.id) {
                    assert_eq!(s.status, ScanStatus::Pending);
                    lags.push((s.submit_time - *due).num_milliseconds());
                }
            }
            if page.items.len() < 1000 {
                break;
            }
            req.index += 1;
        }
        assert_eq!(lags.len(), n, "every schedule fired once");
        lags.sort_unstable();
        let pct = |p: usize| lags[(lags.len() * p / 100).min(lags.len() - 1)];
        println!(
            "BENCH scheduler_lag db={db} scenario={scenario} schedules={n} p50_ms={} p99_ms={} max_ms={}",
            pct(50),
            pct(99),
            lags[lags.len() - 1]
        );
        // The next scenario starts from an empty table.
        for id in due_of.keys() {
            app.store()
                .delete_schedule(app.keys.org.org(), ScheduleId(*id))
                .await
                .unwrap();
        }
    }
    std::fs::remove_dir_all(dir).ok();
}
