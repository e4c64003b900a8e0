//! What a crawl learns is gone: engagements no longer listed by their source, objects and
//! actors that answered 410 or were deleted, hosts that opted out.

use fedireach_core::{EngagementKind, Host};

use crate::{Store, StoreError, error::QueryContext, time::now};

impl Store {
    /// Marks as removed the engagements of a post, of these kinds, not seen since
    /// `seen_since` (the crawl's start): a complete listing no longer has them (an undone
    /// like or boost, a deleted reply). Returns how many were newly marked.
    pub async fn mark_removed(
        &self,
        post_uri: &str,
        kinds: &[EngagementKind],
        seen_since: i64,
    ) -> Result<u64, StoreError> {
        let mut marked = 0;
        let mut tx = self
            .begin_write()
            .await
            .doing("starting to mark removals")?;
        for kind in kinds {
            marked += sqlx::query(
                "UPDATE engagements SET removed_at = $1
                 WHERE removed_at IS NULL AND kind = $2 AND last_seen_at < $3
                   AND post_id = (SELECT id FROM posts WHERE uri = $4)",
            )
            .bind(now())
            .bind(kind.as_str())
            .bind(seen_since)
            .bind(post_uri)
            .execute(&mut *tx)
            .await
            .doing("marking removed engagements")?
            .rows_affected();
        }
        tx.commit().await.doing("saving removals")?;
        Ok(marked)
    }

    /// A 410 or a Delete of `uri`: a brand post (with its engagements), an engagement, or
    /// an engager's actor is purged, and kept out of later crawls.
    pub async fn purge_object(&self, uri: &str, reason: &str) -> Result<(), StoreError> {
        let object_hash = self.hasher.object(uri);
        let actor_hash = self.hasher.actor(uri);
        let mut tx = self.begin_write().await.doing("starting a purge")?;
        for (sql, key, what) in [
            (
                "DELETE FROM posts WHERE uri = $1 AND is_boost = 0 AND NOT EXISTS (SELECT 1 FROM tracked_actors WHERE actor_uri = posts.uri)",
                uri,
                "purging a post",
            ),
            (
                "DELETE FROM engagements WHERE uri_hash = $1",
                object_hash.as_str(),
                "purging an engagement",
            ),
            (
                "DELETE FROM actors WHERE actor_hash = $1",
                actor_hash.as_str(),
                "purging an engager",
            ),
            (
                "DELETE FROM http_cache WHERE url = $1",
                uri,
                "purging a cached document",
            ),
        ] {
            sqlx::query(sql)
                .bind(key)
                .execute(&mut *tx)
                .await
                .doing(what)?;
        }
        for (kind, key) in [("object", &object_hash), ("actor", &actor_hash)] {
            sqlx::query(
                "INSERT INTO opt_outs (kind, key, reason, created_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (kind, key) DO NOTHING",
            )
            .bind(kind)
            .bind(key)
            .bind(reason)
            .bind(now())
            .execute(&mut *tx)
            .await
            .doing("remembering an opt-out")?;
        }
        tx.commit().await.doing("saving a purge")?;
        Ok(())
    }

    /// When the software of a host was last learned from NodeInfo, if ever.
    pub async fn nodeinfo_checked_at(&self, host: &Host) -> Result<Option<i64>, StoreError> {
        let at: Option<Option<i64>> = sqlx::query_scalar(
            "SELECT checked_at FROM instances WHERE host = $1 AND software_source = 'nodeinfo'",
        )
        .bind(host.as_str())
        .fetch_optional(&self.pool)
        .await
        .doing("reading an instance")?;
        Ok(at.flatten())
    }
}
