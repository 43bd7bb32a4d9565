//! A server's stable instance id: it names the lease owner of the embedded engine slots,
//! so that a server restarted after a crash recognises the jobs it held and queues them
//! again at once instead of leaving them `RUNNING` until their leases expire.
//!
//! Where it comes from: `--instance-id` / `RAMPART_INSTANCE_ID`; else the first
//! `instance-N.id` file next to the database (the secret key's directory) that no running
//! server holds. Each server holds its file with an exclusive lock for its lifetime, so two
//! servers sharing a data directory never take the same id (and never hand back each
//! other's jobs), while a restarted server takes its old file, and id, again.

use anyhow::Context;
use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;

/// How many instance files one data directory may hold.
const MAX_INSTANCES: usize = 64;

/// The instance id, with the lock that keeps it this process's.
#[derive(Debug)]
pub struct Instance {
    pub id: String,
    _lock: Option<File>,
}

impl Instance {
    /// The lease-owner prefix of this instance's embedded slots.
    pub fn slot_prefix(&self) -> String {
        format!("embedded/{}", self.id)
    }
}

fn valid(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// The id from `explicit`, else from (or into) an `instance-N.id` file in `dir`; without
/// either, a random id (a restart then cannot recognise its jobs: they wait for expiry).
pub fn resolve(explicit: Option<&str>, dir: Option<&Path>) -> anyhow::Result<Instance> {
    if let Some(id) = explicit {
        let id = id.trim();
        anyhow::ensure!(
            valid(id),
            "--instance-id must be 1-64 characters of letters, digits, '-', '_' or '.'"
        );
        return Ok(Instance {
            id: id.to_string(),
            _lock: None,
        });
    }
    let Some(dir) = dir else {
        return Ok(Instance {
            id: uuid::Uuid::new_v4().simple().to_string(),
            _lock: None,
        });
    };
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
    for n in 0..MAX_INSTANCES {
        let path = dir.join(format!("instance-{n}.id"));
        let mut file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => continue,
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock {}", path.display()))
            }
        }
        let mut text = String::new();
        file.read_to_string(&mut text)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let id = text.trim().to_string();
        let id = if valid(&id) {
            id
        } else {
            let id = uuid::Uuid::new_v4().simple().to_string();
            file.set_len(0)?;
            file.write_all(id.as_bytes())
                .and_then(|()| file.sync_all())
                .with_context(|| format!("cannot write {}", path.display()))?;
            id
        };
        return Ok(Instance {
            id,
            _lock: Some(file),
        });
    }
    anyhow::bail!(
        "{MAX_INSTANCES} servers already run on {}: pass --instance-id",
        dir.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_restart_takes_the_same_id_and_a_second_server_another() {
        let dir = std::env::temp_dir().join(format!("rampart-inst-{}", uuid::Uuid::new_v4()));
        let first = resolve(None, Some(&dir)).unwrap();
        let second = resolve(None, Some(&dir)).unwrap();
        assert_ne!(first.id, second.id, "two live servers, two ids");
        let id = first.id.clone();
        drop(first);
        let again = resolve(None, Some(&dir)).unwrap();
        assert_eq!(again.id, id, "a restart takes its id back");
        assert_eq!(resolve(Some("r-1"), None).unwrap().id, "r-1");
        assert!(resolve(Some("a/b"), None).is_err());
        std::fs::remove_dir_all(dir).ok();
    }
}
