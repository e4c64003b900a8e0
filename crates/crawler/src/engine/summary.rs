//! What a crawl reports: counts, hosts that failed, and the consent report.

use std::collections::BTreeMap;

use fedireach_core::{ConsentAction, ConsentReason, ConsentSubject, FailureKind, Route};
use serde::Serialize;

/// One line of the consent report: how many of a subject were left out or anonymised,
/// and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ConsentKey {
    pub subject: ConsentSubject,
    pub action: ConsentAction,
    pub reason: ConsentReason,
    /// For a `route` subject: the route that was refused.
    pub route: Option<Route>,
}

impl ConsentKey {
    /// The reason as stored and shown: `REASON`, or `REASON:ROUTE` for a route.
    pub fn reason_label(&self) -> String {
        match self.route {
            Some(route) => format!("{}:{route}", self.reason),
            None => self.reason.to_string(),
        }
    }
}

/// A host that failed (unreachable, 5xx, timeouts, malformed): exit code 3.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostFailure {
    pub host: String,
    pub url: String,
    pub kind: FailureKind,
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
