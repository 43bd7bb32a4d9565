//! The one long-poll: try, and when nothing came, wait for a signal or a short poll.

use std::future::Future;
use std::time::Duration;
use tokio::sync::Notify;
use tokio::time::Instant;

/// Calls `attempt` until it yields a value or `wait` runs out. Between attempts it waits
/// for `signal` (fired with `notify_waiters` by whoever made a value available in this
/// process) or for `every` (values made available by another replica do not signal this
/// process). `Ok(None)` when `wait` ran out; an error of `attempt` ends the poll.
pub async fn long_poll<T, E, F, Fut>(
    signal: &Notify,
    every: Duration,
    wait: Duration,
    mut attempt: F,
) -> Result<Option<T>, E>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>, E>>,
{
    let deadline = Instant::now() + wait;
    loop {
        // Registered before the attempt: a signal sent while attempting is not lost.
        let notified = signal.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if let Some(v) = attempt().await? {
            return Ok(Some(v));
        }
        let now = Instant::now();
        if now >= deadline {
            return Ok(None);
        }
        let nap = every.max(Duration::from_millis(1)).min(deadline - now);
        let _ = tokio::time::timeout(nap, notified).await;
    }
}
