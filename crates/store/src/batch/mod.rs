//! Writing what a crawl found: instances, engagers, posts and engagements, idempotently,
//! one transaction per batch.
//!
//! The consent rules of BRIEF section 3 are enforced here, the last step before the disk:
//! engagers are stored under the keyed hash of their actor id; a handle, name, avatar,
//! engagement uri or excerpt is kept only for an engager who is indexable, carries no
//! opt-out, and engaged with an owned brand; whatever `forget`, a 410 or a Delete removed
//! is never written again.

use std::collections::{HashMap, HashSet};

use fedireach_core::{ActorRecord, Batch};
use sqlx::{Any, Transaction};

mod actors;
mod engagements;
mod posts;

use actors::name_actor_if_allowed;
use posts::{upsert_instance, upsert_post};

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

/// Every distinct record of an engager, in the batch's order: one engager may be
/// described twice (in full by its actor document, then briefly by a listing), and
/// each upsert keeps what the earlier ones knew (its follower count). The same record
/// repeated (a host's 50,000 replies by one actor) is written once.
fn engager_records(batch: &Batch) -> HashMap<&str, Vec<&ActorRecord>> {
    let mut records: HashMap<&str, Vec<&ActorRecord>> = HashMap::new();
    for actor in &batch.actors {
        let known = records.entry(actor.actor_uri.as_str()).or_default();
        if !known.contains(&actor) {
            known.push(actor);
        }
    }
    records
}

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
        self.write_posts(batch, at).await?;
        // Engagers of the batch left out, counted once whatever the transactions (their
        // engagements count one each, as `upsert_engagement` meets them).
        let mut forgotten = HashSet::new();
        let engaged = self
            .write_engagements(batch, at, &mut outcome, &mut forgotten)
            .await?;
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

    /// The batch's instances and posts, the instances in the first transaction.
    async fn write_posts(&self, batch: &Batch, at: i64) -> Result<(), StoreError> {
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
        Ok(())
    }

    /// The batch's engagements with their engagers; returns the engagers that engaged.
    async fn write_engagements<'b>(
        &self,
        batch: &'b Batch,
        at: i64,
        outcome: &mut BatchOutcome,
        forgotten: &mut HashSet<&'b str>,
    ) -> Result<HashSet<&'b str>, StoreError> {
        let records = engager_records(batch);
        let mut engaged = HashSet::new();
        for (index, engagements) in batch.engagements.chunks(ROWS_PER_TRANSACTION).enumerate() {
            let (_turn, mut tx) = self.begin_batch(index > 0).await?;
            // Ids are looked up again in each transaction: a `forget` or a purge
            // committed since the last one may have removed an engager or a post.
            let mut actor_ids = HashMap::new();
            let mut posts = HashMap::new();
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
                    &mut posts,
                    at,
                    outcome,
                )
                .await?;
            }
            // Names only for engagers of owned brands, decided from what is stored.
            for (id, actor) in named {
                name_actor_if_allowed(&mut tx, id, actor).await?;
            }
            tx.commit().await.doing("saving a batch's engagements")?;
        }
        Ok(engaged)
    }

    /// One transaction of a batch, in turn with this process's lease renewals; after a
    /// full chunk of a large batch, a pause leaves the lock to other processes (see
    /// [`PAUSE_BETWEEN_TRANSACTIONS`]); a post's usual few transactions never wait.
    async fn begin_batch(
        &self,
        after_full_chunk: bool,
    ) -> Result<(tokio::sync::OwnedMutexGuard<()>, Transaction<'static, Any>), StoreError> {
        if after_full_chunk {
            tokio::time::sleep(PAUSE_BETWEEN_TRANSACTIONS).await;
        }
        let turn = std::sync::Arc::clone(&self.write_turn).lock_owned().await;
        let tx = self.begin_write().await.doing("starting a batch")?;
        Ok((turn, tx))
    }
}
