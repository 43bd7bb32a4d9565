//! The in-process transport: a [`JobSource`] over [`rampart_service::Service`], used by
//! the embedded engine slots of `rampart server`.
//!
//! `claim` long-polls: it tries to claim, and when the queue is empty waits for the
//! service's job signal (a scan was submitted or re-queued in this process) or for the
//! fallback poll interval (a scan queued by another replica), until `wait` runs out.
//! The source remembers the jobs its workers hold so that a graceful shutdown can hand
//! them back ([`LocalSource::hand_back`]).

use crate::{JobSource, SourceError};
use async_trait::async_trait;
use rampart_domain::job::*;
use rampart_domain::ScanId;
use rampart_service::{JobError, Service};
use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// A job source calling the service directly.
#[derive(Debug)]
pub struct LocalSource {
    service: Service,
    poll: Duration,
    process: uuid::Uuid,
    held: Mutex<HashSet<(ScanId, String)>>,
}

fn map(e: JobError) -> SourceError {
    match e {
        JobError::Refused(JobRefusal::LeaseLost) => SourceError::LeaseLost,
        JobError::Service(s) => SourceError::Unavailable(s.to_string()),
    }
}

impl LocalSource {
    /// A source over `service`; `poll` is the fallback interval for scans that other
    /// replicas queue (they do not signal this process).
    pub fn new(service: Service, poll: Duration) -> Self {
        Self {
            service,
            poll,
            process: uuid::Uuid::new_v4(),
            held: Mutex::new(HashSet::new()),
        }
    }

    /// A lease-owner name for `slot`, unique across processes and restarts
    /// (`local/<process uuid>/<slot>`).
    pub fn worker_id(&self, slot: usize) -> String {
        format!("local/{}/{slot}", self.process)
    }

    fn held(&self) -> std::sync::MutexGuard<'_, HashSet<(ScanId, String)>> {
        self.held
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn forget(&self, scan: ScanId, worker: &str) {
        self.held().remove(&(scan, worker.to_string()));
    }

    /// The jobs claimed through this source and not finished yet.
    pub fn running(&self) -> Vec<(ScanId, String)> {
        self.held().iter().cloned().collect()
    }

    /// Graceful shutdown: gives every job still held back to the queue (their scans
    /// read `PENDING` again and another engine picks them up). Returns how many.
    pub async fn hand_back(&self) -> usize {
        let jobs = self.running();
        let mut n = 0;
        for (scan, worker) in jobs {
            match self.service.job_release(scan, &worker).await {
                Ok(()) => n += 1,
                Err(e) => tracing::warn!(%scan, %worker, error = %e, "could not hand a job back"),
            }
            self.forget(scan, &worker);
        }
        n
    }

    fn track<T>(
        &self,
        scan: ScanId,
        worker: &str,
        r: Result<T, JobError>,
    ) -> Result<T, SourceError> {
        r.map_err(|e| {
            let e = map(e);
            if e == SourceError::LeaseLost {
                self.forget(scan, worker);
            }
            e
        })
    }
}

#[async_trait]
impl JobSource for LocalSource {
    async fn claim(&self, worker: &str, wait: Duration) -> Result<Option<JobSpec>, SourceError> {
        let deadline = Instant::now() + wait;
        let signal = self.service.job_signal();
        loop {
            // Created before the attempt: a signal sent while claiming is not lost.
            let notified = signal.notified();
            if let Some(spec) = self.service.claim_job(worker).await.map_err(map)? {
                self.held().insert((spec.scan, worker.to_string()));
                return Ok(Some(spec));
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            let nap = self.poll.min(deadline - now);
            let _ = tokio::time::timeout(nap, notified).await;
        }
    }

    async fn heartbeat(
        &self,
        scan: ScanId,
        worker: &str,
        hb: &Heartbeat,
    ) -> Result<HeartbeatReply, SourceError> {
        let r = self.service.job_heartbeat(scan, worker, hb).await;
        self.track(scan, worker, r)
    }

    async fn events(
        &self,
        scan: ScanId,
        worker: &str,
        events: &[JobEvent],
    ) -> Result<(), SourceError> {
        let r = self.service.job_events(scan, worker, events).await;
        self.track(scan, worker, r)
    }

    async fn findings(
        &self,
        scan: ScanId,
        worker: &str,
        batch: &FindingBatch,
    ) -> Result<(), SourceError> {
        let r = self
            .service
            .job_findings(scan, worker, batch)
            .await
            .map(|_| ());
        self.track(scan, worker, r)
    }

    async fn finish(
        &self,
        scan: ScanId,
        worker: &str,
        outcome: &JobOutcome,
    ) -> Result<(), SourceError> {
        let r = self.service.job_finish(scan, worker, outcome).await;
        let out = self.track(scan, worker, r);
        if out.is_ok() {
            self.forget(scan, worker);
        }
        out
    }
}
