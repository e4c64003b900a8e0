//! `crawl`: one crawl of every brand (or one), recorded as a run with its consent
//! report; exit 0 done, 3 done but some hosts failed, 1 error.

use std::{process::ExitCode, time::Instant};

use anyhow::Context;
use chrono::Utc;
use fedireach_core::Since;
use fedireach_store::{CrawlRecord, CrawlStatus, Store};

use super::open_store;
use crate::{
    cli::CrawlArgs,
    config::Config,
    crawl::{Bar, CrawlSetup, StoreSink, build_plan},
};

/// Exit code of a crawl that finished but could not reach some hosts.
pub const EXIT_HOSTS_FAILED: u8 = 3;

pub async fn run(config: &Config, args: CrawlArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(config).await?;
    let brands = match &args.brand {
        Some(name) => vec![store.brand(name).await?],
        None => store.list_brands().await?,
    };
    if brands.is_empty() {
        anyhow::bail!(
            "there are no brands to crawl; add one with `fedireach brand add NAME ACTOR...`"
        );
    }
    let since: Since = args.since.unwrap_or(config.crawl.since);
    let plan = build_plan(&brands, since, args.max_posts, config.network.allow_http)?;
    let setup = CrawlSetup::new(config, &store).await?;
    let crawl_id = store
        .start_crawl_run("manual", args.brand.as_deref(), &since.to_string())
        .await?;
    let started = Instant::now();
    let bar = Bar::new();
    let sink = StoreSink {
        store: &store,
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
    record(&store, crawl_id, &summary).await?;
    let failed = summary.failed_hosts();
    let status = if failed.is_empty() {
        CrawlStatus::Done
    } else {
        CrawlStatus::Partial
    };
    store.finish_crawl_run(crawl_id, status, None).await?;
    print_summary(&summary, started.elapsed());
    Ok(if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_HOSTS_FAILED)
    })
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
