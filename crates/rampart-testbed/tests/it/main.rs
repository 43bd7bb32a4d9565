//! Integration tests of the testbed: every case shown by hand, controls, discoverability.

mod binary;
mod cases;
mod control;
mod crawl;
mod probes;
mod support;
