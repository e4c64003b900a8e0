//! `fedireach serve`: the dashboard and JSON API on the configured address, until
//! Ctrl-C or SIGTERM. The first line on stdout is `listening on http://IP:PORT`, so
//! scripts and tests can start it on port 0 and read where it went.

use std::{process::ExitCode, time::Duration};

use anyhow::Context;
use fedireach_web::{AppState, Dashboards, WebConfig, router};

use super::open_store;
use crate::{cli::ServeArgs, config::Config};

/// How often the web process looks for a crawl that started or finished, to drop its
/// cached figures: a crawl takes minutes, so a few seconds of staleness is invisible.
const CRAWL_CHECK: Duration = Duration::from_secs(15);

pub async fn run(config: &Config, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let dashboards = Dashboards::load(&args.dashboards).with_context(|| {
        format!(
            "cannot load the dashboards from {}",
            args.dashboards.display()
        )
    })?;
    let store = open_store(config).await?;
    // The token lives in the environment only; an empty variable means none.
    let admin_token = std::env::var(&config.admin_token_env)
        .ok()
        .filter(|t| !t.trim().is_empty());
    if admin_token.is_none() {
        tracing::info!(
            variable = %config.admin_token_env,
            "no admin token: the dashboard is read-only"
        );
    }
    let state = AppState::new(
        store,
        dashboards,
        WebConfig {
            admin_token,
            facts_dir: config.facts_dir(),
        },
    )
    .await
    .context("cannot load the figures from the database")?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let address = listener
        .local_addr()
        .context("cannot read the address listened on")?;
    println!("listening on http://{address}");
    if !args.no_schedule {
        tracing::info!(
            "the crawl schedule is not part of this version; queue crawls from /crawls and run them with `fedireach crawl --queue`"
        );
    }
    let watcher = tokio::spawn(state.clone().watch_crawls(CRAWL_CHECK));
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown())
        .await
        .context("the web server failed")?;
    watcher.abort();
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Resolves on Ctrl-C or SIGTERM; requests in flight finish first.
async fn shutdown() {
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
