//! The scheduler inside `serve`: a timer that queues a crawl of every brand at each
//! time of the cron schedule (plus a random jitter), and a worker that runs queued
//! crawl jobs (the timer's, the dashboard's "crawl now", the API's) one at a time under
//! the crawl lease, so no two crawls overlap, across processes too.
//!
//! A scheduled time is queued once whatever the number of `serve` processes (the job
//! table has one row per scheduled time); the run due before start-up is queued at
//! start-up, so a night missed while the service was down is made up at once. On
//! shutdown the running crawl stops, what it wrote stays, and its job is queued again.

mod exports;
mod timer;

pub(crate) use exports::file_safe;

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use anyhow::Context;
use fedireach_core::CrawlTrigger;
use fedireach_crawler::NoProgress;
use fedireach_store::{CrawlJob, Store};
use fedireach_web::{AppState, CrawlSample};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::{
    config::Config,
    crawl::{CrawlLease, CrawlSpec, Ended, Finished, Tokens, holder_id, run_crawl},
    deliver,
};

/// How often the worker looks for jobs queued by other processes, and retries the
/// lease when another process holds it.
const POLL: Duration = Duration::from_secs(2);
/// How often failed report mails are looked at for a due retry.
const RETRY_POLL: Duration = Duration::from_secs(60);

/// How the timer retries a step that failed (a `database is locked`, a full disk): the
/// first retry after `first`, each next one after twice as long up to `longest`; after
/// `attempts` failures in a row the timer gives up and `serve` stops with the error, so
/// a supervisor sees it rather than a dashboard that never crawls again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub first: Duration,
    pub longest: Duration,
    pub attempts: u32,
}

impl Default for Backoff {
    /// About 16 minutes of retries (5 s, 10 s, 20 s, ... 5 min): longer than any lock a
    /// crawl's bounded transactions hold, short enough to be noticed the same night.
    fn default() -> Self {
        Self {
            first: Duration::from_secs(5),
            longest: Duration::from_secs(300),
            attempts: 8,
        }
    }
}

/// The scheduler: its timer and worker run together in the caller's task.
#[derive(Debug)]
pub struct Scheduler {
    config: Arc<Config>,
    store: Store,
    tokens: Tokens,
    web: AppState,
    /// Wakes the worker when the timer queues a job in this process.
    wake: Notify,
    backoff: Backoff,
    /// Timer steps that failed (each retried), for tests and logs.
    timer_failures: AtomicU64,
}

impl Scheduler {
    pub fn new(config: Arc<Config>, store: Store, tokens: Tokens, web: AppState) -> Self {
        Self {
            config,
            store,
            tokens,
            web,
            wake: Notify::new(),
            backoff: Backoff::default(),
            timer_failures: AtomicU64::new(0),
        }
    }

    /// Runs the worker, and the timer if `timer` is set, until `stop` is cancelled or
    /// either fails (then it cancels `stop`, and the error is returned). Both run in the
    /// caller's task: a crawl's future is not `Send` (the crawler joins futures that
    /// borrow its state), and needs not be.
    pub async fn run(&self, timer: bool, stop: &CancellationToken) -> anyhow::Result<()> {
        let worker = async {
            let result = self.worker(stop).await;
            stop.cancel();
            result
        };
        let timed = async {
            if !timer {
                return Ok(());
            }
            let result = self.timer(stop).await;
            if let Err(error) = &result {
                tracing::error!(
                    error = format!("{error:#}"),
                    "the crawl schedule cannot go on; stopping"
                );
                stop.cancel();
            }
            result.context("the crawl schedule failed")
        };
        let retries = async {
            if !self.config.delivery.is_empty() {
                self.retry_deliveries(stop).await;
            }
        };
        let (worked, timed, ()) = tokio::join!(worker, timed, retries);
        timed.and(worked)
    }

    /// Runs one step of the timer, retrying it with backoff while it fails; the last
    /// error once `backoff.attempts` failed in a row. `Ok(None)`: stopped meanwhile.
    async fn retrying<T, F: Future<Output = anyhow::Result<T>>>(
        &self,
        what: &str,
        stop: &CancellationToken,
        mut step: impl FnMut() -> F,
    ) -> anyhow::Result<Option<T>> {
        let mut wait = self.backoff.first;
        let mut failed = 0;
        loop {
            let error = match step().await {
                Ok(value) => return Ok(Some(value)),
                Err(error) => error,
            };
            failed += 1;
            self.timer_failures.fetch_add(1, Ordering::Relaxed);
            if failed >= self.backoff.attempts {
                return Err(error.context(format!("{what} failed {failed} times in a row")));
            }
            tracing::warn!(
                error = format!("{error:#}"),
                retry_in_s = wait.as_secs_f64(),
                attempt = failed,
                "{what} failed; trying again"
            );
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = stop.cancelled() => return Ok(None),
            }
            wait = (wait * 2).min(self.backoff.longest);
        }
    }

    /// Retries failed report mails when their backoff is over.
    async fn retry_deliveries(&self, stop: &CancellationToken) {
        loop {
            tokio::select! {
                () = tokio::time::sleep(RETRY_POLL) => {}
                () = stop.cancelled() => return,
            }
            let due = self.store.due_delivery_retries().await;
            if due.as_ref().is_ok_and(Vec::is_empty) {
                continue;
            }
            let analytics = self.web.analytics();
            if let Err(error) = deliver::retry_due(&self.config, &self.store, &analytics).await {
                tracing::error!(
                    error = format!("{error:#}"),
                    "cannot retry the report mails"
                );
            }
        }
    }

    /// Runs queued jobs, one at a time, under the crawl lease.
    async fn worker(&self, stop: &CancellationToken) -> anyhow::Result<()> {
        loop {
            if stop.is_cancelled() {
                return Ok(());
            }
            // A running job is another process's crawl, or one left by a process that
            // died: trying the lease tells which (and recovers the latter).
            if self.store.unfinished_crawl_jobs().await? == 0 {
                tokio::select! {
                    () = self.wake.notified() => {}
                    () = tokio::time::sleep(POLL) => {}
                    () = stop.cancelled() => return Ok(()),
                }
                continue;
            }
            let lease = match CrawlLease::try_take(&self.store).await? {
                Ok(lease) => lease,
                Err(holder) => {
                    tracing::debug!(%holder, "a crawl is running elsewhere; waiting");
                    tokio::select! {
                        () = tokio::time::sleep(POLL) => {}
                        () = stop.cancelled() => return Ok(()),
                    }
                    continue;
                }
            };
            let result = self.drain(&lease, stop).await;
            lease.release().await?;
            result?;
        }
    }

    /// Runs every queued job while holding the lease.
    async fn drain(&self, lease: &CrawlLease, stop: &CancellationToken) -> anyhow::Result<()> {
        while !stop.is_cancelled() {
            let Some(job) = self.store.claim_crawl_job(holder_id()).await? else {
                return Ok(());
            };
            self.run_job(&job, lease, stop).await?;
        }
        Ok(())
    }

    async fn run_job(
        &self,
        job: &CrawlJob,
        lease: &CrawlLease,
        stop: &CancellationToken,
    ) -> anyhow::Result<()> {
        let since = job
            .since
            .as_deref()
            .and_then(|s| s.parse().ok())
            .unwrap_or(self.config.crawl.since);
        let trigger = if job.requested_by == "schedule" {
            CrawlTrigger::Schedule
        } else {
            CrawlTrigger::Job
        };
        let spec = CrawlSpec {
            brand: job.brand.as_deref(),
            since,
            max_posts: None,
            trigger,
        };
        tracing::info!(
            job = job.id,
            brand = job.brand.as_deref().unwrap_or("every brand"),
            requested_by = %job.requested_by,
            "crawl starting"
        );
        let stop_crawl = async {
            tokio::select! {
                () = stop.cancelled() => {}
                () = lease.lost() => {}
            }
        };
        let ended = run_crawl(
            &self.config,
            &self.store,
            &self.tokens,
            &spec,
            &NoProgress,
            stop_crawl,
        )
        .await;
        match ended {
            Ok(Ended::Finished(finished)) => {
                self.store
                    .finish_crawl_job(job.id, Some(finished.crawl_id), true)
                    .await?;
                self.after_crawl(trigger, &finished).await;
            }
            Ok(Ended::Stopped { crawl_id }) => {
                self.store.requeue_crawl_job(job.id).await?;
                self.web.metrics().record_crawl(&CrawlSample {
                    trigger,
                    status: "interrupted".to_owned(),
                    ..CrawlSample::default()
                });
                tracing::info!(
                    job = job.id,
                    crawl_id,
                    "crawl stopped; its job is queued again"
                );
            }
            Err(error) => self.crawl_failed(job, trigger, &error).await?,
        }
        Ok(())
    }

    /// A job's crawl failed: the job is marked failed, counted, and alerted.
    async fn crawl_failed(
        &self,
        job: &CrawlJob,
        trigger: CrawlTrigger,
        error: &anyhow::Error,
    ) -> anyhow::Result<()> {
        self.store.finish_crawl_job(job.id, None, false).await?;
        self.web.metrics().record_crawl(&CrawlSample {
            trigger,
            status: "failed".to_owned(),
            ..CrawlSample::default()
        });
        tracing::error!(job = job.id, error = format!("{error:#}"), "crawl failed");
        let job_name = format!("job {}", job.id);
        let message = format!("{error:#}");
        if let Err(alert) =
            deliver::crawl_failed(&self.config, &self.store, &job_name, &message).await
        {
            tracing::error!(
                error = format!("{alert:#}"),
                "cannot send the crawl-failed alert"
            );
        }
        Ok(())
    }

    /// After a crawl: metrics, fresh dashboard figures, scheduled exports.
    async fn after_crawl(&self, trigger: CrawlTrigger, finished: &Finished) {
        let summary = &finished.summary;
        let status = if finished.hosts_failed() {
            "partial"
        } else {
            "done"
        };
        let mut requests = Vec::new();
        for (host, counts) in &finished.per_host {
            for (code, n) in &counts.by_status {
                requests.push((host.clone(), code.to_string(), *n));
            }
            if counts.failures > 0 {
                requests.push((host.clone(), "error".to_owned(), counts.failures));
            }
        }
        self.web.metrics().record_crawl(&CrawlSample {
            trigger,
            status: status.to_owned(),
            seconds: finished.elapsed.as_secs_f64(),
            engagements_found: summary.engagements_found,
            rate_limit_waits: summary.rate_limit_waits,
            rate_limit_wait_seconds: std::time::Duration::from_millis(summary.rate_limit_wait_ms)
                .as_secs_f64(),
            requests,
        });
        tracing::info!(
            crawl_id = finished.crawl_id,
            status,
            posts = summary.posts,
            engagements = summary.engagements_found,
            removed = summary.engagements_removed,
            requests = summary.requests,
            failed_hosts = summary.failed_hosts().len(),
            seconds = finished.elapsed.as_secs(),
            "crawl finished"
        );
        if let Err(error) = self.web.invalidate().await {
            tracing::warn!(%error, "cannot refresh the dashboard's figures after the crawl");
        }
        if trigger == CrawlTrigger::Schedule && !self.config.exports.dir.as_os_str().is_empty() {
            match exports::write(&self.config, &self.web).await {
                Ok(files) => {
                    tracing::info!(files, dir = %self.config.exports.dir.display(), "reports exported")
                }
                Err(error) => {
                    tracing::error!(error = format!("{error:#}"), "the scheduled export failed")
                }
            }
        }
        self.deliver(trigger).await;
    }

    /// After a crawl: the alerts, and after a scheduled one the report mails that are
    /// due. Failures are logged and recorded; the crawl stays done.
    async fn deliver(&self, trigger: CrawlTrigger) {
        if self.config.delivery.is_empty() && self.config.alert.is_empty() {
            return;
        }
        let analytics = self.web.analytics();
        if trigger == CrawlTrigger::Schedule && !self.config.delivery.is_empty() {
            match deliver::run_due(&self.config, &self.store, &analytics).await {
                Ok(outcomes) => tracing::info!(?outcomes, "report mails"),
                Err(error) => {
                    tracing::error!(error = format!("{error:#}"), "the report mails failed")
                }
            }
        }
        if let Err(error) = deliver::evaluate_alerts(&self.config, &self.store, &analytics).await {
            tracing::error!(error = format!("{error:#}"), "the alert rules failed");
        }
    }
}
