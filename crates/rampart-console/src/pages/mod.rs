//! One module per page group.

pub mod apps;
pub mod compare;
pub mod dashboard;
pub mod engines;
pub mod keys;
pub mod live;
pub mod proof;
pub mod reports;
pub mod scan_configs;
pub mod scans;
pub mod sign_in;
pub mod targets;
pub mod trend;
pub mod vulns;
