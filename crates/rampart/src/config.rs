//! Layered configuration: built-in defaults → TOML file → `RAMPART_*` environment →
//! flags (clap resolves the last two). Secrets are redacted in `Debug`.

use anyhow::Context;
use serde::Deserialize;
use std::path::Path;

/// The TOML file (`--config`); every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub database: Option<String>,
    pub listen: Option<String>,
    pub public_url: Option<String>,
    pub log_format: Option<String>,
    pub secret_key_file: Option<std::path::PathBuf>,
    /// Embedded engine slots (`--engines`).
    pub engines: Option<usize>,
    /// Job lease length in seconds (`--lease-seconds`).
    pub lease_seconds: Option<u64>,
    /// The largest file content accepted, in bytes (`--max-file-bytes`).
    pub max_file_bytes: Option<usize>,
    /// Days audit entries are kept (`--audit-retention-days`).
    pub audit_retention_days: Option<u32>,
    /// Audit client address from `X-Forwarded-For` (`--trust-forwarded-for`).
    pub trust_forwarded_for: Option<bool>,
    /// Days generated server-side reports are kept (`--report-retention-days`).
    pub report_retention_days: Option<u32>,
}

impl FileConfig {
    pub fn load(path: Option<&Path>) -> anyhow::Result<Self> {
        let Some(path) = path else {
            return Ok(Self::default());
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        toml::from_str(&text)
            .with_context(|| format!("{} is not a valid rampart config", path.display()))
    }
}

/// A database URL with its password hidden, for logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Logs to stderr, pretty or JSON, filtered by `RUST_LOG` (default `info`).
pub fn init_logging(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords_only() {
        assert_eq!(
            super::redact("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(super::redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(super::redact("sqlite://./x.db"), "sqlite://./x.db");
    }
}
