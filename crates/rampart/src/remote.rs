//! What the commands that talk to a server share: `--server`/`--api-key`, exit codes and
//! durations (looking apps and configs up lives in `rampart_automation::lookup`).

use clap::Args;
use rampart_client::Client;
use std::process::ExitCode;
use std::time::Duration;

pub use rampart_automation::exit;

/// Where the server is and the credentials to use: an API key, or OAuth 2.0 client
/// credentials (`--client-id`/`--client-secret`, exchanged for bearer tokens).
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
        value_name = "KEY",
        default_value = "",
        hide_default_value = true
    )]
    pub api_key: String,
    /// An OAuth client id (with `--client-secret`; instead of `--api-key`).
    #[arg(long = "client-id", env = "RAMPART_CLIENT_ID", value_name = "ID")]
    pub client_id: Option<String>,
    /// The OAuth client's secret (prefer the environment variable: arguments show in `ps`).
    #[arg(
        long = "client-secret",
        env = "RAMPART_CLIENT_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub client_secret: Option<String>,
}

impl ServerArgs {
    /// Arguments for a server and an API key.
    pub fn with_key(server: String, api_key: String) -> Self {
        Self {
            server,
            api_key,
            client_id: None,
            client_secret: None,
        }
    }

    pub fn client(&self) -> Result<Client, String> {
        let mut b = Client::builder(&self.server, &self.api_key)
            .user_agent(format!("rampart-cli/{}", env!("CARGO_PKG_VERSION")));
        match (&self.client_id, &self.client_secret) {
            (Some(id), Some(secret)) => b = b.oauth(id, secret),
            (Some(_), None) => {
                return Err(
                    "--client-id needs --client-secret (or RAMPART_CLIENT_SECRET)".to_string(),
                )
            }
            (None, Some(_)) if self.api_key.trim().is_empty() => {
                return Err("--client-secret needs --client-id (or RAMPART_CLIENT_ID)".to_string())
            }
            _ => {}
        }
        b.build().map_err(|e| e.to_string())
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
