//! The hand-over from the store to the analytics, in one place for every reader: the
//! dashboard, `report`, and `crawl` and `forget` after they change the facts.
//!
//! The store is the truth. The analytics read a columnar copy of its facts
//! ([`FactsCache`]), brought up to date from the store's change log before each load
//! ([`sync_facts`]); without a usable copy they read the store row by row
//! ([`load_analytics`]). Dependencies: store and analytics, neither of which knows the
//! other.

use fedireach_analytics::{Analytics, AnalyticsError, FactsCache};
use fedireach_core::FactsUpdate;
use fedireach_store::{Store, StoreError};

/// What failed while handing the facts over.
#[derive(Debug, thiserror::Error)]
pub enum HandoverError {
    /// Reading the facts or the change log from the database failed.
    #[error("the database failed: {0}")]
    Store(#[from] StoreError),

    /// Writing or reading the columnar copy, or building the analytics, failed.
    #[error("the analytics failed: {0}")]
    Analytics(#[from] AnalyticsError),

    /// The blocking task that reads or writes the copy panicked or was cancelled.
    #[error("a background computation failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// The analytics over the store's facts: through the columnar copy when there is one
/// (brought up to date first), else read from the store row by row.
pub async fn load_analytics(
    store: &Store,
    copy: Option<&FactsCache>,
) -> Result<Analytics, HandoverError> {
    if let Some(copy) = copy {
        match load_copy(store, copy).await {
            Ok(analytics) => return Ok(analytics),
            // The store is the truth: a copy that cannot be written (a full disk, a
            // read-only directory) costs speed, not the figures.
            Err(error) => tracing::warn!(
                %error,
                dir = %copy.dir().display(),
                "the analytics copy is not usable; reading the facts from the database"
            ),
        }
    }
    let facts = store.export_facts().await?;
    Ok(tokio::task::spawn_blocking(move || Analytics::from_facts(&facts)).await??)
}

async fn load_copy(store: &Store, copy: &FactsCache) -> Result<Analytics, HandoverError> {
    sync_facts(store, copy).await?;
    let copy = copy.clone();
    Ok(tokio::task::spawn_blocking(move || copy.load()).await??)
}

/// Brings the columnar copy of the facts up to date with the store (the store stays
/// the truth): what changed since the copy's stamp, or everything when the copy is
/// missing, of another database, or was interrupted mid-update. The hook after a
/// crawl and a purge, and the first step of every load, so a copy left stale by a
/// killed process is caught up rather than trusted. The change log the copy now holds
/// is pruned.
pub async fn sync_facts(store: &Store, copy: &FactsCache) -> Result<(), HandoverError> {
    // Another process (a crawl, the dashboard) may update the copy between our look
    // and our write; the copy then refuses ours, and we look again.
    for _ in 0..3 {
        let stamp = {
            let copy = copy.clone();
            tokio::task::spawn_blocking(move || copy.stamp()).await?
        };
        let update = store.facts_update(stamp.as_ref()).await?;
        let seq = match &update {
            FactsUpdate::Current => return Ok(()),
            FactsUpdate::Full { stamp, .. } | FactsUpdate::Changes { stamp, .. } => stamp.log_seq,
        };
        let writer = copy.clone();
        if tokio::task::spawn_blocking(move || writer.apply(&update)).await?? {
            // Housekeeping: a busy database (a crawl writing) leaves it for next time.
            if let Err(error) = store.prune_facts_log(seq).await {
                tracing::info!(%error, "the facts' change log is pruned next time");
            }
            return Ok(());
        }
    }
    // Still moving: others keep it up to date; what they wrote is a consistent copy.
    Ok(())
}
