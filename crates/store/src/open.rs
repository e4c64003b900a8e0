//! Opening the store: create the file, set SQLite up for a crawler and a dashboard
//! sharing it (or connect to PostgreSQL), apply the embedded migrations, load the hash
//! secret.
//!
//! Both backends go through sqlx's `Any` driver, so every query is written once: `$N`
//! placeholders (SQLite reads `$N` as parameter N too) and SQL both engines accept; the
//! few differences are in [`crate::dialect`].

use std::{str::FromStr, time::Duration};

use rand::RngCore;
use sqlx::{
    AnyPool, Executor,
    any::AnyPoolOptions,
    sqlite::{SqliteConnectOptions, SqliteJournalMode},
};

use crate::{DatabaseKind, KeyedHasher, StoreError, error::QueryContext, hash::KEY_LEN, time::now};

/// The migrations of `migrations/`, embedded in the binary.
static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");
/// PostgreSQL's own, the same schema in its dialect, in `migrations/postgres/`.
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");

/// How long a writer waits for another process's write lock before failing. A crawl and
/// the dashboard share the file; batches are short, so seconds are plenty.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);
/// The same, as the pragma that restores it on a connection that changed it.
pub(crate) const BUSY_TIMEOUT_PRAGMA: &str = "PRAGMA busy_timeout = 30000";

/// Connections in the pool: SQLite has one writer, readers scale a little with WAL.
const MAX_CONNECTIONS: u32 = 4;
/// Connections to PostgreSQL per process: a crawl's batch writer, lease renewals, the
/// dashboard's readers. PostgreSQL's default allows 100 in all, enough for a dozen
/// processes.
const MAX_POSTGRES_CONNECTIONS: u32 = 8;

/// What each SQLite connection is set to: foreign keys on, fsync at checkpoints only
/// (safe with WAL), and a writer waits its turn for the lock.
const SQLITE_SETUP: &str =
    "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 30000;";

/// Name of the engager-hash secret in the `secrets` table.
const HASH_SECRET: &str = "engager_hash_key";

// Every write transaction starts with BEGIN IMMEDIATE: a deferred transaction that reads
// and then writes cannot wait for another writer (SQLite answers "database is locked" at
// once to avoid a deadlock), while an immediate one waits its turn under busy_timeout.

/// The fedireach database.
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    pub(crate) kind: DatabaseKind,
    pub(crate) hasher: KeyedHasher,
    /// Taken, in turn (tokio's mutex is first come, first served), by each transaction
    /// of a batch and by each lease renewal: a renewal queued while a large post is
    /// written goes in after the current transaction, not after the whole post (SQLite's
    /// busy handler, left to itself, lets the writer take the lock back first).
    pub(crate) write_turn: std::sync::Arc<tokio::sync::Mutex<()>>,
}

impl Store {
    /// Opens (creating and migrating on first use) the database at a sqlx URL such as
    /// `sqlite://fedireach.db`, `sqlite::memory:` or `postgres://fedireach@db/fedireach`.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let kind = crate::check_database_url(url)?;
        sqlx::any::install_default_drivers();
        let open_error = |source| StoreError::Open {
            url: crate::redacted_database_url(url),
            hint: kind.open_hint(),
            source,
        };
        let memory = url.contains(":memory:");
        let pool = match kind {
            DatabaseKind::Sqlite => {
                if !memory {
                    create_sqlite_file(url).await?;
                }
                AnyPoolOptions::new()
                    // An in-memory database exists once per connection: keep it to one.
                    .max_connections(if memory { 1 } else { MAX_CONNECTIONS })
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute(sqlx::raw_sql(SQLITE_SETUP)).await.map(drop)
                        })
                    })
                    .connect(url)
                    .await
                    .map_err(open_error)?
            }
            DatabaseKind::Postgres => {
                // One connection first: a server that is down or refuses the role says
                // so at once, where the pool would retry until its timeout.
                let probe = <sqlx::AnyConnection as sqlx::Connection>::connect(url)
                    .await
                    .map_err(open_error)?;
                sqlx::Connection::close(probe).await.map_err(open_error)?;
                AnyPoolOptions::new()
                    .max_connections(MAX_POSTGRES_CONNECTIONS)
                    .acquire_timeout(BUSY_TIMEOUT)
                    .connect(url)
                    .await
                    .map_err(open_error)?
            }
        };
        let migrator = match kind {
            DatabaseKind::Sqlite => &SQLITE_MIGRATOR,
            DatabaseKind::Postgres => &POSTGRES_MIGRATOR,
        };
        migrator
            .run(&pool)
            .await
            .map_err(|source| StoreError::Migrate { source })?;
        let key = load_or_create_secret(&pool).await?;
        Ok(Self {
            pool,
            kind,
            hasher: KeyedHasher::new(key),
            write_turn: std::sync::Arc::default(),
        })
    }

    /// Which engine this store runs on.
    pub fn kind(&self) -> DatabaseKind {
        self.kind
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
async fn load_or_create_secret(pool: &AnyPool) -> Result<[u8; KEY_LEN], StoreError> {
    let existing: Option<Vec<u8>> = sqlx::query_scalar("SELECT value FROM secrets WHERE name = $1")
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
    sqlx::query(
        "INSERT INTO secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(HASH_SECRET)
    .bind(&fresh[..])
    .bind(now())
    .execute(pool)
    .await
    .doing("creating the hash secret")?;
    let stored: Vec<u8> = sqlx::query_scalar("SELECT value FROM secrets WHERE name = $1")
        .bind(HASH_SECRET)
        .fetch_one(pool)
        .await
        .doing("reading the hash secret")?;
    stored
        .try_into()
        .map_err(|_| StoreError::BadSecret(HASH_SECRET))
}

/// Creates an SQLite file on first use and turns on write-ahead logging, which the file
/// keeps: a crawl writes while the dashboard reads.
async fn create_sqlite_file(url: &str) -> Result<(), StoreError> {
    use sqlx::ConnectOptions;
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|source| StoreError::BadUrl {
            url: url.to_owned(),
            source,
        })?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(BUSY_TIMEOUT);
    let open_error = |source| StoreError::Open {
        url: url.to_owned(),
        hint: DatabaseKind::Sqlite.open_hint(),
        source,
    };
    let conn = options.connect().await.map_err(open_error)?;
    sqlx::Connection::close(conn).await.map_err(open_error)
}
