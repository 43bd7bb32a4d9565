//! Blackout costs: (1) computing `active` for a page of blackouts (the domain compile +
//! window lookup alone, and the whole `list_blackouts` call), (2) the delay between a
//! window's end and a `BLACKED_OUT` scan reading `PENDING` (queued again) with the
//! enforcement loop of `rampart server` (one pass every second, wall clock), and the cost of
//! one enforcement pass over HELD scans.
//!
//! ```sh
//! cargo run --release -p rampart --example blackout_bench -- sqlite
//! RAMPART_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/test \
//!   cargo run --release -p rampart --example blackout_bench -- postgres
//! ```
//! Environment (defaults): BLACKOUTS=1000 PAGE=50 ROUNDS=30 HELD=100. Not a test. The
//! blackouts cycle through five recurrence forms (ONCE; DAILY in Europe/Berlin; WEEKLY every
//! 2; the last Friday monthly in Asia/Tokyo; weekends by rrule), all starting 2024-03-01.

use rampart_domain::time::{Clock, SystemClock};
use rampart_domain::ScanStatus;
use rampart_service::{BlackoutInput, Service};
use rampart_store::{ListRequest, Visibility};
use rampart_testkit::{Backend, TestApp};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn fmt(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// (zone suffix, frequency type and interval, rrule) of a bench blackout.
type Form = (
    &'static str,
    Option<(&'static str, i64)>,
    Option<&'static str>,
);

/// The period of `rampart server`'s enforcement loop (`server_cmd::BLACKOUT_EVERY`).
const EVERY: Duration = Duration::from_secs(1);

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let backend = match std::env::args().nth(1).as_deref() {
        Some("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    };
    let n = env("BLACKOUTS", 1000);
    let page = env("PAGE", 50) as u64;
    let rounds = env("ROUNDS", 30);
    let held = env("HELD", 100);
    let t = TestApp::builder()
        .backend(backend)
        .spawn()
        .await
        .expect("RAMPART_TEST_PG_URL for postgres");
    // A service on the wall clock over the same store, as `rampart server` runs it.
    let service = Service::new(
        t.store().clone(),
        Arc::new(SystemClock) as Arc<dyn Clock>,
        rampart_testkit::sample_catalogue(),
    );
    let admin = t.keys.admin.principal.clone();
    let app = t.fx_app("Bench").await;

    // (1) `active` over a page: a mix of the recurrence forms.
    // (zone, frequency, rrule): the forms clients send, two of them in a named zone.
    let forms: [Form; 5] = [
        ("", Some(("ONCE", 0)), None),
        ("[Europe/Berlin]", Some(("DAILY", 1)), None),
        ("", Some(("WEEKLY", 2)), None),
        (
            "[Asia/Tokyo]",
            None,
            Some("FREQ=MONTHLY;INTERVAL=1;BYDAY=FR;BYSETPOS=-1"),
        ),
        ("", None, Some("FREQ=WEEKLY;INTERVAL=1;BYDAY=SA,SU")),
    ];
    for i in 0..n {
        let (zone, f, rrule) = forms[i % forms.len()];
        let input = BlackoutInput {
            name: format!("blackout {i:05}"),
            enabled: Some(true),
            app: (i % 2 == 0).then_some(app),
            first_start: Some(format!("2024-03-01T22:00:00Z{zone}")),
            first_end: Some(format!("2024-03-02T02:00:00Z{zone}")),
            last_start: None,
            frequency: f.map(|(k, iv)| rampart_domain::blackout::FrequencySpec {
                kind: k.into(),
                interval: Some(iv),
            }),
            rrule: rrule.map(String::from),
        };
        service.create_blackout(&admin, input).await.unwrap();
    }
    let vis = rampart_store::BlackoutVisibility {
        apps: Visibility::All,
        global: true,
    };
    let items = t
        .store()
        .list_blackouts(admin.org, &vis, &ListRequest::first(page))
        .await
        .unwrap()
        .items;
    let now = SystemClock.now();
    let reps = 200;
    let started = Instant::now();
    let mut active = 0;
    for _ in 0..reps {
        active += items.iter().filter(|b| b.active_at(now)).count();
    }
    let per_page = started.elapsed() / reps;
    let mut listed = Vec::new();
    for _ in 0..50 {
        let s = Instant::now();
        service
            .list_blackouts(&admin, &ListRequest::first(page))
            .await
            .unwrap();
        listed.push(s.elapsed());
    }
    listed.sort();
    println!(
        "active for a page of {page} (of {n}): {:?} per page ({:?} per blackout, {} active); \
         GET /blackouts?size={page} service call p50 {:?} p99 {:?}",
        per_page,
        per_page / page as u32,
        active / reps as usize,
        pct(&listed, 0.5),
        pct(&listed, 0.99)
    );

    // Scans to hold: a config ready to scan (no engine runs here).
    t.fx_target("shop.example.test").await;
    let cfg = t.fx_scan_config(app, "Bench config").await;
    service
        .write_scan_config_options(
            &admin,
            cfg,
            json!({"crawl_config": {"seed_url_list": [{"value": "https://shop.example.test/"}],
                "scope_constraint_list": [{"url": "https://shop.example.test/*"}]}}),
            rampart_service::OptionsWrite::Replace,
        )
        .await
        .unwrap();
    let submit = || {
        service.submit_scan(
            &admin,
            rampart_service::ScanInput {
                scan_config: Some(cfg),
                ..Default::default()
            },
        )
    };
    // Only the bench's own blackouts from here on.
    let all = service
        .list_blackouts(&admin, &ListRequest::first(10_000))
        .await
        .unwrap();
    for b in all.items {
        service
            .delete_blackout(&admin, b.blackout.id)
            .await
            .unwrap();
    }

    // (2a) One pass over HELD scans whose window ended.
    let start = SystemClock.now();
    let window = BlackoutInput {
        name: "pass".into(),
        enabled: Some(true),
        app: Some(app),
        first_start: Some(fmt(start - chrono::Duration::seconds(1))),
        first_end: Some(fmt(start + chrono::Duration::hours(1))),
        frequency: Some(rampart_domain::blackout::FrequencySpec {
            kind: "ONCE".into(),
            interval: Some(0),
        }),
        ..Default::default()
    };
    let pass = service.create_blackout(&admin, window).await.unwrap();
    for _ in 0..held {
        submit().await.unwrap();
    }
    let s = Instant::now();
    let r = service
        .enforce_blackouts(start + chrono::Duration::hours(2))
        .await
        .unwrap();
    let pass_time = s.elapsed();
    assert_eq!(r.released.len(), held);
    let s = Instant::now();
    service
        .enforce_blackouts(start + chrono::Duration::hours(2))
        .await
        .unwrap();
    let idle_pass = s.elapsed();
    println!(
        "one enforcement pass releasing {held} held scans: {pass_time:?}; \
         a pass with {held} PENDING scans and nothing to do: {idle_pass:?}"
    );
    service.delete_blackout(&admin, pass).await.unwrap();
    // Leave no queued scans behind for the next part.
    for sc in t
        .store()
        .list_scans(admin.org, &Visibility::All, &ListRequest::first(10_000))
        .await
        .unwrap()
        .items
    {
        t.store().end_job(admin.org, sc.id).await.ok();
        t.store()
            .transition_scan(admin.org, sc.id, sc.status, ScanStatus::Failed, None, None)
            .await
            .ok();
    }

    // (2b) Window end → PENDING with the server's loop on the wall clock.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let looper = {
        let service = service.clone();
        let mut stop = stop_rx;
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(EVERY) => {}
                    _ = stop.changed() => return,
                }
                if service.try_lead("blackouts").await.unwrap_or(false) {
                    let _ = service.enforce_blackouts(SystemClock.now()).await;
                }
            }
        })
    };
    let mut delays = Vec::new();
    for round in 0..rounds {
        let now = SystemClock.now();
        // Ends 1.5 s from now plus a sub-second offset, so ends fall anywhere in a tick.
        let end = now + chrono::Duration::milliseconds(1500 + (round as i64 * 137) % 1000);
        let input = BlackoutInput {
            name: format!("round {round}"),
            enabled: Some(true),
            app: Some(app),
            first_start: Some(fmt(now - chrono::Duration::seconds(1))),
            first_end: Some(fmt(end)),
            frequency: Some(rampart_domain::blackout::FrequencySpec {
                kind: "ONCE".into(),
                interval: Some(0),
            }),
            ..Default::default()
        };
        let b = service.create_blackout(&admin, input).await.unwrap();
        let id = submit().await.unwrap();
        let scan = t
            .store()
            .get_scan(admin.org, id, &Visibility::All)
            .await
            .unwrap();
        assert_eq!(scan.status, ScanStatus::BlackedOut);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let s = t
                .store()
                .get_scan(admin.org, id, &Visibility::All)
                .await
                .unwrap();
            if s.status == ScanStatus::Pending {
                let d = SystemClock.now() - end;
                delays.push(d.to_std().unwrap_or_default());
                break;
            }
            assert!(Instant::now() < deadline, "not queued within 10 s");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        service.delete_blackout(&admin, b).await.unwrap();
        t.store().end_job(admin.org, id).await.ok();
        t.store()
            .transition_scan(
                admin.org,
                id,
                ScanStatus::Pending,
                ScanStatus::Failed,
                None,
                None,
            )
            .await
            .ok();
    }
    let _ = stop_tx.send(true);
    let _ = looper.await;
    delays.sort();
    println!(
        "window end → PENDING over {rounds} rounds (loop every {EVERY:?}): p50 {:?} p99 {:?} max {:?}",
        pct(&delays, 0.5),
        pct(&delays, 0.99),
        delays.last().copied().unwrap_or_default()
    );
}
