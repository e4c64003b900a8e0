//! What a crawl remembers between processes: each Crawl-delay host's last request
//! (migration 0010), the crawl's named memories (the denylist in force), and the purge
//! of what a denylist bars.

use std::collections::HashMap;

use fedireach_core::Host;

use crate::{Store, StoreError, error::QueryContext, forget::purge_instance_rows, time::now};

/// When a host was last asked anything and the Crawl-delay it asked for, in
/// milliseconds since the Unix epoch and milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostPace {
    pub last_request_ms: i64,
    pub crawl_delay_ms: i64,
}

impl Store {
    /// Every host's remembered pace.
    pub async fn host_paces(&self) -> Result<HashMap<String, HostPace>, StoreError> {
        let rows: Vec<(String, i64, i64)> =
            sqlx::query_as("SELECT host, last_request_ms, crawl_delay_ms FROM host_pace")
                .fetch_all(&self.pool)
                .await
                .doing("reading the hosts' pace")?;
        Ok(rows
            .into_iter()
            .map(|(host, last_request_ms, crawl_delay_ms)| {
                (
                    host,
                    HostPace {
                        last_request_ms,
                        crawl_delay_ms,
                    },
                )
            })
            .collect())
    }

    /// Records a request about to be sent to a host with a Crawl-delay.
    pub async fn record_host_pace(&self, host: &str, pace: HostPace) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO host_pace (host, last_request_ms, crawl_delay_ms) VALUES ($1, $2, $3)
             ON CONFLICT (host) DO UPDATE SET
               last_request_ms = CASE WHEN excluded.last_request_ms > host_pace.last_request_ms
                 THEN excluded.last_request_ms ELSE host_pace.last_request_ms END,
               crawl_delay_ms = excluded.crawl_delay_ms",
        )
        .bind(host)
        .bind(pace.last_request_ms)
        .bind(pace.crawl_delay_ms)
        .execute(&self.pool)
        .await
        .doing("recording a host's pace")?;
        Ok(())
    }

    /// A named value the last crawl left (`None`: never set).
    pub async fn crawl_memory(&self, name: &str) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar("SELECT value FROM crawl_memory WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .doing("reading the crawl's memory")
    }

    pub async fn set_crawl_memory(&self, name: &str, value: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO crawl_memory (name, value, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET value = excluded.value,
               updated_at = excluded.updated_at",
        )
        .bind(name)
        .bind(value)
        .bind(now())
        .execute(&self.pool)
        .await
        .doing("saving the crawl's memory")?;
        Ok(())
    }

    /// Forgets every remembered response, so that the next crawl reads every post in
    /// full again.
    pub async fn clear_http_cache(&self) -> Result<u64, StoreError> {
        Ok(sqlx::query("DELETE FROM http_cache")
            .execute(&self.pool)
            .await
            .doing("clearing the HTTP cache")?
            .rows_affected())
    }

    /// Every host something is stored of: engaging instances and engagers' hosts.
    pub async fn stored_hosts(&self) -> Result<Vec<String>, StoreError> {
        sqlx::query_scalar(
            "SELECT host FROM instances UNION SELECT host FROM actors
             UNION SELECT host FROM engagements ORDER BY 1",
        )
        .fetch_all(&self.pool)
        .await
        .doing("listing the stored hosts")
    }

    /// Deletes what is stored of an instance the operator barred (the denylist), without
    /// remembering it as an opt-out: taken off the list, it is crawled again. Returns
    /// the engagers and engagements deleted.
    pub async fn purge_denied_instance(&self, host: &Host) -> Result<(u64, u64), StoreError> {
        let mut tx = self.begin_write().await.doing("starting a purge")?;
        let purged = purge_instance_rows(&mut tx, host).await?;
        tx.commit().await.doing("saving a purge")?;
        Ok(purged)
    }
}
