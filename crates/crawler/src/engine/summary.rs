//! What a crawl reports: counts, hosts that failed, and the consent report.

use std::collections::BTreeMap;

use serde::Serialize;

/// One line of the consent report: how many of a subject were left out or anonymised,
/// and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ConsentKey {
    /// `engager`, `post` or `host`.
    pub subject: &'static str,
    /// `left_out` or `anonymised`.
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
    pub instances: usize,
    pub requests: u64,
    pub rate_limit_waits: u64,
    pub rate_limit_wait_ms: u64,
    pub failures: Vec<HostFailure>,
    pub consent: BTreeMap<ConsentKey, u64>,
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
