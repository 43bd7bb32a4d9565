//! The `rampart` binary: parses the command line and wires the crates together.

mod scan_cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(name = "rampart", version, about = "Self-hosted application security testing")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Scan a web application locally, without a server.
    Scan(scan_cmd::ScanArgs),
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Scan(args) => scan_cmd::run(args).await,
    }
}
