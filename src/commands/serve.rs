//! `fedireach serve`: the dashboard and JSON API on the configured address, and the
//! crawl scheduler, until Ctrl-C or SIGTERM. The first line on stdout is
//! `listening on http://IP:PORT`, so scripts and tests can start it on port 0 and read
//! where it went.

use std::{path::Path, process::ExitCode, sync::Arc, time::Duration};

use anyhow::Context;
use fedireach_store::Store;
use fedireach_web::{
    AppState, ConfiguredRule, Dashboards, TokenEnvPolicy, WebConfig, instance_actor_router, router,
};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::{open_store, shutdown_signal};
use crate::{cli::ServeArgs, config::Config, crawl::Tokens, schedule::Scheduler};

/// How often the web process looks for a crawl another process started or finished,
/// to drop its cached figures (this process's own crawls refresh them at once).
const CRAWL_CHECK: Duration = Duration::from_secs(15);

pub async fn run(config: &Config, args: ServeArgs) -> anyhow::Result<ExitCode> {
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
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let service = Service {
        config: Arc::new(config.clone()),
        store,
        dashboards: args.dashboards.as_deref(),
        admin_token,
        tokens: Tokens::Environment,
        schedule: !args.no_schedule,
    };
    service
        .run(listener, |address| {
            println!("listening on http://{address}")
        })
        .await?;
    Ok(ExitCode::SUCCESS)
}

/// The dashboard and the scheduler in one process (`serve`, `demo`).
pub struct Service<'a> {
    pub config: Arc<Config>,
    pub store: Store,
    /// `--dashboards DIR`; `None`: the dashboards built into the binary.
    pub dashboards: Option<&'a Path>,
    pub admin_token: Option<String>,
    pub tokens: Tokens,
    /// Crawl on the cron schedule; queued jobs run either way.
    pub schedule: bool,
}

impl Service<'_> {
    /// Serves until Ctrl-C or SIGTERM; `ready` is called with the address once the
    /// dashboard answers. On shutdown, requests in flight finish and a running crawl
    /// stops with its work committed (its job is queued again).
    pub async fn run(
        self,
        listener: TcpListener,
        ready: impl FnOnce(std::net::SocketAddr),
    ) -> anyhow::Result<()> {
        let dashboards = match self.dashboards {
            Some(dir) => Dashboards::load(dir)
                .with_context(|| format!("cannot load the dashboards from {}", dir.display()))?,
            None => Dashboards::embedded().context("the built-in dashboards do not load")?,
        };
        let state = AppState::new(
            self.store.clone(),
            dashboards,
            WebConfig {
                admin_token: self.admin_token,
                facts_dir: self.config.facts_dir(),
                public_url: self.config.public_url.clone(),
                token_envs: TokenEnvPolicy {
                    names: self.config.brand_token_env_allow.clone(),
                    prefix: self.config.brand_token_env_prefix.clone(),
                },
                rules: configured_rules(&self.config),
            },
        )
        .await
        .context("cannot load the figures from the database")?;
        let actor = crate::crawl::instance_actor(&self.config, &self.store).await?;
        let address = listener
            .local_addr()
            .context("cannot read the address listened on")?;
        let stop = CancellationToken::new();
        let scheduler = Scheduler::new(self.config, self.store, self.tokens, state.clone());
        // A scheduler that fails stops the whole service (it cancels `stop`), so a
        // supervisor restarts it rather than leaving a dashboard that never crawls.
        let crawls = scheduler.run(self.schedule, &stop);
        let watcher = tokio::spawn(state.clone().watch_crawls(CRAWL_CHECK));
        ready(address);
        let stopping = stop.clone();
        // With `public_url`, the instance actor the crawler signs as is served too (its
        // routes are public: servers fetch its key to check our signatures).
        let mut app = router(state);
        if let Some((_, actor)) = actor {
            app = app.merge(instance_actor_router(actor));
        }
        let serving = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                tokio::select! {
                    () = shutdown_signal() => {}
                    () = stopping.cancelled() => {}
                }
                tracing::info!("stopping");
                stopping.cancel();
            })
            .into_future();
        let serving = async {
            let served = serving.await;
            stop.cancel();
            served.context("the web server failed")
        };
        let (served, crawled) = tokio::join!(serving, crawls);
        watcher.abort();
        served?;
        crawled.context("the crawl scheduler failed")?;
        tracing::info!("stopped");
        Ok(())
    }
}

/// The report mails and alert rules of the config, as the crawls page lists them.
fn configured_rules(config: &Config) -> Vec<ConfiguredRule> {
    let mails = config.delivery.iter().map(|d| ConfiguredRule {
        kind: "report mail",
        name: d.name.clone(),
        rule: d.describe(),
    });
    let alerts = config.alert.iter().map(|a| ConfiguredRule {
        kind: "alert",
        name: a.name.clone(),
        rule: a.describe(),
    });
    mails.chain(alerts).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_configs_mail_and_alert_are_listed_in_words() -> anyhow::Result<()> {
        let example: Config = toml::from_str(include_str!("../../fedireach.example.toml"))?;
        let rules = configured_rules(&example);
        let got: Vec<(&str, &str, &str)> = rules
            .iter()
            .map(|r| (r.kind, r.name.as_str(), r.rule.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "report mail",
                    "acme-monthly",
                    "reach, posts, instances of acme over calendar_month, sent monthly \
                     (Europe/Paris), to 1 recipient"
                ),
                (
                    "alert",
                    "acme-spike",
                    "a day of acme with engagements above 3 x the median of the 28 days \
                     before; by 1 webhook"
                ),
            ]
        );
        Ok(())
    }
}
