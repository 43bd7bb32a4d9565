//! What a running scan reports: events, live counters and the final summary.

use crate::finding::{Finding, Variance};
use serde::Serialize;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::Instant;

/// Live counters; field names match `ScanExecutionDetails`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Progress {
    pub links_in_queue: u64,
    pub links_crawled: u64,
    pub attacks_in_queue: u64,
    pub attacked: u64,
    pub vulnerable: u64,
    pub requests: u64,
    pub failed_requests: u64,
    /// Bytes received per second since the scan started.
    pub network_speed: u64,
    /// Milliseconds between two requests to one host.
    pub drip_delay: u64,
    pub logged_in: bool,
}

/// Shared atomic counters behind [`Progress`].
#[derive(Debug)]
pub(crate) struct Counters {
    pub links_in_queue: AtomicU64,
    pub links_crawled: AtomicU64,
    pub attacks_in_queue: AtomicU64,
    pub attacked: AtomicU64,
    pub vulnerable: AtomicU64,
    pub requests: AtomicU64,
    pub failed_requests: AtomicU64,
    pub bytes: AtomicU64,
    pub drip_delay: AtomicU64,
    pub logged_in: AtomicBool,
    pub started: Instant,
}

impl Counters {
    pub fn new(drip_ms: u64) -> Self {
        Self {
            links_in_queue: AtomicU64::new(0),
            links_crawled: AtomicU64::new(0),
            attacks_in_queue: AtomicU64::new(0),
            attacked: AtomicU64::new(0),
            vulnerable: AtomicU64::new(0),
            requests: AtomicU64::new(0),
            failed_requests: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            drip_delay: AtomicU64::new(drip_ms),
            logged_in: AtomicBool::new(false),
            started: Instant::now(),
        }
    }

    pub fn snapshot(&self) -> Progress {
        let secs = self.started.elapsed().as_secs_f64().max(0.001);
        Progress {
            links_in_queue: self.links_in_queue.load(Relaxed),
            links_crawled: self.links_crawled.load(Relaxed),
            attacks_in_queue: self.attacks_in_queue.load(Relaxed),
            attacked: self.attacked.load(Relaxed),
            vulnerable: self.vulnerable.load(Relaxed),
            requests: self.requests.load(Relaxed),
            failed_requests: self.failed_requests.load(Relaxed),
            network_speed: (self.bytes.load(Relaxed) as f64 / secs) as u64,
            drip_delay: self.drip_delay.load(Relaxed),
            logged_in: self.logged_in.load(Relaxed),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Level {
    Info,
    Warn,
    Error,
}

/// A limit the scan reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitKind {
    MaxDuration,
    MaxRequests,
    MaxCrawlResults,
    MaxFindings,
    ResponseSize,
    /// URLs of one (method, path pattern, parameter names) beyond `max_per_pattern`.
    MaxPerPattern,
    /// URLs deeper than `max_depth` links from a seed.
    MaxDepth,
    /// Directories or files beyond the sensitive-file and listing probe budget.
    ProbeBudget,
    /// Pages on which a cookie of the session was not attacked (it is attacked on a bounded
    /// number of pages besides the one that sets it).
    CookieBudget,
}

impl LimitKind {
    pub const ALL: [LimitKind; 9] = [
        LimitKind::MaxDuration,
        LimitKind::MaxRequests,
        LimitKind::MaxCrawlResults,
        LimitKind::MaxFindings,
        LimitKind::ResponseSize,
        LimitKind::MaxPerPattern,
        LimitKind::MaxDepth,
        LimitKind::ProbeBudget,
        LimitKind::CookieBudget,
    ];

    /// The name the events, reports and the platform use (its serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            LimitKind::MaxDuration => "max_duration",
            LimitKind::MaxRequests => "max_requests",
            LimitKind::MaxCrawlResults => "max_crawl_results",
            LimitKind::MaxFindings => "max_findings",
            LimitKind::ResponseSize => "response_size",
            LimitKind::MaxPerPattern => "max_per_pattern",
            LimitKind::MaxDepth => "max_depth",
            LimitKind::ProbeBudget => "probe_budget",
            LimitKind::CookieBudget => "cookie_budget",
        }
    }

    /// The kind of an [`as_str`](Self::as_str) name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Why a discovered URL was not visited.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    OutOfScope,
    Logout,
    DuplicatePattern,
    PatternLimit,
    DepthLimit,
    CrawlLimit,
    Budget,
    Soft404,
    NotFound,
    Stopped,
    /// The request failed (timeout, connection refused or closed, invalid request).
    RequestFailed,
}

/// One event of the stream.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    Log {
        level: Level,
        message: String,
    },
    Progress(Progress),
    /// A new confirmed finding; stream it out (persist it) right away.
    Finding(Box<Finding>),
    /// A repeat of an already reported finding.
    Variance {
        finding_id: uuid::Uuid,
        variance: Box<Variance>,
    },
    LimitReached {
        limit: LimitKind,
        detail: String,
    },
    Skipped {
        url: String,
        reason: SkipReason,
    },
    LoggedIn,
    /// The session was lost and could not be restored.
    SessionLost {
        message: String,
    },
    Finished(Box<Summary>),
}

/// How the scan ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Outcome {
    Complete,
    /// A limit cut the scan short.
    Incomplete,
    Stopped,
    Cancelled,
    Failed,
}

/// The final report of a scan.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub outcome: Outcome,
    pub progress: Progress,
    pub duration_ms: u64,
    pub limits_reached: Vec<LimitKind>,
    /// One line per limit reached: which setting, and what it left out (counts, examples).
    pub limit_details: Vec<String>,
    pub findings: Vec<Finding>,
    /// The pages crawled, as `METHOD URL` (`GET http://a.example/`, `POST http://…/search`).
    pub crawled: Vec<String>,
    /// Count of URLs not visited, per reason.
    pub skipped: std::collections::BTreeMap<SkipReason, u64>,
    /// The first skipped URLs with their reasons (bounded).
    pub skipped_sample: Vec<(String, SkipReason)>,
    /// Pages not crawled because their request got no answer (after the one retry of an
    /// idempotent request), per reason; `skipped` counts them as `RequestFailed`.
    pub dropped: std::collections::BTreeMap<String, u64>,
    /// Attack jobs (one check on one insertion point or resource) abandoned with their
    /// remaining payloads because a request got no answer, per reason.
    pub abandoned: std::collections::BTreeMap<String, u64>,
    pub browser_crawl: &'static str,
    pub error: Option<String>,
}

impl Summary {
    /// A run in which every request failed could not reach its target (the one rule: the
    /// worker fails such a scan `NETWORK_UNAVAILABLE`, `rampart scan` exits 2).
    pub fn target_unreachable(&self) -> bool {
        self.progress.requests > 0 && self.progress.failed_requests >= self.progress.requests
    }
}

#[cfg(test)]
mod tests {
    use super::LimitKind;

    #[test]
    fn limit_names_are_their_serde_names_and_parse_back() {
        for k in LimitKind::ALL {
            assert_eq!(
                serde_json::to_value(k).unwrap(),
                serde_json::Value::String(k.as_str().into())
            );
            assert_eq!(LimitKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(LimitKind::parse("max_everything"), None);
    }
}
