//! The control handle: pause, resume, stop (finish in-flight work) and cancel (abandon).

use crate::events::{Counters, Progress, Summary};
use std::sync::Arc;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// Shared control state checked by every request.
#[derive(Debug)]
pub(crate) struct Control {
    pub stop: CancellationToken,
    pub cancel: CancellationToken,
    paused: watch::Sender<bool>,
}

impl Control {
    pub fn new() -> Self {
        Self {
            stop: CancellationToken::new(),
            cancel: CancellationToken::new(),
            paused: watch::channel(false).0,
        }
    }

    /// Waits while paused; returns at once when cancelled or stopped.
    pub async fn wait_unpaused(&self) {
        let mut rx = self.paused.subscribe();
        loop {
            if !*rx.borrow_and_update() || self.stop.is_cancelled() || self.cancel.is_cancelled() {
                return;
            }
            tokio::select! {
                r = rx.changed() => if r.is_err() { return },
                _ = self.stop.cancelled() => return,
                _ = self.cancel.cancelled() => return,
            }
        }
    }

    /// No new work should start.
    pub fn halted(&self) -> bool {
        self.stop.is_cancelled() || self.cancel.is_cancelled()
    }
}

/// Handle to a running scan.
pub struct ScanHandle {
    pub(crate) control: Arc<Control>,
    pub(crate) counters: Arc<Counters>,
    pub(crate) join: tokio::task::JoinHandle<Summary>,
}

impl ScanHandle {
    pub fn pause(&self) {
        self.control.paused.send_replace(true);
    }

    pub fn resume(&self) {
        self.control.paused.send_replace(false);
    }

    /// Finish what is in flight, then report.
    pub fn stop(&self) {
        self.control.stop.cancel();
    }

    /// Abandon the scan now.
    pub fn cancel(&self) {
        self.control.cancel.cancel();
        self.control.stop.cancel();
    }

    /// A cloneable handle for another task (for example a Ctrl-C watcher).
    pub fn control_clone(&self) -> Controller {
        Controller {
            control: self.control.clone(),
        }
    }

    pub fn progress(&self) -> Progress {
        self.counters.snapshot()
    }

    /// Waits for the end of the scan and returns its summary.
    pub async fn wait(self) -> Result<Summary, crate::EngineError> {
        self.join
            .await
            .map_err(|e| crate::EngineError::Join(e.to_string()))
    }
}

/// Stop/cancel/pause from another task, without owning the scan.
#[derive(Clone, Debug)]
pub struct Controller {
    control: Arc<Control>,
}

impl Controller {
    pub fn stop(&self) {
        self.control.stop.cancel();
    }

    pub fn cancel(&self) {
        self.control.cancel.cancel();
        self.control.stop.cancel();
    }

    pub fn pause(&self) {
        self.control.paused.send_replace(true);
    }

    pub fn resume(&self) {
        self.control.paused.send_replace(false);
    }
}
