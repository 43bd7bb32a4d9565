//! Live scan progress: a notice per change of a scan in this process (status, counters,
//! events, findings) and the events a live view has not shown yet.
//!
//! The notice only says "scan X changed"; a watcher then reads the scan through the
//! service like any other read. Changes made by another replica send no notice here, so
//! a watcher also reads again every few seconds ([`PROGRESS_POLL`]).

use crate::{Service, ServiceResult};
use rampart_domain::*;
use rampart_store::LoggedEvent;
use std::time::Duration;
use tokio::sync::broadcast;

/// How often a live view reads again without a notice (changes on another replica).
pub const PROGRESS_POLL: Duration = Duration::from_secs(2);
/// Notices kept for a slow watcher; one that falls behind reads again (it missed some).
const BACKLOG: usize = 1024;

/// The sender every clone of the service shares.
#[derive(Debug)]
pub(crate) struct ScanProgress(broadcast::Sender<ScanId>);

impl Default for ScanProgress {
    fn default() -> Self {
        Self(broadcast::channel(BACKLOG).0)
    }
}

impl Service {
    /// Notices of changed scans (every scan of every tenant: a watcher filters by id and
    /// reads through the service with its caller, so nothing leaks through a notice).
    pub fn scan_progress(&self) -> broadcast::Receiver<ScanId> {
        self.jobs.progress.0.subscribe()
    }

    /// Tells live views that `scan` changed (no one listening is fine).
    pub(crate) fn scan_changed(&self, scan: ScanId) {
        let _ = self.jobs.progress.0.send(scan);
    }

    /// Both logs of the scan, in writing order, after event number `after` (0: from the
    /// start), at most `limit`.
    pub async fn scan_events_after(
        &self,
        p: &Principal,
        id: ScanId,
        after: i64,
        limit: u64,
    ) -> ServiceResult<Vec<LoggedEvent>> {
        self.get_scan(p, id).await?;
        Ok(self
            .store
            .list_scan_events_after(p.org, id, after, limit)
            .await?)
    }
}
