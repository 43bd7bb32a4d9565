//! Access-token issuance and validation cost, and the rate limiter's cost per request on
//! each database. `cargo bench -p rampart-service --bench oauth` (PostgreSQL figures only
//! with `RAMPART_TEST_PG_URL`).

use criterion::{criterion_group, criterion_main, Criterion};
use rampart_domain::time::{Clock, SystemClock};
use rampart_domain::*;
use rampart_service::{OAuthClientInput, RateLimitConfig, Service};
use rampart_store::Store;
use std::sync::Arc;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn service(
    store: Arc<dyn Store>,
) -> (Service, Principal, rampart_domain::oauth::OAuthClient) {
    let s = Service::new(store, Arc::new(SystemClock) as Arc<dyn Clock>, &[]);
    let boot = s.bootstrap().await.unwrap().unwrap();
    let admin = s.authenticate(&boot.token).await.unwrap();
    let client = s
        .create_oauth_client(
            &admin,
            OAuthClientInput {
                scopes: Some("admin".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .client;
    (s, admin, client)
}

fn bench(c: &mut Criterion) {
    let rt = rt();
    let mut stores: Vec<(&str, Arc<dyn Store>)> = vec![(
        "sqlite",
        Arc::new(
            rt.block_on(rampart_store_sqlite::connect("sqlite::memory:"))
                .unwrap(),
        ),
    )];
    if let Some(pg) = rt.block_on(rampart_store_postgres::test_store("rampart_bench_oauth")) {
        stores.push(("postgres", Arc::new(pg)));
    }
    let issuer = "http://rampart.test";
    for (db, store) in stores {
        let (s, admin, client) = rt.block_on(service(store));
        let token = rt
            .block_on(s.issue_token(issuer, &client, Some("client_credentials"), None))
            .unwrap()
            .access_token;
        if db == "sqlite" {
            // Signing only touches the database when the key ring is stale (every 30 s).
            c.bench_function("oauth/issue_token", |b| {
                b.iter(|| {
                    rt.block_on(s.issue_token(issuer, &client, Some("client_credentials"), None))
                        .unwrap()
                })
            });
        }
        c.bench_function(&format!("oauth/validate_bearer/{db}"), |b| {
            b.iter(|| rt.block_on(s.authenticate_bearer(issuer, &token)).unwrap())
        });
        c.bench_function(&format!("auth/api_key/{db}"), |b| {
            b.iter(|| {
                rt.block_on(s.authenticate("rmp_not_a_key_of_this_database_xxxxxxxxxxxx"))
                    .ok()
            })
        });
        let limits = RateLimitConfig {
            tenant: Some(u64::MAX / 2),
            credential: Some(u64::MAX / 2),
            window_secs: 60,
            token_failures_per_ip: None,
        };
        let caller = Principal {
            credential: Some(client.id.0),
            ..admin.clone()
        };
        c.bench_function(&format!("rate_limit/hit/{db}"), |b| {
            b.iter(|| {
                rt.block_on(s.rate_hit(&limits, &caller, chrono::Utc::now()))
                    .unwrap()
            })
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
