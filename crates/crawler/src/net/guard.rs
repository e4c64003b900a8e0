//! Which addresses the crawler may connect to (BRIEF section 3): loopback, private and
//! link-local ranges are refused unless the config allows them, and `deny_addresses` are
//! refused always. Checked on every connection, redirects included, by the resolver
//! (names) and before each request (IP literals).

use std::net::IpAddr;

use ipnet::IpNet;

/// The address policy of one crawl.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressGuard {
    pub allow_loopback: bool,
    pub allow_private: bool,
    pub deny: Vec<IpNet>,
}

/// Why an address was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Denied,
    Loopback,
    Private,
    /// Unspecified, multicast, broadcast, documentation: never a server.
    Unroutable,
}

impl Refusal {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Denied => "listed in network.deny_addresses",
            Self::Loopback => "loopback (set network.allow_loopback to allow)",
            Self::Private => "private or link-local (set network.allow_private to allow)",
            Self::Unroutable => "not a routable unicast address",
        }
    }
}

impl AddressGuard {
    /// `Ok` when the crawler may connect to `ip`.
    pub fn check(&self, ip: IpAddr) -> Result<(), Refusal> {
        let ip = canonical(ip);
        if self.deny.iter().any(|net| net.contains(&ip)) {
            return Err(Refusal::Denied);
        }
        if ip.is_loopback() {
            return if self.allow_loopback {
                Ok(())
            } else {
                Err(Refusal::Loopback)
            };
        }
        if ip.is_unspecified() || ip.is_multicast() || is_unroutable(ip) {
            return Err(Refusal::Unroutable);
        }
        if is_private(ip) && !self.allow_private {
            return Err(Refusal::Private);
        }
        Ok(())
    }
}

/// An IPv4-mapped IPv6 address is checked as the IPv4 address it carries.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn is_unroutable(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_broadcast()
                || v4.is_documentation()
                || v4.octets()[0] == 0
                || v4.octets()[0] >= 240 // reserved, class E
        }
        IpAddr::V6(v6) => {
            // 2001:db8::/32 documentation
            v6.segments()[0] == 0x2001 && v6.segments()[1] == 0x0db8
        }
    }
}

/// RFC 1918, link-local, CGNAT (RFC 6598), IPv6 unique-local and link-local.
fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_private() || v4.is_link_local() || (o[0] == 100 && (o[1] & 0xc0) == 64)
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(guard: &AddressGuard, ip: &str) -> Result<(), Refusal> {
        let ip: IpAddr = ip.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]));
        guard.check(ip)
    }

    #[test]
    fn defaults_refuse_everything_local() {
        let guard = AddressGuard::default();
        for (ip, expected) in [
            ("93.184.216.34", Ok(())),
            ("2606:2800:220:1::1", Ok(())),
            ("127.0.0.1", Err(Refusal::Loopback)),
            ("127.9.9.9", Err(Refusal::Loopback)),
            ("::1", Err(Refusal::Loopback)),
            ("::ffff:127.0.0.1", Err(Refusal::Loopback)),
            ("10.1.2.3", Err(Refusal::Private)),
            ("172.16.0.1", Err(Refusal::Private)),
            ("192.168.1.1", Err(Refusal::Private)),
            ("169.254.169.254", Err(Refusal::Private)),
            ("100.64.0.1", Err(Refusal::Private)),
            ("fd00::1", Err(Refusal::Private)),
            ("fe80::1", Err(Refusal::Private)),
            ("::ffff:10.0.0.1", Err(Refusal::Private)),
            ("0.0.0.0", Err(Refusal::Unroutable)),
            ("255.255.255.255", Err(Refusal::Unroutable)),
            ("224.0.0.1", Err(Refusal::Unroutable)),
        ] {
            assert_eq!(check(&guard, ip), expected, "{ip}");
        }
    }

    #[test]
    fn deny_list_wins_over_allowances() -> Result<(), ipnet::AddrParseError> {
        let guard = AddressGuard {
            allow_loopback: true,
            allow_private: true,
            deny: vec!["127.0.0.2/32".parse()?, "10.0.0.0/8".parse()?],
        };
        assert_eq!(check(&guard, "127.0.0.1"), Ok(()));
        assert_eq!(check(&guard, "127.0.0.2"), Err(Refusal::Denied));
        assert_eq!(check(&guard, "::ffff:127.0.0.2"), Err(Refusal::Denied));
        assert_eq!(check(&guard, "10.9.9.9"), Err(Refusal::Denied));
        assert_eq!(check(&guard, "192.168.0.1"), Ok(()));
        Ok(())
    }
}
