//! `crawl`: one crawl of every brand (or one), recorded as a run with its consent
//! report; exit 0 done, 3 done but some hosts failed or a brand actor could not be
//! read, 1 error. It takes the crawl lease first, so it never runs beside `serve`'s
//! scheduled crawls or another `crawl`.

use std::process::ExitCode;

use anyhow::Context;
use fedireach_core::CrawlTrigger;
use fedireach_crawler::CrawlProgress;
use fedireach_store::Store;

use super::{open_store, shutdown_signal, sync_facts};
use crate::{
    cli::CrawlArgs,
    config::Config,
    crawl::{Bar, CrawlLease, CrawlSpec, Ended, Tokens, run_crawl, summary_text},
};

/// Exit code of a crawl that finished but could not reach some hosts.
pub const EXIT_HOSTS_FAILED: u8 = 3;

/// Exit code of a crawl stopped by Ctrl-C or SIGTERM (128 + SIGINT, as shells expect).
const EXIT_STOPPED: u8 = 130;

pub async fn run(config: &Config, args: CrawlArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(config).await?;
    let lease = match CrawlLease::try_take(&store).await? {
        Ok(lease) => lease,
        Err(holder) => anyhow::bail!(
            "another crawl is running on this database (held by {holder}); \
             try again when it ends, or queue one with the dashboard's \"crawl now\""
        ),
    };
    let result = if args.queue {
        run_queue(config, &store, &args, &lease).await
    } else {
        let spec = CrawlSpec {
            brand: args.brand.as_deref(),
            since: args.since.unwrap_or(config.crawl.since),
            max_posts: args.max_posts,
            trigger: CrawlTrigger::Manual,
        };
        run_one(config, &store, &spec, &lease)
            .await
            .map(|(code, _)| code)
    };
    lease.release().await?;
    result
}

/// Runs the queued jobs one after the other; the exit code is the worst of their runs.
async fn run_queue(
    config: &Config,
    store: &Store,
    args: &CrawlArgs,
    lease: &CrawlLease,
) -> anyhow::Result<ExitCode> {
    let mut ran = 0;
    let mut some_hosts_failed = false;
    while let Some(job) = store.claim_crawl_job(crate::crawl::holder_id()).await? {
        ran += 1;
        let since = match &job.since {
            Some(text) => text.parse().unwrap_or(config.crawl.since),
            None => args.since.unwrap_or(config.crawl.since),
        };
        println!(
            "crawl job {} ({})",
            job.id,
            job.brand.as_deref().unwrap_or("every brand")
        );
        let spec = CrawlSpec {
            brand: job.brand.as_deref(),
            since,
            max_posts: args.max_posts,
            trigger: CrawlTrigger::Job,
        };
        match run_one(config, store, &spec, lease).await {
            Ok((code, Some(crawl_id))) => {
                some_hosts_failed |= code == ExitCode::from(EXIT_HOSTS_FAILED);
                store.finish_crawl_job(job.id, Some(crawl_id), true).await?;
            }
            Ok((code, None)) => {
                store.requeue_crawl_job(job.id).await?;
                return Ok(code);
            }
            Err(error) => {
                store.finish_crawl_job(job.id, None, false).await?;
                return Err(error.context(format!("crawl job {} failed", job.id)));
            }
        }
    }
    if ran == 0 {
        println!("no crawl is queued");
    }
    Ok(if some_hosts_failed {
        ExitCode::from(EXIT_HOSTS_FAILED)
    } else {
        ExitCode::SUCCESS
    })
}

/// One crawl with a progress bar; its exit code and run id (`None`: it was stopped).
async fn run_one(
    config: &Config,
    store: &Store,
    spec: &CrawlSpec<'_>,
    lease: &CrawlLease,
) -> anyhow::Result<(ExitCode, Option<i64>)> {
    let bar = Bar::new();
    let stop = async {
        tokio::select! {
            () = shutdown_signal() => {}
            () = lease.lost() => {}
        }
    };
    let ended = run_crawl(
        config,
        store,
        &Tokens::Environment,
        spec,
        &bar as &dyn CrawlProgress,
        stop,
    )
    .await;
    bar.finish();
    match ended.context("the crawl failed")? {
        Ended::Finished(finished) => {
            print!("{}", summary_text(&finished.summary, finished.elapsed));
            // What the crawl wrote, purged (410s, Deletes, opt-outs) or marked removed
            // reaches the analytics' copy now, not at the next report. The crawl itself
            // is done: a copy that cannot follow is rebuilt by the next reader, so this
            // only warns.
            if let Err(error) = sync_facts(config, store).await {
                tracing::warn!(
                    error = format!("{error:#}"),
                    "the analytics copy was not updated"
                );
                eprintln!("warning: {error:#}");
            }
            let code = if finished.hosts_failed() {
                ExitCode::from(EXIT_HOSTS_FAILED)
            } else {
                ExitCode::SUCCESS
            };
            Ok((code, Some(finished.crawl_id)))
        }
        Ended::Stopped { crawl_id } => {
            println!(
                "crawl {crawl_id} stopped before the end; what it found is kept, the next crawl resumes"
            );
            Ok((ExitCode::from(EXIT_STOPPED), None))
        }
    }
}
