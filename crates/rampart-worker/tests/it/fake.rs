//! An in-memory job source: a queue of jobs, a record of every call, and knobs to inject
//! actions, outages and lease loss.

use async_trait::async_trait;
use rampart_domain::job::*;
use rampart_domain::scan::{Finding, ScanAction};
use rampart_domain::ScanId;
use rampart_worker::{JobSource, SourceError};
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::Notify;

#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    Claim,
    Heartbeat(Heartbeat),
    Events(Vec<JobEvent>),
    Findings(FindingBatch),
    Finish(JobOutcome),
}

/// One call, in order, with what it answered.
#[derive(Clone, Debug)]
pub struct Call {
    pub worker: String,
    pub scan: Option<ScanId>,
    pub kind: Kind,
    pub result: Result<(), SourceError>,
}

#[derive(Default)]
pub struct State {
    pub queue: VecDeque<JobSpec>,
    pub calls: Vec<Call>,
    /// Findings batches accepted, by id (a repeated id changes nothing).
    pub accepted: Vec<FindingBatch>,
    pub actions: VecDeque<ScanAction>,
    /// Actions answered only by the action long-poll (`wait_action`), never by heartbeats.
    pub polled_actions: VecDeque<ScanAction>,
    /// Jobs handed back with `release`.
    pub released: Vec<ScanId>,
    /// The next `n` calls other than claims fail with `Unavailable`.
    pub fail_next: usize,
    /// The next `n` findings calls fail with `Unavailable` (after recording the attempt).
    pub fail_findings_next: usize,
    /// Every call other than claims fails with `Unavailable` while set.
    pub outage: bool,
    /// Every call about a job answers `LeaseLost` while set.
    pub lease_lost: bool,
    /// Claims answer `Refused` while set.
    pub refuse_claims: bool,
    /// A claim that found a job answers only this long after taking it (a slow answer
    /// from a platform that already leased the job); `claim_in_flight` is set meanwhile.
    pub claim_delay: Option<Duration>,
    pub claim_in_flight: bool,
    /// Outage while set, switched on after the first accepted findings batch.
    pub outage_after_first_batch: Option<usize>,
}

impl State {
    pub fn heartbeats(&self) -> Vec<&Heartbeat> {
        self.calls
            .iter()
            .filter_map(|c| match (&c.kind, &c.result) {
                (Kind::Heartbeat(h), Ok(())) => Some(h),
                _ => None,
            })
            .collect()
    }

    pub fn events(&self) -> Vec<String> {
        self.calls
            .iter()
            .filter_map(|c| match (&c.kind, &c.result) {
                (Kind::Events(e), Ok(())) => Some(e.iter().map(|e| e.event.clone())),
                _ => None,
            })
            .flatten()
            .collect()
    }

    pub fn outcome(&self) -> Option<JobOutcome> {
        self.calls.iter().find_map(|c| match (&c.kind, &c.result) {
            (Kind::Finish(o), Ok(())) => Some(o.clone()),
            _ => None,
        })
    }

    pub fn findings(&self) -> Vec<&Finding> {
        self.accepted.iter().flat_map(|b| &b.findings).collect()
    }

    pub fn claims(&self) -> usize {
        self.calls
            .iter()
            .filter(|c| matches!(c.kind, Kind::Claim))
            .count()
    }

    pub fn failed_findings_attempts(&self) -> Vec<String> {
        self.calls
            .iter()
            .filter_map(|c| match (&c.kind, &c.result) {
                (Kind::Findings(b), Err(_)) => Some(b.batch_id.clone()),
                _ => None,
            })
            .collect()
    }
}

#[derive(Default)]
pub struct FakeSource {
    pub state: Mutex<State>,
    changed: Notify,
}

impl FakeSource {
    pub fn new() -> std::sync::Arc<Self> {
        std::sync::Arc::new(Self::default())
    }

    pub fn push(&self, spec: JobSpec) {
        self.state.lock().unwrap().queue.push_back(spec);
        self.changed.notify_waiters();
    }

    pub fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let out = f(&mut self.state.lock().unwrap());
        self.changed.notify_waiters();
        out
    }

    /// Waits (on change signals, no sleeping) until `pred` holds; panics after `limit`.
    pub async fn wait_for(&self, what: &str, limit: Duration, pred: impl Fn(&State) -> bool) {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if pred(&self.state.lock().unwrap()) {
                return;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let st = self.state.lock().unwrap();
                panic!(
                    "timed out waiting for {what}; {} calls, last: {:?}",
                    st.calls.len(),
                    st.calls.last().map(|c| (&c.kind, &c.result))
                );
            }
        }
    }

    fn record(&self, worker: &str, scan: Option<ScanId>, kind: Kind) -> Result<(), SourceError> {
        let mut st = self.state.lock().unwrap();
        let result = if scan.is_some() && st.lease_lost {
            Err(SourceError::LeaseLost)
        } else if scan.is_some() && st.outage {
            Err(SourceError::Unavailable("outage".into()))
        } else if scan.is_some() && st.fail_next > 0 {
            st.fail_next -= 1;
            Err(SourceError::Unavailable("injected".into()))
        } else if matches!(kind, Kind::Findings(_)) && st.fail_findings_next > 0 {
            st.fail_findings_next -= 1;
            Err(SourceError::Unavailable("injected".into()))
        } else {
            Ok(())
        };
        if let (Kind::Findings(b), Ok(())) = (&kind, &result) {
            if !st.accepted.iter().any(|a| a.batch_id == b.batch_id) {
                st.accepted.push(b.clone());
                if let Some(n) = st.outage_after_first_batch.take() {
                    st.outage = true;
                    st.fail_next = n;
                }
            }
        }
        // An outage that ends after `fail_next` more failed calls.
        if st.outage && result.is_err() && st.fail_next > 0 {
            st.fail_next -= 1;
            if st.fail_next == 0 {
                st.outage = false;
            }
        }
        st.calls.push(Call {
            worker: worker.to_string(),
            scan,
            kind,
            result: result.clone(),
        });
        drop(st);
        self.changed.notify_waiters();
        result
    }
}

#[async_trait]
impl JobSource for FakeSource {
    async fn claim(&self, worker: &str, wait: Duration) -> Result<Option<JobSpec>, SourceError> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.state.lock().unwrap().refuse_claims {
                return Err(SourceError::Refused("revoked".into()));
            }
            let job = self.state.lock().unwrap().queue.pop_front();
            if let Some(j) = job {
                let delay = self.with(|st| {
                    st.claim_in_flight = st.claim_delay.is_some();
                    st.claim_delay
                });
                if let Some(d) = delay {
                    tokio::time::sleep(d).await;
                }
                self.record(worker, None, Kind::Claim)?;
                return Ok(Some(j));
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                self.record(worker, None, Kind::Claim)?;
                return Ok(None);
            }
        }
    }

    async fn heartbeat(
        &self,
        scan: ScanId,
        worker: &str,
        hb: &Heartbeat,
    ) -> Result<HeartbeatReply, SourceError> {
        self.record(worker, Some(scan), Kind::Heartbeat(hb.clone()))?;
        let action = self.state.lock().unwrap().actions.pop_front();
        Ok(HeartbeatReply { action })
    }

    async fn events(
        &self,
        scan: ScanId,
        worker: &str,
        events: &[JobEvent],
    ) -> Result<(), SourceError> {
        self.record(worker, Some(scan), Kind::Events(events.to_vec()))
    }

    async fn findings(
        &self,
        scan: ScanId,
        worker: &str,
        batch: &FindingBatch,
    ) -> Result<(), SourceError> {
        self.record(worker, Some(scan), Kind::Findings(batch.clone()))
    }

    async fn finish(
        &self,
        scan: ScanId,
        worker: &str,
        outcome: &JobOutcome,
    ) -> Result<(), SourceError> {
        self.record(worker, Some(scan), Kind::Finish(outcome.clone()))
    }

    async fn wait_action(
        &self,
        _scan: ScanId,
        _worker: &str,
        wait: Duration,
    ) -> Result<Option<ScanAction>, SourceError> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(a) = self.state.lock().unwrap().polled_actions.pop_front() {
                return Ok(Some(a));
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return Ok(None);
            }
        }
    }

    async fn release(&self, scan: ScanId, _worker: &str) -> Result<(), SourceError> {
        self.with(|st| st.released.push(scan));
        Ok(())
    }
}

/// Distinct (module, root cause) keys of the accepted findings, with how often each came.
pub fn keys(st: &State) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for f in st.findings() {
        let k = format!(
            "{} {} {} {}",
            f.module,
            f.root_cause.method,
            f.root_cause.url,
            f.root_cause.parameter.as_deref().unwrap_or("")
        );
        *out.entry(k).or_insert(0) += 1;
    }
    out
}
