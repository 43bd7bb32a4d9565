//! What every handler can reach.

use rampart_domain::time::{Clock, SystemClock};
use rampart_service::{RateLimitConfig, Service};
use std::sync::Arc;

/// Server settings the handlers need.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// The externally visible base URL (`--public-url`), used for `Location` and links.
    pub public_url: String,
    /// The largest file content `POST /apps/{id}/files/{file_id}` accepts (413 above).
    pub max_file_bytes: usize,
    /// Request limits per tenant and per credential ([`RateLimitConfig::OFF`]: none).
    pub rate_limits: RateLimitConfig,
    /// Whether `X-Forwarded-For` (set by a reverse proxy in front) names the client in the
    /// audit log; otherwise the peer address does (a client could forge the header).
    pub trust_forwarded_for: bool,
}

impl ServerConfig {
    /// Defaults for `public_url`: 50 MiB files, no rate limits, the peer address in the audit log.
    pub fn new(public_url: &str) -> Self {
        Self {
            public_url: public_url.to_string(),
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            rate_limits: RateLimitConfig::OFF,
            trust_forwarded_for: false,
        }
    }
}

/// The default [`ServerConfig::max_file_bytes`]: 50 MiB.
pub const DEFAULT_MAX_FILE_BYTES: usize = 50 * 1024 * 1024;

/// Shared handler state.
#[derive(Clone)]
pub struct AppState {
    pub service: Service,
    base: String,
    max_file_bytes: usize,
    pub(crate) rate_limits: RateLimitConfig,
    /// The wall clock of the rate-limit windows (`Retry-After` is in real seconds).
    pub(crate) rate_clock: Arc<dyn Clock>,
    trust_forwarded_for: bool,
}

impl AppState {
    pub fn new(service: Service, config: &ServerConfig) -> Self {
        Self {
            service,
            base: config.public_url.trim_end_matches('/').to_string(),
            max_file_bytes: config.max_file_bytes,
            rate_limits: config.rate_limits.clone(),
            rate_clock: Arc::new(SystemClock),
            trust_forwarded_for: config.trust_forwarded_for,
        }
    }

    /// Counts rate-limit windows on `clock` instead of the wall clock (tests).
    pub fn with_rate_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.rate_clock = clock;
        self
    }

    /// The `iss` of the access tokens: the public URL, the same on every replica.
    pub fn issuer(&self) -> &str {
        &self.base
    }

    /// The absolute URL of a root path (`/oauth/token`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn max_file_bytes(&self) -> usize {
        self.max_file_bytes
    }

    /// The client's address: the first `X-Forwarded-For` entry when the server trusts a
    /// proxy in front of it, else the peer's. The one rule for the audit log and the
    /// token endpoint's failure limit.
    pub fn client_ip(
        &self,
        h: &axum::http::HeaderMap,
        peer: Option<std::net::SocketAddr>,
    ) -> Option<String> {
        if self.trust_forwarded_for {
            let forwarded = h
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .map(str::trim)
                .filter(|s| !s.is_empty());
            if let Some(ip) = forwarded {
                return Some(ip.to_string());
            }
        }
        peer.map(|p| p.ip().to_string())
    }

    /// The absolute URL of a path at the root (the AppSec+ routes).
    pub fn public_url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The absolute URL of an `/ias/v1` path.
    pub fn ias_url(&self, path: &str) -> String {
        format!("{}/ias/v1{path}", self.base)
    }

    /// A UI deep link: `{public}/#{route}` (clients split `insight_ui_url` at `#`).
    pub fn ui_url(&self, route: &str) -> String {
        format!("{}/#{route}", self.base)
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("base", &self.base)
            .field("rate_limits", &self.rate_limits)
            .finish_non_exhaustive()
    }
}
