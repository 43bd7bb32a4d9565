//! Rate limits per tenant and per credential (reference appsecplus §2.7, decision 2):
//! fixed windows counted in the database, so N replicas share one budget instead of
//! multiplying it by N. One statement per request covers both policies.

use crate::{Service, ServiceResult};
use chrono::{DateTime, Utc};
use rampart_domain::Principal;

/// The limits; `None` turns a policy off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateLimitConfig {
    /// Requests per window for a whole tenant.
    pub tenant: Option<u64>,
    /// Requests per window for one credential (API key or OAuth client).
    pub credential: Option<u64>,
    /// The window, in seconds (at least 1).
    pub window_secs: u64,
    /// Failed client authentications one address may make at `/oauth/token` per window
    /// (brute force; appsecplus §2.1 "throttle the token endpoint per source IP").
    pub token_failures_per_ip: Option<u64>,
}

impl RateLimitConfig {
    pub const OFF: RateLimitConfig = RateLimitConfig {
        tenant: None,
        credential: None,
        window_secs: 60,
        token_failures_per_ip: None,
    };

    /// Whether no request limit applies (the token endpoint's failure limit aside).
    pub fn is_off(&self) -> bool {
        self.tenant.is_none() && self.credential.is_none()
    }
}

/// One policy's state after this request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RatePolicy {
    /// `tenant` or `credential`.
    pub name: &'static str,
    pub limit: u64,
    pub remaining: u64,
    /// Seconds until the window ends.
    pub reset: u64,
    pub window: u64,
}

/// The verdict on one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateDecision {
    pub policies: Vec<RatePolicy>,
    /// The policies this request went over (empty: allowed).
    pub violated: Vec<&'static str>,
}

impl RateDecision {
    /// The policy closest to its limit (for the legacy `RateLimit-*` triple).
    pub fn tightest(&self) -> Option<&RatePolicy> {
        self.policies
            .iter()
            .min_by_key(|p| (p.remaining, u64::MAX - p.reset))
    }
}

/// The fixed window holding `now`: its start (microseconds) and the seconds left in it.
fn window(now: DateTime<Utc>, w: u64) -> (i64, u64) {
    let secs = u64::try_from(now.timestamp()).unwrap_or(0);
    let start = secs - secs % w;
    let reset = (start + w - secs).max(1);
    (i64::try_from(start).unwrap_or(0) * 1_000_000, reset)
}

fn ip_bucket(ip: &str) -> String {
    format!("ip:{ip}")
}

impl Service {
    /// At `/oauth/token`: the seconds `ip` must wait when it spent its failed
    /// authentications of this window (the request is then refused before any secret is
    /// checked); `None` when it may try.
    pub async fn token_ip_blocked(
        &self,
        cfg: &RateLimitConfig,
        ip: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<Option<u64>> {
        let Some(limit) = cfg.token_failures_per_ip else {
            return Ok(None);
        };
        let (start, reset) = window(now, cfg.window_secs.max(1));
        let failures = self.store.rate_window_hits(&ip_bucket(ip), start).await?;
        Ok((failures >= limit).then_some(reset))
    }

    /// Counts a failed client authentication of `ip` at `/oauth/token`.
    pub async fn token_ip_failed(
        &self,
        cfg: &RateLimitConfig,
        ip: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        if cfg.token_failures_per_ip.is_none() {
            return Ok(());
        }
        let (start, _) = window(now, cfg.window_secs.max(1));
        self.store.hit_rate_windows(&[ip_bucket(ip)], start).await?;
        Ok(())
    }

    /// Counts this request against the caller's tenant and credential at `now` (the
    /// limiter's wall clock). `None` when no policy applies.
    pub async fn rate_hit(
        &self,
        cfg: &RateLimitConfig,
        p: &Principal,
        now: DateTime<Utc>,
    ) -> ServiceResult<Option<RateDecision>> {
        let w = cfg.window_secs.max(1);
        let mut named = Vec::new();
        if let Some(limit) = cfg.tenant {
            named.push(("tenant", limit, format!("t:{}", p.org)));
        }
        if let (Some(limit), Some(cred)) = (cfg.credential, p.credential) {
            named.push(("credential", limit, format!("c:{cred}")));
        }
        if named.is_empty() {
            return Ok(None);
        }
        let (start_micros, reset) = window(now, w);
        let buckets: Vec<String> = named.iter().map(|(_, _, b)| b.clone()).collect();
        let counts = self.store.hit_rate_windows(&buckets, start_micros).await?;
        let mut decision = RateDecision {
            policies: Vec::new(),
            violated: Vec::new(),
        };
        for ((name, limit, _), hits) in named.into_iter().zip(counts) {
            if hits > limit {
                decision.violated.push(name);
            }
            decision.policies.push(RatePolicy {
                name,
                limit,
                remaining: limit.saturating_sub(hits),
                reset,
                window: w,
            });
        }
        Ok(Some(decision))
    }
}
