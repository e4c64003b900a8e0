//! `forget`: purge what is stored of an actor or an instance and remember the opt-out,
//! so that later crawls never store it again.

use fedireach_core::{ActorRef, Host};
use sqlx::{Any, Transaction};

use crate::{Store, StoreError, error::QueryContext, time::now};

/// What a purge removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ForgetOutcome {
    pub actors: u64,
    pub engagements: u64,
}

impl Store {
    /// Purges an actor (by id or handle) and remembers it as opted out.
    pub async fn forget_actor(
        &self,
        actor: &ActorRef,
        reason: &str,
    ) -> Result<ForgetOutcome, StoreError> {
        let text = actor.to_string();
        if let Some(brand) = self.tracking_brand(&text, None).await? {
            return Err(StoreError::Tracked {
                subject: text,
                brand,
            });
        }
        let (kind, key, column) = match actor {
            ActorRef::Handle { user, domain } => (
                "handle",
                self.hasher.handle(&format!("{user}@{domain}")),
                "handle_hash",
            ),
            ActorRef::Url { url, .. } => ("actor", self.hasher.actor(url.as_str()), "actor_hash"),
        };
        let mut tx = self.begin_write().await.doing("starting a purge")?;
        // A handle names actor ids: remember those too, so that a later crawl that sees
        // only the id keeps it out as well.
        let ids: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT actor_hash FROM actors WHERE {column} = $1"
        )))
        .bind(&key)
        .fetch_all(&mut *tx)
        .await
        .doing("finding an actor's ids")?;
        for id in &ids {
            remember(&mut tx, "actor", id, reason).await?;
        }
        let engagements = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM engagements WHERE actor_id IN (SELECT id FROM actors WHERE {column} = $1)"
        )))
        .bind(&key)
        .execute(&mut *tx)
        .await
        .doing("purging an actor's engagements")?
        .rows_affected();
        let actors = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM actors WHERE {column} = $1"
        )))
        .bind(&key)
        .execute(&mut *tx)
        .await
        .doing("purging an actor")?
        .rows_affected();
        remember(&mut tx, kind, &key, reason).await?;
        tx.commit().await.doing("saving a purge")?;
        Ok(ForgetOutcome {
            actors,
            engagements,
        })
    }

    /// Purges everything stored of an instance (its engagers and their engagements, its
    /// software, cached documents and errors) and remembers it as opted out.
    pub async fn forget_instance(
        &self,
        host: &Host,
        reason: &str,
    ) -> Result<ForgetOutcome, StoreError> {
        if let Some(brand) = self.tracking_brand("", Some(host.as_str())).await? {
            return Err(StoreError::Tracked {
                subject: host.to_string(),
                brand,
            });
        }
        let mut tx = self.begin_write().await.doing("starting a purge")?;
        let (actors, engagements) = purge_instance_rows(&mut tx, host).await?;
        remember(&mut tx, "instance", host.as_str(), reason).await?;
        tx.commit().await.doing("saving a purge")?;
        Ok(ForgetOutcome {
            actors,
            engagements,
        })
    }

    /// The instances forgotten with `forget instance`: a crawl asks nothing of them.
    pub async fn forgotten_instances(&self) -> Result<Vec<Host>, StoreError> {
        let keys: Vec<String> =
            sqlx::query_scalar("SELECT key FROM opt_outs WHERE kind = 'instance' ORDER BY key")
                .fetch_all(&self.pool)
                .await
                .doing("listing forgotten instances")?;
        Ok(keys.iter().filter_map(|k| Host::parse(k).ok()).collect())
    }

    /// The brand tracking an actor (by its input or resolved id) or any actor on a host.
    async fn tracking_brand(
        &self,
        actor: &str,
        host: Option<&str>,
    ) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar(
            "SELECT b.name FROM tracked_actors t JOIN brands b ON b.id = t.brand_id
             WHERE t.input = $1 OR t.actor_uri = $1 OR t.host = $2 ORDER BY b.name LIMIT 1",
        )
        .bind(actor)
        .bind(host)
        .fetch_optional(&self.pool)
        .await
        .doing("checking whether a brand tracks it")
    }
}

/// Deletes everything stored of an instance but the brands' own posts: its engagers and
/// their engagements, its software, cached documents and errors. Returns the engagers
/// and engagements deleted.
pub(crate) async fn purge_instance_rows(
    tx: &mut Transaction<'_, Any>,
    host: &Host,
) -> Result<(u64, u64), StoreError> {
    let engagements = sqlx::query("DELETE FROM engagements WHERE host = $1 OR actor_id IN (SELECT id FROM actors WHERE host = $2)")
            .bind(host.as_str())
            .bind(host.as_str())
            .execute(&mut **tx)
            .await
            .doing("purging an instance's engagements")?
            .rows_affected();
    let actors = sqlx::query("DELETE FROM actors WHERE host = $1")
        .bind(host.as_str())
        .execute(&mut **tx)
        .await
        .doing("purging an instance's engagers")?
        .rows_affected();
    for (sql, what) in [
        (
            "DELETE FROM instances WHERE host = $1",
            "purging an instance",
        ),
        (
            "DELETE FROM http_cache WHERE host = $1",
            "purging an instance's cache",
        ),
        (
            "DELETE FROM robots_cache WHERE host = $1",
            "purging an instance's robots.txt",
        ),
        (
            "DELETE FROM crawl_errors WHERE host = $1",
            "purging an instance's errors",
        ),
        (
            "DELETE FROM host_refusals WHERE host = $1",
            "purging what an instance refused",
        ),
    ] {
        sqlx::query(sql)
            .bind(host.as_str())
            .execute(&mut **tx)
            .await
            .doing(what)?;
    }
    Ok((actors, engagements))
}

async fn remember(
    tx: &mut Transaction<'_, Any>,
    kind: &str,
    key: &str,
    reason: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO opt_outs (kind, key, reason, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (kind, key) DO UPDATE SET reason = excluded.reason",
    )
    .bind(kind)
    .bind(key)
    .bind(reason)
    .bind(now())
    .execute(&mut **tx)
    .await
    .doing("remembering an opt-out")?;
    Ok(())
}
