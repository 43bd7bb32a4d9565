//! The worker: `slots` claim loops over one job source.

use crate::config::WorkerConfig;
use crate::job::{self, JobCtx, JobEnd};
use crate::{JobSource, SourceError};
use rampart_engine::http::{ReqwestTransport, Transport};
use rampart_protocol::backoff::Backoff;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Runs scan jobs from a [`JobSource`]: `slots` loops that each claim a job (long poll),
/// run it to its end and claim the next.
///
/// Shutdown (graceful drain): no new claim starts; a running scan is stopped (in-flight
/// work ends), its findings and events are sent, and the job is **not** finished: it is
/// handed back (`release`), the platform queues it again at once and the next attempt scans
/// again (findings already sent are merged by root cause). A scan whose engine had already ended is finished
/// normally. After `drain_timeout` a scan that has not stopped is cancelled; after twice
/// that, unsent results are given up.
pub struct Worker {
    cfg: Arc<WorkerConfig>,
    prefix: String,
    transport: Option<Arc<dyn Transport>>,
}

/// A running worker.
pub struct WorkerHandle {
    shutdown: CancellationToken,
    ids: Vec<String>,
    slots: Vec<JoinHandle<SlotExit>>,
}

/// Why a slot stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SlotExit {
    /// Shutdown was asked for.
    Shutdown,
    /// The platform refused this worker (revoked credential, …): no more claims.
    Refused(String),
    /// The slot's task panicked.
    Panicked(String),
}

impl Worker {
    pub fn new(cfg: WorkerConfig) -> Self {
        use rand::Rng;
        const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        let mut rng = rand::thread_rng();
        let rand: String = (0..8)
            .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
            .collect();
        Self {
            prefix: format!("{}-{rand}", cfg.id_prefix),
            cfg: Arc::new(cfg),
            transport: None,
        }
    }

    /// Sends the scans' requests through `transport` instead of the default HTTP client.
    pub fn with_transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// The worker ids of the slots, `{prefix}-{random}:{slot}`.
    pub fn worker_ids(&self) -> Vec<String> {
        (0..self.cfg.slots.max(1))
            .map(|i| format!("{}:{i}", self.prefix))
            .collect()
    }

    /// Starts the slots; cancelling `shutdown` (or [`WorkerHandle::shutdown`]) drains them.
    pub fn run(
        self,
        source: Arc<dyn JobSource>,
        shutdown: CancellationToken,
    ) -> Result<WorkerHandle, String> {
        let transport: Arc<dyn Transport> = match self.transport.clone() {
            Some(t) => t,
            None => Arc::new(
                ReqwestTransport::new(self.cfg.accept_invalid_certs).map_err(|e| e.to_string())?,
            ),
        };
        let ids = self.worker_ids();
        let slots = ids
            .iter()
            .map(|id| {
                let ctx = JobCtx {
                    source: source.clone(),
                    worker: id.clone(),
                    cfg: self.cfg.clone(),
                    transport: transport.clone(),
                    shutdown: shutdown.clone(),
                };
                tokio::spawn(slot(ctx))
            })
            .collect();
        tracing::info!(slots = ids.len(), prefix = %self.prefix, "scan worker started");
        Ok(WorkerHandle {
            shutdown,
            ids,
            slots,
        })
    }

    /// [`Worker::run`] with its own shutdown token.
    pub fn spawn(self, source: Arc<dyn JobSource>) -> Result<WorkerHandle, String> {
        self.run(source, CancellationToken::new())
    }
}

impl WorkerHandle {
    /// Starts the graceful drain; returns at once (await [`WorkerHandle::join`]).
    pub fn shutdown(&self) {
        self.shutdown.cancel();
    }

    pub fn worker_ids(&self) -> &[String] {
        &self.ids
    }

    /// Waits until every slot stopped (after a shutdown, or a refusal).
    pub async fn join(self) -> Vec<SlotExit> {
        let mut out = Vec::new();
        for s in self.slots {
            out.push(match s.await {
                Ok(e) => e,
                Err(e) => SlotExit::Panicked(e.to_string()),
            });
        }
        out
    }
}

/// Hands back a job claimed as shutdown began, without running it.
async fn hand_back_unstarted(ctx: &JobCtx, scan: rampart_domain::ScanId) {
    let released =
        tokio::time::timeout(ctx.cfg.call_timeout, ctx.source.release(scan, &ctx.worker)).await;
    match released {
        Ok(Ok(())) => {
            tracing::info!(worker = %ctx.worker, %scan, "job claimed during shutdown handed back")
        }
        Ok(Err(e)) => {
            tracing::warn!(worker = %ctx.worker, %scan, "could not hand back a job claimed during shutdown ({e}): its lease will expire")
        }
        Err(_) => {
            tracing::warn!(worker = %ctx.worker, %scan, "could not hand back a job claimed during shutdown (timed out): its lease will expire")
        }
    }
}

/// Waits `d` unless shutdown comes first; `false` on shutdown.
async fn pause(shutdown: &CancellationToken, d: Duration) -> bool {
    tokio::select! {
        _ = shutdown.cancelled() => false,
        _ = tokio::time::sleep(d) => true,
    }
}

async fn slot(ctx: JobCtx) -> SlotExit {
    let cfg = ctx.cfg.clone();
    let mut backoff = Backoff::new(cfg.retry_min, cfg.retry_max);
    let mut idle = Backoff::new(cfg.idle_wait / 2, cfg.idle_wait);
    loop {
        if ctx.shutdown.is_cancelled() {
            return SlotExit::Shutdown;
        }
        let started = Instant::now();
        let claim = tokio::time::timeout(
            cfg.claim_wait + cfg.call_timeout,
            ctx.source.claim(&ctx.worker, cfg.claim_wait),
        );
        tokio::pin!(claim);
        let claimed = tokio::select! {
            r = &mut claim => r.unwrap_or_else(|_| Err(SourceError::Unavailable("claim timed out".into()))),
            _ = ctx.shutdown.cancelled() => {
                // The platform may have leased a job already, its answer on the way: wait
                // briefly for it and hand the job back at once (else its lease would hold
                // the scan until it expires).
                if let Ok(Ok(Ok(Some(spec)))) = tokio::time::timeout(cfg.claim_grace, &mut claim).await {
                    hand_back_unstarted(&ctx, spec.scan).await;
                }
                return SlotExit::Shutdown;
            }
        };
        match claimed {
            Ok(Some(spec)) => {
                backoff.reset();
                idle.reset();
                let scan = spec.scan;
                tracing::info!(worker = %ctx.worker, %scan, attempt = spec.attempt, "job claimed");
                match job::run(&ctx, spec).await {
                    JobEnd::Finished(outcome) => {
                        tracing::info!(worker = %ctx.worker, %scan, ?outcome, "job done")
                    }
                    JobEnd::LeaseLost { unsent_findings } => {
                        tracing::warn!(worker = %ctx.worker, %scan, unsent_findings, "job dropped: lease lost")
                    }
                    JobEnd::HandedBack { unsent_findings } => {
                        tracing::info!(worker = %ctx.worker, %scan, unsent_findings, "job handed back on shutdown")
                    }
                    JobEnd::Refused(m) => {
                        tracing::error!(worker = %ctx.worker, %scan, "refused: {m}");
                        return SlotExit::Refused(m);
                    }
                }
            }
            Ok(None) => {
                backoff.reset();
                // A source that answers at once (no long poll) must not make this a busy loop.
                if started.elapsed() < cfg.claim_wait
                    && !pause(&ctx.shutdown, idle.next_delay()).await
                {
                    return SlotExit::Shutdown;
                }
            }
            Err(SourceError::Refused(m)) => {
                tracing::error!(worker = %ctx.worker, "claim refused: {m}");
                return SlotExit::Refused(m);
            }
            Err(e) => {
                let d = backoff.next_delay();
                tracing::warn!(worker = %ctx.worker, "claim failed ({e}); retry in {d:?}");
                if !pause(&ctx.shutdown, d).await {
                    return SlotExit::Shutdown;
                }
            }
        }
    }
}
