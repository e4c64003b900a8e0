//! Name resolution for every connection the crawler makes: the config's overrides
//! (`network.resolve`, `network.resolve_all`) or the system resolver, then the address
//! guard. Because reqwest asks this resolver for every new connection, redirects to a
//! name are guarded too; IP-literal URLs never reach a resolver and are checked by the
//! client before each request and each redirect.

use std::{collections::HashMap, fmt, net::SocketAddr, sync::Arc};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::guard::{AddressGuard, Refusal};

/// An address the guard refused, found in the error chain of a failed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedAddress {
    pub host: String,
    pub addr: std::net::IpAddr,
    pub refusal: Refusal,
}

impl fmt::Display for RefusedAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "refused to connect to {} ({}): {}",
            self.host,
            self.addr,
            self.refusal.as_str()
        )
    }
}

impl std::error::Error for RefusedAddress {}

/// The resolver handed to reqwest.
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    guard: AddressGuard,
    resolve_all: Option<SocketAddr>,
    resolve: HashMap<String, SocketAddr>,
}

impl GuardedResolver {
    pub fn new(
        guard: AddressGuard,
        resolve_all: Option<SocketAddr>,
        resolve: HashMap<String, SocketAddr>,
    ) -> Self {
        let resolve = resolve
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect();
        Self {
            inner: Arc::new(Inner {
                guard,
                resolve_all,
                resolve,
            }),
        }
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let inner = Arc::clone(&self.inner);
        Box::pin(async move {
            let host = name.as_str().to_ascii_lowercase();
            // An override's port is kept when the URL names none (hyper sets the scheme's
            // default port only on port-0 addresses), which is how every simulated host
            // reaches the one loopback server.
            let candidates: Vec<SocketAddr> = if let Some(addr) = inner.resolve.get(&host) {
                vec![*addr]
            } else if let Some(addr) = inner.resolve_all {
                vec![addr]
            } else {
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect()
            };
            let mut allowed = Vec::new();
            let mut first_refusal = None;
            for addr in candidates {
                match inner.guard.check(addr.ip()) {
                    Ok(()) => allowed.push(addr),
                    Err(refusal) => {
                        first_refusal.get_or_insert(RefusedAddress {
                            host: host.clone(),
                            addr: addr.ip(),
                            refusal,
                        });
                    }
                }
            }
            if allowed.is_empty() {
                return Err(match first_refusal {
                    Some(refused) => Box::new(refused) as Box<dyn std::error::Error + Send + Sync>,
                    None => format!("{host} has no address").into(),
                });
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}
