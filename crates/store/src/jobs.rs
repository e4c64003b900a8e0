//! The crawl job queue: the dashboard's "crawl now" writes a job; `crawl --queue` claims
//! and runs them, oldest first.

use sqlx::Row;

use crate::{Store, StoreError, error::QueryContext, time::now};

/// A crawl asked for and not ended, as the crawls page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingJob {
    pub id: i64,
    /// The brand it crawls; `None` for every brand.
    pub brand: Option<String>,
    /// `queued` or `running`.
    pub state: String,
    pub requested_at: i64,
    /// `dashboard`, `api`, `schedule`...
    pub requested_by: String,
}

/// The crawl memory holding the scheduler's next time.
const NEXT_SCHEDULED_CRAWL: &str = "next_scheduled_crawl";

/// Where one brand stands with the crawler (the brand page's status line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrandCrawlStatus {
    /// When the last crawl covering it finished (Unix seconds), and how it ended.
    pub last: Option<(i64, String)>,
    /// A crawl asked for it and not ended: `queued` or `running`, and when it was asked.
    pub pending: Option<(String, i64)>,
}

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
            "UPDATE crawl_jobs SET state = 'running', started_at = $1, holder = $2
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
        sqlx::query(
            "UPDATE crawl_jobs SET state = $1, finished_at = $2, crawl_id = $3 WHERE id = $4",
        )
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
             SELECT NULL, $1, 'schedule', $2
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
             WHERE id = $1 AND state = 'running'",
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
    /// Where a brand stands with the crawler: its last finished crawl (one of every
    /// brand or of it alone) and the first crawl asked for it that has not ended.
    pub async fn brand_crawl_status(&self, brand: &str) -> Result<BrandCrawlStatus, StoreError> {
        let last: Option<(i64, String)> = sqlx::query_as(
            "SELECT finished_at, status FROM crawl_runs
             WHERE finished_at IS NOT NULL AND (brand_filter IS NULL OR brand_filter = $1)
             ORDER BY finished_at DESC, id DESC LIMIT 1",
        )
        .bind(brand)
        .fetch_optional(&self.pool)
        .await
        .doing("reading a brand's last crawl")?;
        let pending: Option<(String, i64)> = sqlx::query_as(
            "SELECT j.state, j.requested_at FROM crawl_jobs j
             LEFT JOIN brands b ON b.id = j.brand_id
             WHERE j.state IN ('queued', 'running') AND (j.brand_id IS NULL OR b.name = $1)
             ORDER BY j.state = 'running' DESC, j.id LIMIT 1",
        )
        .bind(brand)
        .fetch_optional(&self.pool)
        .await
        .doing("reading a brand's pending crawl")?;
        Ok(BrandCrawlStatus { last, pending })
    }

    /// The crawls asked for and not ended, oldest first: the queue.
    pub async fn pending_crawl_jobs(&self) -> Result<Vec<PendingJob>, StoreError> {
        let rows: Vec<(i64, Option<String>, String, i64, String)> = sqlx::query_as(
            "SELECT j.id, b.name, j.state, j.requested_at, j.requested_by FROM crawl_jobs j
             LEFT JOIN brands b ON b.id = j.brand_id
             WHERE j.state IN ('queued', 'running') ORDER BY j.id",
        )
        .fetch_all(&self.pool)
        .await
        .doing("listing the crawl queue")?;
        Ok(rows
            .into_iter()
            .map(
                |(id, brand, state, requested_at, requested_by)| PendingJob {
                    id,
                    brand,
                    state,
                    requested_at,
                    requested_by,
                },
            )
            .collect())
    }

    /// Records when the scheduler will queue its next crawl (Unix seconds), for every
    /// dashboard process to show.
    pub async fn set_next_scheduled_crawl(&self, at: i64) -> Result<(), StoreError> {
        self.set_crawl_memory(NEXT_SCHEDULED_CRAWL, &at.to_string())
            .await
    }

    /// When a scheduler last said it would queue its next crawl; `None` when none did
    /// or that time has passed (its process stopped, or it is queueing it now).
    pub async fn next_scheduled_crawl(&self) -> Result<Option<i64>, StoreError> {
        Ok(self
            .crawl_memory(NEXT_SCHEDULED_CRAWL)
            .await?
            .and_then(|v| v.parse::<i64>().ok())
            .filter(|at| *at > now()))
    }

    pub async fn crawl_job_state(&self, id: i64) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar("SELECT state FROM crawl_jobs WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .doing("reading a crawl job")
    }
}

#[cfg(test)]
mod tests {
    use crate::{CrawlStatus, Store};

    #[tokio::test]
    async fn a_brand_knows_its_last_crawl_its_pending_one_and_the_next_scheduled()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::TempDir::new()?;
        let store = Store::open(&format!("sqlite://{}", dir.path().join("j.db").display())).await?;
        let acme = fedireach_core::ActorRef::parse("@acme@a.example", Default::default())?;
        let other = fedireach_core::ActorRef::parse("@o@o.example", Default::default())?;
        store.add_brand("acme", &[acme], None).await?;
        store.add_brand("other", &[other], None).await?;
        let status = store.brand_crawl_status("acme").await?;
        assert_eq!((status.last, status.pending), (None, None));
        // A crawl of every brand covers acme; one of another brand does not.
        let all = store
            .start_crawl_run(fedireach_core::CrawlTrigger::Manual, None, "30d")
            .await?;
        store.finish_crawl_run(all, CrawlStatus::Done, None).await?;
        let theirs = store
            .start_crawl_run(fedireach_core::CrawlTrigger::Job, Some("other"), "30d")
            .await?;
        store
            .finish_crawl_run(theirs, CrawlStatus::Failed, Some("boom"))
            .await?;
        let status = store.brand_crawl_status("acme").await?;
        assert_eq!(status.last.map(|(_, how)| how).as_deref(), Some("done"));
        assert_eq!(
            store
                .brand_crawl_status("other")
                .await?
                .last
                .map(|(_, how)| how)
                .as_deref(),
            Some("failed")
        );
        // A job for another brand is not acme's; a job for every brand is.
        store.enqueue_crawl_job(Some("other"), "test").await?;
        assert_eq!(store.brand_crawl_status("acme").await?.pending, None);
        store.enqueue_crawl_job(None, "test").await?;
        let pending = store.brand_crawl_status("acme").await?.pending;
        assert_eq!(pending.map(|(state, _)| state).as_deref(), Some("queued"));
        let queue: Vec<_> = store
            .pending_crawl_jobs()
            .await?
            .into_iter()
            .map(|j| (j.brand, j.state))
            .collect();
        assert_eq!(
            queue,
            [
                (Some("other".to_owned()), "queued".to_owned()),
                (None, "queued".to_owned())
            ]
        );
        // The next scheduled crawl, only while it is ahead.
        assert_eq!(store.next_scheduled_crawl().await?, None);
        let ahead = crate::time::now() + 3600;
        store.set_next_scheduled_crawl(ahead).await?;
        assert_eq!(store.next_scheduled_crawl().await?, Some(ahead));
        store.set_next_scheduled_crawl(1).await?;
        assert_eq!(store.next_scheduled_crawl().await?, None);
        Ok(())
    }
}
