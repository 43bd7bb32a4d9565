//! Scan-config secrets at rest: sealed with the server's secret key before a document or a
//! recipe is stored, opened only where a scan is compiled or a job handed to an engine.
//! Which fields are secret is `rampart_domain::secrets` (one rule); reads show
//! [`MARKER`](rampart_domain::secrets::MARKER), and a write that sends the marker back keeps
//! the stored secret.

use crate::{Service, ServiceError, ServiceResult};
use rampart_domain::plan::Recipe;
use rampart_domain::secrets::{is_secret_header, map_option_secrets, option_secrets, MARKER};
use rampart_domain::OrgId;
use serde_json::Value;

/// Every sealed value starts with this, so a stored value is known to be sealed.
const SEALED: &str = "sealed:v1:";

fn context(org: OrgId) -> Vec<u8> {
    format!("scan-config-secret:{}", org.0).into_bytes()
}

impl Service {
    fn seal_value(&self, org: OrgId, value: &str) -> String {
        // A value that already opens under our key was stored by us (reads never show it).
        if value.starts_with(SEALED) && self.open_value(org, value).is_some() {
            return value.to_string();
        }
        format!("{SEALED}{}", self.secret_key.seal(value, &context(org)))
    }

    /// The plaintext of a stored value: sealed ones opened, older clear ones as they are;
    /// `None` when it was sealed by another key.
    fn open_value(&self, org: OrgId, value: &str) -> Option<String> {
        match value.strip_prefix(SEALED) {
            Some(sealed) => self.secret_key.open(sealed, &context(org)),
            None => Some(value.to_string()),
        }
    }

    /// The document to store: markers replaced by the stored secret at the same place
    /// (`stored`, sealed), every other secret sealed.
    pub(crate) fn seal_options(&self, org: OrgId, mut doc: Value, stored: &Value) -> Value {
        let old = option_secrets(stored);
        map_option_secrets(&mut doc, &mut |path, value| {
            if value == MARKER {
                return old.get(path).cloned().unwrap_or_default();
            }
            self.seal_value(org, value)
        });
        doc
    }

    /// The stored document with its secrets opened, for compilation only. A secret sealed by
    /// another key is a configuration error the user fixes by sending it again.
    pub(crate) fn open_options(&self, org: OrgId, mut doc: Value) -> Result<Value, String> {
        let mut lost = Vec::new();
        map_option_secrets(&mut doc, &mut |path, value| {
            self.open_value(org, value).unwrap_or_else(|| {
                lost.push(path.to_string());
                String::new()
            })
        });
        if lost.is_empty() {
            Ok(doc)
        } else {
            Err(format!(
                "the secret at {} was sealed with another server key: send it again",
                lost.join(", ")
            ))
        }
    }

    /// A recipe's secrets sealed, before it is stored with its job.
    pub(crate) fn seal_recipe(&self, org: OrgId, mut r: Recipe) -> Recipe {
        self.map_recipe(&mut r, &mut |v| self.seal_value(org, v));
        r
    }

    /// A stored recipe's secrets opened, when its job is handed to an engine.
    pub(crate) fn open_recipe(&self, org: OrgId, mut r: Recipe) -> ServiceResult<Recipe> {
        let mut failed = false;
        self.map_recipe(&mut r, &mut |v| {
            self.open_value(org, v).unwrap_or_else(|| {
                failed = true;
                String::new()
            })
        });
        if failed {
            return Err(ServiceError::Internal(
                "a queued scan's secrets were sealed with another server key".into(),
            ));
        }
        Ok(r)
    }

    fn map_recipe(&self, r: &mut Recipe, f: &mut dyn FnMut(&str) -> String) {
        if let Some(l) = &mut r.login {
            l.password = f(&l.password);
        }
        for (name, value) in &mut r.headers {
            if is_secret_header(name) {
                *value = f(value);
            }
        }
        if let Some(c) = &mut r.cookie {
            *c = f(c);
        }
        if let Some(c) = &mut r.client_certificate {
            c.password = f(&c.password);
        }
    }
}
