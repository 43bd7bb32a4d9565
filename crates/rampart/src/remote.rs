//! What the commands that talk to a server share: `--server`/`--api-key`, exit codes and
//! durations (looking apps and configs up lives in `rampart_automation::lookup`).

use clap::Args;
use rampart_client::Client;
use std::process::ExitCode;
use std::time::Duration;

pub use rampart_automation::exit;

/// Where the server is and the key to use.
#[derive(Debug, Clone, Args)]
pub struct ServerArgs {
    /// The rampart server, e.g. `http://127.0.0.1:8080`.
    #[arg(long = "server", env = "RAMPART_URL", value_name = "URL")]
    pub server: String,
    /// The API key (`rmp_…`).
    #[arg(
        long = "api-key",
        env = "RAMPART_API_KEY",
        hide_env_values = true,
        value_name = "KEY"
    )]
    pub api_key: String,
}

impl ServerArgs {
    pub fn client(&self) -> Result<Client, String> {
        Client::builder(&self.server, &self.api_key)
            .user_agent(format!("rampart-cli/{}", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| e.to_string())
    }
}

/// `90s`, `10m`, `1h`, `1h30m` (humantime).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s.trim())
        .map_err(|e| format!("invalid duration {s:?} ({e}); use e.g. 90s, 10m or 1h"))
}

/// Prints `rampart CMD: MSG` on stderr and returns exit code 2.
pub fn fail(cmd: &str, msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("rampart {cmd}: {}", crate::term::safe(&msg.to_string()));
    ExitCode::from(exit::ERROR)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_accept_seconds_minutes_hours() {
        assert_eq!(parse_duration("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("10m").unwrap(), Duration::from_secs(600));
        assert_eq!(parse_duration("1h").unwrap(), Duration::from_secs(3600));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5400));
        assert!(parse_duration("soon").unwrap_err().contains("use e.g. 90s"));
    }
}
