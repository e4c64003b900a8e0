//! Named leases: one crawl at a time across every process sharing the database. A
//! lease is held until its expiry time; its holder renews it while working, so a holder
//! that died stops renewing and the lease is taken over once it expires (or at once by
//! [`Store::take_over_lease`] when the caller knows the holder is gone).

use sqlx::Row;

use crate::{Store, StoreError, error::QueryContext, time::now};

/// The outcome of trying to take a lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeaseAttempt {
    /// The caller holds it until `expires_at` (Unix seconds).
    Acquired { expires_at: i64 },
    /// Somebody else holds it.
    Held { holder: String, expires_at: i64 },
}

impl Store {
    /// Takes the lease `name` for `holder` for `ttl_secs`, if it is free, expired or
    /// already the caller's; atomic across processes.
    pub async fn try_acquire_lease(
        &self,
        name: &str,
        holder: &str,
        ttl_secs: i64,
    ) -> Result<LeaseAttempt, StoreError> {
        let now = now();
        let expires_at = now.saturating_add(ttl_secs);
        let taken: Option<String> = sqlx::query_scalar(
            "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,
                                              expires_at = excluded.expires_at
             WHERE leases.expires_at <= $4 OR leases.holder = excluded.holder
             RETURNING holder",
        )
        .bind(name)
        .bind(holder)
        .bind(expires_at)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .doing("taking the crawl lease")?;
        if taken.is_some() {
            return Ok(LeaseAttempt::Acquired { expires_at });
        }
        let row = sqlx::query("SELECT holder, expires_at FROM leases WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .doing("reading the crawl lease")?;
        match row {
            Some(row) => Ok(LeaseAttempt::Held {
                holder: row.try_get("holder").doing("reading the crawl lease")?,
                expires_at: row.try_get("expires_at").doing("reading the crawl lease")?,
            }),
            // Released between the two statements: free now, try again.
            None => Box::pin(self.try_acquire_lease(name, holder, ttl_secs)).await,
        }
    }

    /// Takes the lease from `previous`, whose holder the caller knows to be dead (a
    /// process of this machine that no longer exists). Fails, returning `false`, if the
    /// lease changed hands in the meantime.
    pub async fn take_over_lease(
        &self,
        name: &str,
        previous: &str,
        holder: &str,
        ttl_secs: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE leases SET holder = $1, expires_at = $2 WHERE name = $3 AND holder = $4",
        )
        .bind(holder)
        .bind(now().saturating_add(ttl_secs))
        .bind(name)
        .bind(previous)
        .execute(&self.pool)
        .await
        .doing("taking over the crawl lease")?;
        Ok(done.rows_affected() == 1)
    }

    /// Extends the caller's lease; `false` when it is no longer the caller's (it expired
    /// and somebody else took it).
    pub async fn renew_lease(
        &self,
        name: &str,
        holder: &str,
        ttl_secs: i64,
    ) -> Result<bool, StoreError> {
        // In turn with this process's batch transactions (see `Store::write_turn`).
        let _turn = self.write_turn.lock().await;
        let done = sqlx::query("UPDATE leases SET expires_at = $1 WHERE name = $2 AND holder = $3")
            .bind(now().saturating_add(ttl_secs))
            .bind(name)
            .bind(holder)
            .execute(&self.pool)
            .await
            .doing("renewing the crawl lease")?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives the lease back, if the caller still holds it.
    pub async fn release_lease(&self, name: &str, holder: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2")
            .bind(name)
            .bind(holder)
            .execute(&self.pool)
            .await
            .doing("releasing the crawl lease")?;
        Ok(())
    }

    /// Work left behind by a crawler that died: run rows still `running` become
    /// `interrupted`, running jobs are queued again. Call it only while holding the
    /// crawl lease (then nobody else is crawling). Returns (runs, jobs) changed.
    pub async fn recover_abandoned_crawls(&self) -> Result<(u64, u64), StoreError> {
        let mut tx = self
            .begin_write()
            .await
            .doing("recovering abandoned crawls")?;
        let runs = sqlx::query(
            "UPDATE crawl_runs SET status = 'interrupted',
                 finished_at = COALESCE(finished_at, $1),
                 error = COALESCE(error, 'the crawling process stopped before the end')
             WHERE status = 'running'",
        )
        .bind(now())
        .execute(&mut *tx)
        .await
        .doing("marking abandoned crawls")?
        .rows_affected();
        let jobs = sqlx::query(
            "UPDATE crawl_jobs SET state = 'queued', started_at = NULL, holder = NULL
             WHERE state = 'running'",
        )
        .execute(&mut *tx)
        .await
        .doing("queueing abandoned crawl jobs again")?
        .rows_affected();
        tx.commit().await.doing("recovering abandoned crawls")?;
        Ok((runs, jobs))
    }
}
