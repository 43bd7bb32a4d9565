//! rampart-testbed: a deliberately vulnerable web application ("Acme Outdoor", a PHP-style shop
//! with a small JSON API) that rampart's tests and benchmarks scan to measure the DAST engine.
//!
//! Every behaviour a scanner must (or must not) report is a [`Case`] of the [`manifest`]: a
//! vulnerable case for every engine module key and a safe twin that a correct scanner stays
//! silent on. Vulnerable cases can be switched off at runtime ([`TestbedHandle::set_enabled`] or
//! `POST /__testbed/cases/{id}/fixed`); a fixed case then behaves like its safe twin.
//!
//! Invariants:
//! - Nothing dangerous is real: commands, `eval`, templates and files are emulated in Rust
//!   (the private `emu` module); outbound requests (SSRF, XXE, RFI) go to loopback addresses only,
//!   anything else is refused.
//! - Case ids, paths and parameters are stable; tests and benchmarks key on them.
//! - Nothing is special-cased for any scanner; pages look like an ordinary bad web application.
//! - Every request except the `/__testbed/*` control routes is recorded (see
//!   [`TestbedHandle::requests`]) so tests can assert what a scanner sent.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let tb = rampart_testbed::spawn(rampart_testbed::TestbedConfig::default()).await?;
//! println!("scan {}", tb.base_url());
//! tb.set_enabled("sqli-time", false)?; // now behaves like its safe twin
//! assert!(tb.manifest().iter().any(|c| c.module_key == "xxe" && c.vulnerable));
//! tb.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Code map: `manifest` (the cases), `definitions` (the files describing the API area no link
//! leads to: OpenAPI, GraphQL SDL, HAR), `server` (listeners, handle, the client-certificate
//! listener), `middleware` (request log,
//! TRACE, banners and headers), `pages/*` (the site, one module per area), `auth` (login and the
//! account area), `db` (SQLite), `emu/*` (the emulations), `admin` (`/__testbed/*`), `generated` (an N-page site for budget benchmarks, outside the manifest), `dropping` (a site
//! that closes connections under requests, outside the manifest).

mod admin;
mod auth;
mod db;
pub mod definitions;
pub mod dropping;
mod emu;
pub mod generated;
mod html;
mod manifest;
mod middleware;
mod pages;
mod server;
mod state;

pub use manifest::{login_info, manifest, Case, LoginInfo};
pub use pages::PARTNER_LOCKOUT;
pub use server::{spawn, spawn_with_client_auth, ClientAuthTls, TestbedConfig, TestbedHandle};
pub use state::RequestRecord;

/// Errors of the testbed's library API.
#[derive(Debug, thiserror::Error)]
pub enum TestbedError {
    #[error("unknown case id {0}: see manifest() for the valid ids")]
    UnknownCase(String),
}
