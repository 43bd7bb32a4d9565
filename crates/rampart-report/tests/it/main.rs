//! Integration tests of rampart-report: snapshots of every format and SARIF schema validation.

mod adapters;
mod browser;
mod documents;
mod fixture;
mod formats;
mod sarif;
