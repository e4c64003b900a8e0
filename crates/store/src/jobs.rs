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
}

impl Store {
    /// Claims the oldest queued job, atomically: two processes never claim the same one.
    pub async fn claim_crawl_job(&self) -> Result<Option<CrawlJob>, StoreError> {
        let row = sqlx::query(
            "UPDATE crawl_jobs SET state = 'running', started_at = ?
             WHERE id = (SELECT id FROM crawl_jobs WHERE state = 'queued'
                         ORDER BY requested_at, id LIMIT 1)
             RETURNING id, since,
               (SELECT name FROM brands WHERE brands.id = crawl_jobs.brand_id) AS brand",
        )
        .bind(now())
        .fetch_optional(&self.pool)
        .await
        .doing("claiming a crawl job")?;
        row.map(|r| {
            Ok(CrawlJob {
                id: r.try_get("id")?,
                brand: r.try_get("brand")?,
                since: r.try_get("since")?,
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

    /// The state of a job (`queued`, `running`, `done`, `failed`), if it exists.
    pub async fn crawl_job_state(&self, id: i64) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar("SELECT state FROM crawl_jobs WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .doing("reading a crawl job")
    }
}
