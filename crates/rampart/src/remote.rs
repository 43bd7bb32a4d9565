//! What the commands that talk to a server share: `--server`/`--api-key`, exit codes,
//! durations, and looking apps and scan configs up by name or id.

use clap::Args;
use rampart_api_types::ias::{App, ScanConfig};
use rampart_client::{quote, search_type, Client};
use std::process::ExitCode;
use std::time::Duration;
use uuid::Uuid;

/// Exit codes of the automation commands.
pub mod exit {
    /// Passed.
    pub const OK: u8 = 0;
    /// A gate failed (`--fail-on`, `--gate`).
    pub const GATE: u8 = 1;
    /// The scan failed, or a usage or runtime error.
    pub const ERROR: u8 = 2;
}

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
    eprintln!("rampart {cmd}: {msg}");
    ExitCode::from(exit::ERROR)
}

/// An app by id or by exact name.
pub async fn find_app(c: &Client, name_or_id: &str) -> Result<App, String> {
    if let Ok(id) = Uuid::parse_str(name_or_id) {
        return c.get_app(id).await.map_err(|e| {
            if e.is_not_found() {
                format!("app {name_or_id} not found")
            } else {
                e.to_string()
            }
        });
    }
    let apps: Vec<App> = c
        .search(search_type::APP, &format!("app.name={}", quote(name_or_id)))
        .all()
        .await
        .map_err(|e| e.to_string())?;
    let mut hits: Vec<App> = apps.into_iter().filter(|a| a.name == name_or_id).collect();
    match hits.len() {
        0 => Err(format!("app '{name_or_id}' not found")),
        1 => Ok(hits.remove(0)),
        n => Err(format!(
            "{n} apps are named '{name_or_id}': pass the app id instead"
        )),
    }
}

/// A scan config of `app` by id or by exact name.
pub async fn find_config(c: &Client, app: &App, name_or_id: &str) -> Result<ScanConfig, String> {
    let app_id = app.id.unwrap_or_default();
    if let Ok(id) = Uuid::parse_str(name_or_id) {
        let cfg = c.get_scan_config(id).await.map_err(|e| {
            if e.is_not_found() {
                format!("scan config {name_or_id} not found")
            } else {
                e.to_string()
            }
        })?;
        if cfg.app.map(|a| a.id) != Some(app_id) {
            return Err(format!(
                "scan config {name_or_id} does not belong to app '{}'",
                app.name
            ));
        }
        return Ok(cfg);
    }
    let q = format!(
        "scanconfig.name={} && scanconfig.app.id={}",
        quote(name_or_id),
        quote(&app_id.to_string())
    );
    let mut hits: Vec<ScanConfig> = c
        .search::<ScanConfig>(search_type::SCAN_CONFIG, &q)
        .all()
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|s| s.name == name_or_id)
        .collect();
    match hits.len() {
        0 => Err(format!(
            "scan config '{name_or_id}' not found in app '{}'",
            app.name
        )),
        1 => Ok(hits.remove(0)),
        n => Err(format!(
            "{n} scan configs of app '{}' are named '{name_or_id}': pass the id instead",
            app.name
        )),
    }
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
