//! Actions: PAUSE, RESUME, STOP, CANCEL, from heartbeat replies and from the action
//! long-poll.

use crate::fake::{FakeSource, State};
use crate::{config, modules, options, spec, testbed};
use rampart_domain::job::JobOutcome;
use rampart_domain::scan::{ScanAction, ScanStatus};
use rampart_worker::Worker;
use serde_json::json;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(60);

/// A job that runs for a while: active modules, a drip delay.
fn slow_job(base: &str) -> rampart_domain::job::JobSpec {
    let opts = rampart_domain::options::overlay(
        &options(base),
        &json!({"network_settings_config": {"drip_delay_milli_seconds": 20}}),
    );
    spec(opts, modules(&["sqli", "xss_reflected", "cmdi"]))
}

fn requests(st: &State) -> i64 {
    st.heartbeats()
        .last()
        .map(|h| h.details.requests)
        .unwrap_or(0)
}

/// The last `n` heartbeats have `status` and the same request count.
fn settled(st: &State, status: ScanStatus, n: usize) -> bool {
    let hbs = st.heartbeats();
    hbs.len() >= n
        && hbs[hbs.len() - n..].iter().all(|h| {
            h.status == status && h.details.requests == hbs[hbs.len() - 1].details.requests
        })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pause_resume_then_stop() {
    let tb = testbed().await;
    let source = FakeSource::new();
    source.push(slow_job(&tb.base_url()));
    let worker = Worker::new(config()).spawn(source.clone()).unwrap();
    source
        .wait_for("requests", LIMIT, |st| requests(st) > 5)
        .await;

    source.with(|st| st.actions.push_back(ScanAction::Pause));
    source
        .wait_for("a paused, idle engine", LIMIT, |st| {
            settled(st, ScanStatus::Paused, 4)
        })
        .await;
    let (paused_at, tb_paused) = (source.with(|st| requests(st)), tb.requests().len());
    assert!(source.with(|st| st.events().iter().any(|e| e.contains("PAUSE received"))));
    assert!(source.with(|st| st.outcome().is_none()));

    source.with(|st| st.actions.push_back(ScanAction::Resume));
    source
        .wait_for("a running engine again", LIMIT, |st| {
            st.heartbeats()
                .last()
                .is_some_and(|h| h.status == ScanStatus::Running && h.details.requests > paused_at)
        })
        .await;
    // The engine counts a request when it sends it; the testbed logs it when it has
    // answered: wait for the testbed to see traffic again.
    let deadline = std::time::Instant::now() + LIMIT;
    while tb.requests().len() <= tb_paused {
        assert!(
            std::time::Instant::now() < deadline,
            "the testbed saw no request after RESUME"
        );
        tokio::task::yield_now().await;
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }

    source.with(|st| st.actions.push_back(ScanAction::Stop));
    source
        .wait_for("the outcome", LIMIT, |st| st.outcome().is_some())
        .await;
    assert_eq!(source.with(|st| st.outcome()), Some(JobOutcome::Stopped));
    assert!(source.with(|st| st
        .heartbeats()
        .iter()
        .any(|h| h.status == ScanStatus::Stopping)));
    worker.shutdown();
    worker.join().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cancel_ends_the_scan_as_canceled() {
    let tb = testbed().await;
    let source = FakeSource::new();
    source.push(slow_job(&tb.base_url()));
    let worker = Worker::new(config()).spawn(source.clone()).unwrap();
    source
        .wait_for("requests", LIMIT, |st| requests(st) > 5)
        .await;
    source.with(|st| st.actions.push_back(ScanAction::Cancel));
    source
        .wait_for("the outcome", LIMIT, |st| st.outcome().is_some())
        .await;
    worker.shutdown();
    worker.join().await;
    let st = source.state.lock().unwrap();
    assert_eq!(st.outcome(), Some(JobOutcome::Canceled));
    assert_eq!(
        st.heartbeats().last().unwrap().status,
        ScanStatus::Canceling
    );
}

/// An action the heartbeats never carry reaches the engine through the action long-poll:
/// with heartbeats 30 s apart, STOP still ends the scan long before the next one.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stop_reaches_the_engine_through_the_action_poll() {
    let tb = testbed().await;
    let source = FakeSource::new();
    let mut job = slow_job(&tb.base_url());
    job.lease_seconds = 600;
    source.push(job);
    let cfg = rampart_worker::WorkerConfig {
        heartbeat_every: Duration::from_secs(30),
        action_wait: Duration::from_secs(20),
        ..config()
    };
    let worker = Worker::new(cfg).spawn(source.clone()).unwrap();
    source
        .wait_for("the engine's first requests", LIMIT, |st| {
            tb.requests().len() > 5 && !st.heartbeats().is_empty()
        })
        .await;
    let beats = source.with(|st| st.heartbeats().len());
    let asked = std::time::Instant::now();
    source.with(|st| st.polled_actions.push_back(ScanAction::Stop));
    source
        .wait_for("the outcome", LIMIT, |st| st.outcome().is_some())
        .await;
    assert_eq!(source.with(|st| st.outcome()), Some(JobOutcome::Stopped));
    assert!(
        asked.elapsed() < Duration::from_secs(20),
        "stopped by the poll, not at a heartbeat 30 s later"
    );
    // Only the status report STOP triggers and the final heartbeat came after it.
    assert!(source.with(|st| st.heartbeats().len()) <= beats + 2);
    assert!(source.with(|st| st.events().iter().any(|e| e.contains("STOP received"))));
    worker.shutdown();
    worker.join().await;
}
