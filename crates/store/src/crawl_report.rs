//! What the dashboard's crawl page shows of recent crawls: their counts, the time
//! spent waiting for rate limits, and the hosts that failed (grouped by host and
//! kind, with one example message). Read-only.

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::{Store, StoreError, error::QueryContext};

/// A crawl's counts as recorded at its end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrawlCounts {
    pub crawl_id: i64,
    pub requests: i64,
    pub posts_seen: i64,
    pub engagements_new: i64,
    pub engagements_removed: i64,
    pub hosts_failed: i64,
    pub rate_limit_wait_ms: i64,
}

/// A host that failed during a crawl, by kind of failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedHost {
    pub crawl_id: i64,
    pub host: String,
    pub kind: String,
    pub failures: i64,
    /// One of the messages, for a first look.
    pub example: String,
}

impl Store {
    /// The counts of the most recent crawls, newest first.
    pub async fn recent_crawl_counts(&self, limit: i64) -> Result<Vec<CrawlCounts>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, requests, posts_seen, engagements_new, engagements_removed,
                    hosts_failed, rate_limit_wait_ms
             FROM crawl_runs ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .doing("listing crawl counts")?;
        rows.iter()
            .map(|r| {
                Ok(CrawlCounts {
                    crawl_id: r.try_get("id")?,
                    requests: r.try_get("requests")?,
                    posts_seen: r.try_get("posts_seen")?,
                    engagements_new: r.try_get("engagements_new")?,
                    engagements_removed: r.try_get("engagements_removed")?,
                    hosts_failed: r.try_get("hosts_failed")?,
                    rate_limit_wait_ms: r.try_get("rate_limit_wait_ms")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .doing("reading crawl counts")
    }

    /// The hosts that failed in the most recent crawls, newest crawl first, then the
    /// hosts with most failures.
    pub async fn recent_failed_hosts(&self, crawls: i64) -> Result<Vec<FailedHost>, StoreError> {
        let rows = sqlx::query(
            "SELECT crawl_id, host, kind, count(*) AS failures, min(message) AS example
             FROM crawl_errors
             WHERE crawl_id IN (SELECT id FROM crawl_runs ORDER BY id DESC LIMIT $1)
             GROUP BY crawl_id, host, kind
             ORDER BY crawl_id DESC, failures DESC, host, kind",
        )
        .bind(crawls)
        .fetch_all(&self.pool)
        .await
        .doing("listing the hosts that failed")?;
        rows.iter()
            .map(|r| {
                Ok(FailedHost {
                    crawl_id: r.try_get("crawl_id")?,
                    host: r.try_get("host")?,
                    kind: r.try_get("kind")?,
                    failures: r.try_get("failures")?,
                    example: r.try_get("example")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .doing("reading the hosts that failed")
    }
}
