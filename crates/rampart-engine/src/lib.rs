//! rampart's DAST engine: crawler, active and passive checks, HTTP transport, scope gate,
//! budgets, progress events and a control handle.
//!
//! Invariants:
//! - the engine depends only on `rampart-domain`: no database, no HTTP server, no API types;
//! - every request the engine sends (crawl, attack, login, redirect hop, out-of-band
//!   callback) passes one scope gate;
//! - every limit (time, requests, crawl results, response size) is honoured and reaching one
//!   is reported as an event, never silently;
//! - module ids are `Uuid::new_v5(NAMESPACE, key)` and never change across releases.

#![deny(clippy::unwrap_used, clippy::expect_used)]

pub mod catalogue;
pub mod checks;

pub use catalogue::{catalogue, module, module_id};
pub mod client;
pub mod control;
pub mod crawl;
pub(crate) mod ctx;
pub mod events;
pub mod finding;
pub mod http;
pub(crate) mod jar;
pub(crate) mod oob;
pub mod plan;
pub mod redact;
pub mod scan;
pub mod scope;
mod score;
pub mod seed;
pub mod selectors;
pub(crate) mod session;
pub mod similarity;
pub mod target;

pub use control::ScanHandle;
pub use events::{Event, Outcome, Progress, Summary};
pub use plan::ScanPlan;
pub use scan::start;
pub use score::cvss_base_score;

/// Errors the engine reports to its caller.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("invalid scan plan: {0}")]
    Plan(String),
    #[error("scan task failed: {0}")]
    Join(String),
}

/// A random lower-case alphanumeric string of `n` characters.
pub(crate) fn rand_id(n: usize) -> String {
    use rand::Rng;
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect()
}
