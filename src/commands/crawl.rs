//! `crawl`: one crawl of every brand (or one), recorded as a run with its consent
//! report; exit 0 done, 3 done but some hosts failed, 1 error.

use std::{process::ExitCode, time::Instant};

use anyhow::Context;
use chrono::Utc;
use fedireach_core::Since;
use fedireach_store::{CrawlRecord, CrawlStatus, Store};

use super::{open_store, sync_facts};
use crate::{
    cli::CrawlArgs,
    config::Config,
    crawl::{Bar, CrawlSetup, StoreSink, build_plan},
};

/// Exit code of a crawl that finished but could not reach some hosts.
pub const EXIT_HOSTS_FAILED: u8 = 3;

pub async fn run(config: &Config, args: CrawlArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(config).await?;
    if args.queue {
        return run_queue(config, &store, &args).await;
    }
    let since = args.since.unwrap_or(config.crawl.since);
    let (code, _) = run_once(
        config,
        &store,
        args.brand.as_deref(),
        since,
        args.max_posts,
        "manual",
    )
    .await?;
    Ok(code)
}

/// Runs the queued jobs one after the other; the exit code is the worst of their runs.
async fn run_queue(config: &Config, store: &Store, args: &CrawlArgs) -> anyhow::Result<ExitCode> {
    let mut ran = 0;
    let mut some_hosts_failed = false;
    while let Some(job) = store.claim_crawl_job().await? {
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
        match run_once(
            config,
            store,
            job.brand.as_deref(),
            since,
            args.max_posts,
            "job",
        )
        .await
        {
            Ok((code, crawl_id)) => {
                some_hosts_failed |= code == ExitCode::from(EXIT_HOSTS_FAILED);
                store.finish_crawl_job(job.id, Some(crawl_id), true).await?;
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

/// One crawl of one brand (or all), recorded as a run; returns its exit code and id.
async fn run_once(
    config: &Config,
    store: &Store,
    brand: Option<&str>,
    since: Since,
    max_posts: Option<usize>,
    trigger: &str,
) -> anyhow::Result<(ExitCode, i64)> {
    let brands = match brand {
        Some(name) => vec![store.brand(name).await?],
        None => store.list_brands().await?,
    };
    if brands.is_empty() {
        anyhow::bail!(
            "there are no brands to crawl; add one with `fedireach brand add NAME ACTOR...`"
        );
    }
    let plan = build_plan(&brands, since, max_posts, config.network.allow_http)?;
    let setup = CrawlSetup::new(config, store).await?;
    let crawl_id = store
        .start_crawl_run(trigger, brand, &since.to_string())
        .await?;
    let started = Instant::now();
    let bar = Bar::new();
    let sink = StoreSink {
        store,
        crawl_id,
        now: Utc::now().timestamp(),
    };
    let result = fedireach_crawler::crawl(
        std::sync::Arc::clone(&setup.fetcher),
        setup.key.clone(),
        setup.options.clone(),
        plan,
        &sink,
        &bar,
    )
    .await;
    bar.finish();
    let summary = match result {
        Ok(summary) => summary,
        Err(error) => {
            store
                .finish_crawl_run(crawl_id, CrawlStatus::Failed, Some(&error.to_string()))
                .await?;
            return Err(error).context("the crawl stopped");
        }
    };
    record(store, crawl_id, &summary).await?;
    let failed = summary.failed_hosts();
    let status = if failed.is_empty() {
        CrawlStatus::Done
    } else {
        CrawlStatus::Partial
    };
    store.finish_crawl_run(crawl_id, status, None).await?;
    print_summary(&summary, started.elapsed());
    // What the crawl wrote, purged (410s, Deletes, opt-outs) or marked removed reaches
    // the analytics' copy now, not at the next report. The crawl itself is done: a copy
    // that cannot follow is rebuilt by the next reader, so this only warns.
    if let Err(error) = sync_facts(config, store).await {
        tracing::warn!(
            error = format!("{error:#}"),
            "the analytics copy was not updated"
        );
        eprintln!("warning: {error:#}");
    }
    let code = if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_HOSTS_FAILED)
    };
    Ok((code, crawl_id))
}

async fn record(
    store: &Store,
    crawl_id: i64,
    summary: &fedireach_crawler::CrawlSummary,
) -> anyhow::Result<()> {
    let to_i64 = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    store
        .record_crawl(
            crawl_id,
            &CrawlRecord {
                requests: to_i64(summary.requests),
                posts_seen: to_i64(summary.posts),
                engagements_new: to_i64(summary.engagements_found),
                engagements_removed: to_i64(summary.engagements_removed),
                rate_limit_wait_ms: to_i64(summary.rate_limit_wait_ms),
                errors: summary
                    .failures
                    .iter()
                    .map(|f| {
                        (
                            f.host.clone(),
                            f.url.clone(),
                            f.kind.to_owned(),
                            f.message.clone(),
                        )
                    })
                    .collect(),
                consent: summary
                    .consent
                    .iter()
                    .map(|(k, n)| {
                        (
                            k.subject.to_owned(),
                            k.action.to_owned(),
                            k.reason.clone(),
                            to_i64(*n),
                        )
                    })
                    .collect(),
            },
        )
        .await?;
    Ok(())
}

fn print_summary(summary: &fedireach_crawler::CrawlSummary, elapsed: std::time::Duration) {
    println!(
        "crawled {} brand(s), {} actor(s) ({} unresolved), {} posts, {} engagements found, {} removed, {} instances, in {:.1}s",
        summary.brands,
        summary.actors_resolved,
        summary.actors_failed,
        summary.posts,
        summary.engagements_found,
        summary.engagements_removed,
        summary.instances,
        elapsed.as_secs_f64()
    );
    println!(
        "{} requests, {} waits for rate limits ({:.1}s)",
        summary.requests,
        summary.rate_limit_waits,
        summary.rate_limit_wait_ms as f64 / 1000.0
    );
    let failed = summary.failed_hosts();
    if !failed.is_empty() {
        println!("hosts that failed ({}):", failed.len());
        for host in failed {
            let first = summary.failures.iter().find(|f| f.host == host);
            if let Some(f) = first {
                println!("  {host}: {} ({})", f.kind, f.message);
            }
        }
    }
    if summary.consent.is_empty() {
        println!("consent report: nothing left out or anonymised");
    } else {
        println!("consent report:");
        for (key, count) in &summary.consent {
            println!(
                "  {count} {} {} ({})",
                key.subject,
                key.action.replace('_', " "),
                key.reason
            );
        }
    }
}
