//! `fedireach demo`: the small simulated fediverse on loopback, its brands in a fresh
//! demo database (one owned, two watched competitors), a crawl of it with a progress
//! bar, then the dashboard with the scheduler, both pointed at the simulated world, so
//! "crawl now" works too. It reads no config file and never touches the user's
//! database: everything lives in a temporary folder (or `--dir`).

use std::{collections::BTreeMap, path::PathBuf, process::ExitCode, sync::Arc};

use anyhow::Context;
use fedireach_core::{ActorRef, ActorRefOptions, CrawlTrigger, Since};
use fedireach_crawler::CrawlProgress;
use fedireach_fakeverse::{FakeverseServer, Scale, ServerOptions, WorldOptions};
use fedireach_store::Store;
use tokio::net::TcpListener;

use super::{serve::Service, shutdown_signal};
use crate::{
    cli::DemoArgs,
    config::Config,
    crawl::{Bar, CrawlLease, CrawlSpec, Ended, Tokens, run_crawl, summary_text},
};

/// The simulated servers are ours: crawl them fast (the real default is 1/s per host).
const DEMO_RATE_PER_HOST: f64 = 50.0;
const DEMO_BURST: u32 = 10;

pub async fn run(args: DemoArgs) -> anyhow::Result<ExitCode> {
    // Bind first: a busy port is the most likely problem, so say it before any work.
    let listen = args.listen;
    let listener = TcpListener::bind(listen).await.with_context(|| {
        format!("cannot listen on {listen}; is another demo running? choose another port with --listen 127.0.0.1:PORT")
    })?;

    let (dir, _temporary) = demo_dir(args.dir.as_ref())?;
    println!("demo files in {}", dir.display());

    let world = FakeverseServer::start(ServerOptions {
        world: WorldOptions {
            seed: args.seed,
            scale: Scale::Small,
            day: 0,
            plain_http: false,
            tour: false,
        },
        // The world's "today" is today (UTC midnight): its 90 days of posts end now,
        // so the dashboard's "last 7/30/90 days" hold them.
        day0: Some(today_utc_midnight()),
        ..ServerOptions::default()
    })
    .await
    .context("cannot start the simulated fediverse")?;
    let ca_file = dir.join("simulated-ca.pem");
    let ca = world
        .ca_pem()
        .context("the simulated fediverse has no certificate authority")?;
    std::fs::write(&ca_file, ca).with_context(|| format!("cannot write {}", ca_file.display()))?;
    println!(
        "simulated fediverse (seed {}) on {}",
        args.seed,
        world.addr()
    );

    let config = Arc::new(demo_config(&dir, &ca_file, world.addr(), listen)?);
    let store = Store::open(&config.db)
        .await
        .with_context(|| format!("cannot create the demo database {}", config.db))?;
    let tokens = add_brands(&store, &world).await?;

    crawl_once(&config, &store, &tokens).await?;

    let admin_token = format!("demo-{:016x}", rand::random::<u64>());
    let service = Service {
        config: Arc::clone(&config),
        store,
        dashboards: args.dashboards.as_deref(),
        admin_token: Some(admin_token.clone()),
        tokens,
        schedule: true,
    };
    let served = service
        .run(listener, |address| {
            println!();
            println!("dashboard: http://{address}/");
            println!("admin token (for \"crawl now\" on /crawls): {admin_token}");
            println!("Ctrl-C stops the demo.");
        })
        .await;
    world.shutdown().await;
    served?;
    Ok(ExitCode::SUCCESS)
}

/// The demo's folder: the one given, or a temporary one removed on exit.
fn demo_dir(given: Option<&PathBuf>) -> anyhow::Result<(PathBuf, Option<tempfile::TempDir>)> {
    match given {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the demo folder {}", dir.display()))?;
            Ok((dir.clone(), None))
        }
        None => {
            let temporary = tempfile::Builder::new()
                .prefix("fedireach-demo-")
                .tempdir()
                .context("cannot create a temporary folder for the demo")?;
            Ok((temporary.path().to_path_buf(), Some(temporary)))
        }
    }
}

/// The product's defaults, pointed at the simulated world: every host name resolves
/// to it, its CA is trusted, loopback is allowed (127.0.0.2 stays refused: the world
/// has hosts that redirect there to test the private-address guard).
fn demo_config(
    dir: &std::path::Path,
    ca_file: &std::path::Path,
    world: std::net::SocketAddr,
    listen: std::net::SocketAddr,
) -> anyhow::Result<Config> {
    let mut config = Config {
        db: format!("sqlite://{}", dir.join("demo.db").display()),
        listen,
        ..Config::default()
    };
    config.crawl.since = Since::All;
    config.crawl.rate_per_host = DEMO_RATE_PER_HOST;
    config.crawl.burst = DEMO_BURST;
    config.network.resolve_all = Some(world);
    config.network.allow_loopback = true;
    config.network.extra_ca_file = ca_file.to_path_buf();
    config.network.deny_addresses = vec!["127.0.0.2/32".parse().context("a denied address")?];
    config.validate().context("the demo's configuration")?;
    Ok(config)
}

/// Adds the world's brands, unless the demo folder already has them; returns the owned
/// brands' tokens, by variable name.
async fn add_brands(store: &Store, world: &FakeverseServer) -> anyhow::Result<Tokens> {
    let existing: Vec<String> = store
        .list_brands()
        .await?
        .into_iter()
        .map(|b| b.name)
        .collect();
    let mut tokens = BTreeMap::new();
    for brand in world.truth().brands {
        let variable = brand.token.as_ref().map(|token| {
            let variable = format!(
                "DEMO_{}_TOKEN",
                brand
                    .name
                    .to_ascii_uppercase()
                    .replace(|c: char| !c.is_ascii_alphanumeric(), "_")
            );
            tokens.insert(variable.clone(), token.clone());
            variable
        });
        if existing.contains(&brand.name) {
            continue;
        }
        let actors = brand
            .actors
            .iter()
            .map(|a| ActorRef::parse(a, ActorRefOptions::default()))
            .collect::<Result<Vec<_>, _>>()
            .with_context(|| format!("the simulated brand {}", brand.name))?;
        store
            .add_brand(&brand.name, &actors, variable.as_deref())
            .await?;
        println!(
            "brand {} ({}): {}",
            brand.name,
            if variable.is_some() {
                "owned"
            } else {
                "watched"
            },
            brand.actors.join(" ")
        );
    }
    Ok(Tokens::Given(tokens))
}

/// The first crawl, with a progress bar; Ctrl-C stops it and the demo.
async fn crawl_once(config: &Config, store: &Store, tokens: &Tokens) -> anyhow::Result<()> {
    let lease = match CrawlLease::try_take(store).await? {
        Ok(lease) => lease,
        Err(holder) => anyhow::bail!("the demo database is being crawled by {holder}"),
    };
    println!("crawling the simulated fediverse...");
    let bar = Bar::new();
    let spec = CrawlSpec {
        brand: None,
        since: Since::All,
        max_posts: None,
        trigger: CrawlTrigger::Manual,
    };
    let ended = run_crawl(
        config,
        store,
        tokens,
        &spec,
        &bar as &dyn CrawlProgress,
        shutdown_signal(),
    )
    .await;
    bar.finish();
    lease.release().await?;
    match ended? {
        Ended::Finished(finished) => {
            print!("{}", summary_text(&finished.summary, finished.elapsed));
            Ok(())
        }
        Ended::Stopped { .. } => anyhow::bail!("the demo was stopped during its first crawl"),
    }
}

/// The start of today in UTC, as Unix seconds.
fn today_utc_midnight() -> i64 {
    let now = chrono::Utc::now().timestamp();
    now - now.rem_euclid(86_400)
}
