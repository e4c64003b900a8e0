//! Crawl runs and the crawl job queue.

use fedireach_core::{ConsentAction, ConsentSubject, CrawlTrigger, FailureKind};
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
    /// The one brand it crawled; `None` for every brand.
    pub brand: Option<String>,
}

impl Store {
    /// Records the start of a crawl and returns its id.
    pub async fn start_crawl_run(
        &self,
        trigger: CrawlTrigger,
        brand: Option<&str>,
        since: &str,
    ) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "INSERT INTO crawl_runs (started_at, trigger, brand_filter, since, holder)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(now())
        .bind(trigger.as_ref())
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
        sqlx::query(
            "UPDATE crawl_runs SET finished_at = $1, status = $2, error = $3 WHERE id = $4",
        )
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
        self.record_follower_snapshot_at(crawl_id, tracked_actor_id, followers, now())
            .await
    }

    /// Records a follower count taken at `taken_at` (Unix seconds) rather than now:
    /// for counts read elsewhere and imported (the simulated world's days).
    pub async fn record_follower_snapshot_at(
        &self,
        crawl_id: i64,
        tracked_actor_id: i64,
        followers: Option<i64>,
        taken_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO follower_snapshots (crawl_id, tracked_actor_id, taken_at, followers)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (crawl_id, tracked_actor_id) DO UPDATE SET
               taken_at = excluded.taken_at, followers = excluded.followers",
        )
        .bind(crawl_id)
        .bind(tracked_actor_id)
        .bind(taken_at)
        .bind(followers)
        .execute(&self.pool)
        .await
        .doing("recording a follower count")?;
        Ok(())
    }

    /// The most recent crawls, newest first.
    pub async fn recent_crawl_runs(&self, limit: i64) -> Result<Vec<CrawlRun>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, started_at, finished_at, status, trigger, brand_filter FROM crawl_runs
             ORDER BY id DESC LIMIT $1",
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
                    brand: r.try_get("brand_filter")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .doing("reading crawls")
    }

    /// What `/healthz` and `/metrics` tell about crawls: runs by status, the end of the
    /// last one that succeeded (`done` or `partial`), whether one is running.
    pub async fn crawl_health(&self) -> Result<CrawlHealth, StoreError> {
        let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM crawl_runs GROUP BY status")
            .fetch_all(&self.pool)
            .await
            .doing("counting crawls")?;
        let runs_by_status = rows
            .iter()
            .map(|r| Ok((r.try_get::<String, _>("status")?, r.try_get::<i64, _>("n")?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .doing("counting crawls")?;
        let last_success_at: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(finished_at) FROM crawl_runs WHERE status IN ('done', 'partial')",
        )
        .fetch_one(&self.pool)
        .await
        .doing("reading the last successful crawl")?;
        let running = runs_by_status
            .iter()
            .any(|(status, n)| status == "running" && *n > 0);
        Ok(CrawlHealth {
            runs_by_status,
            last_success_at,
            running,
        })
    }

    /// When the last crawl of every brand that ran to its end (`done` or `partial`)
    /// started, Unix seconds: the scheduler's "was the last scheduled time covered?".
    pub async fn last_full_crawl_started(&self) -> Result<Option<i64>, StoreError> {
        sqlx::query_scalar(
            "SELECT MAX(started_at) FROM crawl_runs
             WHERE brand_filter IS NULL AND status IN ('done', 'partial')",
        )
        .fetch_one(&self.pool)
        .await
        .doing("reading the last crawl of every brand")
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
            "INSERT INTO crawl_jobs (brand_id, requested_at, requested_by) VALUES ($1, $2, $3)
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

/// Crawls as the health and metrics endpoints report them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CrawlHealth {
    /// (status, runs), every status that occurs.
    pub runs_by_status: Vec<(String, i64)>,
    /// Unix seconds.
    pub last_success_at: Option<i64>,
    pub running: bool,
}

/// What a finished crawl did, as recorded on its run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CrawlRecord {
    pub requests: i64,
    pub posts_seen: i64,
    pub engagements_new: i64,
    pub engagements_removed: i64,
    pub rate_limit_wait_ms: i64,
    /// (host, url, kind, message)
    pub errors: Vec<(String, String, FailureKind, String)>,
    /// (subject, action, reason, count); the reason as the crawler labels it
    /// (`REASON` or `REASON:ROUTE`).
    pub consent: Vec<(ConsentSubject, ConsentAction, String, i64)>,
}

impl Store {
    /// Records a crawl's counts, the hosts that failed and its consent report.
    pub async fn record_crawl(&self, id: i64, record: &CrawlRecord) -> Result<(), StoreError> {
        let mut tx = self
            .pool
            .begin()
            .await
            .doing("starting to record a crawl")?;
        let hosts_failed = {
            let mut hosts: Vec<&str> = record.errors.iter().map(|e| e.0.as_str()).collect();
            hosts.sort_unstable();
            hosts.dedup();
            i64::try_from(hosts.len()).unwrap_or(i64::MAX)
        };
        sqlx::query(
            "UPDATE crawl_runs SET requests = $1, posts_seen = $2, engagements_new = $3,
                engagements_removed = $4, rate_limit_wait_ms = $5, hosts_failed = $6 WHERE id = $7",
        )
        .bind(record.requests)
        .bind(record.posts_seen)
        .bind(record.engagements_new)
        .bind(record.engagements_removed)
        .bind(record.rate_limit_wait_ms)
        .bind(hosts_failed)
        .bind(id)
        .execute(&mut *tx)
        .await
        .doing("recording a crawl's counts")?;
        for (host, url, kind, message) in &record.errors {
            sqlx::query(
                "INSERT INTO crawl_errors (crawl_id, host, url, kind, message, at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(host)
            .bind(url)
            .bind(kind.as_ref())
            .bind(message)
            .bind(now())
            .execute(&mut *tx)
            .await
            .doing("recording a crawl error")?;
        }
        for (subject, action, reason, count) in &record.consent {
            sqlx::query(
                "INSERT INTO crawl_consent (crawl_id, subject, action, reason, count) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (crawl_id, subject, action, reason) DO UPDATE SET count = excluded.count",
            )
            .bind(id)
            .bind(subject.as_ref())
            .bind(action.as_ref())
            .bind(reason)
            .bind(count)
            .execute(&mut *tx)
            .await
            .doing("recording the consent report")?;
        }
        tx.commit().await.doing("saving a crawl's record")?;
        Ok(())
    }
}
