//! The operator's denylist (the top-level `denylist_file`): domains of which nothing is
//! fetched, stored or shown, their subdomains included.

use std::path::Path;

use anyhow::{Context, bail};
use fedireach_core::Host;
use fedireach_store::Store;

/// The name under which the store remembers the denylist in force.
const MEMORY: &str = "denylist";

/// The domains barred, lower-case, without ports, sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DenyList {
    domains: Vec<String>,
}

impl DenyList {
    /// Reads the file: one domain a line, `#` starts a comment; an empty path is an
    /// empty list.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        if path.as_os_str().is_empty() {
            return Ok(Self::default());
        }
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read denylist_file {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("denylist_file {}", path.display()))
    }

    fn parse(text: &str) -> anyhow::Result<Self> {
        let mut domains = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let entry = line.split('#').next().unwrap_or_default().trim();
            if entry.is_empty() {
                continue;
            }
            match Host::parse(entry) {
                Ok(host) if host.name() == host.as_str() => domains.push(host.name().to_owned()),
                Ok(_) => bail!(
                    "line {}: {entry:?} has a port; list the domain alone",
                    n + 1
                ),
                Err(e) => bail!("line {}: {entry:?} is not a domain name ({e})", n + 1),
            }
        }
        domains.sort();
        domains.dedup();
        Ok(Self { domains })
    }

    pub fn domains(&self) -> &[String] {
        &self.domains
    }

    /// Whether `host` is a listed domain or one of its subdomains.
    pub fn covers(&self, host: &Host) -> bool {
        self.domains.iter().any(|d| host.is_within(d))
    }

    /// Brings the store in line with the list before a crawl: what is stored of a
    /// listed host is purged, and when the list changed since the last crawl every
    /// post is read again in full (its remembered responses dropped), so that what the
    /// list now bars or allows is seen. Returns the engagements purged.
    pub async fn apply(&self, store: &Store) -> anyhow::Result<u64> {
        let fingerprint = self.domains.join("\n");
        if store.crawl_memory(MEMORY).await?.unwrap_or_default() != fingerprint {
            store.clear_http_cache().await?;
            store.set_crawl_memory(MEMORY, &fingerprint).await?;
        }
        let mut purged = 0;
        for stored in store.stored_hosts().await? {
            let Ok(host) = Host::parse(&stored) else {
                continue;
            };
            if self.covers(&host) {
                let (_, engagements) = store.purge_denied_instance(&host).await?;
                tracing::info!(%host, engagements, "purged: on the denylist");
                purged += engagements;
            }
        }
        Ok(purged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listed_domain_covers_its_subdomains_only() -> anyhow::Result<()> {
        let list = DenyList::parse("# barred\nThreads.net\n\n  bad.example # spam\n")?;
        assert_eq!(list.domains(), ["bad.example", "threads.net"]);
        for (host, covered) in [
            ("threads.net", true),
            ("www.threads.net", true),
            ("notthreads.net", false),
            ("bad.example:8443", true),
            ("good.example", false),
        ] {
            assert_eq!(list.covers(&Host::parse(host)?), covered, "{host}");
        }
        Ok(())
    }

    #[test]
    fn a_line_that_is_no_domain_is_refused_with_its_number() {
        for (text, says) in [
            ("ok.example\na..b\n", "line 2"),
            ("x.example:8443\n", "has a port"),
        ] {
            match DenyList::parse(text) {
                Ok(list) => panic!("{text:?} was accepted as {list:?}"),
                Err(e) => assert!(e.to_string().contains(says), "{text:?}: {e:#}"),
            }
        }
    }
}
