//! When to retry and how long to wait: the protocol's one backoff policy
//! ([`rampart_protocol::backoff`]), overridden by the server's `Retry-After` and
//! `RateLimit-Reset` headers.

use reqwest::header::HeaderMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How a [`Client`](crate::Client) retries.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 = never retry).
    pub max_retries: u32,
    /// Backoff before the first retry; doubled for each further one.
    pub base_delay: Duration,
    /// No single wait is longer than this, whatever the server asks for.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 4,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// Exponential backoff for retry number `attempt` (0-based), with jitter: the policy
    /// the scan worker uses too (`base·2^n` capped at `max_delay`, from its upper half).
    pub fn backoff(&self, attempt: u32) -> Duration {
        rampart_protocol::backoff::delay(self.base_delay, self.max_delay, attempt)
    }

    /// The wait before retrying: what the server asked for, else backoff; capped.
    pub fn wait(&self, attempt: u32, headers: &HeaderMap) -> Duration {
        server_wait(headers)
            .unwrap_or_else(|| self.backoff(attempt))
            .min(self.max_delay)
    }
}

/// Statuses worth retrying: rate limited, or the server/proxy is momentarily unavailable.
pub fn retryable_status(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
}

/// `Retry-After` (seconds or HTTP date), else `RateLimit-Reset` when `RateLimit-Remaining`
/// is 0 (see [`rate_limit_wait`]).
pub fn server_wait(headers: &HeaderMap) -> Option<Duration> {
    if let Some(v) = header(headers, "retry-after") {
        if let Ok(secs) = v.trim().parse::<u64>() {
            return Some(Duration::from_secs(secs));
        }
        if let Ok(at) = httpdate::parse_http_date(v.trim()) {
            return Some(at.duration_since(SystemTime::now()).unwrap_or_default());
        }
    }
    rate_limit_wait(headers)
}

/// When `RateLimit-Remaining` is 0: how long until `RateLimit-Reset`. The IETF draft gives
/// the reset as delta seconds; some servers send epoch seconds — values past 10^9 are read
/// as an instant.
pub fn rate_limit_wait(headers: &HeaderMap) -> Option<Duration> {
    let remaining: u64 = header(headers, "ratelimit-remaining")?
        .trim()
        .parse()
        .ok()?;
    if remaining > 0 {
        return None;
    }
    let reset: u64 = header(headers, "ratelimit-reset")?.trim().parse().ok()?;
    if reset > 1_000_000_000 {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Some(Duration::from_secs(reset.saturating_sub(now)))
    } else {
        Some(Duration::from_secs(reset))
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (n, v) in pairs {
            h.insert(
                HeaderName::from_bytes(n.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    #[test]
    fn retry_after_wins_then_rate_limit_reset_then_backoff() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.wait(
                0,
                &headers(&[("Retry-After", "3"), ("RateLimit-Reset", "9")])
            ),
            Duration::from_secs(3)
        );
        assert_eq!(
            p.wait(
                0,
                &headers(&[("RateLimit-Remaining", "0"), ("RateLimit-Reset", "7")])
            ),
            Duration::from_secs(7)
        );
        // Remaining > 0: the reset does not matter.
        let w = p.wait(
            0,
            &headers(&[("RateLimit-Remaining", "5"), ("RateLimit-Reset", "7")]),
        );
        assert!(w < Duration::from_secs(1), "{w:?}");
        // Capped.
        assert_eq!(
            p.wait(0, &headers(&[("Retry-After", "100000")])),
            p.max_delay
        );
    }

    #[test]
    fn http_dates_and_epoch_resets_are_instants() {
        let in_5s = SystemTime::now() + Duration::from_secs(5);
        let w = server_wait(&headers(&[(
            "Retry-After",
            &httpdate::fmt_http_date(in_5s),
        )]))
        .unwrap();
        assert!(
            w <= Duration::from_secs(5) && w >= Duration::from_secs(3),
            "{w:?}"
        );
        let epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 4;
        let w = rate_limit_wait(&headers(&[
            ("RateLimit-Remaining", "0"),
            ("RateLimit-Reset", &epoch.to_string()),
        ]))
        .unwrap();
        assert!(
            w <= Duration::from_secs(4) && w >= Duration::from_secs(2),
            "{w:?}"
        );
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
        };
        for _ in 0..20 {
            let b0 = p.backoff(0);
            assert!(b0 >= Duration::from_millis(50) && b0 <= Duration::from_millis(100));
            let b2 = p.backoff(2);
            assert!(b2 >= Duration::from_millis(200) && b2 <= Duration::from_millis(400));
            let b10 = p.backoff(10);
            assert!(b10 >= Duration::from_millis(500) && b10 <= Duration::from_secs(1));
        }
        assert!(retryable_status(429) && retryable_status(503) && !retryable_status(500));
    }
}
