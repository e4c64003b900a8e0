//! Each host's request budget shared by every crawl process on the database (migration
//! 0015): a GCRA "theoretical arrival time" per host, read and pushed on in one write
//! transaction, which both engines run one at a time.

use crate::{Store, StoreError, error::QueryContext};

/// Now, in milliseconds since the Unix epoch.
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// When the next request to a host may be sent: the latest of now, the host's
/// theoretical arrival time less the burst's allowance, and a hold a server asked for;
/// and the theoretical arrival time after it.
fn next_slot(now: i64, tat: Option<i64>, not_before: i64, interval: i64, burst: i64) -> (i64, i64) {
    let tat = tat.unwrap_or(now);
    let allowance = interval.saturating_mul(burst.max(1) - 1);
    let send = now.max(tat.saturating_sub(allowance)).max(not_before);
    (send, tat.max(send).saturating_add(interval))
}

impl Store {
    /// Reserves the next request to `host` for this process, at one per `interval_ms`
    /// with bursts of `burst`, counting every process's reservations: returns when (in
    /// milliseconds since the Unix epoch) it may be sent.
    pub async fn reserve_host_slot(
        &self,
        host: &str,
        interval_ms: i64,
        burst: i64,
    ) -> Result<i64, StoreError> {
        let mut tx = self
            .begin_write()
            .await
            .doing("reserving a host's request")?;
        let row: Option<(i64, i64)> =
            sqlx::query_as("SELECT tat_ms, not_before_ms FROM host_budget WHERE host = $1")
                .bind(host)
                .fetch_optional(&mut *tx)
                .await
                .doing("reading a host's budget")?;
        // Read under the write lock: reservations are served in the order they ran.
        let now = now_ms();
        let (tat, not_before) = row.map_or((None, 0), |(tat, nb)| (Some(tat), nb));
        let (send, tat) = next_slot(now, tat, not_before, interval_ms.max(0), burst);
        sqlx::query(
            "INSERT INTO host_budget (host, tat_ms) VALUES ($1, $2)
             ON CONFLICT (host) DO UPDATE SET tat_ms = excluded.tat_ms",
        )
        .bind(host)
        .bind(tat)
        .execute(&mut *tx)
        .await
        .doing("pushing a host's budget on")?;
        tx.commit().await.doing("reserving a host's request")?;
        Ok(send)
    }

    /// Holds every process's requests to `host` back until `until_ms` (a server's
    /// Retry-After, or the reset of a spent rate-limit budget).
    pub async fn hold_host(&self, host: &str, until_ms: i64) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await.doing("holding a host back")?;
        sqlx::query(
            "INSERT INTO host_budget (host, tat_ms, not_before_ms) VALUES ($1, $2, $2)
             ON CONFLICT (host) DO UPDATE SET not_before_ms =
               CASE WHEN excluded.not_before_ms > host_budget.not_before_ms
                 THEN excluded.not_before_ms ELSE host_budget.not_before_ms END",
        )
        .bind(host)
        .bind(until_ms)
        .execute(&mut *tx)
        .await
        .doing("holding a host back")?;
        tx.commit().await.doing("holding a host back")
    }
}

#[cfg(test)]
mod tests {
    use super::next_slot;

    #[test]
    fn a_burst_goes_at_once_then_one_per_interval() {
        let (mut tat, mut sends) = (None, Vec::new());
        for _ in 0..5 {
            let (send, next) = next_slot(1_000, tat, 0, 100, 3);
            sends.push(send);
            tat = Some(next);
        }
        assert_eq!(sends, [1_000, 1_000, 1_000, 1_100, 1_200]);
        // Idle long enough, the burst is whole again; a hold comes first.
        let (send, _) = next_slot(5_000, tat, 0, 100, 3);
        assert_eq!(send, 5_000);
        let (send, _) = next_slot(5_000, tat, 6_000, 100, 3);
        assert_eq!(send, 6_000);
    }
}
