//! The `rampart` binary: parses the command line, reads the layered configuration and
//! wires the crates together. The only crate that names the concrete stores.

mod blackout_cmd;
mod config;
mod engine_cmd;
mod gate_cmd;
mod group_cmd;
mod instance;
mod key_cmd;
mod oauth_client_cmd;
mod onboard_cmd;
mod org_cmd;
mod remote;
mod report_cmd;
mod run_cmd;
mod scan_cmd;
mod schedule_cmd;
mod search_cmd;
mod secret_key;
mod server_cmd;
mod server_report;
mod service_account_cmd;
mod store;
mod term;
mod user_cmd;

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
    /// Run a remote scan engine against a server (`--server URL --key rmpe_…`).
    Engine(engine_cmd::EngineArgs),
    /// API keys: list, create, revoke, rotate.
    Key {
        #[command(subcommand)]
        command: key_cmd::KeyCommand,
    },
    /// Organizations (tenants), over the API or on the database: create, list, rename, delete.
    Org {
        #[command(subcommand)]
        command: org_cmd::OrgCommand,
    },
    /// Users on a server: create, list, disable, enable, delete.
    User {
        #[command(subcommand)]
        command: user_cmd::UserCommand,
    },
    /// Service accounts on a server: create, list, delete.
    ServiceAccount {
        #[command(subcommand)]
        command: service_account_cmd::ServiceAccountCommand,
    },
    /// Identity groups on a server: create, list, add-member, grant-app, grant-tag.
    Group {
        #[command(subcommand)]
        command: group_cmd::GroupCommand,
    },
    /// Administer OAuth 2.0 client credentials (for `POST /oauth/token`).
    OauthClient {
        #[command(subcommand)]
        command: oauth_client_cmd::OAuthClientCommand,
    },
    /// Scan a web application locally, without a server.
    Scan(Box<scan_cmd::ScanArgs>),
    /// Create the apps, targets and scan configs of a file that are missing (server).
    Onboard(onboard_cmd::OnboardArgs),
    /// Run scans on a server, wait, and gate on their findings (exit 0/1/2).
    Run(Box<run_cmd::RunArgs>),
    /// Evaluate an AppSec+ policy on a server now and exit by its verdict (0 pass, 1 fail).
    Gate(gate_cmd::GateArgs),
    /// Render a server scan (or the latest scan of app/config pairs) as a report.
    Report(report_cmd::ReportArgs),
    /// Search a server (`--type APP --query "app.name CONTAINS 'x'"`).
    Search(search_cmd::SearchArgs),
    /// List, create and delete blackouts (quiet windows) on a server.
    Blackout(blackout_cmd::BlackoutArgs),
    /// Recurring scans on a server: list, create, delete.
    Schedule {
        #[command(subcommand)]
        command: schedule_cmd::ScheduleCommand,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Server(args) => server_cmd::run(args).await,
        Command::Engine(args) => engine_cmd::run(args).await,
        Command::Key { command } => key_cmd::run(command).await,
        Command::Org { command } => org_cmd::run(command).await,
        Command::User { command } => return user_cmd::run(command).await,
        Command::ServiceAccount { command } => return service_account_cmd::run(command).await,
        Command::Group { command } => return group_cmd::run(command).await,
        Command::OauthClient { command } => oauth_client_cmd::run(command).await,
        Command::Scan(args) => return scan_cmd::run(*args).await,
        Command::Onboard(args) => return onboard_cmd::run(args).await,
        Command::Run(args) => return run_cmd::run(*args).await,
        Command::Gate(args) => return gate_cmd::run(args).await,
        Command::Report(args) => return report_cmd::run(args).await,
        Command::Search(args) => return search_cmd::run(args).await,
        Command::Blackout(args) => return blackout_cmd::run(args).await,
        Command::Schedule { command } => return schedule_cmd::run(command).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rampart: {e:#}");
            ExitCode::from(2)
        }
    }
}
