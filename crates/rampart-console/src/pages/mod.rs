//! One module per page group.

pub mod compare;
pub mod dashboard;
pub mod live;
pub mod proof;
pub mod reports;
pub mod scans;
pub mod sign_in;
pub mod trend;
pub mod vulns;
