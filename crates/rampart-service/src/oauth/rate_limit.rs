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
}

impl RateLimitConfig {
    pub const OFF: RateLimitConfig = RateLimitConfig {
        tenant: None,
        credential: None,
        window_secs: 60,
    };

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

impl Service {
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
        let secs = u64::try_from(now.timestamp()).unwrap_or(0);
        let start = secs - secs % w;
        let reset = (start + w - secs).max(1);
        let buckets: Vec<String> = named.iter().map(|(_, _, b)| b.clone()).collect();
        let start_micros = i64::try_from(start).unwrap_or(0) * 1_000_000;
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
