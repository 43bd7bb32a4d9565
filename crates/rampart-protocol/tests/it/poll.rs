//! `long_poll`: answered at once by a signal, by the short poll, or empty at the deadline.

use rampart_protocol::poll::long_poll;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio::time::Instant;

#[tokio::test]
async fn a_signal_answers_at_once() {
    let signal = Arc::new(Notify::new());
    let ready = Arc::new(AtomicBool::new(false));
    let (s, r) = (signal.clone(), ready.clone());
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        r.store(true, Ordering::SeqCst);
        s.notify_waiters();
    });
    let started = Instant::now();
    let got: Result<Option<u8>, ()> = long_poll(
        &signal,
        Duration::from_secs(60),
        Duration::from_secs(60),
        || {
            let ready = ready.clone();
            async move { Ok(ready.load(Ordering::SeqCst).then_some(7)) }
        },
    )
    .await;
    assert_eq!(got, Ok(Some(7)));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "woken by the signal"
    );
}

#[tokio::test]
async fn the_short_poll_finds_what_no_one_signalled() {
    let signal = Notify::new();
    let tries = AtomicU32::new(0);
    let got: Result<Option<u32>, ()> = long_poll(
        &signal,
        Duration::from_millis(5),
        Duration::from_secs(60),
        || {
            let n = tries.fetch_add(1, Ordering::SeqCst);
            async move { Ok((n == 3).then_some(n)) }
        },
    )
    .await;
    assert_eq!(got, Ok(Some(3)));
}

#[tokio::test]
async fn empty_at_the_deadline_and_errors_end_the_poll() {
    let signal = Notify::new();
    let got: Result<Option<u8>, ()> = long_poll(
        &signal,
        Duration::from_millis(5),
        Duration::from_millis(30),
        || async { Ok(None) },
    )
    .await;
    assert_eq!(got, Ok(None));
    let err: Result<Option<u8>, &str> = long_poll(
        &signal,
        Duration::from_millis(5),
        Duration::from_secs(60),
        || async { Err("down") },
    )
    .await;
    assert_eq!(err, Err("down"));
}
