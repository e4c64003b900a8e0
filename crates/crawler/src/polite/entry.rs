//! One host's state in a crawl: its politeness, its robots.txt, whether it answered,
//! and what it has cost the crawl so far.

use std::{
    sync::atomic::{AtomicBool, AtomicU64, Ordering},
    time::Duration,
};

use tokio::sync::OnceCell;

use super::{FetchError, PolitenessConfig, Robots, host::HostPoliteness};

/// One host's state in a crawl.
pub(super) struct HostEntry {
    pub(super) polite: HostPoliteness,
    pub(super) robots: OnceCell<Robots>,
    /// Set when the host did not answer: later requests fail at once.
    pub(super) dead: AtomicBool,
    /// Why the address guard refused the host when robots.txt was asked for (its
    /// address and the config key that would allow it): every request fails with it.
    pub(super) refused: std::sync::OnceLock<super::error::Cause>,
    /// What the host has cost this crawl: requests sent, and time spent waiting for
    /// its answers (milliseconds).
    pub(super) requests: AtomicU64,
    pub(super) busy_ms: AtomicU64,
}

impl HostEntry {
    /// `Err(OverLimit)` once the host has cost this crawl all its requests or time.
    pub(super) fn within_budget(&self, config: &PolitenessConfig) -> Result<(), FetchError> {
        let over = |what: String| FetchError::OverLimit {
            host: self.polite.host().to_string(),
            what,
        };
        let max = config.max_requests_per_host;
        if self.requests.load(Ordering::Relaxed) >= max {
            return Err(over(format!(
                "asked {max} times, the most one host may be (crawl.max_requests_per_host)"
            )));
        }
        let budget = config.host_time_budget;
        let busy = Duration::from_millis(self.busy_ms.load(Ordering::Relaxed));
        if busy >= budget {
            return Err(over(format!(
                "kept the crawl waiting {}s for its answers, its whole budget \
                 (crawl.host_time_budget = {}s)",
                busy.as_secs(),
                budget.as_secs()
            )));
        }
        Ok(())
    }
}
