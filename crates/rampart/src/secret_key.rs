//! The server's secret key (it seals engine credentials): `--secret-key` /
//! `RAMPART_SECRET_KEY` (base64url), else a key file — `--secret-key-file`, or
//! `secret.key` next to the SQLite database (`./rampart-data/secret.key` for PostgreSQL) —
//! created with mode 0600 on first start. Replicas on PostgreSQL must share one key.

use anyhow::{bail, Context};
use rampart_service::SecretKey;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// The key as given on the command line or in the environment; `Debug` hides it.
#[derive(Clone)]
pub struct KeyText(pub String);

impl std::fmt::Debug for KeyText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl std::str::FromStr for KeyText {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_string()))
    }
}

/// Where the key file lives by default for `database`; `None` for in-memory SQLite
/// (a process-local key then).
pub fn default_file(database: &str) -> Option<PathBuf> {
    if let Some(rest) = database.strip_prefix("sqlite:") {
        let path = rest.trim_start_matches("//");
        let path = path.split('?').next().unwrap_or(path);
        if path.starts_with(":memory:") {
            return None;
        }
        let dir = Path::new(path).parent().unwrap_or(Path::new("."));
        return Some(dir.join("secret.key"));
    }
    Some(PathBuf::from("./rampart-data/secret.key"))
}

/// The key from `explicit` (base64url), else from `file` (read, or created once).
pub fn load(explicit: Option<&str>, file: Option<&Path>) -> anyhow::Result<SecretKey> {
    if let Some(text) = explicit {
        return SecretKey::from_base64(text)
            .context("RAMPART_SECRET_KEY must be 32 bytes in base64url (e.g. `openssl rand -base64 32 | tr '+/' '-_'`)");
    }
    let Some(file) = file else {
        return Ok(SecretKey::generate());
    };
    match std::fs::read_to_string(file) {
        Ok(text) => SecretKey::from_base64(&text)
            .with_context(|| format!("{} does not hold a rampart secret key", file.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
            }
            let key = SecretKey::generate();
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(file)
                .with_context(|| format!("cannot create {}", file.display()))?;
            writeln!(f, "{}", key.to_base64())?;
            tracing::info!(file = %file.display(), "created the server secret key");
            Ok(key)
        }
        Err(e) => bail!("cannot read {}: {e}", file.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn default_locations() {
        assert_eq!(
            default_file("sqlite://./data/r.db"),
            Some(PathBuf::from("./data/secret.key"))
        );
        assert_eq!(default_file("sqlite::memory:"), None);
        assert_eq!(
            default_file("postgres://u@h/db"),
            Some(PathBuf::from("./rampart-data/secret.key"))
        );
    }

    #[test]
    fn a_key_file_is_created_once_with_mode_0600() {
        let dir = std::env::temp_dir().join(format!(
            "rampart-key-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        let file = dir.join("secret.key");
        let first = load(None, Some(&file)).unwrap();
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let again = load(None, Some(&file)).unwrap();
        assert_eq!(first.to_base64(), again.to_base64());
        let explicit = load(Some(&first.to_base64()), None).unwrap();
        assert_eq!(explicit.to_base64(), first.to_base64());
        assert!(load(Some("short"), None).is_err());
        std::fs::write(&file, "garbage").unwrap();
        assert!(load(None, Some(&file)).is_err());
        std::fs::remove_dir_all(&dir).ok();
    }
}
