//! Crawl runs and the crawl job queue.

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::{Store, StoreError, error::QueryContext, time::now};

/// How a crawl ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrawlStatus {
    Running,
    Done,
    Partial,
    Failed,
    Interrupted,
}

impl CrawlStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Done => "done",
            Self::Partial => "partial",
            Self::Failed => "failed",
            Self::Interrupted => "interrupted",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "done" => Self::Done,
            "partial" => Self::Partial,
            "failed" => Self::Failed,
            "interrupted" => Self::Interrupted,
            _ => Self::Running,
        }
    }
}

/// A crawl as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrawlRun {
    pub id: i64,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub status: CrawlStatus,
    pub trigger: String,
}

impl Store {
    /// Records the start of a crawl and returns its id.
    pub async fn start_crawl_run(
        &self,
        trigger: &str,
        brand: Option<&str>,
        since: &str,
    ) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "INSERT INTO crawl_runs (started_at, trigger, brand_filter, since, holder)
             VALUES (?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(now())
        .bind(trigger)
        .bind(brand)
        .bind(since)
        .bind(format!("pid:{}", std::process::id()))
        .fetch_one(&self.pool)
        .await
        .doing("recording the start of a crawl")?;
        row.try_get(0).doing("reading the new crawl's id")
    }

    /// Records how a crawl ended.
    pub async fn finish_crawl_run(
        &self,
        id: i64,
        status: CrawlStatus,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE crawl_runs SET finished_at = ?, status = ?, error = ? WHERE id = ?")
            .bind(now())
            .bind(status.as_str())
            .bind(error)
            .bind(id)
            .execute(&self.pool)
            .await
            .doing("recording the end of a crawl")?;
        Ok(())
    }

    /// Records a tracked actor's follower count at a crawl (one per crawl and actor).
    pub async fn record_follower_snapshot(
        &self,
        crawl_id: i64,
        tracked_actor_id: i64,
        followers: Option<i64>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO follower_snapshots (crawl_id, tracked_actor_id, taken_at, followers)
             VALUES (?, ?, ?, ?)
             ON CONFLICT (crawl_id, tracked_actor_id) DO UPDATE SET
               taken_at = excluded.taken_at, followers = excluded.followers",
        )
        .bind(crawl_id)
        .bind(tracked_actor_id)
        .bind(now())
        .bind(followers)
        .execute(&self.pool)
        .await
        .doing("recording a follower count")?;
        Ok(())
    }

    /// The most recent crawls, newest first.
    pub async fn recent_crawl_runs(&self, limit: i64) -> Result<Vec<CrawlRun>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, started_at, finished_at, status, trigger FROM crawl_runs
             ORDER BY id DESC LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .doing("listing crawls")?;
        rows.iter()
            .map(|r| {
                Ok(CrawlRun {
                    id: r.try_get("id")?,
                    started_at: r.try_get("started_at")?,
                    finished_at: r.try_get("finished_at")?,
                    status: CrawlStatus::parse(r.try_get::<&str, _>("status")?),
                    trigger: r.try_get("trigger")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .doing("reading crawls")
    }

    /// Queues a crawl for the crawler (the dashboard's "crawl now"); never runs it.
    pub async fn enqueue_crawl_job(
        &self,
        brand: Option<&str>,
        requested_by: &str,
    ) -> Result<i64, StoreError> {
        let brand_id = match brand {
            Some(name) => Some(self.brand_id(name).await?),
            None => None,
        };
        let row = sqlx::query(
            "INSERT INTO crawl_jobs (brand_id, requested_at, requested_by) VALUES (?, ?, ?)
             RETURNING id",
        )
        .bind(brand_id)
        .bind(now())
        .bind(requested_by)
        .fetch_one(&self.pool)
        .await
        .doing("queueing a crawl")?;
        row.try_get(0).doing("reading the new job's id")
    }
}
