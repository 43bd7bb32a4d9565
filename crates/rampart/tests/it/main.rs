//! Tests of the `rampart` binary: the crate architecture and the command line.

mod architecture;
mod automation;
mod cli;
mod scan_formats;
