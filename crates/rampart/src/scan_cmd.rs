//! `rampart scan URL …`: a local one-shot scan with no server (owned by the engine work).

use clap::Args;
use std::process::ExitCode;

/// Arguments of `rampart scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// The seed URL to scan.
    pub url: String,
}

/// Runs the scan; exit 0 ok, 1 `--fail-on` met, 2 error.
pub async fn run(args: ScanArgs) -> ExitCode {
    eprintln!("rampart scan {}: the engine is not built yet", args.url);
    ExitCode::from(2)
}
