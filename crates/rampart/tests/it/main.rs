//! Tests of the `rampart` binary: the crate architecture and the command line.

mod architecture;
mod automation;
mod cli;
mod engines;
mod scan_formats;
