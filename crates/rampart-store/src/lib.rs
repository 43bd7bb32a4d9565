//! rampart's storage port.
//!
//! [`Store`] is the one interface every backend implements (SQLite embedded, PostgreSQL
//! for replicas). Invariants every implementation keeps, checked by the conformance
//! suite in [`conformance`] (feature `testkit`):
//! - every method is tenant-scoped: an object of another organization is `NotFound`;
//! - app-scoped objects honour [`Visibility`]: a member-only principal never sees an
//!   app it is not a member of, nor anything inside it;
//! - unique names collide with `Conflict`, never a silent overwrite;
//! - deleting an app deletes everything it owns.

#[cfg(feature = "testkit")]
pub mod conformance;
mod engines;
mod scans;
mod store;

pub use engines::*;
pub use scans::*;
pub use store::*;
