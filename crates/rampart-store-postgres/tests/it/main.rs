//! The storage conformance suite on PostgreSQL: one fresh schema per test.
//!
//! `RAMPART_TEST_PG_URL` selects the server. Without it the suite fails under CI
//! (`CI` set) and is skipped with a notice elsewhere.

use rampart_store::Store;

async fn store() -> Option<Box<dyn Store>> {
    let s = rampart_store_postgres::test_store("rampart_test").await?;
    Some(Box::new(s))
}

rampart_store::conformance_suite!(store);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_claimers_skip_locked_rows() {
    let Some(s) = store().await else { return };
    rampart_store::conformance::claims_race(std::sync::Arc::from(s)).await;
}
