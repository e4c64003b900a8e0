//! The store as the crawler's sink.

use std::time::Duration;

use fedireach_core::{Batch, EngagementKind, Host, HostHealth};
use fedireach_crawler::{CrawlSink, SinkError, Validators};
use fedireach_store::{CachedResponse, Store};

use super::DenyList;

/// NodeInfo is asked again after this long: software changes rarely.
pub const NODEINFO_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

/// Writes a crawl into the store, recording follower counts under its run.
#[derive(Debug)]
pub struct StoreSink<'a> {
    pub store: &'a Store,
    /// What is found of a listed host (a like listed by its origin) is not written.
    pub denylist: &'a DenyList,
    pub crawl_id: i64,
    pub now: i64,
}

impl CrawlSink for StoreSink<'_> {
    async fn write_batch(&self, mut batch: Batch) -> Result<(), SinkError> {
        let list = self.denylist;
        if !list.domains().is_empty() {
            let barred = |uri: &str| {
                url::Url::parse(uri)
                    .ok()
                    .and_then(|u| Host::from_url(&u))
                    .is_some_and(|h| list.covers(&h))
            };
            batch.instances.retain(|i| !list.covers(&i.host));
            batch.actors.retain(|a| !barred(&a.actor_uri));
            batch
                .engagements
                .retain(|e| !list.covers(&e.host) && !barred(&e.actor_uri));
        }
        self.store.write_batch(&batch).await?;
        Ok(())
    }

    async fn actor_resolved(
        &self,
        tracked_actor_id: i64,
        actor_uri: &str,
    ) -> Result<(), SinkError> {
        Ok(self
            .store
            .set_tracked_actor_uri(tracked_actor_id, actor_uri)
            .await?)
    }

    async fn actor_unread(
        &self,
        tracked_actor_id: i64,
        unread: Option<(&'static str, &str)>,
    ) -> Result<(), SinkError> {
        Ok(self
            .store
            .set_tracked_actor_unread(tracked_actor_id, unread)
            .await?)
    }

    async fn follower_snapshot(
        &self,
        tracked_actor_id: i64,
        followers: Option<i64>,
    ) -> Result<(), SinkError> {
        Ok(self
            .store
            .record_follower_snapshot(self.crawl_id, tracked_actor_id, followers)
            .await?)
    }

    async fn mark_removed(
        &self,
        post_uri: &str,
        kinds: &[EngagementKind],
        seen_since: i64,
    ) -> Result<u64, SinkError> {
        Ok(self.store.mark_removed(post_uri, kinds, seen_since).await?)
    }

    async fn purge_object(&self, uri: &str) -> Result<(), SinkError> {
        Ok(self.store.purge_object(uri, "gone_410").await?)
    }

    async fn purge_host(&self, host: &Host) -> Result<(), SinkError> {
        match self.store.forget_instance(host, "gone_410").await {
            Ok(_) => Ok(()),
            // A brand's own host that opted out keeps the brand; its posts stay until the
            // user removes the brand.
            Err(fedireach_store::StoreError::Tracked { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    async fn cached_response(
        &self,
        key: &str,
        post_uri: &str,
    ) -> Result<Option<Validators>, SinkError> {
        Ok(self
            .store
            .cached_response(key, post_uri)
            .await?
            .map(|c| Validators {
                etag: c.etag,
                last_modified: c.last_modified,
                body_sha256: c.body_sha256,
            }))
    }

    async fn engaging_hosts(&self, post_uri: &str) -> Result<Vec<Host>, SinkError> {
        let hosts = self.store.engaging_hosts(post_uri).await?;
        // The store holds hosts as the crawler wrote them; one that no longer parses is
        // simply not reported.
        Ok(hosts.iter().filter_map(|h| Host::parse(h).ok()).collect())
    }

    async fn save_cached_response(
        &self,
        key: &str,
        host: &Host,
        status: u16,
        validators: &Validators,
    ) -> Result<(), SinkError> {
        let cached = CachedResponse {
            etag: validators.etag.clone(),
            last_modified: validators.last_modified.clone(),
            body_sha256: validators.body_sha256.clone(),
        };
        Ok(self
            .store
            .save_cached_response(key, host.as_str(), status, &cached)
            .await?)
    }

    async fn host_health(&self, health: &[HostHealth]) -> Result<(), SinkError> {
        Ok(self.store.record_host_health(health).await?)
    }

    async fn instance_is_fresh(&self, host: &Host) -> Result<bool, SinkError> {
        let ttl = i64::try_from(NODEINFO_TTL.as_secs()).unwrap_or(i64::MAX);
        Ok(self
            .store
            .nodeinfo_checked_at(host)
            .await?
            .is_some_and(|at| self.now - at < ttl))
    }
}
