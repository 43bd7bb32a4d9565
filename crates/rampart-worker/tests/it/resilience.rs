//! An unreliable platform: retried batches, outages, lease loss and expiry, refusals,
//! shutdown, and jobs that cannot run.

use crate::fake::{keys, FakeSource, Kind};
use crate::{config, modules, options, spec, testbed};
use rampart_domain::job::JobOutcome;
use rampart_domain::scan::FailureReason;
use rampart_domain::scan::ScanType;
use rampart_worker::{SlotExit, Worker, WorkerConfig};
use serde_json::json;
use std::collections::HashSet;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(120);

/// Passive modules and one active one: quick, with a few findings.
fn quick_modules() -> Vec<rampart_domain::job::JobModule> {
    modules(&[
        "x_frame_options",
        "cookie_flags",
        "version_disclosure",
        "open_redirect",
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_retried_batch_keeps_its_id() {
    let tb = testbed().await;
    let source = FakeSource::new();
    source.with(|st| st.fail_findings_next = 3);
    source.push(spec(options(&tb.base_url()), quick_modules()));
    let worker = Worker::new(config()).spawn(source.clone()).unwrap();
    source
        .wait_for("the outcome", LIMIT, |st| st.outcome().is_some())
        .await;
    worker.shutdown();
    worker.join().await;
    let st = source.state.lock().unwrap();
    assert_eq!(st.outcome(), Some(JobOutcome::Completed { partial: false }));
    let failed = st.failed_findings_attempts();
    assert_eq!(failed.len(), 3);
    assert!(failed.iter().all(|id| *id == failed[0]), "{failed:?}");
    assert_eq!(
        st.accepted[0].batch_id, failed[0],
        "the same batch went again"
    );
    // Every findings call that went through carried a batch not seen before.
    let ok: Vec<&str> = st
        .calls
        .iter()
        .filter_map(|c| match (&c.kind, &c.result) {
            (Kind::Findings(b), Ok(())) => Some(b.batch_id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(ok.len(), ok.iter().collect::<HashSet<_>>().len());
    assert!(!st.findings().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_outage_in_the_middle_loses_no_finding() {
    let tb = testbed().await;
    let source = FakeSource::new();
    // After the first batch, the next 25 calls about the job fail.
    source.with(|st| st.outage_after_first_batch = Some(25));
    source.push(spec(options(&tb.base_url()), quick_modules()));
    let worker = Worker::new(config()).spawn(source.clone()).unwrap();
    source
        .wait_for("the outcome", LIMIT, |st| st.outcome().is_some())
        .await;
    worker.shutdown();
    worker.join().await;
    let st = source.state.lock().unwrap();
    assert_eq!(st.outcome(), Some(JobOutcome::Completed { partial: false }));
    let failed: Vec<_> = st
        .calls
        .iter()
        .filter(|c| c.scan.is_some() && c.result.is_err())
        .collect();
    assert_eq!(failed.len(), 25, "the outage happened");
    // Every batch that failed was accepted later, and the engine's count of distinct
    // findings (the final heartbeat) is what the platform holds.
    let accepted: HashSet<&str> = st.accepted.iter().map(|b| b.batch_id.as_str()).collect();
    for id in st.failed_findings_attempts() {
        assert!(accepted.contains(id.as_str()), "batch {id} was lost");
    }
    let last = st.heartbeats().last().unwrap().details.clone();
    assert!(last.vulnerable > 1);
    assert_eq!(last.vulnerable as usize, keys(&st).len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lost_lease_cancels_the_scan_and_sends_nothing_more() {
    let tb = testbed().await;
    let source = FakeSource::new();
    let job = spec(
        options(&tb.base_url()),
        modules(&["sqli", "xss_reflected", "cmdi"]),
    );
    let scan = job.scan;
    source.push(job);
    let worker = Worker::new(config()).spawn(source.clone()).unwrap();
    source
        .wait_for("requests", LIMIT, |st| {
            st.heartbeats()
                .last()
                .is_some_and(|h| h.details.requests > 5)
        })
        .await;
    source.with(|st| st.lease_lost = true);
    source
        .wait_for("a new claim after the lease loss", LIMIT, |st| {
            let lost = st
                .calls
                .iter()
                .position(|c| c.result == Err(rampart_worker::SourceError::LeaseLost));
            lost.is_some_and(|i| st.calls[i..].iter().any(|c| matches!(c.kind, Kind::Claim)))
        })
        .await;
    let seen = tb.requests().len();
    let claims = source.with(|st| st.claims());
    source
        .wait_for("two more claims", LIMIT, |st| st.claims() >= claims + 2)
        .await;
    worker.shutdown();
    worker.join().await;
    let st = source.state.lock().unwrap();
    let job_calls: Vec<_> = st.calls.iter().filter(|c| c.scan == Some(scan)).collect();
    let lost = job_calls
        .iter()
        .position(|c| c.result.is_err())
        .expect("a refused call");
    assert_eq!(
        lost,
        job_calls.len() - 1,
        "nothing was sent after the lease was lost"
    );
    assert!(st.outcome().is_none());
    assert_eq!(
        tb.requests().len(),
        seen,
        "the engine stopped sending requests"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lease_that_expires_in_an_outage_is_given_up() {
    let tb = testbed().await;
    let source = FakeSource::new();
    let mut job = spec(
        options(&tb.base_url()),
        modules(&["sqli", "xss_reflected", "cmdi"]),
    );
    job.lease_seconds = 1;
    source.push(job);
    let worker = Worker::new(config()).spawn(source.clone()).unwrap();
    source
        .wait_for("a heartbeat", LIMIT, |st| !st.heartbeats().is_empty())
        .await;
    source.with(|st| st.outage = true);
    // Claims still work: the slot gives the job up and claims again.
    source
        .wait_for("a claim after the outage began", LIMIT, |st| {
            let first_fail = st.calls.iter().position(|c| c.result.is_err());
            first_fail.is_some_and(|i| st.calls[i..].iter().any(|c| matches!(c.kind, Kind::Claim)))
        })
        .await;
    let (ended, claims) = source.with(|st| {
        st.outage = false;
        (st.calls.len(), st.claims())
    });
    source
        .wait_for("another claim", LIMIT, |st| st.claims() > claims)
        .await;
    worker.shutdown();
    worker.join().await;
    let st = source.state.lock().unwrap();
    assert!(st.outcome().is_none());
    assert!(
        st.calls[ended..].iter().all(|c| c.scan.is_none()),
        "nothing more for the job once it was given up"
    );
    // It was given up only once the lease could no longer be valid.
    let failed: Vec<_> = st.calls.iter().filter(|c| c.result.is_err()).collect();
    assert!(failed.len() >= 3, "retried while the lease could be valid");
}

/// Shutdown while a claim's answer is on its way (the platform already leased the job):
/// the job is handed back at once, not left leased until the lease expires.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_job_claimed_as_shutdown_begins_is_handed_back() {
    let source = FakeSource::new();
    source.with(|st| st.claim_delay = Some(Duration::from_millis(500)));
    let job = spec(options("http://127.0.0.1:9"), quick_modules());
    let scan = job.scan;
    source.push(job);
    let worker = Worker::new(config()).spawn(source.clone()).unwrap();
    source
        .wait_for("the claim to lease the job", LIMIT, |st| st.claim_in_flight)
        .await;
    worker.shutdown();
    let exits = worker.join().await;
    assert_eq!(exits, vec![SlotExit::Shutdown]);
    let st = source.state.lock().unwrap();
    assert_eq!(st.released, vec![scan], "handed back without running");
    assert!(st.heartbeats().is_empty(), "the job never started");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn shutdown_stops_the_scan_flushes_and_hands_the_job_back() {
    let tb = testbed().await;
    let source = FakeSource::new();
    let opts = rampart_domain::options::overlay(
        &options(&tb.base_url()),
        &json!({"network_settings_config": {"drip_delay_milli_seconds": 20}}),
    );
    source.push(spec(
        opts,
        modules(&["x_frame_options", "sqli", "xss_reflected", "cmdi"]),
    ));
    let worker = Worker::new(config()).spawn(source.clone()).unwrap();
    source
        .wait_for("a finding", LIMIT, |st| !st.accepted.is_empty())
        .await;
    worker.shutdown();
    let exits = worker.join().await;
    assert_eq!(exits, vec![SlotExit::Shutdown]);
    let st = source.state.lock().unwrap();
    assert!(st.outcome().is_none(), "a handed-back job is not finished");
    assert_eq!(st.released.len(), 1, "and it is released explicitly");
    assert!(st
        .events()
        .iter()
        .any(|e| e.contains("handed back to the platform")));
    assert!(st.calls.iter().all(|c| c.result.is_ok()));
}

#[tokio::test]
async fn a_job_that_cannot_run_fails_with_the_reason() {
    let source = FakeSource::new();
    let opts = rampart_domain::options::overlay(
        &options("http://127.0.0.1:9"),
        &json!({"crawl_config": {"scope_constraint_list": [
            {"url": "http://127.0.0.1:9/(", "match_criteria": "REGEX", "exclusion": "INCLUDE"}
        ]}}),
    );
    // A job queued before recipes were stored whose options no longer compile reaches the
    // worker as an empty recipe carrying the reason.
    let why = crate::recipe_of(&opts, &["127.0.0.1"], ScanType::Regular, &[]).unwrap_err();
    let mut job = spec(options("http://127.0.0.1:9"), modules(&["sqli"]));
    job.recipe = rampart_domain::plan::Recipe {
        notes: vec![why.to_string()],
        ..Default::default()
    };
    source.push(job);
    let worker = Worker::new(config()).spawn(source.clone()).unwrap();
    source
        .wait_for("the outcome", LIMIT, |st| st.outcome().is_some())
        .await;
    worker.shutdown();
    worker.join().await;
    let st = source.state.lock().unwrap();
    match st.outcome() {
        Some(JobOutcome::Failed { reason, message }) => {
            assert_eq!(reason, FailureReason::ConfigurationInvalid);
            assert!(message.contains("regex"), "{message}");
        }
        o => panic!("{o:?}"),
    }
    assert!(st.events().iter().any(|e| e.contains("cannot start")));
}

#[tokio::test]
async fn an_unreachable_target_fails_with_network_unavailable() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let source = FakeSource::new();
    source.push(spec(
        options(&format!("http://127.0.0.1:{port}")),
        modules(&["x_frame_options"]),
    ));
    let worker = Worker::new(config()).spawn(source.clone()).unwrap();
    source
        .wait_for("the outcome", LIMIT, |st| st.outcome().is_some())
        .await;
    worker.shutdown();
    worker.join().await;
    assert!(matches!(
        source.with(|st| st.outcome()),
        Some(JobOutcome::Failed {
            reason: FailureReason::NetworkUnavailable,
            ..
        })
    ));
}

#[tokio::test]
async fn slots_have_unique_ids_and_a_refusal_stops_them() {
    let source = FakeSource::new();
    source.with(|st| st.refuse_claims = true);
    let w1 = Worker::new(WorkerConfig {
        slots: 3,
        ..config()
    });
    let w2 = Worker::new(config());
    let ids = w1.worker_ids();
    assert_eq!(ids.len(), 3);
    assert!(ids[0].starts_with("test-") && ids[0].ends_with(":0"));
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 3);
    assert_ne!(ids[0], w2.worker_ids()[0], "a random part per worker");
    let h = w1.spawn(source.clone()).unwrap();
    let exits = tokio::time::timeout(Duration::from_secs(10), h.join())
        .await
        .unwrap();
    assert_eq!(exits, vec![SlotExit::Refused("revoked".into()); 3]);
}

#[tokio::test]
async fn an_empty_queue_is_long_polled_not_spun() {
    let source = FakeSource::new();
    let worker = Worker::new(WorkerConfig {
        claim_wait: Duration::from_millis(300),
        ..config()
    })
    .spawn(source.clone())
    .unwrap();
    let started = std::time::Instant::now();
    source
        .wait_for("three claims", LIMIT, |st| st.claims() >= 3)
        .await;
    assert!(started.elapsed() >= Duration::from_millis(600));
    worker.shutdown();
    assert_eq!(worker.join().await, vec![SlotExit::Shutdown]);
}
