#![doc = include_str!("../README.md")]

mod engine;
mod error;
mod net;
mod polite;
mod sign;
mod sink;

pub use engine::{
    ActorPlan, BrandPlan, ConsentKey, CrawlOptions, CrawlPlan, CrawlProgress, CrawlSummary,
    HostFailure, NoProgress, UnresolvedActor, crawl,
};
pub use error::CrawlError;
pub use net::{
    AddressGuard, HttpClient, NetConfig, NetError, Refusal, RefusedAddress, Request, Response,
};
pub use polite::{
    FetchError, FetchStats, Fetched, Fetcher, HostCounts, HostQuota, Pace, PaceBook,
    PolitenessConfig, Robots, Validators,
};
pub use sign::{InstanceKey, SignError, generate_key_pem};
pub use sink::{CrawlSink, SinkError};

/// The value behind `mutex`, poisoned or not: a task that panicked while holding it
/// left a tally, a budget or a cache the rest of the crawl still uses and reports.
pub(crate) fn locked<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
