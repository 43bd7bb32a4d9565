//! Allowed targets: what a target domain is, and which URLs it admits.
//!
//! One rule, one home: the service checks seeds and scope URLs with it at submit
//! (`TARGETS_INVALID`), and the engine's scope gate checks every request with it. A
//! target is a host — a fully qualified domain name or an IP address — optionally with
//! `:port`. A domain admits itself and its subdomains (`shop.test` admits
//! `api.shop.test`, not `evilshop.test`); an IP address admits only itself. A target with
//! a port admits only URLs on that port (the scheme's default port counts:
//! `shop.test:443` admits `https://shop.test/`); one without a port admits every port.
//! Only `http` and `https` URLs are ever admitted.

use std::fmt;
use url::{Host, Url};

/// A parsed, canonical target domain (`host` or `host:port`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetDomain {
    host: Host<String>,
    port: Option<u16>,
}

impl TargetDomain {
    /// Parses a target domain in its canonical form: lower case, no trailing dot, no
    /// scheme, path, user or query; IPv6 addresses in brackets. Anything else is `None`,
    /// so a stored domain always parses back to itself (see [`TargetDomain::from_input`]).
    pub fn parse(raw: &str) -> Option<Self> {
        if raw.is_empty()
            || raw.len() > 253 + 6
            || raw.ends_with('.')
            || raw.contains(['/', '?', '#', '@', '\\'])
        {
            return None;
        }
        let parsed = Url::parse(&format!("http://{raw}/")).ok()?;
        let host = parsed.host()?.to_owned();
        let port = explicit_port(raw)?;
        let t = Self { host, port };
        (t.to_string() == raw).then_some(t)
    }

    /// What a user typed (trimmed, lower case, trailing dot removed), or `None` when it is
    /// not a target domain.
    pub fn from_input(raw: &str) -> Option<Self> {
        Self::parse(&raw.trim().trim_end_matches('.').to_ascii_lowercase())
    }

    /// Whether `url` is under this target (see the module doc).
    pub fn admits(&self, url: &Url) -> bool {
        if !matches!(url.scheme(), "http" | "https") {
            return false;
        }
        let Some(host) = url.host() else {
            return false;
        };
        let host_ok = match (&self.host, host) {
            (Host::Domain(d), Host::Domain(h)) => {
                let h = h.trim_end_matches('.');
                h.eq_ignore_ascii_case(d)
                    || (h.len() > d.len()
                        && h.as_bytes()[h.len() - d.len() - 1] == b'.'
                        && h[h.len() - d.len()..].eq_ignore_ascii_case(d))
            }
            (Host::Ipv4(a), Host::Ipv4(b)) => *a == b,
            (Host::Ipv6(a), Host::Ipv6(b)) => *a == b,
            _ => false,
        };
        host_ok
            && self
                .port
                .is_none_or(|p| url.port_or_known_default() == Some(p))
    }
}

impl fmt::Display for TargetDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.host)?;
        match self.port {
            Some(p) => write!(f, ":{p}"),
            None => Ok(()),
        }
    }
}

/// The port written after the host, if any: `Some(None)` for none, `None` when the text
/// after the last `:` is not a port. (`Url` drops a scheme's default port, so it is read
/// from the text.)
fn explicit_port(raw: &str) -> Option<Option<u16>> {
    match raw.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') || h.ends_with(']') => p.parse::<u16>().ok().map(Some),
        _ => Some(None),
    }
}

/// The allowed targets of a scan, parsed once. Domains that do not parse admit nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Targets(Vec<TargetDomain>);

impl Targets {
    pub fn parse<S: AsRef<str>>(domains: &[S]) -> Self {
        Self(
            domains
                .iter()
                .filter_map(|d| TargetDomain::from_input(d.as_ref()))
                .collect(),
        )
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether some target admits `url`.
    pub fn admits(&self, url: &Url) -> bool {
        self.0.iter().any(|t| t.admits(url))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn parse_is_canonical() {
        for ok in [
            "shop.test",
            "localhost:8080",
            "127.0.0.1",
            "127.0.0.1:80",
            "[::1]",
            "[::1]:8443",
        ] {
            assert_eq!(TargetDomain::parse(ok).unwrap().to_string(), ok, "{ok}");
        }
        for bad in [
            "",
            "Shop.test",
            "https://shop.test",
            "shop.test/x",
            "shop.test:",
            "shop.test:99999",
            "u@shop.test",
            "::1",
            "shop.test.",
        ] {
            assert_eq!(TargetDomain::parse(bad), None, "{bad}");
        }
        assert_eq!(
            TargetDomain::from_input(" Shop.Test. ").map(|t| t.to_string()),
            Some("shop.test".to_string())
        );
    }

    #[test]
    fn admits_hosts_subdomains_and_ports() {
        let t = Targets::parse(&["shop.test", "localhost:8080", "10.0.0.1", "[::1]:443"]);
        assert!(t.admits(&u("https://shop.test/a")));
        assert!(t.admits(&u("http://api.shop.test:9000/")));
        assert!(t.admits(&u("http://API.Shop.test./")));
        assert!(!t.admits(&u("http://evilshop.test/")));
        assert!(!t.admits(&u("http://shop.test.evil/")));
        assert!(t.admits(&u("http://localhost:8080/")));
        assert!(t.admits(&u("http://a.localhost:8080/")));
        assert!(!t.admits(&u("http://localhost/")));
        assert!(!t.admits(&u("https://localhost:8443/")));
        assert!(t.admits(&u("http://10.0.0.1:1234/")));
        assert!(!t.admits(&u("http://10.0.0.10/")));
        assert!(t.admits(&u("https://[::1]/")));
        assert!(!t.admits(&u("http://[::1]/")));
        assert!(!t.admits(&u("ftp://shop.test/")));
        assert!(!Targets::parse(&["80"]).admits(&u("http://0.0.0.80/")));
    }

    #[test]
    fn default_ports_count() {
        let t = Targets::parse(&["shop.test:443", "plain.test:80"]);
        assert!(t.admits(&u("https://shop.test/")));
        assert!(!t.admits(&u("http://shop.test/")));
        assert!(t.admits(&u("http://plain.test/")));
    }
}
