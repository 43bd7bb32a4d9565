//! A throw-away PKI for the client-certificate tests: a CA, a server certificate for
//! 127.0.0.1 and a client certificate in a password-protected PKCS#12 file.

use rampart_testbed::ClientAuthTls;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair,
};

pub struct Pki {
    pub server: ClientAuthTls,
    /// The client's key and certificate (then the CA's), PKCS#12 with `password`.
    pub client_p12: Vec<u8>,
    pub password: &'static str,
}

pub fn pki() -> Pki {
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "rampart test CA");
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().unwrap()).unwrap();

    let server_key = KeyPair::generate().unwrap();
    let server = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
        .unwrap()
        .signed_by(&server_key, &ca)
        .unwrap();

    let client_key = KeyPair::generate().unwrap();
    let mut cp = CertificateParams::new(Vec::<String>::new()).unwrap();
    cp.distinguished_name
        .push(DnType::CommonName, "rampart scanner");
    cp.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let client = cp.signed_by(&client_key, &ca).unwrap();

    let password = "s3cret-p12";
    let chain = p12_keystore::PrivateKeyChain::new(
        b"client".to_vec(),
        p12_keystore::PrivateKey::from_der(&client_key.serialize_der()).unwrap(),
        [
            p12_keystore::Certificate::from_der(client.der()).unwrap(),
            p12_keystore::Certificate::from_der(ca.der()).unwrap(),
        ],
    );
    let mut ks = p12_keystore::KeyStore::new();
    ks.add_entry(
        "client",
        p12_keystore::KeyStoreEntry::PrivateKeyChain(chain),
    );
    let client_p12 = ks.writer(password).write().unwrap();
    Pki {
        server: ClientAuthTls {
            cert_chain_pem: server.pem(),
            key_pem: server_key.serialize_pem(),
            client_ca_pem: ca.pem(),
        },
        client_p12,
        password,
    }
}
