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

pub mod catalogue;
pub mod checks;

pub use catalogue::{catalogue, module, module_id};
