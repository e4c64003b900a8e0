//! Where SQLite and PostgreSQL differ, in one place: how a write transaction starts,
//! how a consistent read starts, and the two functions they spell differently.
//! Everything else is SQL both accept, with `$N` placeholders.

use sqlx::{Any, AnyConnection, Transaction};

use crate::{DatabaseKind, Store};

/// The advisory lock every PostgreSQL write transaction takes first: writers go one at a
/// time, as SQLite's `BEGIN IMMEDIATE` makes them, so that the change log's sequence
/// numbers commit in order (a copy that has seen number N has seen everything before
/// it) and read-then-write claims cannot interleave. Readers are never blocked.
const WRITE_LOCK: i64 = 0x0066_6564_6972_6561; // "fedirea"

impl DatabaseKind {
    /// Starts a write transaction on `conn`: on SQLite it takes the write lock at once
    /// (a deferred transaction that reads then writes cannot wait for another writer);
    /// on PostgreSQL it takes [`WRITE_LOCK`].
    pub(crate) async fn begin_write(
        self,
        conn: &mut AnyConnection,
    ) -> Result<Transaction<'_, Any>, sqlx::Error> {
        match self {
            Self::Sqlite => sqlx::Connection::begin_with(conn, "BEGIN IMMEDIATE").await,
            Self::Postgres => {
                let mut tx = sqlx::Connection::begin(conn).await?;
                take_write_lock(&mut tx).await?;
                Ok(tx)
            }
        }
    }

    /// The highest sequence number the change log ever gave, pruned rows included.
    pub(crate) fn last_log_seq_sql(self) -> &'static str {
        match self {
            Self::Sqlite => {
                "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'facts_log'), 0)"
            }
            Self::Postgres => {
                "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM facts_log_seq_seq"
            }
        }
    }

    /// `column`'s values in a group joined by the unit separator (U+001F).
    pub(crate) fn joined(self, column: &str) -> String {
        match self {
            Self::Sqlite => format!("group_concat({column}, char(31))"),
            Self::Postgres => format!("string_agg({column}, chr(31))"),
        }
    }
}

impl Store {
    /// Starts a write transaction on a pooled connection (see
    /// [`DatabaseKind::begin_write`]).
    pub(crate) async fn begin_write(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        match self.kind {
            DatabaseKind::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            DatabaseKind::Postgres => {
                let mut tx = self.pool.begin().await?;
                take_write_lock(&mut tx).await?;
                Ok(tx)
            }
        }
    }

    /// Starts a read-only transaction that sees one snapshot throughout: SQLite's
    /// deferred transaction does; PostgreSQL needs `REPEATABLE READ`.
    pub(crate) async fn begin_snapshot(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        match self.kind {
            DatabaseKind::Sqlite => self.pool.begin().await,
            DatabaseKind::Postgres => {
                self.pool
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .await
            }
        }
    }
}

async fn take_write_lock(tx: &mut Transaction<'_, Any>) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT 1 FROM pg_advisory_xact_lock($1)")
        .bind(WRITE_LOCK)
        .execute(&mut **tx)
        .await
        .map(drop)
}

/// A yes/no column: SQLite stores 0 or 1 where PostgreSQL's `IS NULL`, `EXISTS` and
/// comparisons give booleans, and sqlx's `Any` decodes each only as itself.
pub(crate) fn flag(row: &sqlx::any::AnyRow, column: &str) -> Result<bool, sqlx::Error> {
    use sqlx::Row;
    match row.try_get::<i64, _>(column) {
        Ok(value) => Ok(value != 0),
        Err(_) => row.try_get::<bool, _>(column),
    }
}

/// `$1, $2, …, $n`: the placeholders of an `IN (…)` list. sqlx's `QueryBuilder` writes
/// `?` for the `Any` driver, which PostgreSQL refuses.
pub(crate) fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}
