//! The scanner's own safety: which network addresses a scan may connect to, whatever its
//! scope rules say.
//!
//! The scope gate decides by URL. This policy decides by the addresses a host resolves to,
//! so that a link, a redirect or a DNS answer cannot turn the scanner against the network
//! it runs in:
//!
//! - **never** the rampart server's own listening sockets (`AddressPolicy::own`), whatever
//!   the targets say;
//! - **link-local and cloud metadata addresses** (`169.254.0.0/16`, `fe80::/10`,
//!   `100.100.100.200`, `fd00:ec2::254`) and the unspecified address only when the scan
//!   names that very IP address as a target or seed host;
//! - **loopback and private addresses** (`127.0.0.0/8`, `::1`, `10/8`, `172.16/12`,
//!   `192.168/16`, `100.64/10`, `fc00::/7`) only for hosts the scan names: a seed URL's host,
//!   or a host its declared target domains admit;
//! - every public address of an in-scope host.
//!
//! A host with any refused address is refused as a whole (a DNS answer mixing a public and
//! a private address is how rebinding starts). Redirects pass the same check at every hop.

pub use rampart_domain::address::AddressClass;
use rampart_domain::target::Targets;
use std::net::{IpAddr, SocketAddr};
use url::{Host, Url};

/// Which addresses one scan may connect to (see the module doc).
#[derive(Clone, Debug, Default)]
pub struct AddressPolicy {
    /// Hosts the scan names: its seeds' hosts (lower case).
    seed_hosts: Vec<String>,
    /// The declared target domains (empty: none declared).
    targets: Targets,
    /// The rampart server's own listening sockets: never contacted.
    own: Vec<SocketAddr>,
}

impl AddressPolicy {
    /// The policy of a scan with these seeds and declared target domains; `own` are the
    /// sockets of the rampart server that runs it (none for a stand-alone `rampart scan`).
    pub fn new(seeds: &[Url], targets: &[String], own: &[SocketAddr]) -> Self {
        Self {
            seed_hosts: seeds
                .iter()
                .filter_map(|u| u.host_str().map(|h| h.to_ascii_lowercase()))
                .collect(),
            targets: Targets::parse(targets),
            own: own.to_vec(),
        }
    }

    /// Whether the scan names `url`'s host: a seed's host, or admitted by a declared target.
    fn names(&self, url: &Url) -> bool {
        let host = url.host_str().map(|h| h.to_ascii_lowercase());
        host.is_some_and(|h| self.seed_hosts.contains(&h))
            || (!self.targets.is_empty() && self.targets.admits(url))
    }

    /// `Ok` when every address `url`'s host resolved to may be contacted, else why not.
    pub fn check(&self, url: &Url, addrs: &[SocketAddr]) -> Result<(), String> {
        let literal = match url.host() {
            Some(Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
            Some(Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
            _ => None,
        };
        for a in addrs {
            if self.is_own(*a) {
                return Err(format!("{a} is the rampart server itself"));
            }
            let class = AddressClass::of(a.ip());
            let allowed = match class {
                AddressClass::Public => true,
                AddressClass::Loopback | AddressClass::Private => self.names(url),
                // Only the very address, named as a host.
                AddressClass::Metadata => literal == Some(a.ip()) && self.names(url),
            };
            if !allowed {
                return Err(format!(
                    "{} resolves to {a}, {}, which the scan does not name as a target",
                    url.host_str().unwrap_or(""),
                    class.describe()
                ));
            }
        }
        Ok(())
    }

    fn is_own(&self, a: SocketAddr) -> bool {
        self.own.iter().any(|o| {
            o.port() == a.port()
                && (o.ip() == a.ip()
                    || (o.ip().is_unspecified()
                        && matches!(
                            AddressClass::of(a.ip()),
                            AddressClass::Loopback | AddressClass::Metadata
                        )))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }
    fn sa(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn classes() {
        for (ip, class) in [
            ("169.254.169.254", AddressClass::Metadata),
            ("169.254.1.1", AddressClass::Metadata),
            ("100.100.100.200", AddressClass::Metadata),
            ("0.0.0.0", AddressClass::Metadata),
            ("fe80::1", AddressClass::Metadata),
            ("fd00:ec2::254", AddressClass::Metadata),
            ("::ffff:169.254.169.254", AddressClass::Metadata),
            ("127.0.0.1", AddressClass::Loopback),
            ("127.9.9.9", AddressClass::Loopback),
            ("::1", AddressClass::Loopback),
            ("::ffff:127.0.0.1", AddressClass::Loopback),
            ("10.1.2.3", AddressClass::Private),
            ("172.16.0.1", AddressClass::Private),
            ("172.31.255.255", AddressClass::Private),
            ("192.168.1.1", AddressClass::Private),
            ("100.64.0.1", AddressClass::Private),
            ("fd12::1", AddressClass::Private),
            ("172.32.0.1", AddressClass::Public),
            ("100.128.0.1", AddressClass::Public),
            ("93.184.216.34", AddressClass::Public),
            ("2606:4700::1", AddressClass::Public),
        ] {
            assert_eq!(AddressClass::of(ip.parse().unwrap()), class, "{ip}");
        }
    }

    #[test]
    fn private_and_loopback_only_for_named_hosts() {
        let p = AddressPolicy::new(&[u("http://127.0.0.1:3000/")], &[], &[]);
        assert!(p
            .check(&u("http://127.0.0.1:3000/x"), &[sa("127.0.0.1:3000")])
            .is_ok());
        // Another port of the named host: named (ports are the scope rules' business).
        assert!(p
            .check(&u("http://127.0.0.1:4000/"), &[sa("127.0.0.1:4000")])
            .is_ok());
        let e = p
            .check(&u("http://127.0.0.2:3000/"), &[sa("127.0.0.2:3000")])
            .unwrap_err();
        assert!(e.contains("loopback"), "{e}");
        let e = p
            .check(&u("http://intranet.test/"), &[sa("10.0.0.5:80")])
            .unwrap_err();
        assert!(e.contains("private"), "{e}");
        assert!(p
            .check(&u("http://public.test/"), &[sa("93.184.216.34:80")])
            .is_ok());
        // Declared target domains name their subdomains.
        let p = AddressPolicy::new(&[u("http://shop.test/")], &["shop.test".into()], &[]);
        assert!(p
            .check(&u("http://api.shop.test/"), &[sa("10.0.0.7:80")])
            .is_ok());
        // A host answering with a public and a private address is refused as a whole.
        let p = AddressPolicy::new(&[u("http://a.test/")], &[], &[]);
        assert!(p
            .check(
                &u("http://b.test/"),
                &[sa("93.184.216.34:80"), sa("192.168.0.1:80")]
            )
            .is_err());
    }

    #[test]
    fn metadata_only_as_the_named_literal_address() {
        // A named host that resolves to the metadata address: refused.
        let p = AddressPolicy::new(&[u("http://shop.test/")], &["shop.test".into()], &[]);
        let e = p
            .check(&u("http://shop.test/"), &[sa("169.254.169.254:80")])
            .unwrap_err();
        assert!(e.contains("metadata"), "{e}");
        // Not named: refused.
        assert!(p
            .check(
                &u("http://169.254.169.254/latest/"),
                &[sa("169.254.169.254:80")]
            )
            .is_err());
        // Named as the literal address: allowed.
        let p = AddressPolicy::new(&[u("http://169.254.10.10/")], &[], &[]);
        assert!(p
            .check(&u("http://169.254.10.10/x"), &[sa("169.254.10.10:80")])
            .is_ok());
    }

    #[test]
    fn never_the_server_itself() {
        let own = [sa("127.0.0.1:8080")];
        let p = AddressPolicy::new(&[u("http://127.0.0.1:3000/")], &[], &own);
        assert!(p
            .check(&u("http://127.0.0.1:3000/"), &[sa("127.0.0.1:3000")])
            .is_ok());
        let e = p
            .check(
                &u("http://127.0.0.1:8080/ias/v1/apps"),
                &[sa("127.0.0.1:8080")],
            )
            .unwrap_err();
        assert!(e.contains("rampart server"), "{e}");
        // Even when named as the target.
        let p = AddressPolicy::new(&[u("http://127.0.0.1:8080/")], &[], &own);
        assert!(p
            .check(&u("http://127.0.0.1:8080/"), &[sa("127.0.0.1:8080")])
            .is_err());
        // A server listening on every address: its port on loopback is itself.
        let p = AddressPolicy::new(&[u("http://127.0.0.1:3000/")], &[], &[sa("0.0.0.0:8080")]);
        assert!(p
            .check(&u("http://127.0.0.1:8080/"), &[sa("127.0.0.1:8080")])
            .is_err());
        assert!(p
            .check(&u("http://127.0.0.1:3000/"), &[sa("127.0.0.1:3000")])
            .is_ok());
    }
}
