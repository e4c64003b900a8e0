//! The shared state of the web process: the store, the analytics built from its
//! facts, the dashboards, and the per-brand-and-window figure cache that a finished
//! crawl invalidates.
//!
//! The facts are loaded from the analytics' columnar copy (`FactsCache`), brought up to
//! date from the store first (`fedireach_handover`); `report`, `crawl` and `forget` use
//! the same crate, so every reader sees the store's facts through one code path.

use crate::ops::Metrics;
use std::{
    collections::HashMap,
    path::PathBuf,
    sync::{
        Arc, Mutex, RwLock,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use fedireach_analytics::{Analytics, FactsCache};
use fedireach_handover::load_analytics;
use fedireach_store::Store;

use crate::{BrandFigures, Dashboards, View, WebError, view::WindowKey};

/// Entries kept in the figure cache; past this it starts again empty (a dashboard
/// sees a handful of windows per brand; this bounds memory against URL scanning).
const CACHE_ENTRIES: usize = 512;

/// How the web process is set up; the binary fills it from the configuration.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// The admin token (read from the variable `admin_token_env` names). `None`: the
    /// dashboard is read-only, every action answers 403.
    pub admin_token: Option<String>,
    /// The columnar copy of the facts (see `fedireach_analytics::FactsCache`). `None`:
    /// the facts are read from the store row by row at each reload.
    pub facts_dir: Option<PathBuf>,
    /// Where the dashboard is reachable (`public_url`), if set: a form posted to this
    /// host must come from a page of this scheme (see `actions`).
    pub public_url: Option<url::Url>,
    /// Which environment variables a brand added through the API or the dashboard may
    /// name as its token (the command line may name any).
    pub token_envs: TokenEnvPolicy,
    /// The report mails and alert rules of the config, listed on the crawls page.
    pub rules: Vec<ConfiguredRule>,
}

/// A `[[delivery]]` or `[[alert]]` of the config, as the crawls page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfiguredRule {
    /// `report mail` or `alert`.
    pub kind: &'static str,
    pub name: String,
    /// What it sends or what fires it, and where it goes, in a sentence.
    pub rule: String,
}

/// The environment variables a brand's `token_env` may name when it comes through the
/// web (config `brand_token_env_allow` and `brand_token_env_prefix`). Empty: none, so a
/// caller with the admin token cannot make the crawler send an arbitrary variable of
/// the server's environment (a cloud secret) as a Bearer token to a host of its choice.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenEnvPolicy {
    /// Variables allowed by name.
    pub names: Vec<String>,
    /// Every variable starting with this is allowed; empty: none by prefix.
    pub prefix: String,
}

impl TokenEnvPolicy {
    /// Whether a brand added through the web may name `variable`.
    pub fn allows(&self, variable: &str) -> bool {
        self.names.iter().any(|n| n == variable)
            || (!self.prefix.is_empty() && variable.starts_with(&self.prefix))
    }

    /// What is allowed, for an error message.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.names.is_empty() {
            parts.push(self.names.join(", "));
        }
        if !self.prefix.is_empty() {
            parts.push(format!("any variable starting with {}", self.prefix));
        }
        if parts.is_empty() {
            "none (the operator can allow some with `brand_token_env_allow` or \
             `brand_token_env_prefix` in the configuration)"
                .to_owned()
        } else {
            parts.join("; ")
        }
    }
}

/// Cheap to clone: everything is behind one `Arc`.
#[derive(Debug, Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    store: Store,
    facts: Option<FactsCache>,
    dashboards: Dashboards,
    admin_token: Option<String>,
    form_token: String,
    /// `public_url`'s scheme and `host[:port]`, when set.
    public_origin: Option<(String, String)>,
    token_envs: TokenEnvPolicy,
    rules: Vec<ConfiguredRule>,
    analytics: RwLock<Arc<Analytics>>,
    cache: Mutex<HashMap<(String, WindowKey), Arc<BrandFigures>>>,
    /// Bumped by every invalidation, so a computation that started before one is not
    /// cached after it.
    generation: AtomicU64,
    /// The last crawl seen finished: (id, finished_at).
    last_crawl: Mutex<Option<(i64, Option<i64>)>>,
    metrics: Metrics,
}

impl AppState {
    /// Builds the analytics from the store's facts (in a blocking task: polars).
    pub async fn new(
        store: Store,
        dashboards: Dashboards,
        config: WebConfig,
    ) -> Result<Self, WebError> {
        let facts = config.facts_dir.and_then(|dir| {
            FactsCache::open(&dir)
                .inspect_err(|error| {
                    tracing::warn!(%error, "no analytics copy: reading the facts from the database");
                })
                .ok()
        });
        let analytics = load_analytics(&store, facts.as_ref()).await?;
        let last_crawl = latest_crawl(&store).await?;
        Ok(Self {
            inner: Arc::new(Inner {
                store,
                facts,
                dashboards,
                admin_token: config.admin_token.filter(|t| !t.is_empty()),
                form_token: form_token(),
                public_origin: config.public_url.as_ref().and_then(origin_parts),
                token_envs: config.token_envs,
                rules: config.rules,
                analytics: RwLock::new(Arc::new(analytics)),
                cache: Mutex::new(HashMap::new()),
                generation: AtomicU64::new(0),
                last_crawl: Mutex::new(last_crawl),
                metrics: Metrics::default(),
            }),
        })
    }

    /// The process's metrics (`/metrics`); the scheduler records its crawls here.
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn dashboards(&self) -> &Dashboards {
        &self.inner.dashboards
    }

    pub(crate) fn admin_token(&self) -> Option<&str> {
        self.inner.admin_token.as_deref()
    }

    /// `public_url`'s scheme and `host[:port]` (default port left out), when set.
    pub(crate) fn public_origin(&self) -> Option<(&str, &str)> {
        self.inner
            .public_origin
            .as_ref()
            .map(|(scheme, host)| (scheme.as_str(), host.as_str()))
    }

    /// The report mails and alert rules of the config.
    pub(crate) fn rules(&self) -> &[ConfiguredRule] {
        &self.inner.rules
    }

    /// The variables a brand added through the web may name as its token.
    pub(crate) fn token_envs(&self) -> &TokenEnvPolicy {
        &self.inner.token_envs
    }

    /// The token the page's own forms carry (see `actions`).
    pub(crate) fn form_token(&self) -> &str {
        &self.inner.form_token
    }

    pub fn analytics(&self) -> Arc<Analytics> {
        match self.inner.analytics.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// The brand's figures for the view's window, from the cache or computed. A brand
    /// the store has but the loaded facts do not (added since by `brand add`) reloads
    /// the facts once.
    pub async fn figures(&self, brand: &str, view: &View) -> Result<Arc<BrandFigures>, WebError> {
        match self.figures_once(brand, view).await {
            Err(WebError::UnknownBrand(name)) => {
                if self.inner.store.brand(&name).await.is_ok() {
                    self.invalidate().await?;
                    self.figures_once(brand, view).await
                } else {
                    Err(WebError::UnknownBrand(name))
                }
            }
            other => other,
        }
    }

    async fn figures_once(&self, brand: &str, view: &View) -> Result<Arc<BrandFigures>, WebError> {
        let key = (brand.to_owned(), view.key());
        if let Some(hit) = self.cache().get(&key) {
            return Ok(Arc::clone(hit));
        }
        let generation = self.inner.generation.load(Ordering::Acquire);
        let analytics = self.analytics();
        let (name, window) = (brand.to_owned(), view.window);
        let figures = Arc::new(
            tokio::task::spawn_blocking(move || BrandFigures::compute(&analytics, &name, &window))
                .await??,
        );
        let mut cache = self.cache();
        if self.inner.generation.load(Ordering::Acquire) == generation {
            if cache.len() >= CACHE_ENTRIES {
                cache.clear();
            }
            cache.insert(key, Arc::clone(&figures));
        }
        Ok(figures)
    }

    /// Reloads the facts, rebuilds the analytics and empties the figure cache: the
    /// hook a finished crawl (or a new brand) calls.
    pub async fn invalidate(&self) -> Result<(), WebError> {
        self.inner.generation.fetch_add(1, Ordering::AcqRel);
        let analytics = load_analytics(&self.inner.store, self.inner.facts.as_ref()).await?;
        match self.inner.analytics.write() {
            Ok(mut guard) => *guard = Arc::new(analytics),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(analytics),
        }
        self.inner.generation.fetch_add(1, Ordering::AcqRel);
        self.cache().clear();
        Ok(())
    }

    /// Invalidates when the latest crawl run changed (a crawl started or finished
    /// since the last look). Returns whether it did.
    pub async fn check_crawls(&self) -> Result<bool, WebError> {
        let latest = latest_crawl(&self.inner.store).await?;
        let changed = {
            let mut seen = self
                .inner
                .last_crawl
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let changed = *seen != latest;
            *seen = latest;
            changed
        };
        if changed {
            self.invalidate().await?;
        }
        Ok(changed)
    }

    /// Checks for finished crawls every `every`, forever (spawned by `serve`).
    pub async fn watch_crawls(self, every: Duration) {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if let Err(error) = self.check_crawls().await {
                tracing::warn!(%error, "could not check for finished crawls");
            }
        }
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, HashMap<(String, WindowKey), Arc<BrandFigures>>> {
        self.inner
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Entries in the figure cache (for tests and logs).
    pub fn cached(&self) -> usize {
        self.cache().len()
    }
}

async fn latest_crawl(store: &Store) -> Result<Option<(i64, Option<i64>)>, WebError> {
    Ok(store
        .recent_crawl_runs(1)
        .await?
        .first()
        .map(|run| (run.id, run.finished_at)))
}

/// A random token per process for the page's forms.
/// The scheme and `host[:port]` of a URL, as an `Origin` header writes them.
pub(crate) fn origin_parts(url: &url::Url) -> Option<(String, String)> {
    let host = url.host_str()?;
    let host = match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    };
    Some((url.scheme().to_owned(), host.to_ascii_lowercase()))
}

fn form_token() -> String {
    let bytes: [u8; 16] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
