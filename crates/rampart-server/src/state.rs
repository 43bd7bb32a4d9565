//! What every handler can reach.

use rampart_service::Service;

/// Server settings the handlers need.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// The externally visible base URL (`--public-url`), used for `Location` and links.
    pub public_url: String,
}

/// Shared handler state.
#[derive(Clone, Debug)]
pub struct AppState {
    pub service: Service,
    base: String,
}

impl AppState {
    pub fn new(service: Service, config: &ServerConfig) -> Self {
        Self {
            service,
            base: config.public_url.trim_end_matches('/').to_string(),
        }
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
