//! Listeners (HTTP, HTTPS with an embedded self-signed certificate, and on demand an HTTPS
//! listener that requires a client certificate) and the public handle.

use crate::state::{AppState, RequestRecord, Shared};
use crate::{manifest, Case, LoginInfo, TestbedError};
use axum::Extension;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::rustls;

const CERT_PEM: &[u8] = include_bytes!("../certs/cert.pem");
const KEY_PEM: &[u8] = include_bytes!("../certs/key.pem");

/// Marks requests that came through the HTTPS listener.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tls(pub bool);

/// Where to listen and what to link to.
#[derive(Clone, Debug)]
pub struct TestbedConfig {
    /// HTTP listener; `127.0.0.1:0` by default.
    pub listen: SocketAddr,
    /// HTTPS listener (self-signed certificate for `localhost`/`127.0.0.1`); `None` disables it.
    pub https_listen: Option<SocketAddr>,
    /// An out-of-scope site the pages link to (a scanner must not follow it).
    pub outside_url: Option<String>,
}

impl Default for TestbedConfig {
    fn default() -> Self {
        let local = SocketAddr::from(([127, 0, 0, 1], 0));
        Self {
            listen: local,
            https_listen: Some(local),
            outside_url: None,
        }
    }
}

/// An HTTPS listener that accepts only clients presenting a certificate signed by
/// `client_ca_pem` (tests generate all three, e.g. with `rcgen`).
#[derive(Clone, Debug)]
pub struct ClientAuthTls {
    /// The server's certificate chain (PEM, leaf first).
    pub cert_chain_pem: String,
    /// The server's private key (PEM).
    pub key_pem: String,
    /// The CA client certificates must be signed by (PEM).
    pub client_ca_pem: String,
}

/// A running testbed. Dropping it stops the listeners too.
pub struct TestbedHandle {
    state: Shared,
    http_addr: SocketAddr,
    https_addr: Option<SocketAddr>,
    client_auth_addr: Option<SocketAddr>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl TestbedHandle {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.http_addr)
    }
    /// `https://127.0.0.1:PORT` when the HTTPS listener runs.
    pub fn https_url(&self) -> Option<String> {
        self.https_addr.map(|a| format!("https://{a}"))
    }
    /// `https://127.0.0.1:PORT` of the listener that requires a client certificate, when
    /// started with [`spawn_with_client_auth`].
    pub fn client_auth_url(&self) -> Option<String> {
        self.client_auth_addr.map(|a| format!("https://{a}"))
    }
    pub fn manifest(&self) -> Vec<Case> {
        manifest::manifest()
    }
    pub fn login_info(&self) -> LoginInfo {
        manifest::login_info()
    }
    /// Switches a case's vulnerable behaviour on (`true`, the default) or off ("fixed").
    pub fn set_enabled(&self, case_id: &str, enabled: bool) -> Result<(), TestbedError> {
        if !manifest::is_case(case_id) {
            return Err(TestbedError::UnknownCase(case_id.to_owned()));
        }
        self.state.set_fixed(case_id, !enabled);
        Ok(())
    }
    /// Every request received so far (the most recent 100,000), oldest first.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.state.requests().1
    }
    /// How many requests were received (control routes excluded).
    pub fn request_count(&self) -> u64 {
        self.state.request_count()
    }
    pub fn clear_requests(&self) {
        self.state.clear_requests();
    }
    /// Stops accepting connections and waits for the listeners to finish.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for t in self.tasks.drain(..) {
            let _ = t.await;
        }
    }
}

impl Drop for TestbedHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

fn bad_cert(e: &dyn std::fmt::Display) -> std::io::Error {
    std::io::Error::other(format!("certificate: {e}"))
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn tls_acceptor() -> std::io::Result<tokio_rustls::TlsAcceptor> {
    let bad = |e: &dyn std::fmt::Display| bad_cert(&format!("embedded: {e}"));
    let certs = CertificateDer::pem_slice_iter(CERT_PEM)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(&e))?;
    let key = PrivateKeyDer::from_pem_slice(KEY_PEM).map_err(|e| bad(&e))?;
    let config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| bad(&e))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| bad(&e))?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

fn client_auth_acceptor(c: &ClientAuthTls) -> std::io::Result<tokio_rustls::TlsAcceptor> {
    let bad = |e: &dyn std::fmt::Display| bad_cert(e);
    let certs = CertificateDer::pem_slice_iter(c.cert_chain_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(&e))?;
    let key = PrivateKeyDer::from_pem_slice(c.key_pem.as_bytes()).map_err(|e| bad(&e))?;
    let mut roots = rustls::RootCertStore::empty();
    for ca in CertificateDer::pem_slice_iter(c.client_ca_pem.as_bytes()) {
        roots.add(ca.map_err(|e| bad(&e))?).map_err(|e| bad(&e))?;
    }
    let verifier =
        rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider())
            .build()
            .map_err(|e| bad(&e))?;
    let config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| bad(&e))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(certs, key)
        .map_err(|e| bad(&e))?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

/// Serves the site over TLS on `listener` until `stopped` turns true.
fn serve_tls(
    listener: TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    state: &Shared,
    mut stopped: watch::Receiver<bool>,
) -> JoinHandle<()> {
    let app = crate::pages::app(Arc::clone(state)).layer(Extension(Tls(true)));
    tokio::spawn(async move {
        let mut conns = JoinSet::new();
        loop {
            while conns.try_join_next().is_some() {}
            tokio::select! {
                _ = stopped.wait_for(|s| *s) => break,
                accepted = listener.accept() => {
                    let Ok((tcp, _)) = accepted else { continue };
                    let acceptor = acceptor.clone();
                    let svc = TowerToHyperService::new(app.clone());
                    conns.spawn(async move {
                        let Ok(tls) = acceptor.accept(tcp).await else { return };
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(TokioIo::new(tls), svc)
                            .await;
                    });
                }
            }
        }
        conns.abort_all();
    })
}

/// Binds the listeners and serves the testbed in background tasks.
pub async fn spawn(config: TestbedConfig) -> std::io::Result<TestbedHandle> {
    start(config, None).await
}

/// [`spawn`], plus an HTTPS listener on `127.0.0.1:0` that requires a client certificate
/// ([`TestbedHandle::client_auth_url`]).
pub async fn spawn_with_client_auth(
    config: TestbedConfig,
    client_auth: ClientAuthTls,
) -> std::io::Result<TestbedHandle> {
    start(config, Some(client_auth)).await
}

async fn start(
    config: TestbedConfig,
    client_auth: Option<ClientAuthTls>,
) -> std::io::Result<TestbedHandle> {
    let state: Shared = Arc::new(AppState::new(
        config.outside_url,
        crate::emu::fetch::client(),
    ));
    let http = TcpListener::bind(config.listen).await?;
    let http_addr = http.local_addr()?;
    let _ = state.http_base.set(format!("http://{http_addr}"));
    let https = match config.https_listen {
        Some(a) => Some((TcpListener::bind(a).await?, tls_acceptor()?)),
        None => None,
    };
    let https_addr = match &https {
        Some((l, _)) => Some(l.local_addr()?),
        None => None,
    };
    if let Some(a) = https_addr {
        let _ = state.https_base.set(format!("https://{a}"));
    }
    let client_auth = match &client_auth {
        Some(c) => Some((
            TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?,
            client_auth_acceptor(c)?,
        )),
        None => None,
    };
    let client_auth_addr = match &client_auth {
        Some((l, _)) => Some(l.local_addr()?),
        None => None,
    };
    let (stop, stopped) = watch::channel(false);
    let mut tasks = Vec::new();

    let app = crate::pages::app(Arc::clone(&state)).layer(Extension(Tls(false)));
    let mut rx = stopped.clone();
    tasks.push(tokio::spawn(async move {
        let _ = axum::serve(http, app)
            .with_graceful_shutdown(async move {
                let _ = rx.wait_for(|s| *s).await;
            })
            .await;
    }));
    if let Some((listener, acceptor)) = https {
        tasks.push(serve_tls(listener, acceptor, &state, stopped.clone()));
    }
    if let Some((listener, acceptor)) = client_auth {
        tasks.push(serve_tls(listener, acceptor, &state, stopped));
    }
    Ok(TestbedHandle {
        state,
        http_addr,
        https_addr,
        client_auth_addr,
        stop,
        tasks,
    })
}
