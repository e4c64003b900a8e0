//! What a crawl reports: counts, hosts that failed, and the consent report.

use std::collections::BTreeMap;

use serde::Serialize;

/// One line of the consent report: how many of a subject were left out or anonymised,
/// and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ConsentKey {
    /// `engager`, `post`, `host` or `route` (one route of a host that was read by
    /// another: `reason` is then `REASON:ROUTE`, the route `activitypub` or `api`).
    pub subject: &'static str,
    /// `left_out`, `anonymised`, `refused` (a route) or `client_access` (an owned
    /// brand's own client went where robots.txt bars crawlers, BRIEF section 3).
    pub action: &'static str,
    pub reason: String,
}

/// A host that failed (unreachable, 5xx, timeouts, malformed): exit code 3.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostFailure {
    pub host: String,
    pub url: String,
    pub kind: &'static str,
    pub message: String,
}

/// A brand actor that could not be resolved (exit code 3), and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnresolvedActor {
    /// As the brand names it (`@user@host` or a URL).
    pub actor: String,
    /// What stood in the way: robots.txt, a refusal (401/403), 404, a malformed document.
    pub reason: String,
}

/// The outcome of a crawl.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CrawlSummary {
    pub brands: usize,
    pub actors_resolved: usize,
    pub actors_failed: usize,
    pub posts: u64,
    /// Posts whose origin said they had not changed since the last crawl.
    pub posts_unchanged: u64,
    pub engagements_found: u64,
    pub engagements_removed: u64,
    /// Instances that engaged in this crawl (known before or not).
    pub instances: usize,
    pub requests: u64,
    pub rate_limit_waits: u64,
    pub rate_limit_wait_ms: u64,
    pub failures: Vec<HostFailure>,
    pub consent: BTreeMap<ConsentKey, u64>,
    /// Brand actors that could not be resolved.
    pub unresolved: Vec<UnresolvedActor>,
    /// Brand actors resolved but whose posts could not be listed (an outbox that
    /// answers nothing, or a software that lists no one's posts): their posts are
    /// unknown, not absent.
    pub unlisted: Vec<UnresolvedActor>,
}

impl CrawlSummary {
    /// Hosts that failed, each once.
    pub fn failed_hosts(&self) -> Vec<&str> {
        let mut hosts: Vec<&str> = self.failures.iter().map(|f| f.host.as_str()).collect();
        hosts.sort_unstable();
        hosts.dedup();
        hosts
    }
}
