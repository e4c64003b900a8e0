//! The config's `[crawl]` and `[network]` sections as the crawler's typed settings, and
//! the instance actor that signs the crawler's fetches and that `serve` publishes.

use std::{collections::HashMap, sync::Arc};

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use fedireach_core::{ActorRef, ActorRefOptions, Since};
use fedireach_crawler::{
    ActorPlan, AddressGuard, BrandPlan, CrawlOptions, CrawlPlan, Fetcher, HostQuota, HttpClient,
    InstanceKey, NetConfig, PolitenessConfig,
};
use fedireach_store::{Brand, Store};
use fedireach_web::InstanceActor;

use super::{DenyList, StorePaceBook, Tokens};
use crate::config::Config;

/// Retries of a request after a 429, 503 or other 5xx.
const MAX_RETRIES: u32 = 3;

/// Posts read at once per tracked actor: enough to keep the origin's queue full.
const POST_CONCURRENCY: usize = 16;

/// The name of the instance actor's key in the store.
pub const INSTANCE_KEY: &str = "instance_actor_key";

/// The instance actor's `preferredUsername`: `acct:fedireach@{public host}`.
const INSTANCE_ACTOR_NAME: &str = "fedireach";

/// Everything a crawl needs from the config.
#[derive(Debug)]
pub struct CrawlSetup {
    pub fetcher: Arc<Fetcher>,
    /// The operator's denylist: asked nothing, stored nowhere.
    pub denylist: DenyList,
    pub options: CrawlOptions,
    pub key: Option<InstanceKey>,
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// The User-Agent: the product, its version and the operator's contact.
pub fn user_agent(config: &Config) -> String {
    let version = env!("CARGO_PKG_VERSION");
    if config.crawl.contact_url.is_empty() {
        format!("fedireach/{version} (engagement analytics; +https://github.com/fedireach)")
    } else {
        format!(
            "fedireach/{version} (engagement analytics; +{})",
            config.crawl.contact_url
        )
    }
}

impl CrawlSetup {
    pub async fn new(config: &Config, store: &Store) -> anyhow::Result<Self> {
        let client = http_client(config)?;
        let default_quota = HostQuota {
            rate: config.crawl.rate_per_host,
            burst: config.crawl.burst,
        };
        let host_quotas = config
            .crawl
            .hosts
            .iter()
            .map(|(host, over)| {
                let quota = HostQuota {
                    rate: over.rate_per_host.unwrap_or(default_quota.rate),
                    burst: over.burst.unwrap_or(default_quota.burst),
                };
                (host.clone(), quota)
            })
            .collect();
        // A Crawl-delay holds across processes: each host's last request is kept; on
        // PostgreSQL each host's budget is shared by every crawling process.
        let book = StorePaceBook {
            store: store.clone(),
            shared_budget: store.kind() == fedireach_store::DatabaseKind::Postgres,
        };
        let remembered = book.remembered().await?;
        let fetcher = Arc::new(
            Fetcher::new(
                client,
                PolitenessConfig {
                    default_quota,
                    host_quotas,
                    concurrency: usize::try_from(config.crawl.concurrency).unwrap_or(32),
                    max_retries: MAX_RETRIES,
                    max_requests_per_host: config.crawl.max_requests_per_host,
                    host_time_budget: config.crawl.host_time_budget,
                },
            )
            .with_pace_book(Arc::new(book), remembered),
        );
        // `forget instance` stops every later request to the host, NodeInfo included.
        fetcher.forget_hosts(
            store
                .forgotten_instances()
                .await
                .context("reading the forgotten instances")?,
        );
        let denylist = DenyList::load(&config.denylist_file)?;
        fetcher.deny_domains(denylist.domains().iter().cloned());
        let key = instance_actor(config, store).await?.map(|(key, _)| key);
        Ok(Self {
            fetcher,
            denylist,
            options: CrawlOptions {
                max_document_bytes: usize::try_from(config.crawl.max_document_bytes)
                    .unwrap_or(usize::MAX),
                reply_depth: config.crawl.reply_depth,
                post_concurrency: POST_CONCURRENCY,
                // WebFinger is https on every real server; http ids are for URL actors.
                handle_scheme: "https",
                max_items_per_collection: to_usize(config.crawl.max_items_per_collection),
                max_pages_per_collection: to_usize(config.crawl.max_pages_per_collection),
                max_items_per_post: to_usize(config.crawl.max_items_per_post),
            },
            key,
        })
    }
}

/// The crawler's one HTTP client, as `[crawl]` and `[network]` say.
fn http_client(config: &Config) -> anyhow::Result<HttpClient> {
    let network = &config.network;
    let extra_ca_pem = if network.extra_ca_file.as_os_str().is_empty() {
        None
    } else {
        Some(std::fs::read(&network.extra_ca_file).with_context(|| {
            format!(
                "cannot read network.extra_ca_file {}",
                network.extra_ca_file.display()
            )
        })?)
    };
    let resolve: HashMap<String, std::net::SocketAddr> = network
        .resolve
        .iter()
        .map(|(host, addr)| (host.to_string(), *addr))
        .collect();
    let resolve_all = network.resolve_all;
    let client = HttpClient::new(&NetConfig {
        user_agent: user_agent(config),
        timeout: config.crawl.timeout,
        max_redirects: config.crawl.max_redirects,
        max_document_bytes: config.crawl.max_document_bytes,
        allow_http: network.allow_http,
        extra_ca_pem,
        guard: AddressGuard {
            allow_loopback: network.allow_loopback,
            allow_private: network.allow_private,
            deny: network.deny_addresses.clone(),
        },
        resolve_all,
        resolve,
    })?;
    Ok(client)
}

/// The instance actor when `public_url` is configured: the key the crawler signs with
/// (generated once and kept in the store, so `crawl` and `serve` share it) and the
/// document `serve` publishes at `{public_url}/actor`.
pub async fn instance_actor(
    config: &Config,
    store: &Store,
) -> anyhow::Result<Option<(InstanceKey, InstanceActor)>> {
    let Some(public_url) = &config.public_url else {
        return Ok(None);
    };
    let (pem, created) = store
        .secret_or_create(INSTANCE_KEY, || {
            fedireach_crawler::generate_key_pem()
                .map(String::into_bytes)
                .unwrap_or_default()
        })
        .await?;
    if created {
        // Servers cache an actor's key (GoToSocial keeps it and refuses every later
        // signature by another one): a new key behind an old public_url is a lockout.
        tracing::warn!(
            %public_url,
            "made a new key for the instance actor; if {} was served with another key before \
             (another database), servers that cached that key will refuse this one: stop, \
             and `fedireach key import` the old key (exported with `fedireach key export`)",
            public_url
        );
    }
    let pem = String::from_utf8(pem).context(
        "the instance actor's key in the store is damaged; remove the `instance_actor_key` secret to make a new one",
    )?;
    let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    let mut actor = InstanceActor {
        base_url: public_url.as_str().trim_end_matches('/').to_owned(),
        username: INSTANCE_ACTOR_NAME.to_owned(),
        public_key_pem: String::new(),
        contact_url: non_empty(&config.crawl.contact_url),
        policy_url: non_empty(&config.crawl.policy_url),
    };
    let key = InstanceKey::from_pem(actor.key_id(), &pem)?;
    actor.public_key_pem = key.public_key_pem()?;
    Ok(Some((key, actor)))
}

/// The crawl window's start for `since`, from `now`.
pub fn since_cutoff(since: Since, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    match since {
        Since::All => None,
        Since::Ago(duration) => chrono::Duration::from_std(duration)
            .ok()
            .and_then(|d| now.checked_sub_signed(d)),
        Since::Date { year, month, day } => NaiveDate::from_ymd_opt(year, month, day)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| d.and_utc()),
    }
}

/// The plan for the given brands; each owned brand's token read from its variable now.
pub fn build_plan(
    brands: &[Brand],
    since: Since,
    max_posts: Option<usize>,
    allow_http: bool,
    tokens: &Tokens,
) -> anyhow::Result<CrawlPlan> {
    let options = ActorRefOptions { allow_http };
    let mut plans = Vec::new();
    for brand in brands {
        let token = match &brand.token_env {
            Some(var) => Some(tokens.get(var).with_context(|| {
                format!(
                    "the brand {} is owned but ${var} is not set; export its read-only token",
                    brand.name
                )
            })?),
            None => None,
        };
        let actors = brand
            .actors
            .iter()
            .map(|a| {
                Ok(ActorPlan {
                    tracked_actor_id: a.id,
                    input: ActorRef::parse(&a.input, options)?,
                })
            })
            .collect::<anyhow::Result<_>>()?;
        plans.push(BrandPlan {
            name: brand.name.clone(),
            token,
            actors,
        });
    }
    Ok(CrawlPlan {
        brands: plans,
        since: since_cutoff(since, Utc::now()),
        max_posts,
    })
}
