//! What every handler can reach.

use rampart_service::Service;

/// Server settings the handlers need.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// The externally visible base URL (`--public-url`), used for `Location` and links.
    pub public_url: String,
    /// The largest file content `POST /apps/{id}/files/{file_id}` accepts (413 above).
    pub max_file_bytes: usize,
    /// Whether `X-Forwarded-For` (set by a reverse proxy in front) names the client in the
    /// audit log; otherwise the peer address does (a client could forge the header).
    pub trust_forwarded_for: bool,
}

/// The default [`ServerConfig::max_file_bytes`]: 50 MiB.
pub const DEFAULT_MAX_FILE_BYTES: usize = 50 * 1024 * 1024;

/// Shared handler state.
#[derive(Clone, Debug)]
pub struct AppState {
    pub service: Service,
    base: String,
    max_file_bytes: usize,
    trust_forwarded_for: bool,
}

impl AppState {
    pub fn new(service: Service, config: &ServerConfig) -> Self {
        Self {
            service,
            base: config.public_url.trim_end_matches('/').to_string(),
            max_file_bytes: config.max_file_bytes,
            trust_forwarded_for: config.trust_forwarded_for,
        }
    }

    pub fn max_file_bytes(&self) -> usize {
        self.max_file_bytes
    }

    pub fn trust_forwarded_for(&self) -> bool {
        self.trust_forwarded_for
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
