//! Scheduled report mails and alerts (migration 0009): a mail goes out at most once per
//! delivery and period, a failed one is retried with backoff, and an alert fires once
//! per event. The store only records; the binary decides what is due and sends.

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::{Store, StoreError, error::QueryContext, time::now};

/// A `sending` row older than this belongs to a process that died mid-send: it may be
/// claimed again. Longer than any SMTP exchange with its time limits.
const STALE_SENDING_SECS: i64 = 15 * 60;

/// What `claim_delivery` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryClaim {
    /// Send it now: the row's id and how many attempts came before.
    Send { id: i64, attempts: i64 },
    /// Already sent for this period.
    AlreadySent,
    /// Failed before; the next attempt is not due yet (Unix seconds).
    NotYet { next_attempt_at: i64 },
    /// Another process is sending it right now.
    InProgress,
}

/// One delivery of one period, as the crawls page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRun {
    pub name: String,
    pub period_from: String,
    pub period_to: String,
    /// `sending`, `sent` or `failed`.
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<i64>,
    pub updated_at: i64,
    pub sent_at: Option<i64>,
}

/// An alert that fired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiredAlert {
    pub rule: String,
    pub event_key: String,
    pub fired_at: i64,
    pub summary: String,
    pub delivered: bool,
    pub last_error: Option<String>,
}

impl Store {
    /// Claims the send of delivery `name` for one period, atomically across processes:
    /// a new period is claimed by whoever inserts its row first; a failed one when its
    /// next attempt is due; a sent one never again.
    pub async fn claim_delivery(
        &self,
        name: &str,
        period_key: &str,
        period: (&str, &str),
    ) -> Result<DeliveryClaim, StoreError> {
        let now = now();
        let inserted: Option<i64> = sqlx::query_scalar(
            "INSERT INTO delivery_runs
               (name, period_key, period_from, period_to, state, attempts, created_at, updated_at)
             VALUES ($1, $2, $3, $4, 'sending', 0, $5, $6)
             ON CONFLICT (name, period_key) DO NOTHING
             RETURNING id",
        )
        .bind(name)
        .bind(period_key)
        .bind(period.0)
        .bind(period.1)
        .bind(now)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .doing("recording a delivery")?;
        if let Some(id) = inserted {
            return Ok(DeliveryClaim::Send { id, attempts: 0 });
        }
        let retried = sqlx::query(
            "UPDATE delivery_runs SET state = 'sending', updated_at = $1
             WHERE name = $2 AND period_key = $3
               AND ((state = 'failed' AND COALESCE(next_attempt_at, 0) <= $4)
                    OR (state = 'sending' AND updated_at < $5))
             RETURNING id, attempts",
        )
        .bind(now)
        .bind(name)
        .bind(period_key)
        .bind(now)
        .bind(now - STALE_SENDING_SECS)
        .fetch_optional(&self.pool)
        .await
        .doing("claiming a delivery")?;
        if let Some(row) = retried {
            return Ok(DeliveryClaim::Send {
                id: row.try_get("id").doing("reading a delivery")?,
                attempts: row.try_get("attempts").doing("reading a delivery")?,
            });
        }
        let row = sqlx::query(
            "SELECT state, next_attempt_at FROM delivery_runs WHERE name = $1 AND period_key = $2",
        )
        .bind(name)
        .bind(period_key)
        .fetch_one(&self.pool)
        .await
        .doing("reading a delivery")?;
        let state: String = row.try_get("state").doing("reading a delivery")?;
        Ok(match state.as_str() {
            "sent" => DeliveryClaim::AlreadySent,
            "failed" => DeliveryClaim::NotYet {
                next_attempt_at: row
                    .try_get::<Option<i64>, _>("next_attempt_at")
                    .doing("reading a delivery")?
                    .unwrap_or(now),
            },
            _ => DeliveryClaim::InProgress,
        })
    }

    /// Records that the SMTP server accepted the claimed delivery `id`.
    pub async fn delivery_sent(&self, id: i64) -> Result<(), StoreError> {
        let now = now();
        sqlx::query(
            "UPDATE delivery_runs SET state = 'sent', attempts = attempts + 1, sent_at = $1,
               updated_at = $2, last_error = NULL, next_attempt_at = NULL WHERE id = $3",
        )
        .bind(now)
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await
        .doing("recording a sent delivery")?;
        Ok(())
    }

    /// Records a failed attempt of delivery `id`, and when to try again (`None`: never,
    /// the attempts are used up).
    pub async fn delivery_failed(
        &self,
        id: i64,
        error: &str,
        next_attempt_at: Option<i64>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE delivery_runs SET state = 'failed', attempts = attempts + 1,
               last_error = $1, next_attempt_at = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(error)
        .bind(next_attempt_at)
        .bind(now())
        .bind(id)
        .execute(&self.pool)
        .await
        .doing("recording a failed delivery")?;
        Ok(())
    }

    /// Failed deliveries whose next attempt is due now: (name, period key).
    pub async fn due_delivery_retries(&self) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT name, period_key FROM delivery_runs
             WHERE state = 'failed' AND next_attempt_at IS NOT NULL AND next_attempt_at <= $1
             ORDER BY next_attempt_at",
        )
        .bind(now())
        .fetch_all(&self.pool)
        .await
        .doing("listing deliveries to retry")?;
        rows.iter()
            .map(|r| Ok((r.try_get("name")?, r.try_get("period_key")?)))
            .collect::<Result<_, sqlx::Error>>()
            .doing("reading deliveries to retry")
    }

    /// The most recent delivery rows, newest first.
    pub async fn recent_deliveries(&self, limit: i64) -> Result<Vec<DeliveryRun>, StoreError> {
        let rows = sqlx::query(
            "SELECT name, period_from, period_to, state, attempts, last_error,
                    next_attempt_at, updated_at, sent_at
             FROM delivery_runs ORDER BY updated_at DESC, id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .doing("listing deliveries")?;
        rows.iter()
            .map(delivery_run)
            .collect::<Result<_, sqlx::Error>>()
            .doing("reading deliveries")
    }

    /// Each delivery's latest row (by name): its last run, whatever its age.
    pub async fn last_delivery_runs(&self) -> Result<Vec<DeliveryRun>, StoreError> {
        let rows = sqlx::query(
            "SELECT name, period_from, period_to, state, attempts, last_error,
                    next_attempt_at, updated_at, sent_at
             FROM delivery_runs d
             WHERE id = (SELECT e.id FROM delivery_runs e WHERE e.name = d.name
                         ORDER BY e.updated_at DESC, e.id DESC LIMIT 1)
             ORDER BY name",
        )
        .fetch_all(&self.pool)
        .await
        .doing("listing each delivery's last run")?;
        rows.iter()
            .map(delivery_run)
            .collect::<Result<_, sqlx::Error>>()
            .doing("reading deliveries")
    }

    /// Each alert rule that fired: (rule, when it last fired, how many times).
    pub async fn alert_rule_firings(&self) -> Result<Vec<(String, i64, i64)>, StoreError> {
        sqlx::query_as(
            "SELECT rule, max(fired_at), count(*) FROM alerts_fired GROUP BY rule ORDER BY rule",
        )
        .fetch_all(&self.pool)
        .await
        .doing("counting each alert rule's firings")
    }

    /// Records that `rule` fired for `event_key`, once: `Some(id)` the first time,
    /// `None` when it had fired for that event already.
    pub async fn fire_alert_once(
        &self,
        rule: &str,
        event_key: &str,
        summary: &str,
    ) -> Result<Option<i64>, StoreError> {
        sqlx::query_scalar(
            "INSERT INTO alerts_fired (rule, event_key, fired_at, summary) VALUES ($1, $2, $3, $4)
             ON CONFLICT (rule, event_key) DO NOTHING RETURNING id",
        )
        .bind(rule)
        .bind(event_key)
        .bind(now())
        .bind(summary)
        .fetch_optional(&self.pool)
        .await
        .doing("recording an alert")
    }

    /// Records whether the fired alert `id` reached every channel (`error`: what did not).
    pub async fn alert_delivered(&self, id: i64, error: Option<&str>) -> Result<(), StoreError> {
        sqlx::query("UPDATE alerts_fired SET delivered = $1, last_error = $2 WHERE id = $3")
            .bind(i64::from(error.is_none()))
            .bind(error)
            .bind(id)
            .execute(&self.pool)
            .await
            .doing("recording an alert's delivery")?;
        Ok(())
    }

    /// The most recent alerts, newest first.
    pub async fn recent_alerts(&self, limit: i64) -> Result<Vec<FiredAlert>, StoreError> {
        let rows = sqlx::query(
            "SELECT rule, event_key, fired_at, summary, delivered, last_error
             FROM alerts_fired ORDER BY fired_at DESC, id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .doing("listing alerts")?;
        rows.iter()
            .map(|r| {
                Ok(FiredAlert {
                    rule: r.try_get("rule")?,
                    event_key: r.try_get("event_key")?,
                    fired_at: r.try_get("fired_at")?,
                    summary: r.try_get("summary")?,
                    delivered: crate::dialect::flag(r, "delivered")?,
                    last_error: r.try_get("last_error")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .doing("reading alerts")
    }
}

fn delivery_run(r: &sqlx::any::AnyRow) -> Result<DeliveryRun, sqlx::Error> {
    Ok(DeliveryRun {
        name: r.try_get("name")?,
        period_from: r.try_get("period_from")?,
        period_to: r.try_get("period_to")?,
        state: r.try_get("state")?,
        attempts: r.try_get("attempts")?,
        last_error: r.try_get("last_error")?,
        next_attempt_at: r.try_get("next_attempt_at")?,
        updated_at: r.try_get("updated_at")?,
        sent_at: r.try_get("sent_at")?,
    })
}

#[cfg(test)]
mod tests {
    use super::DeliveryClaim;
    use crate::Store;

    async fn store() -> Result<(tempfile::TempDir, Store), Box<dyn std::error::Error>> {
        let dir = tempfile::TempDir::new()?;
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = Store::open(&url).await?;
        Ok((dir, store))
    }

    #[tokio::test]
    async fn a_period_is_sent_once_and_a_failure_waits_for_its_retry()
    -> Result<(), Box<dyn std::error::Error>> {
        let (_dir, store) = store().await?;
        let period = ("2026-11-01", "2026-11-30");
        let DeliveryClaim::Send { id, attempts: 0 } = store
            .claim_delivery("monthly", "2026-12-01", period)
            .await?
        else {
            return Err("a new period is claimed".into());
        };
        assert_eq!(
            store
                .claim_delivery("monthly", "2026-12-01", period)
                .await?,
            DeliveryClaim::InProgress
        );
        store
            .delivery_failed(id, "connection refused", Some(i64::MAX))
            .await?;
        assert_eq!(
            store
                .claim_delivery("monthly", "2026-12-01", period)
                .await?,
            DeliveryClaim::NotYet {
                next_attempt_at: i64::MAX
            }
        );
        store
            .delivery_failed(id, "connection refused", Some(0))
            .await?;
        assert_eq!(
            store.due_delivery_retries().await?,
            vec![("monthly".to_owned(), "2026-12-01".to_owned())]
        );
        assert_eq!(
            store
                .claim_delivery("monthly", "2026-12-01", period)
                .await?,
            DeliveryClaim::Send { id, attempts: 2 }
        );
        store.delivery_sent(id).await?;
        assert_eq!(
            store
                .claim_delivery("monthly", "2026-12-01", period)
                .await?,
            DeliveryClaim::AlreadySent
        );
        let runs = store.recent_deliveries(10).await?;
        assert_eq!(runs.len(), 1);
        assert_eq!((runs[0].state.as_str(), runs[0].attempts), ("sent", 3));
        Ok(())
    }

    #[tokio::test]
    async fn an_alert_fires_once_per_event() -> Result<(), Box<dyn std::error::Error>> {
        let (_dir, store) = store().await?;
        let first = store
            .fire_alert_once("spike", "acme/2026-12-01", "x")
            .await?;
        assert!(first.is_some());
        assert_eq!(
            store
                .fire_alert_once("spike", "acme/2026-12-01", "x")
                .await?,
            None
        );
        assert!(
            store
                .fire_alert_once("spike", "acme/2026-12-02", "y")
                .await?
                .is_some()
        );
        Ok(())
    }

    #[tokio::test]
    async fn each_rule_has_its_last_run() -> Result<(), Box<dyn std::error::Error>> {
        let (_dir, store) = store().await?;
        assert!(store.last_delivery_runs().await?.is_empty());
        for (name, key) in [("weekly", "w1"), ("monthly", "m1"), ("weekly", "w2")] {
            if let DeliveryClaim::Send { id, .. } = store
                .claim_delivery(name, key, ("2026-11-01", "2026-11-30"))
                .await?
            {
                if key == "w2" {
                    store.delivery_failed(id, "refused", Some(i64::MAX)).await?;
                } else {
                    store.delivery_sent(id).await?;
                }
            }
        }
        let last: Vec<_> = store
            .last_delivery_runs()
            .await?
            .into_iter()
            .map(|r| (r.name, r.state))
            .collect();
        assert_eq!(
            last,
            [
                ("monthly".to_owned(), "sent".to_owned()),
                ("weekly".to_owned(), "failed".to_owned())
            ]
        );
        for key in ["a", "b"] {
            store.fire_alert_once("spike", key, "x").await?;
        }
        let firings = store.alert_rule_firings().await?;
        assert_eq!(firings.len(), 1);
        assert_eq!((firings[0].0.as_str(), firings[0].2), ("spike", 2));
        Ok(())
    }
}
