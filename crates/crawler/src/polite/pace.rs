//! A host's pace remembered across processes: a crawl killed and started again at once
//! still waits out each host's Crawl-delay from the last request the killed one sent
//! (issue #12). The crawler knows no SQL: the binary keeps the book in the store.

use std::time::{Duration, SystemTime};

use fedireach_core::Host;
use futures::future::BoxFuture;

/// When a host was last asked anything, and the Crawl-delay it asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pace {
    pub last_request: SystemTime,
    pub crawl_delay: Duration,
}

/// Where the paces of hosts with a Crawl-delay are kept between processes, and, when
/// several processes crawl at once, each host's budget they share.
pub trait PaceBook: Send + Sync + std::fmt::Debug {
    /// Records a request about to be sent; the request waits until it is recorded, so
    /// a process killed right after sending it has left its time behind.
    fn record<'a>(&'a self, host: &'a Host, pace: Pace) -> BoxFuture<'a, ()>;

    /// Reserves the next request to `host` in the budget every process shares, at one
    /// per `interval` in bursts of `burst`: when it may be sent. `None`: no shared
    /// budget is kept (one crawling process), or it could not be read.
    fn reserve<'a>(
        &'a self,
        host: &'a Host,
        interval: Duration,
        burst: u32,
    ) -> BoxFuture<'a, Option<SystemTime>> {
        let _ = (host, interval, burst);
        Box::pin(async { None })
    }

    /// Holds every process's requests to `host` back until `until` (a server's
    /// Retry-After or rate-limit reset, met by this one).
    fn hold<'a>(&'a self, host: &'a Host, until: SystemTime) -> BoxFuture<'a, ()> {
        let _ = (host, until);
        Box::pin(async {})
    }
}
