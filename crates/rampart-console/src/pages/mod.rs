//! One module per page group.

pub mod dashboard;
pub mod proof;
pub mod sign_in;
pub mod vulns;
