//! rampart's storage port.
//!
//! One trait per area (tenancy, apps, inventory, templates, scan configs, scans, the job
//! queue, vulnerabilities, engines, leadership, schedules, blackouts, files, reports,
//! console sessions); [`Store`] is all of them, the one
//! interface every backend implements (SQLite embedded, PostgreSQL for replicas).
//! Invariants every implementation keeps, checked by the conformance suite in
//! [`conformance`] (feature `testkit`):
//! - every method is tenant-scoped: an object of another organization is `NotFound`;
//! - app-scoped objects honour [`Visibility`]: a member-only principal never sees an
//!   app it is not a member of, nor anything inside it;
//! - unique names collide with `Conflict`, never a silent overwrite;
//! - deleting an app deletes everything it owns.

#![deny(clippy::unwrap_used, clippy::expect_used)]

mod apps;
mod audit;
mod blackouts;
#[cfg(feature = "testkit")]
pub mod conformance;
mod connectors;
mod console;
mod coverage;
mod engines;
mod files;
mod identity;
mod inventory;
mod jobs;
mod leader;
mod oauth;
mod plus;
mod reports;
mod scan_configs;
mod scans;
mod schedules;
mod store;
mod templates;
mod tenancy;
mod vulns;
mod webhooks;

pub use apps::*;
pub use audit::*;
pub use blackouts::*;
pub use connectors::*;
pub use console::*;
pub use coverage::*;
pub use engines::*;
pub use files::*;
pub use identity::*;
pub use inventory::*;
pub use jobs::*;
pub use leader::*;
pub use oauth::*;
pub use plus::*;
pub use reports::*;
pub use scan_configs::*;
pub use scans::*;
pub use schedules::*;
pub use store::*;
pub use templates::*;
pub use tenancy::*;
pub use vulns::*;
pub use webhooks::*;
