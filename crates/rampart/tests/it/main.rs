//! Tests of the `rampart` binary: the crate architecture and the command line.

mod architecture;
mod cli;
mod scan_formats;
