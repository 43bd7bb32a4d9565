//! One job, from claim to finish: plan, engine, heartbeats, actions, results, outcome.
//!
//! One task drives the job: it reads the engine's event stream, heartbeats, applies the
//! actions the heartbeat replies carry and sends what the engine produced. Nothing it sends
//! is dropped on a failed call: new findings are sealed into batches whose ids never change
//! (`Uuid::new_v5(scan, "findings:{attempt}:{seq}")`), so a retried batch is the same batch,
//! and the outbox is retried with backoff while the engine keeps scanning. The job is given
//! up only when the platform says the lease is lost (`LeaseLost`), when the lease must have
//! expired (no heartbeat got through for `lease_seconds`), or when the worker is refused.
//!
//! Actions: a task next to the heartbeats long-polls `wait_action`, so a PAUSE, STOP or
//! CANCEL reaches the engine as soon as a client asks for it (heartbeat replies still carry
//! them too; applying one twice changes nothing). On shutdown an unfinished job is handed
//! back with `release`, so the platform queues it again at once.

use crate::config::WorkerConfig;
use crate::convert::{self, FindingHead};
use crate::plan::build_plan;
use crate::{JobSource, SourceError};
use rampart_domain::job::{
    Coverage, ExecutionDetails, FindingBatch, Heartbeat, JobEvent, JobOutcome, JobSpec,
};
use rampart_domain::scan::{FailureReason, Finding, ScanAction, ScanStatus};
use rampart_domain::ScanId;
use rampart_engine::events::{Level, Progress, Summary};
use rampart_engine::http::Transport;
use rampart_engine::{Event, ScanHandle};
use rampart_protocol::backoff::Backoff;
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::{sleep_until, Instant};
use tokio_util::sync::CancellationToken;

/// Events per `events` call.
const EVENTS_PER_CALL: usize = 200;
/// How long a cancelled engine may take to wind down before the slot moves on.
const ENGINE_WIND_DOWN: Duration = Duration::from_secs(10);

/// How a job ended for this worker.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum JobEnd {
    /// `finish` was accepted with this outcome.
    Finished(JobOutcome),
    /// The platform said the lease is lost, or it expired while the platform was away:
    /// the engine was cancelled and nothing more was sent.
    LeaseLost { unsent_findings: usize },
    /// The worker shut down: the engine was stopped, what it found was sent, and the job
    /// was handed back unfinished (`release`; failing that, the lease expires).
    HandedBack { unsent_findings: usize },
    /// The platform refused this worker.
    Refused(String),
}

/// What a slot lends to the job it runs.
pub(crate) struct JobCtx {
    pub source: Arc<dyn JobSource>,
    pub worker: String,
    pub cfg: Arc<WorkerConfig>,
    pub transport: Arc<dyn Transport>,
    pub shutdown: CancellationToken,
}

/// Results not yet accepted by the platform.
struct Outbox {
    scan: ScanId,
    attempt: u32,
    /// Findings not yet in a batch.
    open: Vec<Finding>,
    /// Batches in send order; the front one is retried until accepted.
    sealed: VecDeque<FindingBatch>,
    events: VecDeque<JobEvent>,
    dropped_events: u64,
    max_events: usize,
    next_seq: u64,
    /// When the next send is wanted.
    due: Option<Instant>,
}

impl Outbox {
    fn want(&mut self, at: Instant) {
        self.due = Some(self.due.map_or(at, |d| d.min(at)));
    }

    fn is_empty(&self) -> bool {
        self.open.is_empty() && self.sealed.is_empty() && self.events.is_empty()
    }

    fn unsent_findings(&self) -> usize {
        self.open.len() + self.sealed.iter().map(|b| b.findings.len()).sum::<usize>()
    }

    fn push_event(&mut self, text: String, at: Instant) {
        if self.events.len() >= self.max_events.max(1) {
            self.events.pop_front();
            self.dropped_events += 1;
        }
        self.events.push_back(JobEvent {
            time: chrono::Utc::now(),
            event: text,
        });
        self.want(at);
    }

    fn seal(&mut self, max: usize) {
        while !self.open.is_empty() {
            let n = self.open.len().min(max.max(1));
            let findings: Vec<Finding> = self.open.drain(..n).collect();
            let id = uuid::Uuid::new_v5(
                &self.scan.0,
                format!("findings:{}:{}", self.attempt, self.next_seq).as_bytes(),
            );
            self.next_seq += 1;
            self.sealed.push_back(FindingBatch {
                batch_id: id.to_string(),
                findings,
            });
        }
    }
}

struct Run<'a> {
    ctx: &'a JobCtx,
    scan: ScanId,
    lease: Duration,
    lease_deadline: Instant,
    hb_every: Duration,
    next_hb: Instant,
    hb_backoff: Backoff,
    send_backoff: Backoff,
    retry_at: Option<Instant>,
    outbox: Outbox,
    status: ScanStatus,
    progress: Progress,
    heads: HashMap<uuid::Uuid, (FindingHead, usize)>,
    handle: Option<ScanHandle>,
    rx: Option<mpsc::Receiver<Event>>,
    /// Set when the engine ended (or never started).
    outcome: Option<JobOutcome>,
    /// What the finished run could not cover, sent with the final heartbeat.
    coverage: Option<Coverage>,
    /// Final heartbeat sent; only `finish` remains.
    final_hb: bool,
    /// When shutdown began.
    draining: Option<Instant>,
    /// The engine was still running at shutdown: the job is handed back, not finished.
    handing_back: bool,
    /// Actions from the action long-poll task (aborted when the job ends).
    actions: Option<mpsc::Receiver<ScanAction>>,
    _action_task: Option<AbortOnDrop>,
    /// The recipe's secrets (login password, secret headers, cookie, certificate password):
    /// removed from every finding and event before it leaves the worker.
    redactor: rampart_domain::secrets::Redactor,
}

/// Aborts a task when dropped (the action poller lives exactly as long as its job).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Long-polls the job's actions and forwards them; ends when the job is over (the
/// receiver is gone), the lease is lost or the worker is refused (the heartbeat then
/// finds out too).
fn spawn_action_poller(ctx: &JobCtx, scan: ScanId) -> (mpsc::Receiver<ScanAction>, AbortOnDrop) {
    let (tx, rx) = mpsc::channel(4);
    let source = ctx.source.clone();
    let worker = ctx.worker.clone();
    let (wait, timeout) = (
        ctx.cfg.action_wait,
        ctx.cfg.action_wait + ctx.cfg.call_timeout,
    );
    let mut backoff = Backoff::new(ctx.cfg.retry_min, ctx.cfg.retry_max);
    let task = tokio::spawn(async move {
        loop {
            let started = Instant::now();
            let r = tokio::time::timeout(timeout, source.wait_action(scan, &worker, wait)).await;
            match r {
                Ok(Ok(Some(a))) => {
                    backoff.reset();
                    if tx.send(a).await.is_err() {
                        return;
                    }
                }
                Ok(Ok(None)) => {
                    backoff.reset();
                    // A source that answers at once must not make this a busy loop.
                    if started.elapsed() < Duration::from_millis(50) {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
                Ok(Err(SourceError::LeaseLost | SourceError::Refused(_))) => return,
                Ok(Err(SourceError::Unavailable(_))) | Err(_) => {
                    tokio::time::sleep(backoff.next_delay()).await;
                }
            }
        }
    });
    (rx, AbortOnDrop(task))
}

fn level(l: Level) -> &'static str {
    match l {
        Level::Info => "INFO",
        Level::Warn => "WARN",
        Level::Error => "ERROR",
    }
}

/// Runs one claimed job to its end.
pub(crate) async fn run(ctx: &JobCtx, spec: JobSpec) -> JobEnd {
    let now = Instant::now();
    let lease = Duration::from_secs(spec.lease_seconds.max(1));
    let hb_every = ctx
        .cfg
        .heartbeat_every
        .min(lease / 3)
        .max(Duration::from_millis(10));
    let mut run = Run {
        ctx,
        scan: spec.scan,
        lease,
        lease_deadline: now + lease,
        hb_every,
        next_hb: now,
        hb_backoff: Backoff::new(ctx.cfg.retry_min, ctx.cfg.retry_max),
        send_backoff: Backoff::new(ctx.cfg.retry_min, ctx.cfg.retry_max),
        retry_at: None,
        outbox: Outbox {
            scan: spec.scan,
            attempt: spec.attempt,
            open: Vec::new(),
            sealed: VecDeque::new(),
            events: VecDeque::new(),
            dropped_events: 0,
            max_events: ctx.cfg.max_pending_events,
            next_seq: 0,
            due: None,
        },
        status: ScanStatus::Running,
        progress: Progress::default(),
        heads: HashMap::new(),
        handle: None,
        rx: None,
        outcome: None,
        coverage: None,
        final_hb: false,
        draining: None,
        handing_back: false,
        actions: None,
        _action_task: None,
        redactor: rampart_domain::secrets::Redactor::of_recipe(&spec.recipe),
    };
    run.start(&spec);
    if run.handle.is_some() {
        let (rx, task) = spawn_action_poller(ctx, spec.scan);
        run.actions = Some(rx);
        run._action_task = Some(task);
    }
    run.drive().await
}

impl Run<'_> {
    fn event(&mut self, text: String) {
        let text = self.redactor.redact(&text);
        self.outbox
            .push_event(text, Instant::now() + self.ctx.cfg.flush_every);
    }

    fn start(&mut self, spec: &JobSpec) {
        let built = match build_plan(spec, &self.ctx.cfg.plan) {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(scan = %self.scan, "scan plan: {e}");
                self.event(format!("ERROR: the scan cannot start: {}", e.message));
                self.outcome = Some(JobOutcome::Failed {
                    reason: e.reason,
                    message: e.message,
                });
                return;
            }
        };
        for n in built.notes {
            self.event(format!("WARN: {n}"));
        }
        self.progress.drip_delay = built.plan.limits.min_request_gap.as_millis() as u64;
        let factory = self.ctx.cfg.browser.clone();
        let browser = match (&built.browser, factory) {
            (Some(settings), Some(factory)) => Some(factory.browser(settings)),
            (Some(_), None) => {
                self.event("WARN: the scan config asks for the browser crawl (java_script_engine) and this engine has no browser: the scan continues with the HTML crawler".to_string());
                None
            }
            (None, _) => None,
        };
        match rampart_engine::start(built.plan, self.ctx.transport.clone(), browser) {
            Ok((handle, rx)) => {
                self.handle = Some(handle);
                self.rx = Some(rx);
                self.event(format!("INFO: scan started by engine {}", self.ctx.worker));
            }
            Err(e) => {
                self.event(format!("ERROR: the scan cannot start: {e}"));
                self.outcome = Some(JobOutcome::Failed {
                    reason: FailureReason::ConfigurationInvalid,
                    message: e.to_string(),
                });
            }
        }
    }

    /// Every source call is bounded by `call_timeout`; a timeout is an outage.
    async fn call<T>(
        &self,
        fut: impl Future<Output = Result<T, SourceError>>,
    ) -> Result<T, SourceError> {
        match tokio::time::timeout(self.ctx.cfg.call_timeout, fut).await {
            Ok(r) => r,
            Err(_) => Err(SourceError::Unavailable("call timed out".into())),
        }
    }

    fn details(&self) -> ExecutionDetails {
        match &self.handle {
            Some(h) => convert::details(&h.progress()),
            None => convert::details(&self.progress),
        }
    }

    fn engine_done(&self) -> bool {
        self.outcome.is_some()
    }

    /// When the next send (outbox, or the final heartbeat and `finish`) should happen.
    fn send_at(&self) -> Option<Instant> {
        let want = if !self.outbox.is_empty() {
            self.outbox.due.or(Some(Instant::now()))
        } else if self.engine_done() && !self.handing_back {
            Some(Instant::now())
        } else {
            None
        }?;
        Some(match self.retry_at {
            Some(r) => want.max(r),
            None => want,
        })
    }

    async fn drive(mut self) -> JobEnd {
        loop {
            let now = Instant::now();
            if now >= self.lease_deadline {
                let unsent = self.outbox.unsent_findings();
                tracing::error!(scan = %self.scan, unsent, "the lease expired while the platform was unavailable: the scan is given up");
                return self.lost().await;
            }
            if self.handing_back && self.engine_done() && self.outbox.is_empty() {
                self.release().await;
                return JobEnd::HandedBack { unsent_findings: 0 };
            }
            if self.send_at().is_some_and(|t| t <= now) {
                match self.send().await {
                    Ok(Some(end)) => return end,
                    Ok(None) => {
                        self.send_backoff.reset();
                        self.retry_at = None;
                    }
                    Err(SourceError::LeaseLost) => return self.lost().await,
                    Err(SourceError::Refused(m)) => return self.refused(m).await,
                    Err(SourceError::Unavailable(e)) => {
                        let d = self.send_backoff.next_delay();
                        tracing::debug!(scan = %self.scan, "send failed ({e}); retry in {d:?}");
                        self.retry_at = Some(Instant::now() + d);
                    }
                }
                continue;
            }
            let far = now + Duration::from_secs(3600);
            let send_at = self.send_at().unwrap_or(far);
            let (drain_cancel, drain_give_up) = match self.draining {
                Some(t) => (
                    if self.engine_done() {
                        far
                    } else {
                        t + self.ctx.cfg.drain_timeout
                    },
                    t + self.ctx.cfg.drain_timeout * 2,
                ),
                None => (far, far),
            };
            let shutdown = self.ctx.shutdown.clone();
            tokio::select! {
                biased;
                _ = sleep_until(self.next_hb) => {
                    if let Some(end) = self.heartbeat().await {
                        return end;
                    }
                }
                _ = sleep_until(send_at) => {}
                _ = shutdown.cancelled(), if self.draining.is_none() => {
                    self.drain();
                }
                _ = sleep_until(drain_cancel) => {
                    if let Some(h) = &self.handle {
                        h.cancel();
                    }
                    self.event("WARN: the scan did not stop in time during shutdown: cancelled".into());
                }
                _ = sleep_until(drain_give_up) => {
                    let unsent = self.outbox.unsent_findings();
                    tracing::error!(scan = %self.scan, unsent, "shutdown: results could not be sent in time");
                    self.abandon().await;
                    self.release().await;
                    return JobEnd::HandedBack { unsent_findings: unsent };
                }
                _ = sleep_until(self.lease_deadline) => {}
                ev = recv(&mut self.rx), if self.rx.is_some() => self.on_event(ev).await,
                a = recv(&mut self.actions), if self.actions.is_some() => match a {
                    Some(a) => self.apply(a),
                    None => self.actions = None,
                },
            }
        }
    }

    /// Shutdown: stop the engine (in-flight work ends), send what it found, hand back.
    fn drain(&mut self) {
        self.draining = Some(Instant::now());
        if self.engine_done() {
            // Only the results and `finish` remain: finish normally (bounded by the drain
            // timeout).
            return;
        }
        self.handing_back = true;
        if let Some(h) = &self.handle {
            h.stop();
        }
        self.event("INFO: the engine is shutting down: the scan stops here and is handed back to the platform, which queues it again".into());
        tracing::info!(scan = %self.scan, "draining: scan stopped, results are flushed, the job is handed back");
    }

    async fn on_event(&mut self, ev: Option<Event>) {
        let now = Instant::now();
        let Some(ev) = ev else {
            // The stream ended without a summary: the engine task died.
            self.rx = None;
            let err = match self.handle.take() {
                Some(h) => match h.wait().await {
                    Ok(s) => return self.finished(s),
                    Err(e) => e.to_string(),
                },
                None => "the engine stopped without a result".to_string(),
            };
            self.event(format!("ERROR: the engine failed: {err}"));
            self.outcome = Some(JobOutcome::Failed {
                reason: FailureReason::SystemError,
                message: err,
            });
            return;
        };
        match ev {
            Event::Log { level: l, message } => self.event(format!("{}: {message}", level(l))),
            Event::Progress(p) => self.progress = p,
            Event::Finding(f) => {
                let head = FindingHead::of(&f);
                self.heads.insert(f.id, (head, f.variances.len()));
                let mut finding = convert::finding(&f);
                finding
                    .variances
                    .iter_mut()
                    .for_each(|v| self.redactor.scrub_variance(v));
                self.outbox.open.push(finding);
                // A confirmed finding leaves at once (crash safety).
                self.outbox.want(now);
            }
            Event::Variance {
                finding_id,
                variance,
            } => {
                if let Some((head, n)) = self.heads.get_mut(&finding_id) {
                    let mut v = convert::variance(finding_id, *n, &variance);
                    self.redactor.scrub_variance(&mut v);
                    *n += 1;
                    let f = head.finding(vec![v]);
                    self.outbox.open.push(f);
                    self.outbox.want(now + self.ctx.cfg.flush_every);
                }
            }
            Event::LimitReached { detail, .. } => {
                self.event(format!("WARN: limit reached: {detail}"))
            }
            Event::Skipped { .. } => {}
            Event::LoggedIn => self.event("INFO: logged in".into()),
            Event::SessionLost { message } => self.event(format!("WARN: {message}")),
            Event::Finished(s) => {
                self.rx = None;
                if let Some(h) = self.handle.take() {
                    let _ = tokio::time::timeout(ENGINE_WIND_DOWN, h.wait()).await;
                }
                self.finished(*s);
            }
        }
    }

    fn finished(&mut self, s: Summary) {
        self.progress = s.progress.clone();
        self.coverage = Some(convert::coverage(&s)).filter(|c| !c.is_empty());
        let skipped: u64 = s.skipped.values().sum();
        self.event(format!(
            "INFO: scan finished ({:?}) in {:.1}s: {} pages crawled, {} requests ({} failed), {} findings, {} URLs not visited{}",
            s.outcome,
            s.duration_ms as f64 / 1000.0,
            s.progress.links_crawled,
            s.progress.requests,
            s.progress.failed_requests,
            s.findings.len(),
            skipped,
            if s.limits_reached.is_empty() {
                String::new()
            } else {
                format!(", limits reached: {:?}", s.limits_reached)
            }
        ));
        let mut outcome = convert::outcome(&s);
        // The platform asked for a cancel: that is what the scan ends as.
        if self.status == ScanStatus::Canceling {
            outcome = JobOutcome::Canceled;
        }
        self.outcome = Some(outcome);
    }

    /// Sends the outbox; with nothing left and the engine done, the final heartbeat and
    /// `finish`. `Ok(Some(end))` when the job is finished.
    async fn send(&mut self) -> Result<Option<JobEnd>, SourceError> {
        let (source, worker, scan) = (&self.ctx.source, self.ctx.worker.as_str(), self.scan);
        self.outbox.seal(self.ctx.cfg.batch_max_findings);
        while let Some(b) = self.outbox.sealed.front() {
            self.call(source.findings(scan, worker, b)).await?;
            self.outbox.sealed.pop_front();
        }
        if self.outbox.dropped_events > 0 {
            let n = std::mem::take(&mut self.outbox.dropped_events);
            self.outbox.events.push_front(JobEvent {
                time: chrono::Utc::now(),
                event: format!(
                    "WARN: {n} engine events were dropped while the platform was unavailable"
                ),
            });
        }
        while !self.outbox.events.is_empty() {
            let n = self.outbox.events.len().min(EVENTS_PER_CALL);
            let chunk: Vec<JobEvent> = self.outbox.events.iter().take(n).cloned().collect();
            self.call(source.events(scan, worker, &chunk)).await?;
            self.outbox.events.drain(..n);
        }
        self.outbox.due = None;
        if self.handing_back {
            return Ok(None);
        }
        let Some(outcome) = self.outcome.clone() else {
            return Ok(None);
        };
        if !self.final_hb {
            // The last counters, so that the platform keeps the final execution details.
            let hb = Heartbeat {
                status: self.status,
                details: self.details(),
                checkpoint: None,
                coverage: self.coverage.clone(),
            };
            let sent = Instant::now();
            self.call(source.heartbeat(scan, worker, &hb)).await?;
            self.lease_deadline = sent + self.lease;
            self.final_hb = true;
        }
        self.call(source.finish(scan, worker, &outcome)).await?;
        tracing::info!(scan = %scan, ?outcome, "job finished");
        Ok(Some(JobEnd::Finished(outcome)))
    }

    async fn heartbeat(&mut self) -> Option<JobEnd> {
        let hb = Heartbeat {
            status: self.status,
            details: self.details(),
            checkpoint: None,
            coverage: None,
        };
        let sent = Instant::now();
        match self
            .call(self.ctx.source.heartbeat(self.scan, &self.ctx.worker, &hb))
            .await
        {
            Ok(reply) => {
                self.lease_deadline = sent + self.lease;
                self.hb_backoff.reset();
                self.next_hb = sent + self.hb_every;
                if let Some(a) = reply.action {
                    self.apply(a);
                }
                None
            }
            Err(SourceError::LeaseLost) => Some(self.lost().await),
            Err(SourceError::Refused(m)) => Some(self.refused(m).await),
            Err(SourceError::Unavailable(e)) => {
                let d = self.hb_backoff.next_delay().min(self.hb_every);
                tracing::debug!(scan = %self.scan, "heartbeat failed ({e}); retry in {d:?}");
                self.next_hb = Instant::now() + d;
                None
            }
        }
    }

    /// Applies an action from a heartbeat reply; a repeated action changes nothing.
    fn apply(&mut self, action: ScanAction) {
        let now = Instant::now();
        let running = self.handle.is_some() && !self.engine_done();
        let next = match action {
            ScanAction::Pause => ScanStatus::Paused,
            ScanAction::Resume => ScanStatus::Running,
            ScanAction::Stop => ScanStatus::Stopping,
            ScanAction::Cancel => ScanStatus::Canceling,
            ScanAction::Authenticate => {
                self.event("WARN: AUTHENTICATE is not supported by this engine: it logs in again by itself when the session is lost".into());
                return;
            }
        };
        if self.status == next
            || matches!(self.status, ScanStatus::Canceling)
            || (self.status == ScanStatus::Stopping && next != ScanStatus::Canceling)
        {
            return;
        }
        if !running {
            // The engine already ended: only a cancel still changes the outcome.
            if next == ScanStatus::Canceling && self.outcome.is_some() {
                self.status = next;
                self.outcome = Some(JobOutcome::Canceled);
                self.event("INFO: CANCEL received after the scan ended".into());
            }
            return;
        }
        // `running` implies a handle; without one there is nothing to drive.
        let Some(h) = self.handle.as_ref() else {
            return;
        };
        match action {
            ScanAction::Pause => h.pause(),
            ScanAction::Resume => h.resume(),
            ScanAction::Stop => h.stop(),
            ScanAction::Cancel => h.cancel(),
            ScanAction::Authenticate => {}
        }
        self.event(format!("INFO: {action} received: the scan is now {next}"));
        self.status = next;
        // Report the new status at once.
        self.next_hb = now;
    }

    /// Hands the unfinished job back so that it is queued again at once; failing that,
    /// its lease expires and the platform re-queues it then.
    async fn release(&mut self) {
        let (source, worker) = (&self.ctx.source, self.ctx.worker.as_str());
        match self.call(source.release(self.scan, worker)).await {
            Ok(()) => tracing::info!(scan = %self.scan, "job handed back to the platform"),
            Err(e) => {
                tracing::warn!(scan = %self.scan, "could not hand the job back ({e}): its lease will expire")
            }
        }
    }

    /// The lease is gone: cancel the engine now, send nothing more.
    async fn lost(&mut self) -> JobEnd {
        let unsent = self.outbox.unsent_findings();
        tracing::warn!(scan = %self.scan, unsent, "lease lost: the scan is cancelled and dropped");
        self.abandon().await;
        JobEnd::LeaseLost {
            unsent_findings: unsent,
        }
    }

    async fn refused(&mut self, m: String) -> JobEnd {
        tracing::error!(scan = %self.scan, "the platform refused this worker: {m}");
        self.abandon().await;
        JobEnd::Refused(m)
    }

    async fn abandon(&mut self) {
        self.rx = None;
        if let Some(h) = self.handle.take() {
            h.cancel();
            let _ = tokio::time::timeout(ENGINE_WIND_DOWN, h.wait()).await;
        }
    }
}

async fn recv<T>(rx: &mut Option<mpsc::Receiver<T>>) -> Option<T> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}
