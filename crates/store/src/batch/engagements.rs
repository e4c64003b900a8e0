//! Engagements: one row per engagement whatever route found it, the clear uri and
//! excerpt only where the engager's consent allows. What depends only on the post (its
//! id, whether an owned brand tracks it, the accounts whose engagement with it is the
//! brand's own) is looked up once per post and batch, not once per engagement.

use std::collections::HashMap;

use fedireach_core::{ActorRecord, EngagementKind, EngagementRecord};
use sqlx::{Any, Transaction};

use super::BatchOutcome;
use crate::{Store, StoreError, error::QueryContext};

/// What writing a post's engagements needs to know of the post.
#[derive(Debug, Clone)]
pub(super) struct PostFacts {
    id: i64,
    /// Tracked by an owned brand: its engagers who may be named keep their clear text.
    owned: bool,
    /// The tracked actors of every brand that tracks its author: their engagements
    /// with it are self-engagement.
    brand_actors: Vec<String>,
}

/// The key that makes re-crawls idempotent: a like or boost once per engager and post;
/// a reply or quote by its own uri, else by its engager and time.
pub(super) fn dedup_key(
    kind: EngagementKind,
    uri_hash: Option<&str>,
    actor_hash: &str,
    happened_at: Option<i64>,
) -> String {
    match (uri_hash, kind.once_per_engager()) {
        (Some(hash), false) => format!("u:{hash}"),
        (None, false) => format!("a:{actor_hash}:{}", happened_at.unwrap_or(0)),
        (_, true) => format!("a:{actor_hash}"),
    }
}

/// The post of `uri` as [`PostFacts`], `None` when it is not stored.
async fn post_facts(
    tx: &mut Transaction<'_, Any>,
    uri: &str,
) -> Result<Option<PostFacts>, StoreError> {
    let found: Option<(i64, i64)> = sqlx::query_as(
        "SELECT p.id, CASE WHEN EXISTS (
                SELECT 1 FROM tracked_actors t JOIN brands b ON b.id = t.brand_id
                WHERE t.actor_uri = p.author_uri AND b.token_env IS NOT NULL) THEN 1 ELSE 0 END
         FROM posts p WHERE p.uri = $1",
    )
    .bind(uri)
    .fetch_optional(&mut **tx)
    .await
    .doing("finding an engagement's post")?;
    let Some((id, owned)) = found else {
        return Ok(None);
    };
    let owned = owned != 0;
    let brand_actors: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT engager.actor_uri FROM posts p
         JOIN tracked_actors author ON author.actor_uri = p.author_uri
         JOIN tracked_actors engager ON engager.brand_id = author.brand_id
         WHERE p.id = $1 AND engager.actor_uri IS NOT NULL",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await
    .doing("finding the brand accounts of a post")?;
    Ok(Some(PostFacts {
        id,
        owned,
        brand_actors,
    }))
}

impl Store {
    /// Writes one engagement (and a bare row for its engager if the batch described
    /// none), unless its object or engager was forgotten or its post is not stored.
    pub(super) async fn upsert_engagement<'b>(
        &self,
        tx: &mut Transaction<'_, Any>,
        engagement: &'b EngagementRecord,
        actor_ids: &mut HashMap<&'b str, i64>,
        posts: &mut HashMap<&'b str, Option<PostFacts>>,
        at: i64,
        outcome: &mut BatchOutcome,
    ) -> Result<(), StoreError> {
        let uri_hash = engagement.uri.as_deref().map(|u| self.hasher.object(u));
        if let Some(hash) = &uri_hash
            && object_forgotten(tx, hash).await?
        {
            outcome.left_out_forgotten += 1;
            return Ok(());
        }
        let post = match posts.get(engagement.post_uri.as_str()) {
            Some(known) => known.clone(),
            None => {
                let facts = post_facts(tx, &engagement.post_uri).await?;
                posts.insert(&engagement.post_uri, facts.clone());
                facts
            }
        };
        let Some(post) = post else {
            outcome.left_out_unknown_post += 1;
            return Ok(());
        };
        let actor_id = match actor_ids.get(engagement.actor_uri.as_str()) {
            Some(id) => *id,
            None => {
                let minimal = ActorRecord {
                    actor_uri: engagement.actor_uri.clone(),
                    ..ActorRecord::default()
                };
                let Some(id) = self.upsert_actor(tx, &minimal, at).await? else {
                    outcome.left_out_forgotten += 1;
                    return Ok(());
                };
                actor_ids.insert(&engagement.actor_uri, id);
                id
            }
        };
        let dedup_key = dedup_key(
            engagement.kind,
            uri_hash.as_deref(),
            &self.hasher.actor(&engagement.actor_uri),
            engagement.happened_at,
        );
        // Clear text only for engagers who may be named, on owned brands' posts.
        let (uri, excerpt) = if post.owned && may_be_named(tx, actor_id).await? {
            (
                engagement.uri.as_deref(),
                engagement.content_excerpt.as_deref(),
            )
        } else {
            (None, None)
        };
        let row = EngagementRow {
            post_id: post.id,
            actor_id,
            dedup_key,
            uri_hash,
            uri,
            excerpt,
            is_self: post.brand_actors.contains(&engagement.actor_uri),
            at,
        };
        if insert_engagement(tx, engagement, &row).await? {
            outcome.engagements_new += 1;
        } else {
            touch_engagement(tx, engagement, &row).await?;
            outcome.engagements_seen += 1;
        }
        Ok(())
    }
}

/// What the store adds to an [`EngagementRecord`] to write it.
struct EngagementRow<'a> {
    post_id: i64,
    actor_id: i64,
    dedup_key: String,
    uri_hash: Option<String>,
    /// The clear uri and excerpt, `None` unless the engager may be named.
    uri: Option<&'a str>,
    excerpt: Option<&'a str>,
    is_self: bool,
    /// This crawl's time: first (and last) seen.
    at: i64,
}

/// Inserts the engagement; `false` when it was already stored (same post, kind and
/// dedup key).
async fn insert_engagement(
    tx: &mut Transaction<'_, Any>,
    engagement: &EngagementRecord,
    row: &EngagementRow<'_>,
) -> Result<bool, StoreError> {
    let inserted = sqlx::query(
        "INSERT INTO engagements (post_id, kind, actor_id, host, dedup_key, uri_hash, uri,
            depth, emoji, content_excerpt, source, is_self, happened_at,
            first_seen_at, last_seen_at, language)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
         ON CONFLICT (post_id, kind, dedup_key) DO NOTHING",
    )
    .bind(row.post_id)
    .bind(engagement.kind.as_str())
    .bind(row.actor_id)
    .bind(engagement.host.as_str())
    .bind(&row.dedup_key)
    .bind(&row.uri_hash)
    .bind(row.uri)
    .bind(engagement.depth)
    .bind(&engagement.emoji)
    .bind(row.excerpt)
    .bind(&engagement.source)
    .bind(i64::from(row.is_self))
    .bind(engagement.happened_at)
    .bind(row.at)
    .bind(row.at)
    .bind(engagement.language.as_ref().map(|l| l.as_str()))
    .execute(&mut **tx)
    .await
    .doing("storing an engagement")?;
    Ok(inserted.rows_affected() == 1)
}

/// Marks a stored engagement seen by this crawl (and no longer removed), keeping what
/// it knew that this sighting does not say.
async fn touch_engagement(
    tx: &mut Transaction<'_, Any>,
    engagement: &EngagementRecord,
    row: &EngagementRow<'_>,
) -> Result<(), StoreError> {
    let language = engagement.language.as_ref().map(|l| l.as_str());
    sqlx::query(
        "UPDATE engagements SET last_seen_at = $1, removed_at = NULL,
            uri_hash = coalesce($2, uri_hash), uri = $3, content_excerpt = $4,
            emoji = coalesce($5, emoji), happened_at = coalesce(happened_at, $6),
            -- a declared language is not lost to a source that sees none
            language = CASE WHEN $7 = 'und' AND language IS NOT NULL THEN language
                            ELSE coalesce($8, language) END
         WHERE post_id = $9 AND kind = $10 AND dedup_key = $11",
    )
    .bind(row.at)
    .bind(&row.uri_hash)
    .bind(row.uri)
    .bind(row.excerpt)
    .bind(&engagement.emoji)
    .bind(engagement.happened_at)
    .bind(language)
    .bind(language)
    .bind(row.post_id)
    .bind(engagement.kind.as_str())
    .bind(&row.dedup_key)
    .execute(&mut **tx)
    .await
    .doing("updating an engagement")?;
    Ok(())
}

/// Whether an object (a reply, a Like...) was deleted or forgotten: never written again.
async fn object_forgotten(tx: &mut Transaction<'_, Any>, hash: &str) -> Result<bool, StoreError> {
    let gone: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM opt_outs WHERE kind = 'object' AND key = $1")
            .bind(hash)
            .fetch_optional(&mut **tx)
            .await
            .doing("checking removed objects")?;
    Ok(gone.is_some())
}

/// Whether an engager carries no opt-out (its clear text may be kept).
async fn may_be_named(tx: &mut Transaction<'_, Any>, actor_id: i64) -> Result<bool, StoreError> {
    let named: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM actors WHERE id = $1 AND opted_out = 0")
            .bind(actor_id)
            .fetch_optional(&mut **tx)
            .await
            .doing("checking an engager's consent")?;
    Ok(named.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn likes_and_boosts_are_once_per_engager_replies_by_their_own_uri() {
        use EngagementKind::{Boost, Like, Quote, Reply};
        for (kind, uri, at, want) in [
            (Like, Some("u1"), Some(5), "a:h"),
            (Boost, None, None, "a:h"),
            (Reply, Some("u1"), Some(5), "u:u1"),
            (Quote, None, Some(5), "a:h:5"),
            (Reply, None, None, "a:h:0"),
        ] {
            assert_eq!(
                dedup_key(kind, uri, "h", at),
                want,
                "{kind:?} {uri:?} {at:?}"
            );
        }
    }
}
