//! Integration tests of the engine against in-process fixtures.

mod address;
mod budgets;
mod detect;
mod fixture;
mod limits;
mod login;
mod pki;
mod retry;
mod safe;
mod scan;
mod seeds;
mod testbed;

use rampart_engine::http::ReqwestTransport;
use rampart_engine::{Event, ScanPlan, Summary};
use std::sync::Arc;
use std::time::Duration;

/// Runs a plan to the end and returns its summary and every event.
pub async fn run(plan: ScanPlan) -> (Summary, Vec<Event>) {
    let transport = Arc::new(ReqwestTransport::new(false).unwrap());
    let (handle, mut rx) = rampart_engine::start(plan, transport, None).unwrap();
    let mut events = Vec::new();
    while let Some(e) = rx.recv().await {
        let done = matches!(e, Event::Finished(_));
        events.push(e);
        if done {
            break;
        }
    }
    let summary = tokio::time::timeout(Duration::from_secs(30), handle.wait())
        .await
        .unwrap()
        .unwrap();
    (summary, events)
}
