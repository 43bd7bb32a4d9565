//! Conformance checks for `LeaderStore`.

use crate::Store;

/// SQLite always leads; a PostgreSQL store leads a duty it already leads (the PostgreSQL
/// suite checks that another replica does not).
pub async fn a_store_leads_a_duty_it_leads(s: &dyn Store) {
    assert!(s.try_lead("reaper-conformance").await.unwrap());
    assert!(s.try_lead("reaper-conformance").await.unwrap());
}
