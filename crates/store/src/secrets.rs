//! Named secrets beyond the hash key: reading one without creating it, creating one
//! while telling whether it is new, and putting one given by the operator (the instance
//! actor's key, carried from one database to another by `fedireach key export|import`).

use crate::{Store, StoreError, error::QueryContext, time::now};

/// What happened to a secret put by [`Store::put_secret`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretPut {
    /// There was none: it is stored.
    Created,
    /// The same value was already stored: nothing changed.
    Unchanged,
    /// Another value was stored and `replace` was set: it is replaced.
    Replaced,
    /// Another value is stored and `replace` was not set: nothing changed.
    Kept,
}

impl Store {
    /// The named secret, if one is stored.
    pub async fn secret_if_any(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        sqlx::query_scalar("SELECT value FROM secrets WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .doing("reading a secret")
    }

    /// The named secret, made by `make` and stored when there is none; the flag says
    /// whether this call created it (two processes racing: only the winner's is new).
    pub async fn secret_or_create(
        &self,
        name: &str,
        make: impl FnOnce() -> Vec<u8>,
    ) -> Result<(Vec<u8>, bool), StoreError> {
        if let Some(value) = self.secret_if_any(name).await? {
            return Ok((value, false));
        }
        let inserted =
            sqlx::query(
                "INSERT INTO secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            )
                .bind(name)
                .bind(make())
                .bind(now())
                .execute(&self.pool)
                .await
                .doing("creating a secret")?
                .rows_affected();
        let value = sqlx::query_scalar("SELECT value FROM secrets WHERE name = $1")
            .bind(name)
            .fetch_one(&self.pool)
            .await
            .doing("reading a secret")?;
        Ok((value, inserted == 1))
    }

    /// Stores `value` under `name`; another value already there is replaced only when
    /// `replace` is set.
    pub async fn put_secret(
        &self,
        name: &str,
        value: &[u8],
        replace: bool,
    ) -> Result<SecretPut, StoreError> {
        let mut tx = self.pool.begin().await.doing("putting a secret")?;
        let existing: Option<Vec<u8>> =
            sqlx::query_scalar("SELECT value FROM secrets WHERE name = $1")
                .bind(name)
                .fetch_optional(&mut *tx)
                .await
                .doing("reading a secret")?;
        let outcome = match existing {
            None => SecretPut::Created,
            Some(old) if old == value => SecretPut::Unchanged,
            Some(_) if replace => SecretPut::Replaced,
            Some(_) => SecretPut::Kept,
        };
        if matches!(outcome, SecretPut::Created | SecretPut::Replaced) {
            sqlx::query(
                "INSERT INTO secrets (name, value, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT(name) DO UPDATE SET value = excluded.value, created_at = excluded.created_at",
            )
            .bind(name)
            .bind(value)
            .bind(now())
            .execute(&mut *tx)
            .await
            .doing("putting a secret")?;
        }
        tx.commit().await.doing("putting a secret")?;
        Ok(outcome)
    }
}
