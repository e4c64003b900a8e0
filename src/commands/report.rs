//! `report KIND`: the analytics over the store, in a table, CSV or JSON.

use std::{io::Write, process::ExitCode};

use anyhow::Context;
use fedireach_analytics::{Baseline, Format, Granularity, ReportRequest, Window};

use super::open_analytics;
use crate::{
    cli::{Bucket, ReportArgs},
    config::Config,
};

pub async fn run(config: &Config, args: ReportArgs) -> anyhow::Result<ExitCode> {
    // Everything the user typed is checked before the database is read (the kind and
    // format by clap).
    let (kind, format) = (args.kind, args.format);
    let baseline = match (&args.compare_from, args.previous_year) {
        (Some(date), _) => match Baseline::parse(date) {
            Some(from @ Baseline::From(_)) => from,
            _ => anyhow::bail!(
                "--compare-from {date:?} is not a date: give the first day of the period to \
                 compare with as YYYY-MM-DD"
            ),
        },
        (None, true) => Baseline::PreviousYear,
        (None, false) => Baseline::PreviousPeriod,
    };
    let window = Window::parse(args.from.as_deref(), args.to.as_deref(), args.tz.as_deref())?
        .with_baseline(baseline);
    let request = ReportRequest {
        kind,
        brands: args.brands.clone(),
        window,
        granularity: match args.by {
            Bucket::Day => Granularity::Day,
            Bucket::Week => Granularity::Week,
        },
        format,
        previous: args.previous
            || args.previous_year
            || args.compare_from.is_some()
            || format == Format::Table,
    };
    let (store, analytics) = open_analytics(config).await?;
    // Accounts the last crawl could not read: their posts are unknown, not absent, and
    // the report can only leave them out. Said on stderr, whatever the format.
    for brand in store.list_brands().await? {
        if !args.brands.contains(&brand.name) {
            continue;
        }
        for actor in &brand.actors {
            if let Some(unread) = &actor.unread {
                eprintln!(
                    "note: {} {}: not read by the last crawl, {}; its posts are unknown and \
                     not in this report",
                    brand.name,
                    actor.input,
                    unread.phrase()
                );
            }
        }
    }
    // polars wants a thread of its own, off the async runtime.
    let bytes = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<u8>> {
        let mut out = Vec::new();
        analytics.write_report(&request, &mut out)?;
        Ok(out)
    })
    .await
    .context("the report stopped")??;
    match &args.out {
        Some(path) => std::fs::write(path, &bytes)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => std::io::stdout()
            .write_all(&bytes)
            .context("cannot write the report")?,
    }
    Ok(ExitCode::SUCCESS)
}
