//! The one retry policy of the job protocol and the API client: exponential backoff with
//! jitter, `min·2^n` capped at `max`, each delay drawn from the upper half of its cap.

use rand::Rng;
use std::time::Duration;

/// The delay before retry number `failures` (0-based) for the bounds `min`..`max`.
pub fn delay(min: Duration, max: Duration, failures: u32) -> Duration {
    let min = min.max(Duration::from_millis(1));
    let exp = min.saturating_mul(1u32 << failures.min(20));
    let cap = exp.min(max.max(min));
    let lo = cap / 2;
    let jitter = rand::thread_rng().gen_range(0..=(cap - lo).as_micros() as u64);
    lo + Duration::from_micros(jitter)
}

/// A retry loop's state: how many failures in a row so far.
#[derive(Clone, Debug)]
pub struct Backoff {
    min: Duration,
    max: Duration,
    failures: u32,
}

impl Backoff {
    pub fn new(min: Duration, max: Duration) -> Self {
        let min = min.max(Duration::from_millis(1));
        Self {
            min,
            max: max.max(min),
            failures: 0,
        }
    }

    /// The delay before the next try: `min·2^n` capped at `max`, drawn from its upper half.
    pub fn next_delay(&mut self) -> Duration {
        let d = delay(self.min, self.max, self.failures);
        self.failures = self.failures.saturating_add(1);
        d
    }

    pub fn reset(&mut self) {
        self.failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_and_stays_within_bounds() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_secs(1));
        let first = b.next_delay();
        assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
        for _ in 0..30 {
            let d = b.next_delay();
            assert!(d <= Duration::from_secs(1) && d >= Duration::from_millis(50));
        }
        assert!(b.next_delay() >= Duration::from_millis(500));
        b.reset();
        assert!(b.next_delay() <= Duration::from_millis(100));
    }
}
