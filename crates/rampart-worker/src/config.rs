//! Worker settings.

use crate::plan::PlanSettings;
use rampart_engine::crawl::BrowserFactory;
use std::sync::Arc;
use std::time::Duration;

/// How a [`crate::Worker`] runs.
#[derive(Clone, Debug)]
pub struct WorkerConfig {
    /// Base of the worker ids; a random part is added per [`crate::Worker`], and each slot
    /// is `{prefix}-{random}:{slot}`.
    pub id_prefix: String,
    /// Jobs run at a time.
    pub slots: usize,
    /// Heartbeat period while a job runs (at most a third of the job's lease is used).
    pub heartbeat_every: Duration,
    /// Long-poll wait of one action poll (a task next to the heartbeats waits for
    /// PAUSE/STOP/CANCEL so they reach the engine at once, not at the next heartbeat).
    pub action_wait: Duration,
    /// Long-poll wait of one claim.
    pub claim_wait: Duration,
    /// On shutdown with a claim in flight: how long its answer is awaited. The platform may
    /// already have leased a job whose answer is on its way; that job is handed back at
    /// once instead of staying leased until its lease expires.
    pub claim_grace: Duration,
    /// Pause before the next claim when a claim came back empty before `claim_wait`.
    pub idle_wait: Duration,
    /// Retry backoff bounds (exponential with jitter) while the platform is unavailable.
    pub retry_min: Duration,
    pub retry_max: Duration,
    /// Longest one call to the job source may take before it counts as unavailable.
    pub call_timeout: Duration,
    /// Findings per batch.
    pub batch_max_findings: usize,
    /// Events and variances are sent at most this long after they happen (new findings at
    /// once).
    pub flush_every: Duration,
    /// Events kept while the platform is unavailable; older ones beyond it are dropped and
    /// counted (findings are never dropped).
    pub max_pending_events: usize,
    /// On shutdown: how long a running scan may take to stop before it is cancelled; the
    /// unsent results then have as long again to reach the platform.
    pub drain_timeout: Duration,
    /// Accept invalid TLS certificates of the targets.
    pub accept_invalid_certs: bool,
    /// Plan defaults the options do not carry (time limit, out-of-band listener).
    pub plan: PlanSettings,
    /// Makes the browser crawler of a scan whose config asks for one (injected by the
    /// binary; the worker never links a browser). `None`: such scans run HTML-only and say so.
    pub browser: Option<Arc<dyn BrowserFactory>>,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            id_prefix: "rampart".to_string(),
            slots: 1,
            heartbeat_every: Duration::from_secs(5),
            action_wait: Duration::from_secs(20),
            claim_wait: Duration::from_secs(20),
            claim_grace: Duration::from_secs(3),
            idle_wait: Duration::from_secs(1),
            retry_min: Duration::from_millis(250),
            retry_max: Duration::from_secs(10),
            call_timeout: Duration::from_secs(30),
            batch_max_findings: 50,
            flush_every: Duration::from_secs(1),
            max_pending_events: 2_000,
            drain_timeout: Duration::from_secs(15),
            accept_invalid_certs: false,
            plan: PlanSettings::default(),
            browser: None,
        }
    }
}
