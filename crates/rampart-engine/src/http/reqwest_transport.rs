//! The production transport: reqwest with rustls, pooled keep-alive connections, no
//! automatic redirects and bounded body reads. Host names resolve through [`Pins`] only: the
//! addresses the engine's address policy checked for a host are the ones connected to, so
//! a second DNS answer cannot point an admitted host somewhere else (rebinding), and a name
//! the policy never vetted is not connected to at all.

use super::{Dns, HttpRequest, HttpResponse, SystemDns, Transport, TransportError};
use async_trait::async_trait;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// Checked addresses per host name, shared by the transport's resolver.
#[derive(Clone, Debug, Default)]
struct Pins(Arc<RwLock<HashMap<String, Vec<SocketAddr>>>>);

impl reqwest::dns::Resolve for Pins {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_ascii_lowercase();
        let pinned = self.0.read().ok().and_then(|m| m.get(&host).cloned());
        Box::pin(async move {
            // No lookup here: an unpinned name is one the address policy did not vet.
            let addrs = pinned.filter(|a| !a.is_empty()).ok_or_else(|| {
                std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    format!("{host}: no address vetted by the scan's address policy"),
                )
            })?;
            let it: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(it)
        })
    }
}

/// A pooled reqwest client. Redirects are never followed here: the engine follows them
/// itself so that every hop passes the scope gate.
#[derive(Clone, Debug)]
pub struct ReqwestTransport {
    client: reqwest::Client,
    accept_invalid_certs: bool,
    identity: Option<reqwest::Identity>,
    pins: Pins,
    dns: Arc<dyn Dns>,
}

impl ReqwestTransport {
    /// `accept_invalid_certs` lets scans of test sites with self-signed certificates work.
    pub fn new(accept_invalid_certs: bool) -> Result<Self, TransportError> {
        Self::with_dns(accept_invalid_certs, Arc::new(SystemDns))
    }

    /// A transport whose host names are looked up in `dns` (the address policy's one
    /// lookup per host; the connections then go to the pinned answer only).
    pub fn with_dns(accept_invalid_certs: bool, dns: Arc<dyn Dns>) -> Result<Self, TransportError> {
        Self::build(accept_invalid_certs, None, Pins::default(), dns)
    }

    fn build(
        accept_invalid_certs: bool,
        identity: Option<reqwest::Identity>,
        pins: Pins,
        dns: Arc<dyn Dns>,
    ) -> Result<Self, TransportError> {
        let mut builder = reqwest::Client::builder().dns_resolver(Arc::new(pins.clone()));
        if let Some(id) = identity.clone() {
            builder = builder.identity(id);
        }
        let client = builder
            .redirect(reqwest::redirect::Policy::none())
            .danger_accept_invalid_certs(accept_invalid_certs)
            .pool_max_idle_per_host(32)
            .pool_idle_timeout(Duration::from_secs(30))
            .tcp_keepalive(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| TransportError::Other(e.to_string()))?;
        Ok(Self {
            client,
            accept_invalid_certs,
            identity,
            pins,
            dns,
        })
    }
}

fn classify(e: reqwest::Error) -> TransportError {
    if e.is_timeout() {
        TransportError::Timeout
    } else if e.is_connect() {
        TransportError::Connect(e.to_string())
    } else if e.is_builder() {
        TransportError::Invalid(e.to_string())
    } else {
        TransportError::Other(e.to_string())
    }
}

#[async_trait]
impl Transport for ReqwestTransport {
    async fn send(
        &self,
        req: &HttpRequest,
        max_body: usize,
        timeout: Duration,
    ) -> Result<HttpResponse, TransportError> {
        let method = reqwest::Method::from_bytes(req.method.as_bytes())
            .map_err(|e| TransportError::Invalid(e.to_string()))?;
        let mut builder = self
            .client
            .request(method, req.url.clone())
            .timeout(timeout);
        for (n, v) in &req.headers {
            builder = builder.header(n.as_str(), v.as_str());
        }
        if let Some(b) = &req.body {
            builder = builder.body(b.clone());
        }
        let start = Instant::now();
        let mut resp = builder.send().await.map_err(classify)?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut body = Vec::new();
        let mut truncated = false;
        // Bounded read: stop pulling chunks once the cap is reached; dropping the response
        // closes the connection instead of draining a huge body.
        while let Some(chunk) = resp.chunk().await.map_err(classify)? {
            let room = max_body.saturating_sub(body.len());
            if chunk.len() > room {
                body.extend_from_slice(&chunk[..room]);
                truncated = true;
                break;
            }
            body.extend_from_slice(&chunk);
        }
        Ok(HttpResponse {
            status,
            headers,
            body,
            truncated,
            elapsed: start.elapsed(),
        })
    }

    fn with_client_identity(
        &self,
        identity: &crate::seed::certificate::ClientIdentity,
    ) -> Result<std::sync::Arc<dyn Transport>, TransportError> {
        let id = reqwest::Identity::from_pem(&identity.pem)
            .map_err(|e| TransportError::Invalid(format!("client certificate: {e}")))?;
        Ok(std::sync::Arc::new(Self::build(
            self.accept_invalid_certs,
            Some(id),
            self.pins.clone(),
            self.dns.clone(),
        )?))
    }

    fn pin(&self, host: &str, addrs: &[SocketAddr]) {
        if let Ok(mut m) = self.pins.0.write() {
            m.insert(host.to_ascii_lowercase(), addrs.to_vec());
        }
    }

    async fn resolve(&self, host: &str, port: u16) -> std::io::Result<Vec<SocketAddr>> {
        self.dns.lookup(host, port).await
    }

    /// A new client with empty pins and its own connection pool: a pooled connection or a
    /// pin of one scan never carries another scan's request.
    fn for_scan(&self) -> Option<Arc<dyn Transport>> {
        // The same settings built this transport once; should a second build fail, the
        // scan keeps this one (whose pins it then shares with other scans).
        Self::build(
            self.accept_invalid_certs,
            self.identity.clone(),
            Pins::default(),
            self.dns.clone(),
        )
        .ok()
        .map(|t| Arc::new(t) as Arc<dyn Transport>)
    }
}
