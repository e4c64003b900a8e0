//! Where a crawl's findings go. The crawler knows no SQL: the binary implements this
//! over the store, so the crawler's tests and the product write through the same code.

use std::future::Future;

use fedireach_core::{Batch, EngagementKind, Host, HostHealth};

use crate::Validators;

/// A boxed error from the sink, kept as the source of [`crate::CrawlError::Sink`].
pub type SinkError = Box<dyn std::error::Error + Send + Sync>;

/// What the crawler asks of the store.
pub trait CrawlSink: Send + Sync {
    /// Writes a batch idempotently, in one transaction.
    fn write_batch(&self, batch: Batch) -> impl Future<Output = Result<(), SinkError>> + Send;

    /// A tracked actor resolved to its actor id.
    fn actor_resolved(
        &self,
        tracked_actor_id: i64,
        actor_uri: &str,
    ) -> impl Future<Output = Result<(), SinkError>> + Send;

    /// Why this crawl could not read a tracked actor (`unresolved` or `unlisted`, and
    /// the reason), or, with `None`, that it read it.
    fn actor_unread(
        &self,
        tracked_actor_id: i64,
        unread: Option<(&'static str, &str)>,
    ) -> impl Future<Output = Result<(), SinkError>> + Send;

    /// A tracked actor's follower count at this crawl.
    fn follower_snapshot(
        &self,
        tracked_actor_id: i64,
        followers: Option<i64>,
    ) -> impl Future<Output = Result<(), SinkError>> + Send;

    /// After a complete listing of a post's engagements of these kinds: those not seen
    /// since `seen_since` (Unix seconds) are gone from their source (undone, deleted).
    fn mark_removed(
        &self,
        post_uri: &str,
        kinds: &[EngagementKind],
        seen_since: i64,
    ) -> impl Future<Output = Result<u64, SinkError>> + Send;

    /// A 410 or a Delete: purge an object (a post or an engagement) and keep it out.
    fn purge_object(&self, uri: &str) -> impl Future<Output = Result<(), SinkError>> + Send;

    /// A 410 on robots.txt or on a host's actor: purge the host and keep it out.
    fn purge_host(&self, host: &Host) -> impl Future<Output = Result<(), SinkError>> + Send;

    /// What an earlier crawl remembered of the response to `key` (a request), which
    /// stands for the post `post_uri`; `None` when there is none or the post is no
    /// longer stored.
    fn cached_response(
        &self,
        key: &str,
        post_uri: &str,
    ) -> impl Future<Output = Result<Option<Validators>, SinkError>> + Send;

    /// The instances of the engagements stored for a post (one found unchanged).
    fn engaging_hosts(
        &self,
        post_uri: &str,
    ) -> impl Future<Output = Result<Vec<Host>, SinkError>> + Send;

    /// Remembers the response to `key` once everything it stands for is saved.
    fn save_cached_response(
        &self,
        key: &str,
        host: &Host,
        status: u16,
        validators: &Validators,
    ) -> impl Future<Output = Result<(), SinkError>> + Send;

    /// How each host met can be crawled (after the instances are written: a host
    /// without an instance row keeps none).
    fn host_health(
        &self,
        health: &[HostHealth],
    ) -> impl Future<Output = Result<(), SinkError>> + Send;

    /// Whether a host's software was learned recently enough to skip its NodeInfo.
    fn instance_is_fresh(
        &self,
        host: &Host,
    ) -> impl Future<Output = Result<bool, SinkError>> + Send;
}
