//! The crawl job queue: the dashboard's "crawl now" writes a job; `crawl --queue` claims
//! and runs them, oldest first.

use sqlx::Row;

use crate::{Store, StoreError, error::QueryContext, time::now};

/// A claimed crawl job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrawlJob {
    pub id: i64,
    /// The brand to crawl; `None` for every brand.
    pub brand: Option<String>,
    pub since: Option<String>,
    /// Who asked: `dashboard`, `api`, `schedule`...
    pub requested_by: String,
}

impl Store {
    /// Claims the oldest queued job for `holder`, atomically: two processes never claim
    /// the same one.
    pub async fn claim_crawl_job(&self, holder: &str) -> Result<Option<CrawlJob>, StoreError> {
        let row = sqlx::query(
            "UPDATE crawl_jobs SET state = 'running', started_at = ?, holder = ?
             WHERE id = (SELECT id FROM crawl_jobs WHERE state = 'queued'
                         ORDER BY requested_at, id LIMIT 1)
             RETURNING id, since, requested_by,
               (SELECT name FROM brands WHERE brands.id = crawl_jobs.brand_id) AS brand",
        )
        .bind(now())
        .bind(holder)
        .fetch_optional(&self.pool)
        .await
        .doing("claiming a crawl job")?;
        row.map(|r| {
            Ok(CrawlJob {
                id: r.try_get("id")?,
                brand: r.try_get("brand")?,
                since: r.try_get("since")?,
                requested_by: r.try_get("requested_by")?,
            })
        })
        .transpose()
        .doing("reading a crawl job")
    }

    /// Records how a claimed job ended, and the crawl run that served it.
    pub async fn finish_crawl_job(
        &self,
        id: i64,
        crawl_id: Option<i64>,
        succeeded: bool,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE crawl_jobs SET state = ?, finished_at = ?, crawl_id = ? WHERE id = ?")
            .bind(if succeeded { "done" } else { "failed" })
            .bind(now())
            .bind(crawl_id)
            .bind(id)
            .execute(&self.pool)
            .await
            .doing("finishing a crawl job")?;
        Ok(())
    }

    /// Queues the scheduled crawl of every brand for the schedule's time `scheduled_for`
    /// (Unix seconds), once: when another process already queued that time, or a
    /// scheduled crawl is still waiting or running (a schedule faster than its crawls
    /// must not pile jobs up), nothing is added and `None` is returned.
    pub async fn enqueue_scheduled_crawl(
        &self,
        scheduled_for: i64,
    ) -> Result<Option<i64>, StoreError> {
        sqlx::query_scalar(
            "INSERT INTO crawl_jobs (brand_id, requested_at, requested_by, scheduled_for)
             SELECT NULL, ?, 'schedule', ?
             WHERE NOT EXISTS (SELECT 1 FROM crawl_jobs WHERE requested_by = 'schedule'
                               AND state IN ('queued', 'running'))
             ON CONFLICT DO NOTHING
             RETURNING id",
        )
        .bind(now())
        .bind(scheduled_for)
        .fetch_optional(&self.pool)
        .await
        .doing("queueing a scheduled crawl")
    }

    /// Puts a claimed job back in the queue (its crawl was stopped by a shutdown and
    /// resumes at the next start).
    pub async fn requeue_crawl_job(&self, id: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE crawl_jobs SET state = 'queued', started_at = NULL, holder = NULL
             WHERE id = ? AND state = 'running'",
        )
        .bind(id)
        .execute(&self.pool)
        .await
        .doing("queueing a stopped crawl job again")?;
        Ok(())
    }

    /// Jobs waiting in the queue.
    pub async fn queued_crawl_jobs(&self) -> Result<i64, StoreError> {
        sqlx::query_scalar("SELECT COUNT(*) FROM crawl_jobs WHERE state = 'queued'")
            .fetch_one(&self.pool)
            .await
            .doing("counting queued crawl jobs")
    }

    /// Jobs queued or running: what a crawler may have to do, a running job being either
    /// in the hands of a live crawler or left by a dead one (taking the lease tells).
    pub async fn unfinished_crawl_jobs(&self) -> Result<i64, StoreError> {
        sqlx::query_scalar("SELECT COUNT(*) FROM crawl_jobs WHERE state IN ('queued', 'running')")
            .fetch_one(&self.pool)
            .await
            .doing("counting unfinished crawl jobs")
    }

    /// The state of a job (`queued`, `running`, `done`, `failed`), if it exists.
    pub async fn crawl_job_state(&self, id: i64) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar("SELECT state FROM crawl_jobs WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .doing("reading a crawl job")
    }
}
