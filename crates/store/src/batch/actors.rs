//! Engagers: stored under the keyed hash of their id, named only where allowed, never
//! written again once forgotten.

use fedireach_core::{ActorRecord, Host};
use sqlx::{Any, Row, Transaction};

use crate::{Store, StoreError, error::QueryContext, time::now};

impl Store {
    pub(super) async fn is_forgotten(
        &self,
        tx: &mut Transaction<'_, Any>,
        actor_hash: &str,
        handle_hash: Option<&str>,
        host: &str,
    ) -> Result<bool, StoreError> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM opt_outs WHERE (kind = 'actor' AND key = $1)
               OR (kind = 'handle' AND key = $2) OR (kind = 'instance' AND key = $3) LIMIT 1",
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
    pub(super) async fn upsert_actor(
        &self,
        tx: &mut Transaction<'_, Any>,
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
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
             ON CONFLICT (actor_hash) DO UPDATE SET
                handle_hash = coalesce(excluded.handle_hash, actors.handle_hash),
                webfinger_domain = coalesce(excluded.webfinger_domain, actors.webfinger_domain),
                followers_count = coalesce(excluded.followers_count, actors.followers_count),
                indexable = excluded.indexable, discoverable = excluded.discoverable,
                noindex = excluded.noindex, nobot = excluded.nobot,
                opted_out = excluded.opted_out, opt_out_reason = excluded.opt_out_reason,
                handle = CASE WHEN excluded.opted_out != 0 THEN NULL ELSE actors.handle END,
                display_name =
                  CASE WHEN excluded.opted_out != 0 THEN NULL ELSE actors.display_name END,
                avatar_url = CASE WHEN excluded.opted_out != 0 THEN NULL ELSE actors.avatar_url END,
                updated_at = excluded.updated_at
             RETURNING id",
        )
        .bind(&actor_hash)
        .bind(&handle_hash)
        .bind(&host)
        .bind(&actor.webfinger_domain)
        .bind(actor.followers_count)
        .bind(actor.indexable.map(i64::from))
        .bind(actor.discoverable.map(i64::from))
        .bind(i64::from(actor.noindex))
        .bind(i64::from(actor.nobot))
        .bind(i64::from(reason.is_some()))
        .bind(reason)
        .bind(at)
        .bind(at)
        .fetch_one(&mut **tx)
        .await
        .doing("storing an engager")?;
        row.try_get(0).map(Some).doing("reading an engager's id")
    }
}

pub(super) async fn remember_actor_hash(
    tx: &mut Transaction<'_, Any>,
    actor_hash: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO opt_outs (kind, key, reason, created_at)
         VALUES ('actor', $1, 'forgotten', $2) ON CONFLICT DO NOTHING",
    )
    .bind(actor_hash)
    .bind(now())
    .execute(&mut **tx)
    .await
    .doing("remembering an opt-out")?;
    Ok(())
}
/// The instance of an actor id, or the id itself when it is not a URL (never empty).
pub(super) fn actor_host(actor_uri: &str) -> String {
    url::Url::parse(actor_uri)
        .ok()
        .and_then(|u| Host::from_url(&u))
        .map_or_else(|| "unknown".to_owned(), String::from)
}
/// Keeps an engager's handle, name and avatar only when it carries no opt-out and engaged
/// with at least one owned brand.
pub(super) async fn name_actor_if_allowed(
    tx: &mut Transaction<'_, Any>,
    actor_id: i64,
    actor: &ActorRecord,
) -> Result<(), StoreError> {
    if actor.opt_out_reason().is_some()
        || (actor.handle.is_none() && actor.display_name.is_none() && actor.avatar_url.is_none())
    {
        return Ok(());
    }
    sqlx::query(
        "UPDATE actors SET handle = $1, display_name = $2, avatar_url = $3
         WHERE id = $4 AND opted_out = 0 AND EXISTS (
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
