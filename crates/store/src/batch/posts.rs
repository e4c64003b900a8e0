//! Instances and posts: upserts that keep what a later crawl did not learn again.

use fedireach_core::{InstanceRecord, PostRecord};
use sqlx::{Any, Row, Transaction};

use crate::{StoreError, error::QueryContext};

pub(super) async fn upsert_instance(
    tx: &mut Transaction<'_, Any>,
    instance: &InstanceRecord,
    at: i64,
) -> Result<(), StoreError> {
    // A forgotten instance is never written again (`forget instance`).
    sqlx::query(
        "INSERT INTO instances (host, software, software_version, family, software_source,
            users_total, users_active_month, checked_at, first_seen_at)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9
         WHERE NOT EXISTS (SELECT 1 FROM opt_outs WHERE kind = 'instance' AND key = $1)
         ON CONFLICT (host) DO UPDATE SET
            software = excluded.software, software_version = excluded.software_version,
            family = excluded.family, software_source = excluded.software_source,
            users_total = excluded.users_total,
            users_active_month = excluded.users_active_month,
            checked_at = excluded.checked_at
         -- A crawl that learned nothing of a host (it read no NodeInfo and no document
         -- of it: every post it engaged with was unchanged) keeps what an earlier one
         -- learned.
         WHERE excluded.software_source != 'unknown' OR instances.software_source = 'unknown'",
    )
    .bind(instance.host.as_str())
    .bind(instance.software.as_str())
    .bind(&instance.software_version)
    .bind(instance.software.family().as_str())
    .bind(instance.software_source.as_str())
    .bind(instance.users_total)
    .bind(instance.users_active_month)
    .bind(at)
    .bind(at)
    .execute(&mut **tx)
    .await
    .doing("storing an instance")?;
    Ok(())
}
/// Upserts a post; `None` for a post that may not be stored (not public or unlisted).
pub(super) async fn upsert_post(
    tx: &mut Transaction<'_, Any>,
    post: &PostRecord,
    at: i64,
) -> Result<Option<i64>, StoreError> {
    if !matches!(post.visibility.as_str(), "public" | "unlisted") {
        return Ok(None);
    }
    let row = sqlx::query(
        "INSERT INTO posts (uri, author_uri, host, published_at, object_type, url, language,
            visibility, is_boost, boosted_uri, summary, content_excerpt, reported_replies,
            reported_likes, reported_boosts, reported_quotes, first_seen_at, updated_at,
            replies_coverage, boosts_coverage, likes_coverage, quotes_coverage)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
         ON CONFLICT (uri) DO UPDATE SET
            published_at = excluded.published_at, object_type = excluded.object_type,
            url = excluded.url, language = excluded.language, visibility = excluded.visibility,
            summary = excluded.summary, content_excerpt = excluded.content_excerpt,
            reported_replies = excluded.reported_replies, reported_likes = excluded.reported_likes,
            reported_boosts = excluded.reported_boosts, reported_quotes = excluded.reported_quotes,
            replies_coverage = coalesce(excluded.replies_coverage, posts.replies_coverage),
            boosts_coverage = coalesce(excluded.boosts_coverage, posts.boosts_coverage),
            likes_coverage = coalesce(excluded.likes_coverage, posts.likes_coverage),
            quotes_coverage = coalesce(excluded.quotes_coverage, posts.quotes_coverage),
            updated_at = excluded.updated_at, deleted_at = NULL
         RETURNING id",
    )
    .bind(&post.uri)
    .bind(&post.author_uri)
    .bind(&post.host)
    .bind(post.published_at)
    .bind(&post.object_type)
    .bind(&post.url)
    .bind(&post.language)
    .bind(&post.visibility)
    .bind(i64::from(post.is_boost))
    .bind(&post.boosted_uri)
    .bind(&post.summary)
    .bind(&post.content_excerpt)
    .bind(post.reported_replies)
    .bind(post.reported_likes)
    .bind(post.reported_boosts)
    .bind(post.reported_quotes)
    .bind(at)
    .bind(at)
    .bind(post.coverage.map(|c| c.replies.code()))
    .bind(post.coverage.map(|c| c.boosts.code()))
    .bind(post.coverage.map(|c| c.likes.code()))
    .bind(post.coverage.map(|c| c.quotes.code()))
    .fetch_one(&mut **tx)
    .await
    .doing("storing a post")?;
    let id: i64 = row.try_get(0).doing("reading a post's id")?;
    sqlx::query("DELETE FROM post_hashtags WHERE post_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await
        .doing("replacing a post's hashtags")?;
    for tag in &post.hashtags {
        let tag = tag.trim().trim_start_matches('#').to_lowercase();
        if tag.is_empty() {
            continue;
        }
        sqlx::query(
            "INSERT INTO post_hashtags (post_id, tag) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(tag)
        .execute(&mut **tx)
        .await
        .doing("storing a post's hashtags")?;
    }
    Ok(Some(id))
}
