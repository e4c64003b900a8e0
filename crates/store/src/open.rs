//! Opening the store: create the file, set SQLite up for a crawler and a dashboard
//! sharing it, apply the embedded migrations, load the hash secret.

use std::{str::FromStr, time::Duration};

use rand::RngCore;
use sqlx::{
    SqlitePool,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

use crate::{KeyedHasher, StoreError, error::QueryContext, hash::KEY_LEN, time::now};

/// The migrations of `migrations/`, embedded in the binary.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// How long a writer waits for another process's write lock before failing. A crawl and
/// the dashboard share the file; batches are short, so seconds are plenty.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);
/// The same, as the pragma that restores it on a connection that changed it.
pub(crate) const BUSY_TIMEOUT_PRAGMA: &str = "PRAGMA busy_timeout = 30000";

/// Connections in the pool: SQLite has one writer, readers scale a little with WAL.
const MAX_CONNECTIONS: u32 = 4;

/// Name of the engager-hash secret in the `secrets` table.
const HASH_SECRET: &str = "engager_hash_key";

// Every write transaction starts with BEGIN IMMEDIATE: a deferred transaction that reads
// and then writes cannot wait for another writer (SQLite answers "database is locked" at
// once to avoid a deadlock), while an immediate one waits its turn under busy_timeout.

/// The fedireach database.
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) pool: SqlitePool,
    pub(crate) hasher: KeyedHasher,
    /// Taken, in turn (tokio's mutex is first come, first served), by each transaction
    /// of a batch and by each lease renewal: a renewal queued while a large post is
    /// written goes in after the current transaction, not after the whole post (SQLite's
    /// busy handler, left to itself, lets the writer take the lock back first).
    pub(crate) write_turn: std::sync::Arc<tokio::sync::Mutex<()>>,
}

impl Store {
    /// Opens (creating and migrating on first use) the database at a sqlx URL such as
    /// `sqlite://fedireach.db` or `sqlite::memory:`.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        crate::check_database_url(url)?;
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|source| StoreError::BadUrl {
                url: url.to_owned(),
                source,
            })?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        // An in-memory database exists once per connection: keep it to one.
        let max = if url.contains(":memory:") {
            1
        } else {
            MAX_CONNECTIONS
        };
        let pool = SqlitePoolOptions::new()
            .max_connections(max)
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Open {
                url: url.to_owned(),
                source,
            })?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|source| StoreError::Migrate { source })?;
        let key = load_or_create_secret(&pool).await?;
        Ok(Self {
            pool,
            hasher: KeyedHasher::new(key),
            write_turn: std::sync::Arc::default(),
        })
    }

    /// The keyed hash of this database.
    pub fn hasher(&self) -> &KeyedHasher {
        &self.hasher
    }

    /// A named secret, created by `make` on first use and kept in the database (the
    /// instance actor's key). Two processes racing both read back the one that won.
    pub async fn secret(
        &self,
        name: &str,
        make: impl FnOnce() -> Vec<u8>,
    ) -> Result<Vec<u8>, StoreError> {
        self.secret_or_create(name, make)
            .await
            .map(|(value, _)| value)
    }

    /// Closes the pool, checkpointing the WAL.
    pub async fn close(self) {
        self.pool.close().await;
    }
}

/// Reads the hash secret, generating it on first use. Two processes opening a new file at
/// once both insert-or-ignore and then read back the one that won.
/// Opening a database that has its secret only reads, so a reader (`brand list`,
/// `report`) opens it while a crawl holds the write lock.
async fn load_or_create_secret(pool: &SqlitePool) -> Result<[u8; KEY_LEN], StoreError> {
    let existing: Option<Vec<u8>> = sqlx::query_scalar("SELECT value FROM secrets WHERE name = ?")
        .bind(HASH_SECRET)
        .fetch_optional(pool)
        .await
        .doing("reading the hash secret")?;
    if let Some(stored) = existing {
        return stored
            .try_into()
            .map_err(|_| StoreError::BadSecret(HASH_SECRET));
    }
    let mut fresh = [0u8; KEY_LEN];
    rand::rng().fill_bytes(&mut fresh);
    sqlx::query("INSERT OR IGNORE INTO secrets (name, value, created_at) VALUES (?, ?, ?)")
        .bind(HASH_SECRET)
        .bind(&fresh[..])
        .bind(now())
        .execute(pool)
        .await
        .doing("creating the hash secret")?;
    let stored: Vec<u8> = sqlx::query_scalar("SELECT value FROM secrets WHERE name = ?")
        .bind(HASH_SECRET)
        .fetch_one(pool)
        .await
        .doing("reading the hash secret")?;
    stored
        .try_into()
        .map_err(|_| StoreError::BadSecret(HASH_SECRET))
}
