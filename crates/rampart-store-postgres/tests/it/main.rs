//! The storage conformance suite on PostgreSQL: one fresh schema per test.
//!
//! `RAMPART_TEST_PG_URL` selects the server. Without it the suite fails under CI
//! (`CI` set) and is skipped with a notice elsewhere.

use rampart_store::Store;

async fn store() -> Option<Box<dyn Store>> {
    let Ok(url) = std::env::var("RAMPART_TEST_PG_URL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "RAMPART_TEST_PG_URL must be set in CI"
        );
        eprintln!("RAMPART_TEST_PG_URL is not set: skipping the PostgreSQL conformance test");
        return None;
    };
    let schema = format!("rampart_test_{}", uuid::Uuid::new_v4().simple());
    let admin = sqlx::PgPool::connect(&url)
        .await
        .expect("connect to RAMPART_TEST_PG_URL");
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&admin)
        .await
        .expect("create schema");
    admin.close().await;
    let s = rampart_store_postgres::connect(&url, Some(&schema))
        .await
        .expect("connect with schema");
    Some(Box::new(s))
}

rampart_store::conformance_suite!(store);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_claimers_skip_locked_rows() {
    let Some(s) = store().await else { return };
    rampart_store::conformance::claims_race(std::sync::Arc::from(s)).await;
}
