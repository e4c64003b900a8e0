//! Writing what a crawl found: instances, engagers, posts and engagements, idempotently,
//! one transaction per batch.
//!
//! The consent rules of BRIEF section 3 are enforced here, the last step before the disk:
//! engagers are stored under the keyed hash of their actor id; a handle, name, avatar,
//! engagement uri or excerpt is kept only for an engager who is indexable, carries no
//! opt-out, and engaged with an owned brand; whatever `forget`, a 410 or a Delete removed
//! is never written again.

use std::collections::{HashMap, HashSet};

use fedireach_core::{ActorRecord, Batch, EngagementRecord, Host, InstanceRecord, PostRecord};
use sqlx::{Row, Sqlite, Transaction};

use crate::{Store, StoreError, error::QueryContext, time::now};

/// What a batch changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    /// Engagements stored for the first time.
    pub engagements_new: u64,
    /// Engagements stored before and seen again (or back after a removal).
    pub engagements_seen: u64,
    /// Engagements and engagers not written because they were forgotten or opted out.
    pub left_out_forgotten: u64,
    /// Engagements whose post is not stored (nothing to attach them to).
    pub left_out_unknown_post: u64,
}

/// Rows (engagements and their engagers) written per transaction. A post with hundreds
/// of thousands of engagements is written in many short transactions, so SQLite's one
/// write lock is free between them: another process's `brand add`, `forget`, crawl
/// lease renewal or facts pruning waits a fraction of a second, never the whole post.
pub const ROWS_PER_TRANSACTION: usize = 2_000;

/// Between two transactions of a batch the write lock is left free this long, so a
/// writer of another process (`brand add`, `forget`), whose SQLite busy handler
/// retries every 100 ms at most, finds it free within a few transactions. Not a
/// synchronisation: nothing waits for anything here; it only bounds how long the
/// crawl keeps the lock to itself. In this process, the lease renewal has its turn
/// anyway (`Store::write_turn`).
const PAUSE_BETWEEN_TRANSACTIONS: std::time::Duration = std::time::Duration::from_millis(50);

impl Store {
    /// Writes a batch: its instances and posts in one transaction, then its engagements
    /// with their engagers in transactions of at most [`ROWS_PER_TRANSACTION`] rows.
    /// Each transaction is all or nothing and every write is an idempotent upsert, so a
    /// batch cut short (a crash between two transactions) is completed by writing it
    /// again; what was written is never wrong, only possibly incomplete, and a crawl
    /// marks nothing as removed before the whole batch is written. Each transaction
    /// checks the opt-outs itself, so a `forget` committed between two of them holds.
    pub async fn write_batch(&self, batch: &Batch) -> Result<BatchOutcome, StoreError> {
        let at = now();
        let mut outcome = BatchOutcome::default();
        for (index, posts) in batch.posts.chunks(ROWS_PER_TRANSACTION).enumerate() {
            let (_turn, mut tx) = self.begin_batch(index > 0).await?;
            if index == 0 {
                for instance in &batch.instances {
                    upsert_instance(&mut tx, instance, at).await?;
                }
            }
            for post in posts {
                upsert_post(&mut tx, post, at).await?;
            }
            tx.commit().await.doing("saving a batch's posts")?;
        }
        if batch.posts.is_empty() && !batch.instances.is_empty() {
            let (_turn, mut tx) = self.begin_batch(false).await?;
            for instance in &batch.instances {
                upsert_instance(&mut tx, instance, at).await?;
            }
            tx.commit().await.doing("saving a batch's instances")?;
        }
        // Every distinct record of an engager, in the batch's order: one engager may be
        // described twice (in full by its actor document, then briefly by a listing),
        // and each upsert keeps what the earlier ones knew (its follower count). The
        // same record repeated (a host's 50,000 replies by one actor) is written once.
        let mut records: HashMap<&str, Vec<&ActorRecord>> = HashMap::new();
        for actor in &batch.actors {
            let known = records.entry(actor.actor_uri.as_str()).or_default();
            if !known.contains(&actor) {
                known.push(actor);
            }
        }
        // Engagers of the batch left out, counted once whatever the transactions (their
        // engagements count one each, as `upsert_engagement` meets them).
        let mut forgotten = HashSet::new();
        let mut engaged = HashSet::new();
        for (index, engagements) in batch.engagements.chunks(ROWS_PER_TRANSACTION).enumerate() {
            let (_turn, mut tx) = self.begin_batch(index > 0).await?;
            // Ids are looked up again in each transaction: a `forget` or a purge
            // committed since the last one may have removed an engager or a post.
            let mut actor_ids = HashMap::new();
            let mut post_ids = HashMap::new();
            let mut named = Vec::new();
            for engagement in engagements {
                let uri = engagement.actor_uri.as_str();
                engaged.insert(uri);
                if actor_ids.contains_key(uri) {
                    continue;
                }
                for actor in records.get(uri).into_iter().flatten() {
                    match self.upsert_actor(&mut tx, actor, at).await? {
                        Some(id) => {
                            actor_ids.insert(uri, id);
                            named.push((id, *actor));
                        }
                        None => {
                            forgotten.insert(uri);
                        }
                    }
                }
            }
            for engagement in engagements {
                self.upsert_engagement(
                    &mut tx,
                    engagement,
                    &mut actor_ids,
                    &mut post_ids,
                    at,
                    &mut outcome,
                )
                .await?;
            }
            // Names only for engagers of owned brands, decided from what is stored.
            for (id, actor) in named {
                name_actor_if_allowed(&mut tx, id, actor).await?;
            }
            tx.commit().await.doing("saving a batch's engagements")?;
        }
        // Engagers with no engagement in this batch (described for a later one).
        let rest: Vec<&ActorRecord> = batch
            .actors
            .iter()
            .filter(|a| !engaged.contains(a.actor_uri.as_str()))
            .collect();
        for (index, actors) in rest.chunks(ROWS_PER_TRANSACTION).enumerate() {
            let (_turn, mut tx) = self.begin_batch(index > 0).await?;
            for actor in actors {
                match self.upsert_actor(&mut tx, actor, at).await? {
                    Some(id) => name_actor_if_allowed(&mut tx, id, actor).await?,
                    None => {
                        forgotten.insert(actor.actor_uri.as_str());
                    }
                }
            }
            tx.commit().await.doing("saving a batch's engagers")?;
        }
        outcome.left_out_forgotten += u64::try_from(forgotten.len()).unwrap_or(u64::MAX);
        Ok(outcome)
    }

    /// One transaction of a batch, in turn with this process's lease renewals; after a
    /// full chunk of a large batch, a pause leaves the lock to other processes (see
    /// [`PAUSE_BETWEEN_TRANSACTIONS`]); a post's usual few transactions never wait.
    async fn begin_batch(
        &self,
        after_full_chunk: bool,
    ) -> Result<
        (
            tokio::sync::OwnedMutexGuard<()>,
            Transaction<'static, Sqlite>,
        ),
        StoreError,
    > {
        if after_full_chunk {
            tokio::time::sleep(PAUSE_BETWEEN_TRANSACTIONS).await;
        }
        let turn = std::sync::Arc::clone(&self.write_turn).lock_owned().await;
        let tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .doing("starting a batch")?;
        Ok((turn, tx))
    }

    async fn is_forgotten(
        &self,
        tx: &mut Transaction<'_, Sqlite>,
        actor_hash: &str,
        handle_hash: Option<&str>,
        host: &str,
    ) -> Result<bool, StoreError> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM opt_outs WHERE (kind = 'actor' AND key = ?)
               OR (kind = 'handle' AND key = ?) OR (kind = 'instance' AND key = ?) LIMIT 1",
        )
        .bind(actor_hash)
        .bind(handle_hash)
        .bind(host)
        .fetch_optional(&mut **tx)
        .await
        .doing("checking remembered opt-outs")?;
        Ok(found.is_some())
    }

    /// Upserts an engager without its names; `None` when it was forgotten.
    async fn upsert_actor(
        &self,
        tx: &mut Transaction<'_, Sqlite>,
        actor: &ActorRecord,
        at: i64,
    ) -> Result<Option<i64>, StoreError> {
        let host = actor_host(&actor.actor_uri);
        let actor_hash = self.hasher.actor(&actor.actor_uri);
        let handle_hash = actor.handle.as_deref().map(|h| self.hasher.handle(h));
        if self
            .is_forgotten(tx, &actor_hash, handle_hash.as_deref(), &host)
            .await?
        {
            // Forgotten by handle or host: remember the id too, so the engagements that
            // name only the id stay out as well.
            remember_actor_hash(tx, &actor_hash).await?;
            return Ok(None);
        }
        let reason = actor.opt_out_reason();
        let row = sqlx::query(
            "INSERT INTO actors (actor_hash, handle_hash, host, webfinger_domain, followers_count,
                indexable, discoverable, noindex, nobot, opted_out, opt_out_reason,
                first_seen_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (actor_hash) DO UPDATE SET
                handle_hash = coalesce(excluded.handle_hash, actors.handle_hash),
                webfinger_domain = coalesce(excluded.webfinger_domain, actors.webfinger_domain),
                followers_count = coalesce(excluded.followers_count, actors.followers_count),
                indexable = excluded.indexable, discoverable = excluded.discoverable,
                noindex = excluded.noindex, nobot = excluded.nobot,
                opted_out = excluded.opted_out, opt_out_reason = excluded.opt_out_reason,
                handle = CASE WHEN excluded.opted_out THEN NULL ELSE actors.handle END,
                display_name = CASE WHEN excluded.opted_out THEN NULL ELSE actors.display_name END,
                avatar_url = CASE WHEN excluded.opted_out THEN NULL ELSE actors.avatar_url END,
                updated_at = excluded.updated_at
             RETURNING id",
        )
        .bind(&actor_hash)
        .bind(&handle_hash)
        .bind(&host)
        .bind(&actor.webfinger_domain)
        .bind(actor.followers_count)
        .bind(actor.indexable)
        .bind(actor.discoverable)
        .bind(actor.noindex)
        .bind(actor.nobot)
        .bind(reason.is_some())
        .bind(reason)
        .bind(at)
        .bind(at)
        .fetch_one(&mut **tx)
        .await
        .doing("storing an engager")?;
        row.try_get(0).map(Some).doing("reading an engager's id")
    }

    async fn upsert_engagement<'b>(
        &self,
        tx: &mut Transaction<'_, Sqlite>,
        engagement: &'b EngagementRecord,
        actor_ids: &mut HashMap<&'b str, i64>,
        post_ids: &mut HashMap<&'b str, i64>,
        at: i64,
        outcome: &mut BatchOutcome,
    ) -> Result<(), StoreError> {
        let uri_hash = engagement.uri.as_deref().map(|u| self.hasher.object(u));
        if let Some(hash) = &uri_hash {
            let gone: Option<i64> =
                sqlx::query_scalar("SELECT 1 FROM opt_outs WHERE kind = 'object' AND key = ?")
                    .bind(hash)
                    .fetch_optional(&mut **tx)
                    .await
                    .doing("checking removed objects")?;
            if gone.is_some() {
                outcome.left_out_forgotten += 1;
                return Ok(());
            }
        }
        let post_id = match post_ids.get(engagement.post_uri.as_str()) {
            Some(id) => *id,
            None => {
                let found: Option<i64> = sqlx::query_scalar("SELECT id FROM posts WHERE uri = ?")
                    .bind(&engagement.post_uri)
                    .fetch_optional(&mut **tx)
                    .await
                    .doing("finding an engagement's post")?;
                let Some(id) = found else {
                    outcome.left_out_unknown_post += 1;
                    return Ok(());
                };
                post_ids.insert(&engagement.post_uri, id);
                id
            }
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
        let actor_hash = self.hasher.actor(&engagement.actor_uri);
        let dedup_key = match (&uri_hash, engagement.kind.once_per_engager()) {
            (Some(hash), false) => format!("u:{hash}"),
            (None, false) => format!("a:{actor_hash}:{}", engagement.happened_at.unwrap_or(0)),
            (_, true) => format!("a:{actor_hash}"),
        };
        // Clear text only for engagers who may be named, on owned brands' posts.
        let named: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM actors a WHERE a.id = ? AND a.opted_out = 0 AND EXISTS (
               SELECT 1 FROM posts p JOIN tracked_actors t ON t.actor_uri = p.author_uri
               JOIN brands b ON b.id = t.brand_id
               WHERE p.id = ? AND b.token_env IS NOT NULL)",
        )
        .bind(actor_id)
        .bind(post_id)
        .fetch_optional(&mut **tx)
        .await
        .doing("checking an engager's consent")?;
        let (uri, excerpt) = if named.is_some() {
            (
                engagement.uri.as_deref(),
                engagement.content_excerpt.as_deref(),
            )
        } else {
            (None, None)
        };
        let is_self: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM posts p
             JOIN tracked_actors author ON author.actor_uri = p.author_uri
             JOIN tracked_actors engager ON engager.brand_id = author.brand_id
             WHERE p.id = ? AND engager.actor_uri = ? LIMIT 1",
        )
        .bind(post_id)
        .bind(&engagement.actor_uri)
        .fetch_optional(&mut **tx)
        .await
        .doing("checking for self-engagement")?;
        let inserted = sqlx::query(
            "INSERT INTO engagements (post_id, kind, actor_id, host, dedup_key, uri_hash, uri,
                depth, emoji, content_excerpt, source, is_self, happened_at,
                first_seen_at, last_seen_at, language)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (post_id, kind, dedup_key) DO NOTHING",
        )
        .bind(post_id)
        .bind(engagement.kind.as_str())
        .bind(actor_id)
        .bind(engagement.host.as_str())
        .bind(&dedup_key)
        .bind(&uri_hash)
        .bind(uri)
        .bind(engagement.depth)
        .bind(&engagement.emoji)
        .bind(excerpt)
        .bind(&engagement.source)
        .bind(is_self.is_some())
        .bind(engagement.happened_at)
        .bind(at)
        .bind(at)
        .bind(engagement.language.as_ref().map(|l| l.as_str()))
        .execute(&mut **tx)
        .await
        .doing("storing an engagement")?;
        if inserted.rows_affected() == 1 {
            outcome.engagements_new += 1;
        } else {
            sqlx::query(
                "UPDATE engagements SET last_seen_at = ?, removed_at = NULL,
                    uri_hash = coalesce(?, uri_hash), uri = ?, content_excerpt = ?,
                    emoji = coalesce(?, emoji), happened_at = coalesce(happened_at, ?),
                    -- a declared language is not lost to a source that sees none
                    language = CASE WHEN ? = 'und' AND language IS NOT NULL THEN language
                                    ELSE coalesce(?, language) END
                 WHERE post_id = ? AND kind = ? AND dedup_key = ?",
            )
            .bind(at)
            .bind(&uri_hash)
            .bind(uri)
            .bind(excerpt)
            .bind(&engagement.emoji)
            .bind(engagement.happened_at)
            .bind(engagement.language.as_ref().map(|l| l.as_str()))
            .bind(engagement.language.as_ref().map(|l| l.as_str()))
            .bind(post_id)
            .bind(engagement.kind.as_str())
            .bind(&dedup_key)
            .execute(&mut **tx)
            .await
            .doing("updating an engagement")?;
            outcome.engagements_seen += 1;
        }
        Ok(())
    }
}

async fn remember_actor_hash(
    tx: &mut Transaction<'_, Sqlite>,
    actor_hash: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT OR IGNORE INTO opt_outs (kind, key, reason, created_at)
         VALUES ('actor', ?, 'forgotten', ?)",
    )
    .bind(actor_hash)
    .bind(now())
    .execute(&mut **tx)
    .await
    .doing("remembering an opt-out")?;
    Ok(())
}

/// The instance of an actor id, or the id itself when it is not a URL (never empty).
fn actor_host(actor_uri: &str) -> String {
    url::Url::parse(actor_uri)
        .ok()
        .and_then(|u| Host::from_url(&u))
        .map_or_else(|| "unknown".to_owned(), String::from)
}

async fn upsert_instance(
    tx: &mut Transaction<'_, Sqlite>,
    instance: &InstanceRecord,
    at: i64,
) -> Result<(), StoreError> {
    // A forgotten instance is never written again (`forget instance`).
    sqlx::query(
        "INSERT INTO instances (host, software, software_version, family, software_source,
            users_total, users_active_month, checked_at, first_seen_at)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9
         WHERE NOT EXISTS (SELECT 1 FROM opt_outs WHERE kind = 'instance' AND key = ?1)
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
async fn upsert_post(
    tx: &mut Transaction<'_, Sqlite>,
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
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (uri) DO UPDATE SET
            published_at = excluded.published_at, object_type = excluded.object_type,
            url = excluded.url, language = excluded.language, visibility = excluded.visibility,
            summary = excluded.summary, content_excerpt = excluded.content_excerpt,
            reported_replies = excluded.reported_replies, reported_likes = excluded.reported_likes,
            reported_boosts = excluded.reported_boosts, reported_quotes = excluded.reported_quotes,
            replies_coverage = coalesce(excluded.replies_coverage, replies_coverage),
            boosts_coverage = coalesce(excluded.boosts_coverage, boosts_coverage),
            likes_coverage = coalesce(excluded.likes_coverage, likes_coverage),
            quotes_coverage = coalesce(excluded.quotes_coverage, quotes_coverage),
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
    .bind(post.is_boost)
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
    sqlx::query("DELETE FROM post_hashtags WHERE post_id = ?")
        .bind(id)
        .execute(&mut **tx)
        .await
        .doing("replacing a post's hashtags")?;
    for tag in &post.hashtags {
        let tag = tag.trim().trim_start_matches('#').to_lowercase();
        if tag.is_empty() {
            continue;
        }
        sqlx::query("INSERT OR IGNORE INTO post_hashtags (post_id, tag) VALUES (?, ?)")
            .bind(id)
            .bind(tag)
            .execute(&mut **tx)
            .await
            .doing("storing a post's hashtags")?;
    }
    Ok(Some(id))
}

/// Keeps an engager's handle, name and avatar only when it carries no opt-out and engaged
/// with at least one owned brand.
async fn name_actor_if_allowed(
    tx: &mut Transaction<'_, Sqlite>,
    actor_id: i64,
    actor: &ActorRecord,
) -> Result<(), StoreError> {
    if actor.opt_out_reason().is_some()
        || (actor.handle.is_none() && actor.display_name.is_none() && actor.avatar_url.is_none())
    {
        return Ok(());
    }
    sqlx::query(
        "UPDATE actors SET handle = ?, display_name = ?, avatar_url = ?
         WHERE id = ? AND opted_out = 0 AND EXISTS (
           SELECT 1 FROM engagements e JOIN posts p ON p.id = e.post_id
           JOIN tracked_actors t ON t.actor_uri = p.author_uri
           JOIN brands b ON b.id = t.brand_id
           WHERE e.actor_id = actors.id AND b.token_env IS NOT NULL)",
    )
    .bind(&actor.handle)
    .bind(&actor.display_name)
    .bind(&actor.avatar_url)
    .bind(actor_id)
    .execute(&mut **tx)
    .await
    .doing("naming an engager")?;
    Ok(())
}
