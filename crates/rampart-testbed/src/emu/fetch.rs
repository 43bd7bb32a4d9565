//! The only outbound HTTP the testbed makes: to loopback addresses, never elsewhere.

use std::net::IpAddr;
use std::time::Duration;

/// Largest body read from a fetched URL.
const MAX_BODY: usize = 64 * 1024;

/// Why a fetch did not return a body.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FetchError {
    #[error("failed to connect to {0}: connection refused")]
    NotLoopback(String),
    #[error("malformed url: {0}")]
    BadUrl(String),
    #[error("request failed: {0}")]
    Http(#[from] reqwest::Error),
}

/// The HTTP client the emulations use: no redirects (they could leave loopback), short timeout.
pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(5))
        .danger_accept_invalid_certs(true)
        .user_agent("PHP/7.2.24 (curl/7.58.0)")
        .build()
        .unwrap_or_default()
}

/// Whether `url` is http(s) to 127.0.0.0/8, ::1 or `localhost`.
pub(crate) fn is_loopback(url: &url::Url) -> bool {
    if !matches!(url.scheme(), "http" | "https") {
        return false;
    }
    match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// GETs `raw` if it is a loopback URL and returns the start of its body.
pub(crate) async fn fetch(client: &reqwest::Client, raw: &str) -> Result<String, FetchError> {
    let url = url::Url::parse(raw.trim()).map_err(|e| FetchError::BadUrl(e.to_string()))?;
    if !is_loopback(&url) {
        return Err(FetchError::NotLoopback(
            url.host_str().unwrap_or("").to_owned(),
        ));
    }
    let mut resp = client.get(url).send().await?;
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        body.extend_from_slice(&chunk);
        if body.len() >= MAX_BODY {
            body.truncate(MAX_BODY);
            break;
        }
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback() {
        let ok = |s: &str| url::Url::parse(s).map(|u| is_loopback(&u)).unwrap_or(false);
        assert!(ok("http://127.0.0.1:8080/x"));
        assert!(ok("http://127.9.9.9/"));
        assert!(ok("http://localhost/"));
        assert!(ok("http://[::1]:80/"));
        assert!(!ok("http://10.0.0.1/"));
        assert!(!ok("http://example.com/"));
        assert!(!ok("file:///etc/passwd"));
        assert!(!ok("http://127.0.0.1.nip.io/"));
    }
}
