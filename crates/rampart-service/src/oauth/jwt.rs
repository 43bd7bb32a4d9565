//! RFC 9068 access tokens as compact JWS signed with Ed25519 (`alg: EdDSA`).
//!
//! A strict codec of our own over `ring` (already in the tree through rustls) rather than
//! `jsonwebtoken`: releases before 10.3 carry GHSA-h395-gr6q-cpjc, and 10.x needs either
//! the `rsa` crate (RUSTSEC-2023-0071, unfixed) or aws-lc. Decoding accepts exactly one
//! header shape (`alg` EdDSA, `typ` at+jwt, a `kid`) and never trusts `alg`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ring::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};
use serde::{Deserialize, Serialize};

/// The JOSE header of every token.
#[derive(Serialize, Deserialize, Debug, PartialEq, Eq)]
struct Header {
    alg: String,
    typ: String,
    kid: String,
}

/// The claims of an access token (RFC 9068 §2.2 plus `tenant_id`).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    pub client_id: String,
    pub scope: String,
    pub tenant_id: String,
}

/// A private key ready to sign.
pub struct Signer {
    pub kid: String,
    pair: Ed25519KeyPair,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer({})", self.kid)
    }
}

/// A fresh key pair: (PKCS#8 document, raw public key), both to be stored.
pub fn generate() -> Option<(Vec<u8>, Vec<u8>)> {
    let rng = ring::rand::SystemRandom::new();
    let doc = Ed25519KeyPair::generate_pkcs8(&rng).ok()?;
    let pair = Ed25519KeyPair::from_pkcs8(doc.as_ref()).ok()?;
    Some((doc.as_ref().to_vec(), pair.public_key().as_ref().to_vec()))
}

impl Signer {
    pub fn from_pkcs8(kid: &str, pkcs8: &[u8]) -> Option<Self> {
        Some(Self {
            kid: kid.to_string(),
            pair: Ed25519KeyPair::from_pkcs8(pkcs8).ok()?,
        })
    }

    pub fn sign(&self, claims: &Claims) -> String {
        let header = Header {
            alg: "EdDSA".into(),
            typ: "at+jwt".into(),
            kid: self.kid.clone(),
        };
        // Serialising plain structs of strings and integers cannot fail.
        let h = serde_json::to_vec(&header).unwrap_or_default();
        let c = serde_json::to_vec(claims).unwrap_or_default();
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(h),
            URL_SAFE_NO_PAD.encode(c)
        );
        let sig = self.pair.sign(input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.as_ref()))
    }
}

/// Why a token was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum JwtError {
    Malformed,
    BadSignature,
}

/// The `kid` of a token's header, checking its exact shape first.
pub fn kid(token: &str) -> Result<String, JwtError> {
    let h = token.split('.').next().ok_or(JwtError::Malformed)?;
    let raw = URL_SAFE_NO_PAD.decode(h).map_err(|_| JwtError::Malformed)?;
    let header: Header = serde_json::from_slice(&raw).map_err(|_| JwtError::Malformed)?;
    if header.alg != "EdDSA" || header.typ != "at+jwt" {
        return Err(JwtError::Malformed);
    }
    Ok(header.kid)
}

/// The claims of `token` when its signature verifies with `public_key` (raw 32 bytes).
/// Time and audience checks are the caller's.
pub fn verify(token: &str, public_key: &[u8]) -> Result<Claims, JwtError> {
    let mut parts = token.split('.');
    let (Some(h), Some(c), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Malformed);
    };
    let sig = URL_SAFE_NO_PAD.decode(s).map_err(|_| JwtError::Malformed)?;
    let input = &token[..h.len() + 1 + c.len()];
    UnparsedPublicKey::new(&ED25519, public_key)
        .verify(input.as_bytes(), &sig)
        .map_err(|_| JwtError::BadSignature)?;
    let raw = URL_SAFE_NO_PAD.decode(c).map_err(|_| JwtError::Malformed)?;
    serde_json::from_slice(&raw).map_err(|_| JwtError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> Claims {
        Claims {
            iss: "http://rampart".into(),
            sub: "rmpc_x".into(),
            aud: "rampart".into(),
            exp: 20,
            iat: 10,
            jti: "j".into(),
            client_id: "rmpc_x".into(),
            scope: "scans:read".into(),
            tenant_id: "t".into(),
        }
    }

    #[test]
    fn signs_and_verifies_only_with_its_key() {
        let (pk8, public) = generate().unwrap();
        let signer = Signer::from_pkcs8("k1", &pk8).unwrap();
        let token = signer.sign(&claims());
        assert_eq!(kid(&token).unwrap(), "k1");
        assert_eq!(verify(&token, &public).unwrap(), claims());
        let (_, other) = generate().unwrap();
        assert_eq!(verify(&token, &other), Err(JwtError::BadSignature));
        // A tampered payload fails the signature.
        let mut parts: Vec<&str> = token.split('.').collect();
        let mut forged = claims();
        forged.scope = "admin".into();
        let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
        parts[1] = &body;
        assert_eq!(
            verify(&parts.join("."), &public),
            Err(JwtError::BadSignature)
        );
        // `alg: none` and other headers are refused before any key is looked up.
        let none = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"at+jwt","kid":"k1"}"#);
        assert_eq!(
            kid(&format!("{none}.{}.", parts[1])),
            Err(JwtError::Malformed)
        );
        assert_eq!(kid("garbage"), Err(JwtError::Malformed));
        assert_eq!(verify("a.b", &public), Err(JwtError::Malformed));
    }
}
