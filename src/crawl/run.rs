//! One crawl from start to end, as every caller runs it (`crawl`, `crawl --queue`, the
//! scheduler in `serve`, `demo`): the plan from the store's brands, the crawl recorded
//! as a run with its counts, failures and consent report, and a clean stop on request
//! (everything written so far is committed; the next crawl resumes from there).

use std::{
    collections::HashMap,
    future::Future,
    time::{Duration, Instant},
};

use anyhow::Context;
use chrono::Utc;
use fedireach_core::{CrawlTrigger, Since};
use fedireach_crawler::{CrawlProgress, CrawlSummary, HostCounts};
use fedireach_store::{CrawlRecord, CrawlStatus, Store};

use super::{CrawlSetup, StoreSink, build_plan};
use crate::config::Config;

/// Where owned brands' tokens come from.
#[derive(Debug, Clone, Default)]
pub enum Tokens {
    /// The variable each brand names (`brand add --token-env VAR`), read at crawl time.
    #[default]
    Environment,
    /// Given by the caller, by variable name (the demo, whose simulated world hands
    /// them out; the user's environment is not touched).
    #[cfg(feature = "simulation")]
    Given(std::collections::BTreeMap<String, String>),
}

impl Tokens {
    /// The token held by `variable`, if any.
    pub fn get(&self, variable: &str) -> Option<String> {
        match self {
            Self::Environment => std::env::var(variable).ok(),
            #[cfg(feature = "simulation")]
            Self::Given(tokens) => tokens.get(variable).cloned(),
        }
    }
}

/// What to crawl.
#[derive(Debug, Clone)]
pub struct CrawlSpec<'a> {
    /// One brand, or every brand.
    pub brand: Option<&'a str>,
    pub since: Since,
    pub max_posts: Option<usize>,
    /// Recorded on the run.
    pub trigger: CrawlTrigger,
}

/// A crawl that ran to its end.
#[derive(Debug)]
pub struct Finished {
    pub crawl_id: i64,
    pub summary: CrawlSummary,
    /// Requests per host, by status.
    pub per_host: HashMap<String, HostCounts>,
    pub elapsed: Duration,
}

impl Finished {
    /// Whether some hosts failed, or some brand actor could not be resolved or have
    /// its posts listed (exit code 3).
    pub fn hosts_failed(&self) -> bool {
        !self.summary.failed_hosts().is_empty()
            || !self.summary.unresolved.is_empty()
            || !self.summary.unlisted.is_empty()
    }
}

/// How a crawl ended, unless it failed.
#[derive(Debug)]
pub enum Ended {
    /// Boxed: a summary is far larger than the stop's id.
    Finished(Box<Finished>),
    /// Stopped on request (shutdown) or because the lease was lost; recorded as
    /// `interrupted`, its work so far committed.
    Stopped { crawl_id: i64 },
}

/// What `spec` asks to crawl, as the crawler's plan; an error when there is no brand.
async fn plan(
    config: &Config,
    store: &Store,
    tokens: &Tokens,
    spec: &CrawlSpec<'_>,
) -> anyhow::Result<fedireach_crawler::CrawlPlan> {
    let brands = match spec.brand {
        Some(name) => vec![store.brand(name).await?],
        None => store.list_brands().await?,
    };
    if brands.is_empty() {
        anyhow::bail!(
            "there are no brands to crawl; add one with `fedireach brand add NAME ACTOR...`"
        );
    }
    build_plan(
        &brands,
        spec.since,
        spec.max_posts,
        config.network.allow_http,
        tokens,
    )
}

/// Runs one crawl until its end or until `stop` resolves. The caller holds the crawl
/// lease.
pub async fn run_crawl(
    config: &Config,
    store: &Store,
    tokens: &Tokens,
    spec: &CrawlSpec<'_>,
    progress: &dyn CrawlProgress,
    stop: impl Future<Output = ()>,
) -> anyhow::Result<Ended> {
    let plan = plan(config, store, tokens, spec).await?;
    let setup = CrawlSetup::new(config, store).await?;
    setup
        .denylist
        .apply(store)
        .await
        .context("purging what the denylist bars")?;
    let crawl_id = store
        .start_crawl_run(spec.trigger, spec.brand, &spec.since.to_string())
        .await?;
    let span = tracing::info_span!("crawl", id = crawl_id, trigger = %spec.trigger);
    let started = Instant::now();
    let sink = StoreSink {
        store,
        denylist: &setup.denylist,
        crawl_id,
        now: Utc::now().timestamp(),
    };
    let crawl = fedireach_crawler::crawl(
        std::sync::Arc::clone(&setup.fetcher),
        setup.key.clone(),
        setup.options.clone(),
        plan,
        &sink,
        progress,
    );
    let result = tokio::select! {
        result = tracing::Instrument::instrument(crawl, span) => result,
        () = stop => {
            store
                .finish_crawl_run(
                    crawl_id,
                    CrawlStatus::Interrupted,
                    Some("stopped before the end; the next crawl resumes"),
                )
                .await?;
            tracing::info!(crawl_id, "crawl stopped; what it found so far is kept");
            return Ok(Ended::Stopped { crawl_id });
        }
    };
    let summary = finish(store, crawl_id, result).await?;
    Ok(Ended::Finished(Box::new(Finished {
        crawl_id,
        per_host: setup.fetcher.stats().per_host(),
        summary,
        elapsed: started.elapsed(),
    })))
}

/// Records how the crawl ended: failed, or its summary and `done` or `partial`.
async fn finish(
    store: &Store,
    crawl_id: i64,
    result: Result<CrawlSummary, fedireach_crawler::CrawlError>,
) -> anyhow::Result<CrawlSummary> {
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
    let status = if summary.failed_hosts().is_empty() {
        CrawlStatus::Done
    } else {
        CrawlStatus::Partial
    };
    store.finish_crawl_run(crawl_id, status, None).await?;
    Ok(summary)
}

async fn record(store: &Store, crawl_id: i64, summary: &CrawlSummary) -> anyhow::Result<()> {
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
                    .map(|f| (f.host.clone(), f.url.clone(), f.kind, f.message.clone()))
                    .collect(),
                consent: summary
                    .consent
                    .iter()
                    .map(|(k, n)| (k.subject, k.action, k.reason_label(), to_i64(*n)))
                    .collect(),
            },
        )
        .await?;
    Ok(())
}

/// The end-of-crawl summary, as printed by `crawl` and `demo`.
pub fn summary_text(summary: &CrawlSummary, elapsed: Duration) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "crawled {} brand(s), {} actor(s) ({} unresolved), {} posts ({} unchanged), {} engagements found, {} removed, {} instances, in {:.1}s",
        summary.brands,
        summary.actors_resolved,
        summary.actors_failed,
        summary.posts,
        summary.posts_unchanged,
        summary.engagements_found,
        summary.engagements_removed,
        summary.instances,
        elapsed.as_secs_f64()
    );
    let _ = writeln!(
        out,
        "{} requests, {} waits for rate limits ({:.1}s)",
        summary.requests,
        summary.rate_limit_waits,
        std::time::Duration::from_millis(summary.rate_limit_wait_ms).as_secs_f64()
    );
    for (title, actors) in [
        (
            "brand actors that could not be resolved",
            &summary.unresolved,
        ),
        (
            "brand actors whose posts could not be listed",
            &summary.unlisted,
        ),
    ] {
        if !actors.is_empty() {
            let _ = writeln!(out, "{title} ({}):", actors.len());
            for u in actors {
                let _ = writeln!(out, "  {}: {}", u.actor, u.reason);
            }
        }
    }
    let failed = summary.failed_hosts();
    if !failed.is_empty() {
        let _ = writeln!(out, "hosts that failed ({}):", failed.len());
        for host in failed {
            if let Some(f) = summary.failures.iter().find(|f| f.host == host) {
                let _ = writeln!(out, "  {host}: {} ({})", f.kind, f.message);
            }
        }
    }
    if summary.consent.is_empty() {
        let _ = writeln!(out, "consent report: nothing left out or anonymised");
    } else {
        let _ = writeln!(out, "consent report:");
        for (key, count) in &summary.consent {
            let _ = writeln!(
                out,
                "  {count} {} {} ({})",
                key.subject,
                key.action.as_ref().replace('_', " "),
                key.reason_label()
            );
        }
    }
    out
}
