//! The scheduler's timer: at each time of the cron schedule (plus a random jitter) it
//! queues one crawl of every brand, once whatever the number of processes; at start-up
//! it queues the run a downtime missed; each next time is recorded for the dashboards.

use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use tokio_util::sync::CancellationToken;

use super::Scheduler;

impl Scheduler {
    /// Queues a crawl at each time of the schedule.
    pub(super) async fn timer(&self, stop: &CancellationToken) -> anyhow::Result<()> {
        let schedule = &self.config.schedule;
        let cron = schedule.cron.cron();
        let zone: Tz = schedule.time_zone.0;
        let now = Utc::now().with_timezone(&zone);
        if let Ok(previous) = cron.find_previous_occurrence(&now, true) {
            let previous = previous.with_timezone(&Utc);
            let caught_up = self
                .retrying("queueing the missed scheduled crawl", stop, || {
                    self.catch_up(previous)
                })
                .await?;
            if caught_up.is_none() {
                return Ok(());
            }
        }
        loop {
            let now = Utc::now().with_timezone(&zone);
            let next = cron
                .find_next_occurrence(&now, false)
                .context("the cron schedule has no next time")?;
            let jitter = jitter(schedule.jitter);
            let wait = (next.with_timezone(&Utc) - Utc::now())
                .to_std()
                .unwrap_or_default()
                + jitter;
            tracing::info!(
                at = %next,
                cron = schedule.cron.as_str(),
                jitter_s = jitter.as_secs(),
                "next scheduled crawl"
            );
            // Every dashboard shows it; not knowing it is no reason to stop the timer.
            if let Err(error) = self
                .store
                .set_next_scheduled_crawl(next.with_timezone(&Utc).timestamp())
                .await
            {
                tracing::warn!(%error, "cannot record the next scheduled crawl");
            }
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = stop.cancelled() => return Ok(()),
            }
            let at = next.with_timezone(&Utc);
            let queued = self
                .retrying("queueing the scheduled crawl", stop, || {
                    self.queue(at, "scheduled")
                })
                .await?;
            if queued.is_none() {
                return Ok(());
            }
        }
    }

    /// At start-up: queues the crawl of the last scheduled time if none covered it.
    async fn catch_up(&self, previous: DateTime<Utc>) -> anyhow::Result<()> {
        let covered = self
            .store
            .last_full_crawl_started()
            .await?
            .is_some_and(|started| started >= previous.timestamp());
        if !covered {
            self.queue(previous, "the last scheduled crawl did not run")
                .await?;
        }
        Ok(())
    }

    /// Queues the crawl of the scheduled time `at`, unless some process already did.
    async fn queue(&self, at: DateTime<Utc>, why: &str) -> anyhow::Result<()> {
        if self.store.list_brands().await?.is_empty() {
            tracing::info!("no brands yet: nothing to crawl on schedule");
            return Ok(());
        }
        if let Some(job) = self.store.enqueue_scheduled_crawl(at.timestamp()).await? {
            tracing::info!(job, scheduled_for = %at, "{why}: crawl queued");
            self.wake.notify_one();
        }
        Ok(())
    }
}

/// A random delay in `[0, max]`, whole seconds.
fn jitter(max: Duration) -> Duration {
    if max.is_zero() {
        return Duration::ZERO;
    }
    Duration::from_secs(rand::random_range(0..=max.as_secs()))
}

#[cfg(test)]
mod tests {
    use std::{path::Path, time::Instant};

    use fedireach_core::{ActorRef, ActorRefOptions};
    use fedireach_web::{Dashboards, WebConfig};
    use sqlx::{Connection, SqliteConnection};

    use std::sync::{Arc, atomic::Ordering};

    use fedireach_store::Store;
    use fedireach_web::AppState;

    use super::*;
    use crate::{
        config::{Config, CronExpr, ScheduleConfig, Zone},
        crawl::Tokens,
        schedule::Backoff,
    };

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    /// Bounds each wait of these tests; they poll, never sleep for a result.
    const LIMIT: Duration = Duration::from_secs(30);

    /// A scheduler firing every second on a database with one brand, retrying fast.
    async fn scheduler(dir: &Path) -> Result<(Scheduler, String), Box<dyn std::error::Error>> {
        let url = format!("sqlite://{}", dir.join("schedule.db").display());
        let store = Store::open(&url).await?;
        store
            .add_brand(
                "acme",
                &[ActorRef::parse(
                    "@acme@acme.example",
                    ActorRefOptions::default(),
                )?],
                None,
            )
            .await?;
        let config = Config {
            db: url.clone(),
            facts_dir: dir.join("facts"),
            schedule: ScheduleConfig {
                cron: CronExpr::parse("* * * * * *")?,
                time_zone: Zone::default(),
                jitter: Duration::ZERO,
            },
            ..Config::default()
        };
        let dashboards =
            Dashboards::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("dashboards"))?;
        let web = AppState::new(store.clone(), dashboards, WebConfig::default()).await?;
        let mut scheduler = Scheduler::new(Arc::new(config), store, Tokens::Environment, web);
        scheduler.backoff = Backoff {
            first: Duration::from_millis(50),
            longest: Duration::from_secs(1),
            attempts: 8,
        };
        Ok((scheduler, url))
    }

    /// Renames a table: `brands` away makes every step of the timer fail (it lists the
    /// brands before queueing), as a database error would, until it is renamed back.
    async fn rename(url: &str, from: &str, to: &str) -> Result<(), sqlx::Error> {
        let mut db = SqliteConnection::connect(url).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "ALTER TABLE {from} RENAME TO {to}"
        )))
        .execute(&mut db)
        .await?;
        db.close().await
    }

    async fn until(what: &str, mut done: impl AsyncFnMut() -> bool) -> Result<(), String> {
        let deadline = Instant::now() + LIMIT;
        while !done().await {
            if Instant::now() > deadline {
                return Err(format!("still waiting after {LIMIT:?} for {what}"));
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        Ok(())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_timer_that_failed_retries_and_queues_again() -> TestResult {
        let dir = tempfile::TempDir::new()?;
        let (scheduler, url) = scheduler(dir.path()).await?;
        rename(&url, "brands", "brands_away").await?;
        let stop = CancellationToken::new();
        let check = async {
            until("a failed timer step", async || {
                scheduler.timer_failures.load(Ordering::Relaxed) >= 1
            })
            .await?;
            rename(&url, "brands_away", "brands")
                .await
                .map_err(|e| e.to_string())?;
            until("a scheduled job", async || {
                scheduler.store.unfinished_crawl_jobs().await.unwrap_or(0) > 0
            })
            .await?;
            stop.cancel();
            Ok::<_, String>(())
        };
        let (timed, checked) = tokio::join!(scheduler.timer(&stop), check);
        checked?;
        timed?;
        Ok(())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_timer_that_cannot_recover_stops_the_scheduler_with_its_error() -> TestResult {
        let dir = tempfile::TempDir::new()?;
        let (scheduler, url) = scheduler(dir.path()).await?;
        rename(&url, "brands", "brands_away").await?;
        let stop = CancellationToken::new();
        let ran = tokio::time::timeout(LIMIT, scheduler.run(true, &stop)).await?;
        let message = ran.err().map(|e| format!("{e:#}")).unwrap_or_default();
        assert!(message.contains("schedule"), "{message}");
        assert!(message.contains("8 times in a row"), "{message}");
        assert!(stop.is_cancelled(), "serve is told to stop");
        assert_eq!(scheduler.timer_failures.load(Ordering::Relaxed), 8);
        Ok(())
    }
}
