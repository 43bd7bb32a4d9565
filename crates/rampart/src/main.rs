//! The `rampart` binary: parses the command line, reads the layered configuration and
//! wires the crates together. The only crate that names the concrete stores.

mod config;
mod key_cmd;
mod scan_cmd;
mod secret_key;
mod server_cmd;
mod store;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "rampart",
    version,
    about = "Self-hosted application security testing"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the API server (embedded SQLite by default).
    Server(server_cmd::ServerArgs),
    /// Administer API keys.
    Key {
        #[command(subcommand)]
        command: key_cmd::KeyCommand,
    },
    /// Scan a web application locally, without a server.
    Scan(Box<scan_cmd::ScanArgs>),
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Server(args) => server_cmd::run(args).await,
        Command::Key { command } => key_cmd::run(command).await,
        Command::Scan(args) => return scan_cmd::run(*args).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rampart: {e:#}");
            ExitCode::from(2)
        }
    }
}
