//! The in-process transport of the job protocol: a [`JobSource`] over the [`Service`],
//! used by the embedded engine slots of `rampart server`.
//!
//! Claims and actions long-poll ([`rampart_protocol::poll::long_poll`]) on the service's
//! signals (a scan was queued, an action was set, in this process) with a fallback poll
//! for what other replicas do. The source remembers the jobs its workers hold so that a
//! graceful shutdown can hand back any a worker did not release ([`LocalSource::hand_back`]).

use crate::{JobError, Service};
use async_trait::async_trait;
use rampart_domain::job::*;
use rampart_domain::scan::ScanAction;
use rampart_domain::ScanId;
use rampart_protocol::poll::long_poll;
use rampart_protocol::{JobSource, SourceError};
use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

/// A job source calling the service directly.
#[derive(Debug)]
pub struct LocalSource {
    service: Service,
    poll: Duration,
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
            held: Mutex::new(HashSet::new()),
        }
    }

    fn held(&self) -> std::sync::MutexGuard<'_, HashSet<(ScanId, String)>> {
        self.held
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn forget(&self, scan: ScanId, worker: &str) {
        self.held().remove(&(scan, worker.to_string()));
    }

    /// The jobs claimed through this source and not finished or released yet.
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
        let signal = self.service.job_signal();
        let spec = long_poll(&signal, self.poll, wait, || self.service.claim_job(worker))
            .await
            .map_err(map)?;
        if let Some(spec) = &spec {
            self.held().insert((spec.scan, worker.to_string()));
        }
        Ok(spec)
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

    async fn wait_action(
        &self,
        scan: ScanId,
        worker: &str,
        wait: Duration,
    ) -> Result<Option<ScanAction>, SourceError> {
        let r = self.service.job_wait_action(scan, worker, wait).await;
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

    async fn release(&self, scan: ScanId, worker: &str) -> Result<(), SourceError> {
        let r = self.service.job_release(scan, worker).await;
        let out = self.track(scan, worker, r);
        if out.is_ok() {
            self.forget(scan, worker);
        }
        out
    }
}
