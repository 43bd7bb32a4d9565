//! The rate limiter's and the audit layer's cost per mutation: `PUT /ias/v1/apps/{id}` (a
//! rename) over real HTTP on the same service and database, through three servers:
//! `limited` (the server's app with rate limits on: one upsert of the tenant and credential
//! windows per request, plus the audit layer), `audited` (the same app with limits off: a
//! state read before and after through the router, the diff, one insert) and `plain` (the
//! same routes without the layer, limits off). Interleaved in rounds so all see the same
//! database size; limiter = limited − audited, audit = audited − plain.
//!
//! ```sh
//! cargo run --release -p rampart-server --example audit_bench -- sqlite
//! RAMPART_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/test \
//!   cargo run --release -p rampart-server --example audit_bench -- postgres
//! ```
//! Environment (defaults): REQUESTS=2000 (per variant), ROUNDS=10. SQLite runs on a
//! temporary file (WAL), as `rampart server` does. Not a test: it never runs under `cargo test`.

use rampart_server::{AppState, ServerConfig};
use rampart_testkit::{Backend, TestApp};
use std::time::{Duration, Instant};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// p50 and p99 in microseconds, and the mean.
fn stats(mut v: Vec<Duration>) -> (f64, f64, f64) {
    v.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    let at = |q: f64| us(v[((v.len() as f64 - 1.0) * q) as usize]);
    let mean = v.iter().map(|d| us(*d)).sum::<f64>() / v.len() as f64;
    (at(0.5), at(0.99), mean)
}

#[tokio::main]
async fn main() {
    let backend = match std::env::args().nth(1).as_deref() {
        Some("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    };
    let requests = env("REQUESTS", 2000);
    let rounds = env("ROUNDS", 10).max(1);
    let dir = std::env::temp_dir().join(format!("rampart-audit-bench-{}", uuid::Uuid::new_v4()));
    // Budgets no run reaches: every request is counted, none refused.
    let limits = rampart_service::RateLimitConfig {
        tenant: Some(u64::MAX / 4),
        credential: Some(u64::MAX / 4),
        window_secs: 60,
        token_failures_per_ip: None,
    };
    let mut builder = TestApp::builder().backend(backend).rate_limits(limits);
    if backend == Backend::Sqlite {
        std::fs::create_dir_all(&dir).expect("temp dir");
        builder = builder.sqlite_url(&format!("sqlite://{}", dir.join("bench.db").display()));
    }
    let Some(t) = builder.spawn().await else {
        eprintln!("set RAMPART_TEST_PG_URL for PostgreSQL");
        return;
    };
    // The same service, limits off: with the audit layer, and without it.
    let mut bases = Vec::new();
    for audited in [true, false] {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = AppState::new(t.service.clone(), &ServerConfig::new(&base));
        let app = if audited {
            rampart_server::app(state)
        } else {
            rampart_server::unaudited_app_for_benchmarks(state)
        };
        tokio::spawn(rampart_server::serve(listener, app, std::future::pending()));
        bases.push(base);
    }
    let (audited_base, plain) = (bases[0].clone(), bases[1].clone());
    let app = t.fx_app("bench").await;
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let key = t.keys.admin.token.clone();
    let mut limited = Vec::with_capacity(requests);
    let mut audited = Vec::with_capacity(requests);
    let mut unaudited = Vec::with_capacity(requests);
    let per_round = requests / rounds;
    let mut n = 0u64;
    for _ in 0..rounds {
        for (base, out) in [
            (&t.base, &mut limited),
            (&audited_base, &mut audited),
            (&plain, &mut unaudited),
        ] {
            for _ in 0..per_round {
                n += 1;
                let started = Instant::now();
                let r = http
                    .put(format!("{base}/ias/v1/apps/{app}"))
                    .header("X-Api-Key", &key)
                    .header("Content-Type", "application/json")
                    .body(
                        serde_json::json!({"name": format!("bench {n}"), "description": "x"})
                            .to_string(),
                    )
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status().as_u16(), 200);
                out.push(started.elapsed());
            }
        }
    }
    let (l50, l99, lmean) = stats(limited);
    let (a50, a99, amean) = stats(audited);
    let (u50, u99, umean) = stats(unaudited);
    println!(
        "{backend:?}: PUT /apps/{{id}} x{} each\n  limited+audited p50 {l50:.0} µs  p99 {l99:.0} µs  mean {lmean:.0} µs\n  audited         p50 {a50:.0} µs  p99 {a99:.0} µs  mean {amean:.0} µs\n  plain           p50 {u50:.0} µs  p99 {u99:.0} µs  mean {umean:.0} µs\n  rate limiter    p50 {:.0} µs  mean {:.0} µs per request\n  audit layer     p50 {:.0} µs  mean {:.0} µs per mutation",
        per_round * rounds,
        l50 - a50,
        lmean - amean,
        a50 - u50,
        amean - umean
    );
    drop(t);
    let _ = std::fs::remove_dir_all(&dir);
}
