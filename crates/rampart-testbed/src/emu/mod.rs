//! Safe emulations of dangerous primitives: a shell, an `eval`, a template engine, a file
//! system, an XML parser with external entities, and a loopback-only HTTP fetcher.
//!
//! Invariant: nothing here runs a real process, reads a real file or reaches a non-loopback
//! address; delays are returned as values and capped at [`MAX_DELAY`].

pub(crate) mod expr;
pub(crate) mod fetch;
pub(crate) mod fs;
pub(crate) mod shell;
pub(crate) mod template;
pub(crate) mod win;
pub(crate) mod xml;

use std::time::Duration;

/// The longest emulated delay a single request can cause.
pub(crate) const MAX_DELAY: Duration = Duration::from_secs(10);

/// Caps an emulated delay of `secs` seconds (negative or NaN count as zero).
pub(crate) fn capped_delay(secs: f64) -> Duration {
    if secs.is_finite() && secs > 0.0 {
        Duration::from_secs_f64(secs.min(MAX_DELAY.as_secs_f64()))
    } else {
        Duration::ZERO
    }
}
