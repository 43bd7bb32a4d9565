//! rampart-automation: what the CI commands do over the `/ias/v1` API, as a library.
//!
//! Layer 5, above the typed client and the report model; the `rampart` binary only parses
//! arguments, prints and picks exit codes. [`onboard`] creates the apps, targets and scan
//! configs of a file that are missing; [`run`] submits scans, waits, cancels on timeout and
//! applies the [`gate`]; [`report`] assembles a report model from server scans. Invariants:
//! no clap, no terminal handling here (progress goes to a [`run::StatusSink`]); every failure is
//! a message that says what to do, returned, never printed or panicked.

#![deny(clippy::unwrap_used, clippy::expect_used)]

pub mod gate;
pub mod lookup;
pub mod onboard;
pub mod report;
pub mod run;
pub mod server_report;

/// Exit codes of the automation commands.
pub mod exit {
    /// Passed.
    pub const OK: u8 = 0;
    /// A gate failed (`--fail-on`, `--gate`).
    pub const GATE: u8 = 1;
    /// The scan failed, or a usage or runtime error.
    pub const ERROR: u8 = 2;
}
