//! HTTP messages, the transport trait and its reqwest implementation.

pub mod address;
mod raw;
mod reqwest_transport;

pub use raw::{raw_request, raw_response, EVIDENCE_BODY_CAP};
pub use reqwest_transport::ReqwestTransport;

use async_trait::async_trait;
use std::time::Duration;
use url::Url;

/// A request the engine sends. Header names are kept as given; cookies are added by the
/// session layer, never by the transport.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: String,
    pub url: Url,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

impl HttpRequest {
    pub fn get(url: Url) -> Self {
        Self {
            method: "GET".into(),
            url,
            headers: Vec::new(),
            body: None,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Sets (replacing) a header.
    pub fn set_header(&mut self, name: &str, value: impl Into<String>) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_string(), value.into()));
    }
}

/// A response, with its body read up to the plan's size cap.
#[derive(Clone, Debug, Default)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The body was longer than the cap and was cut.
    pub truncated: bool,
    pub elapsed: Duration,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn content_type(&self) -> &str {
        self.header("content-type").unwrap_or("")
    }

    /// HTML by content type, or untyped with an HTML-looking start.
    pub fn is_html(&self) -> bool {
        let ct = self.content_type().to_ascii_lowercase();
        if ct.contains("html") {
            return true;
        }
        if !ct.is_empty() {
            return false;
        }
        let head =
            String::from_utf8_lossy(&self.body[..self.body.len().min(512)]).to_ascii_lowercase();
        head.contains("<html") || head.contains("<!doctype html")
    }

    pub fn is_redirect(&self) -> bool {
        matches!(self.status, 301 | 302 | 303 | 307 | 308)
    }
}

/// Why a transport could not deliver a response.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("request timed out")]
    Timeout,
    #[error("connection failed: {0}")]
    Connect(String),
    #[error("invalid request: {0}")]
    Invalid(String),
    #[error("transport error: {0}")]
    Other(String),
}

impl TransportError {
    /// Why a request got no answer, in the words of the scan's counters and events.
    pub fn reason(&self) -> &'static str {
        match self {
            TransportError::Timeout => "request timed out",
            TransportError::Connect(_) => "connection failed",
            TransportError::Invalid(_) => "request could not be sent (invalid)",
            TransportError::Other(_) => "connection closed or broken",
        }
    }
}

/// Sends one request, without following redirects, reading at most `max_body` bytes.
#[async_trait]
pub trait Transport: Send + Sync + 'static {
    async fn send(
        &self,
        req: &HttpRequest,
        max_body: usize,
        timeout: Duration,
    ) -> Result<HttpResponse, TransportError>;

    /// This transport presenting `identity` on every TLS connection. Transports that cannot
    /// say so, and the scan then fails instead of running without the certificate.
    fn with_client_identity(
        &self,
        identity: &crate::seed::certificate::ClientIdentity,
    ) -> Result<std::sync::Arc<dyn Transport>, TransportError> {
        let _ = identity;
        Err(TransportError::Invalid(
            "this transport cannot present a client certificate".into(),
        ))
    }

    /// Connect to `host` (a name, never an IP literal) only at `addrs`: the addresses the
    /// engine's address policy checked ([`address`]). A transport that connects by name
    /// connects to a pinned name only, and to no name that was never pinned; transports
    /// that resolve nothing themselves ignore it.
    fn pin(&self, host: &str, addrs: &[std::net::SocketAddr]) {
        let _ = (host, addrs);
    }

    /// The one DNS lookup of `host` in a scan, whose answer the address policy checks
    /// before anything is pinned or sent.
    async fn resolve(&self, host: &str, port: u16) -> std::io::Result<Vec<std::net::SocketAddr>> {
        SystemDns.lookup(host, port).await
    }

    /// A transport for one scan: its own pins (and connections), so that what one scan's
    /// address policy vetted never routes another scan's requests. `None`: this transport
    /// keeps no per-scan state and serves every scan as it is.
    fn for_scan(&self) -> Option<std::sync::Arc<dyn Transport>> {
        None
    }
}

/// Where host names are looked up: the system's resolver in production, a scripted answer
/// in tests (a DNS answer that changes between two lookups).
#[async_trait]
pub trait Dns: Send + Sync + 'static {
    async fn lookup(&self, host: &str, port: u16) -> std::io::Result<Vec<std::net::SocketAddr>>;
}

impl std::fmt::Debug for dyn Dns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Dns")
    }
}

/// The operating system's resolver.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemDns;

#[async_trait]
impl Dns for SystemDns {
    async fn lookup(&self, host: &str, port: u16) -> std::io::Result<Vec<std::net::SocketAddr>> {
        Ok(tokio::net::lookup_host((host, port)).await?.collect())
    }
}
