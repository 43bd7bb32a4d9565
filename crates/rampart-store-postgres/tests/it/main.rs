//! The storage conformance suite on PostgreSQL: one fresh schema per test.
//!
//! `RAMPART_TEST_PG_URL` selects the server (default: the local one, see
//! `rampart_store_postgres::test_url`); without a server the suite fails, never skips.

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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_schedule_firings_fire_once() {
    let Some(s) = store().await else { return };
    rampart_store::conformance::schedule_firing_race(std::sync::Arc::from(s)).await;
}

/// One replica at a time leads a duty; when its connection goes, another takes over.
#[tokio::test]
async fn one_replica_leads_a_duty() {
    use rampart_store::LeaderStore;
    // The schema lives as long as `keeper` (its guard drops it); `a` and `b` are two
    // replicas on it, and `a` goes away below.
    let Some(keeper) = rampart_store_postgres::test_store("rampart_test").await else {
        return;
    };
    let schema: String = sqlx::query_scalar("SELECT current_schema()")
        .fetch_one(keeper.pool())
        .await
        .unwrap();
    let url = rampart_store_postgres::test_url();
    let a = rampart_store_postgres::connect(&url, Some(&schema))
        .await
        .unwrap();
    let b = rampart_store_postgres::connect(&url, Some(&schema))
        .await
        .unwrap();
    assert!(a.try_lead("reaper").await.unwrap());
    assert!(
        a.try_lead("reaper").await.unwrap(),
        "a leader keeps leading"
    );
    assert!(!b.try_lead("reaper").await.unwrap(), "one leader at a time");
    assert!(
        b.try_lead("other-duty").await.unwrap(),
        "duties are independent"
    );
    // The leader goes away (its lock connection closes): the other takes over.
    drop(a);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !b.try_lead("reaper").await.unwrap() {
        assert!(std::time::Instant::now() < deadline, "no takeover");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
