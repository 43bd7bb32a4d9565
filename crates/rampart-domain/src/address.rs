//! The classes of network addresses (one rule for everything rampart connects to: the
//! scanner's address policy, `rampart_engine::http::address`, and the webhook deliverer's
//! refusal of private receivers).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The class of an address, from most to least sensitive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressClass {
    /// Link-local, cloud metadata endpoints and the unspecified address.
    Metadata,
    /// Loopback.
    Loopback,
    /// Private, unique-local and carrier-grade NAT ranges.
    Private,
    Public,
}

impl AddressClass {
    pub fn of(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(v4) => Self::of_v4(v4),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Self::of_v4(v4),
                None => Self::of_v6(v6),
            },
        }
    }

    fn of_v4(ip: Ipv4Addr) -> Self {
        let o = ip.octets();
        if ip.is_link_local() || ip.is_unspecified() || ip == Ipv4Addr::new(100, 100, 100, 200) {
            Self::Metadata
        } else if ip.is_loopback() {
            Self::Loopback
        } else if ip.is_private() || (o[0] == 100 && (64..128).contains(&o[1])) || o[0] == 0 {
            Self::Private
        } else {
            Self::Public
        }
    }

    fn of_v6(ip: Ipv6Addr) -> Self {
        let s = ip.segments();
        if ip.is_unspecified()
            || (s[0] & 0xffc0) == 0xfe80
            || ip == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)
        {
            Self::Metadata
        } else if ip.is_loopback() {
            Self::Loopback
        } else if (s[0] & 0xfe00) == 0xfc00 {
            Self::Private
        } else {
            Self::Public
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Self::Metadata => "a link-local or cloud metadata address",
            Self::Loopback => "a loopback address",
            Self::Private => "a private address",
            Self::Public => "a public address",
        }
    }
}
