//! The signing key ring: keys live in the database (private part sealed with the server's
//! secret key) so every replica signs and verifies with the same set. A key signs for
//! `rotate_every`, then verifies until the last token it signed has expired, then is
//! retired. Each process caches the ring for `cache_for` and reloads it on an unknown `kid`.

use super::jwt::{self, Signer};
use crate::{Service, ServiceError, ServiceResult};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use rampart_domain::oauth::SigningKey;
use std::sync::{Arc, RwLock};

/// Token lifetime and key rotation.
#[derive(Clone, Debug)]
pub struct OAuthSettings {
    /// `expires_in` of an access token (default one hour).
    pub token_ttl: chrono::Duration,
    /// How long a key signs before a new one takes over (default 24 hours).
    pub rotate_every: chrono::Duration,
    /// How long a process trusts its copy of the key ring (default 30 seconds).
    pub cache_for: chrono::Duration,
}

impl Default for OAuthSettings {
    fn default() -> Self {
        Self {
            token_ttl: chrono::Duration::hours(1),
            rotate_every: chrono::Duration::hours(24),
            cache_for: chrono::Duration::seconds(30),
        }
    }
}

#[derive(Default)]
pub(crate) struct Ring {
    loaded_at: Option<DateTime<Utc>>,
    keys: Vec<SigningKey>,
    /// The signing key, until when it signs, and when this process picked it.
    signer: Option<(Arc<Signer>, DateTime<Utc>, DateTime<Utc>)>,
}

/// The per-process OAuth state: settings and the cached ring.
#[derive(Default)]
pub(crate) struct OAuthState {
    pub settings: OAuthSettings,
    ring: RwLock<Ring>,
}

impl std::fmt::Debug for OAuthState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthState")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl OAuthState {
    pub fn new(settings: OAuthSettings) -> Self {
        Self {
            settings,
            ring: RwLock::default(),
        }
    }
}

fn context(kid: &str) -> Vec<u8> {
    format!("oauth-signing-key:{kid}").into_bytes()
}

impl Service {
    async fn reload_ring(&self, now: DateTime<Utc>) -> ServiceResult<Vec<SigningKey>> {
        let keys = self.store.list_signing_keys(now).await?;
        if let Ok(mut ring) = self.oauth.ring.write() {
            ring.loaded_at = Some(now);
            ring.keys = keys.clone();
        }
        Ok(keys)
    }

    /// The key to sign with now: the newest one still signing that this process can
    /// open, else a new one (stored for every replica).
    pub(crate) async fn signer(&self) -> ServiceResult<Arc<Signer>> {
        let now = self.now();
        if let Ok(ring) = self.oauth.ring.read() {
            if let Some((s, until, picked)) = &ring.signer {
                // Re-checked against the database every `cache_for`, so a key retired
                // elsewhere stops signing here too.
                if *until > now && now - *picked < self.oauth.settings.cache_for {
                    return Ok(s.clone());
                }
            }
        }
        let keys = self.reload_ring(now).await?;
        let open = keys.iter().filter(|k| k.sign_until > now).find_map(|k| {
            let pk8 = self.secret_key.open(&k.private_sealed, &context(&k.kid))?;
            let der = URL_SAFE_NO_PAD.decode(pk8).ok()?;
            Some((Signer::from_pkcs8(&k.kid, &der)?, k.sign_until))
        });
        let (signer, until) = match open {
            Some(found) => found,
            None => self.new_signing_key(now).await?,
        };
        let signer = Arc::new(signer);
        if let Ok(mut ring) = self.oauth.ring.write() {
            ring.signer = Some((signer.clone(), until, now));
        }
        Ok(signer)
    }

    async fn new_signing_key(&self, now: DateTime<Utc>) -> ServiceResult<(Signer, DateTime<Utc>)> {
        let (pk8, public) = jwt::generate()
            .ok_or_else(|| ServiceError::Internal("cannot generate a signing key".into()))?;
        let kid = uuid::Uuid::new_v4().simple().to_string();
        let s = &self.oauth.settings;
        let key = SigningKey {
            kid: kid.clone(),
            public_key: URL_SAFE_NO_PAD.encode(&public),
            private_sealed: self
                .secret_key
                .seal(&URL_SAFE_NO_PAD.encode(&pk8), &context(&kid)),
            created_at: now,
            sign_until: now + s.rotate_every,
            verify_until: now + s.rotate_every + s.token_ttl,
        };
        self.store.create_signing_key(&key).await?;
        tracing::info!(kid = %kid, "new access-token signing key");
        self.reload_ring(now).await?;
        let signer = Signer::from_pkcs8(&kid, &pk8)
            .ok_or_else(|| ServiceError::Internal("cannot load a new signing key".into()))?;
        Ok((signer, key.sign_until))
    }

    /// The raw public key of `kid` if it still verifies now.
    pub(crate) async fn verifying_key(&self, kid: &str) -> ServiceResult<Option<Vec<u8>>> {
        let now = self.now();
        let cached = self.oauth.ring.read().ok().and_then(|ring| {
            let fresh = ring
                .loaded_at
                .is_some_and(|at| now - at < self.oauth.settings.cache_for);
            let key = ring.keys.iter().find(|k| k.kid == kid).cloned();
            match (fresh, key) {
                (true, key) => Some(key),
                (false, _) => None,
            }
        });
        let key = match cached {
            Some(Some(k)) => Some(k),
            // Unknown in a fresh cache: maybe another replica just made it.
            _ => self
                .reload_ring(now)
                .await?
                .into_iter()
                .find(|k| k.kid == kid),
        };
        Ok(key
            .filter(|k| k.verify_until > now)
            .and_then(|k| URL_SAFE_NO_PAD.decode(&k.public_key).ok()))
    }

    /// The keys that verify now, for `/.well-known/jwks.json`.
    pub async fn jwks(&self) -> ServiceResult<serde_json::Value> {
        let keys = self.reload_ring(self.now()).await?;
        let keys: Vec<serde_json::Value> = keys
            .iter()
            .map(|k| {
                serde_json::json!({"kty": "OKP", "crv": "Ed25519", "x": k.public_key,
                    "kid": k.kid, "alg": "EdDSA", "use": "sig"})
            })
            .collect();
        Ok(serde_json::json!({ "keys": keys }))
    }
}
