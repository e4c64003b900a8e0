//! The traffic of one crawl, in all and by host.

use std::{
    collections::HashMap,
    sync::{Mutex, atomic::AtomicU64},
};

use fedireach_core::Host;

use crate::locked;

/// Counters of one crawl's traffic.
#[derive(Debug, Default)]
pub struct FetchStats {
    pub requests: AtomicU64,
    pub rate_limit_waits: AtomicU64,
    pub rate_limit_wait_ms: AtomicU64,
    pub status_429: AtomicU64,
    pub errors: AtomicU64,
    per_host: Mutex<HashMap<String, HostCounts>>,
}

/// One host's traffic in a crawl.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostCounts {
    pub requests: u64,
    pub by_status: std::collections::BTreeMap<u16, u64>,
    pub failures: u64,
}

impl FetchStats {
    pub(super) fn record(&self, host: &Host, status: Option<u16>) {
        let mut map = locked(&self.per_host);
        let counts = map.entry(host.to_string()).or_default();
        counts.requests += 1;
        match status {
            Some(s) => *counts.by_status.entry(s).or_default() += 1,
            None => counts.failures += 1,
        }
    }

    /// A copy of the per-host counts.
    pub fn per_host(&self) -> HashMap<String, HostCounts> {
        locked(&self.per_host).clone()
    }
}
