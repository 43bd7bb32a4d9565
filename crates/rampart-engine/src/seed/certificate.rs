//! PKCS#12 client certificates, opened with their password into the PEM bundle (private key
//! and certificate chain) the TLS transport presents.

use base64::Engine as _;

/// A client certificate ready for the transport: PKCS#8 key then the chain, leaf first.
#[derive(Clone)]
pub struct ClientIdentity {
    pub pem: Vec<u8>,
    /// The leaf certificate's subject, for the scan's events.
    pub subject: String,
}

impl std::fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientIdentity")
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

fn pem_block(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// Opens a PKCS#12 file; the error says what is wrong in words a user can act on.
pub fn open(pkcs12: &[u8], password: &str) -> Result<ClientIdentity, String> {
    use p12_keystore::{KeyStore, Pkcs12ImportPolicy};
    let ks = KeyStore::from_pkcs12(pkcs12, password, Pkcs12ImportPolicy::Relaxed).map_err(|e| {
        format!("cannot be opened: not a PKCS#12 file, or the password is wrong ({e})")
    })?;
    let (_, chain) = ks
        .private_key_chain()
        .ok_or("holds no private key: a client certificate needs its key")?;
    let leaf = chain
        .certs()
        .first()
        .ok_or("holds a private key without its certificate")?;
    let mut pem = pem_block("PRIVATE KEY", chain.key().as_der());
    for c in chain.certs() {
        pem.push_str(&pem_block("CERTIFICATE", c.as_der()));
    }
    Ok(ClientIdentity {
        pem: pem.into_bytes(),
        subject: leaf.subject().to_string(),
    })
}
