//! The server's secret key: seals what must be shown again but never stored in clear
//! (engine credentials), with XChaCha20-Poly1305.
//!
//! The composition root loads it from the configuration or a key file; without one a
//! process-local key is generated, and what it sealed cannot be opened after a restart
//! (the caller then asks for a new credential).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;

const NONCE_LEN: usize = 24;

/// 256 bits; `Debug` never shows them.
#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(***)")
    }
}

impl SecretKey {
    /// A fresh random key.
    pub fn generate() -> Self {
        let mut k = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut k);
        Self(k)
    }

    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Parses the base64url form written by [`SecretKey::to_base64`] (a key file).
    pub fn from_base64(text: &str) -> Option<Self> {
        let raw = URL_SAFE_NO_PAD
            .decode(text.trim().trim_end_matches('='))
            .ok()?;
        Some(Self(raw.try_into().ok()?))
    }

    pub fn to_base64(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&self.0.into())
    }

    /// `plaintext` sealed and bound to `context` (opening it under another context
    /// fails), as base64url of nonce ‖ ciphertext.
    pub(crate) fn seal(&self, plaintext: &str, context: &[u8]) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let payload = Payload {
            msg: plaintext.as_bytes(),
            aad: context,
        };
        // Encryption with a valid key and nonce length only fails for messages over
        // 256 GiB; a token is 48 bytes.
        let ct = self
            .cipher()
            .encrypt(XNonce::from_slice(&nonce), payload)
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend(ct);
        URL_SAFE_NO_PAD.encode(out)
    }

    /// The plaintext, or `None` when `sealed` was not sealed by this key for `context`.
    pub(crate) fn open(&self, sealed: &str, context: &[u8]) -> Option<String> {
        let raw = URL_SAFE_NO_PAD.decode(sealed).ok()?;
        if raw.len() <= NONCE_LEN {
            return None;
        }
        let (nonce, ct) = raw.split_at(NONCE_LEN);
        let pt = self
            .cipher()
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ct,
                    aad: context,
                },
            )
            .ok()?;
        String::from_utf8(pt).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_round_trips_only_with_the_same_key_and_context() {
        let k = SecretKey::generate();
        let sealed = k.seal("rmpe_token", b"engine-1");
        assert!(!sealed.contains("rmpe_token"));
        assert_eq!(k.open(&sealed, b"engine-1").as_deref(), Some("rmpe_token"));
        assert_eq!(k.open(&sealed, b"engine-2"), None, "bound to its engine");
        assert_eq!(SecretKey::generate().open(&sealed, b"engine-1"), None);
        assert_ne!(
            k.seal("rmpe_token", b"engine-1"),
            sealed,
            "fresh nonce each time"
        );
        assert_eq!(k.open("not base64!", b"engine-1"), None);
        let again = SecretKey::from_base64(&k.to_base64()).unwrap();
        assert_eq!(
            again.open(&sealed, b"engine-1").as_deref(),
            Some("rmpe_token")
        );
        assert!(SecretKey::from_base64("c2hvcnQ").is_none());
        assert_eq!(format!("{k:?}"), "SecretKey(***)");
    }
}
