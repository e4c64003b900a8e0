//! One module per command; each turns validated config and arguments into calls on the
//! library crates, and owns the process's exit code.

mod brand;
mod crawl;
mod deliver;
#[cfg(feature = "simulation")]
mod demo;
#[cfg(feature = "simulation")]
mod fakeverse;
mod forget;
mod key;
mod report;
mod serve;

use std::process::ExitCode;

use anyhow::Context;
use fedireach_analytics::{Analytics, FactsCache};
use fedireach_store::Store;

use crate::{
    cli::{Cli, Command},
    config::{self, Config, ConfigSources},
};

/// Runs a command on a Tokio runtime.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    // The demo brings its own configuration: the user's file and database stay untouched.
    #[cfg(feature = "simulation")]
    if let Command::Demo(args) = cli.command {
        return runtime.block_on(demo::run(args));
    }
    let config = config::load(&ConfigSources {
        file: cli.config.clone(),
        db: cli.db.clone(),
        listen: match &cli.command {
            Command::Serve(args) => args.listen.clone(),
            _ => None,
        },
    })?;
    runtime.block_on(async move {
        match cli.command {
            Command::Brand(command) => brand::run(&config, command).await,
            Command::Forget(command) => forget::run(&config, command).await,
            Command::Crawl(args) => crawl::run(&config, args).await,
            Command::Report(args) => report::run(&config, args).await,
            #[cfg(feature = "simulation")]
            Command::Fakeverse(args) => fakeverse::run(&config, args).await,
            Command::Serve(args) => serve::run(&config, args).await,
            #[cfg(feature = "simulation")]
            Command::Demo(args) => demo::run(args).await,
            Command::Key(command) => key::run(&config, command).await,
            Command::Deliver(args) => deliver::run(&config, args).await,
            Command::Config => {
                // A password in the database URL is never printed.
                let shown = crate::config::Config {
                    db: fedireach_store::redacted_database_url(&config.db),
                    ..config.clone()
                };
                print!(
                    "{}",
                    toml::to_string_pretty(&shown).context("cannot print the configuration")?
                );
                Ok(ExitCode::SUCCESS)
            }
        }
    })
}

/// Resolves on Ctrl-C or SIGTERM; requests in flight finish first.
pub(crate) async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}

/// Opens the configured database, creating it on first use.
async fn open_store(config: &Config) -> anyhow::Result<Store> {
    Store::open(&config.db).await.with_context(|| {
        format!(
            "cannot use the database {}",
            fedireach_store::redacted_database_url(&config.db)
        )
    })
}

/// The configured columnar copy of the facts, if any (`facts_dir`).
fn facts_copy(config: &Config) -> anyhow::Result<Option<FactsCache>> {
    Ok(config.facts_dir().map(FactsCache::open).transpose()?)
}

/// The store and its facts for the analytics: from the columnar copy, caught up with the
/// store first (rebuilt if missing or stale); without one (a directory that cannot be
/// made), from the store's rows.
async fn open_analytics(config: &Config) -> anyhow::Result<(Store, Analytics)> {
    let store = open_store(config).await?;
    let copy = facts_copy(config).unwrap_or_else(|error| {
        tracing::warn!(error = format!("{error:#}"), "no analytics copy");
        None
    });
    let analytics = fedireach_handover::load_analytics(&store, copy.as_ref())
        .await
        .context("cannot load the facts")?;
    Ok((store, analytics))
}

/// Brings the columnar copy of the facts up to date with the store after a change
/// (a crawl, a purge), so that nothing forgotten survives in it.
async fn sync_facts(config: &Config, store: &Store) -> anyhow::Result<()> {
    if let Some(copy) = facts_copy(config)? {
        fedireach_handover::sync_facts(store, &copy)
            .await
            .with_context(|| {
                format!(
                    "the database is up to date, but its analytics copy in {} is not; \
                 delete that directory to have it rebuilt",
                    copy.dir().display()
                )
            })?;
    }
    Ok(())
}
