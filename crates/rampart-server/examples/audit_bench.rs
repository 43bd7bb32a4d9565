//! The audit layer's cost per mutation: `PUT /ias/v1/apps/{id}` (a rename) over real HTTP
//! on the same service and database, once through the server's app (audited: a state read
//! before and after through the router, the diff, one insert) and once through the same
//! routes without the layer, interleaved in rounds so both see the same database size.
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
    let mut builder = TestApp::builder().backend(backend);
    if backend == Backend::Sqlite {
        std::fs::create_dir_all(&dir).expect("temp dir");
        builder = builder.sqlite_url(&format!("sqlite://{}", dir.join("bench.db").display()));
    }
    let Some(t) = builder.spawn().await else {
        eprintln!("set RAMPART_TEST_PG_URL for PostgreSQL");
        return;
    };
    // The same service behind the app without the layer, on a second port.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let plain = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::new(t.service.clone(), &ServerConfig::new(&plain));
    tokio::spawn(rampart_server::serve(
        listener,
        rampart_server::unaudited_app_for_benchmarks(state),
        std::future::pending(),
    ));
    let app = t.fx_app("bench").await;
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let key = t.keys.admin.token.clone();
    let mut audited = Vec::with_capacity(requests);
    let mut unaudited = Vec::with_capacity(requests);
    let per_round = requests / rounds;
    let mut n = 0u64;
    for _ in 0..rounds {
        for (base, out) in [(&t.base, &mut audited), (&plain, &mut unaudited)] {
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
    let (a50, a99, amean) = stats(audited);
    let (u50, u99, umean) = stats(unaudited);
    println!(
        "{backend:?}: PUT /apps/{{id}} x{} each\n  audited    p50 {a50:.0} µs  p99 {a99:.0} µs  mean {amean:.0} µs\n  unaudited  p50 {u50:.0} µs  p99 {u99:.0} µs  mean {umean:.0} µs\n  overhead   p50 {:.0} µs  mean {:.0} µs per mutation",
        per_round * rounds,
        a50 - u50,
        amean - umean
    );
    drop(t);
    let _ = std::fs::remove_dir_all(&dir);
}
