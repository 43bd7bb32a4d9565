//! rampart's web console: server-rendered HTML pages (maud, compile-time templates) with
//! progressive enhancement by one small embedded script; mounted by `rampart-server` under
//! `/console`.
//!
//! Invariants:
//! - every read and write calls `rampart_service::Service` with the caller's
//!   [`Principal`](rampart_domain::Principal), exactly as the API does: the console
//!   hides controls a role may not use, but the service is what refuses;
//! - a session is a random token in a `HttpOnly`, `SameSite=Strict` (and `Secure`) cookie,
//!   new at every sign-in; every `POST` carries the session's CSRF token;
//! - every asset is embedded in the binary; nothing is loaded from another origin (the
//!   Content-Security-Policy says so to the browser).

#![deny(clippy::unwrap_used, clippy::expect_used)]

mod assets;
mod audit;
mod edit;
mod error;
mod form;
mod layout;
mod pages;
mod session;

use axum::routing::{get, post};
use axum::Router;
use rampart_service::Service;

/// Where the console lives.
pub const BASE: &str = "/console";

/// How the console is served.
#[derive(Clone, Debug)]
pub struct ConsoleConfig {
    /// Mark cookies `Secure` (HTTPS, or a loopback address a browser treats as secure).
    pub secure_cookies: bool,
}

impl ConsoleConfig {
    /// `Secure` cookies unless the public URL is plain HTTP to a non-loopback host (a
    /// browser would drop them there and nobody could sign in).
    pub fn for_public_url(public_url: &str) -> Self {
        let secure = match url::Url::parse(public_url) {
            Ok(u) if u.scheme() == "http" => match u.host() {
                Some(url::Host::Domain(d)) => d == "localhost" || d.ends_with(".localhost"),
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            },
            _ => true,
        };
        Self {
            secure_cookies: secure,
        }
    }
}

#[derive(Clone)]
pub(crate) struct Console {
    pub service: Service,
    pub config: ConsoleConfig,
}

/// Scans, their live streams, comparisons and reports.
fn scan_routes() -> Router<Console> {
    use pages::{compare, live, reports, scans};
    Router::new()
        .route("/console/scans", get(scans::list).post(scans::launch))
        .route("/console/scans/{id}", get(scans::page))
        .route("/console/scans/{id}/action", post(scans::action))
        .route("/console/scans/{id}/live", get(live::stream))
        .route("/console/scans/{id}/reports", post(reports::request))
        .route("/console/compare", get(compare::page))
        .route("/console/reports/{id}", get(reports::page))
        .route("/console/reports/{id}/download", get(reports::download))
}

/// Apps, targets, scan configs, keys, engines: the administration pages.
fn admin_routes() -> Router<Console> {
    use pages::{apps, engines, keys, scan_configs, targets};
    Router::new()
        .route("/console/apps", get(apps::list).post(apps::create))
        .route("/console/apps/{id}", get(apps::page).post(apps::update))
        .route("/console/targets", get(targets::list).post(targets::create))
        .route(
            "/console/targets/{id}",
            get(targets::page).post(targets::update),
        )
        .route(
            "/console/scan-configs",
            get(scan_configs::list).post(scan_configs::create),
        )
        .route(
            "/console/scan-configs/{id}",
            get(scan_configs::page).post(scan_configs::update),
        )
        .route(
            "/console/scan-configs/{id}/errors",
            post(scan_configs::errors),
        )
        .route(
            "/console/scan-configs/{id}/test-login",
            post(scan_configs::test_login),
        )
        .route("/console/api-keys", get(keys::list).post(keys::create))
        .route("/console/api-keys/{id}/revoke", post(keys::revoke))
        .route("/console/engines", get(engines::page))
}

/// The console's routes (absolute paths under [`BASE`]), with their own state.
pub fn router(service: Service, config: ConsoleConfig) -> Router {
    use pages::{dashboard, sign_in, vulns};
    let state = Console { service, config };
    Router::new()
        .route("/console", get(dashboard::page))
        .route("/console/", get(dashboard::page))
        .route(
            "/console/sign-in",
            get(sign_in::form).post(sign_in::password),
        )
        .route("/console/sign-in/key", post(sign_in::key))
        .route("/console/first-run", post(sign_in::first_run))
        .route("/console/sign-out", post(sign_in::sign_out))
        .route("/console/vulnerabilities", get(vulns::list))
        .route("/console/vulnerabilities/bulk", post(vulns::bulk))
        .route(
            "/console/vulnerabilities/{id}",
            get(vulns::page).post(vulns::update),
        )
        .route(
            "/console/vulnerabilities/{id}/comments",
            post(vulns::comment),
        )
        .merge(scan_routes())
        .merge(admin_routes())
        // Every write of a signed-in session is audited, as the API's are.
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            audit::record,
        ))
        .route("/console/assets/console.css", get(assets::css))
        .route("/console/assets/console.js", get(assets::js))
        .layer(axum::middleware::from_fn(assets::security_headers))
        .with_state(state)
}
