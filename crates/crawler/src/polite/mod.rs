//! The polite fetcher: everything the crawler fetches goes through [`Fetcher::fetch`],
//! which reads robots.txt before anything else on a host, keeps each host's rate (ours,
//! the server's headers, its Crawl-delay, its 429s and 503s), caps requests in flight
//! across hosts, retries what is worth retrying, and never fetches a URL twice in a crawl.

mod entry;
mod error;
mod fetched;
mod headers;
mod host;
mod next;
mod pace;
mod robots;
mod stats;

use std::{
    collections::{BTreeSet, HashMap, HashSet},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, SystemTime},
};

use fedireach_core::{Host, RobotsState};
use tokio::sync::{OnceCell, Semaphore};
use tracing::{Instrument, debug, info_span, warn};
use url::Url;

use crate::locked;

use entry::HostEntry;
pub use error::{Cause, FetchError};
pub use fetched::{Fetched, Validators};
use headers::{rate_limit, retry_after};
use host::HostPoliteness;
pub use host::HostQuota;
use next::Next;
pub use pace::{Pace, PaceBook};
pub use robots::Robots;
pub use stats::{FetchStats, HostCounts};

use crate::net::{HttpClient, NetError, Request, Response};

/// How polite a crawl is.
#[derive(Debug, Clone)]
pub struct PolitenessConfig {
    pub default_quota: HostQuota,
    /// Per-host overrides from `[crawl.hosts."name"]`.
    pub host_quotas: HashMap<Host, HostQuota>,
    /// Requests in flight across all hosts.
    pub concurrency: usize,
    /// Retries after a 429, 503, other 5xx or timeout, per request.
    pub max_retries: u32,
    /// What one host may cost a crawl: requests, and time spent waiting for its
    /// answers. Past either, nothing more is asked of it (`FetchError::OverLimit`).
    pub max_requests_per_host: u64,
    pub host_time_budget: Duration,
}

type Slot = Arc<OnceCell<Result<Arc<Fetched>, FetchError>>>;

/// The polite fetcher of one crawl.
pub struct Fetcher {
    client: HttpClient,
    config: PolitenessConfig,
    hosts: Mutex<HashMap<Host, Arc<HostEntry>>>,
    global: Semaphore,
    seen: Mutex<HashMap<String, Slot>>,
    stats: FetchStats,
    /// Hosts forgotten with `forget instance`: nothing is asked of them, robots.txt and
    /// NodeInfo included.
    forgotten: Mutex<HashSet<Host>>,
    /// Where the paces of Crawl-delay hosts are kept between processes, and those an
    /// earlier process left.
    pace_book: Option<Arc<dyn PaceBook>>,
    remembered: Mutex<HashMap<Host, Pace>>,
    /// Domains of the operator's denylist: neither they nor their subdomains are asked
    /// anything.
    denied: Mutex<Vec<String>>,
    /// Hosts whose robots.txt would have refused a request that an owned brand's token
    /// made to its own server's client API (BRIEF section 3: not gated by robots.txt).
    client_access: Mutex<BTreeSet<String>>,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Fetcher {
    pub fn new(client: HttpClient, config: PolitenessConfig) -> Self {
        let permits = config.concurrency.max(1);
        Self {
            client,
            config,
            hosts: Mutex::new(HashMap::new()),
            global: Semaphore::new(permits),
            seen: Mutex::new(HashMap::new()),
            stats: FetchStats::default(),
            forgotten: Mutex::new(HashSet::new()),
            denied: Mutex::new(Vec::new()),
            pace_book: None,
            remembered: Mutex::new(HashMap::new()),
            client_access: Mutex::new(BTreeSet::new()),
        }
    }

    /// Hosts to ask nothing of in this crawl (forgotten instances).
    pub fn forget_hosts(&self, hosts: impl IntoIterator<Item = Host>) {
        locked(&self.forgotten).extend(hosts);
    }

    /// Keeps the paces of Crawl-delay hosts in `book`, starting from those an earlier
    /// process left (`remembered`).
    #[must_use]
    pub fn with_pace_book(
        mut self,
        book: Arc<dyn PaceBook>,
        remembered: HashMap<Host, Pace>,
    ) -> Self {
        self.pace_book = Some(book);
        self.remembered = Mutex::new(remembered);
        self
    }

    /// Domains to ask nothing of, nor of their subdomains (the operator's denylist).
    pub fn deny_domains(&self, domains: impl IntoIterator<Item = String>) {
        locked(&self.denied).extend(domains);
    }

    /// Whether `host` is on the denylist (itself or a parent domain).
    pub fn is_denied(&self, host: &Host) -> bool {
        locked(&self.denied).iter().any(|d| host.is_within(d))
    }

    /// Hosts where an owned brand's client access went past what robots.txt bars.
    pub fn client_access_hosts(&self) -> BTreeSet<String> {
        locked(&self.client_access).clone()
    }

    /// What robots.txt said on each host asked in this crawl, with its Crawl-delay.
    pub fn robots_states(&self) -> Vec<(Host, RobotsState, Option<Duration>)> {
        let hosts = locked(&self.hosts);
        hosts
            .iter()
            .filter_map(|(host, entry)| {
                let robots = entry.robots.get()?;
                Some((host.clone(), robots.state()?, robots.crawl_delay()))
            })
            .collect()
    }

    pub fn stats(&self) -> &FetchStats {
        &self.stats
    }

    /// Fetches a document once per crawl: a second call for the same URL gets the first
    /// call's result, even while the first is still under way.
    pub async fn fetch(&self, request: Request) -> Result<Arc<Fetched>, FetchError> {
        let slot = {
            let mut seen = locked(&self.seen);
            Arc::clone(seen.entry(request.key()).or_default())
        };
        slot.get_or_init(|| self.fetch_uncached(request))
            .await
            .clone()
    }

    /// Forgets the documents of requests that nobody asks for again (a post's own API
    /// answers, once the post is saved), keeping the record that they were fetched: a
    /// crawl holds only what is still of use, not every body it read.
    pub fn release(&self, keys: &[String]) {
        let mut seen = locked(&self.seen);
        for key in keys {
            if let Some(slot) = seen.get_mut(key)
                && slot.initialized()
            {
                *slot = Arc::new(OnceCell::new_with(Some(Err(FetchError::Released {
                    key: key.clone(),
                }))));
            }
        }
    }

    fn entry(&self, host: &Host) -> Arc<HostEntry> {
        let mut hosts = locked(&self.hosts);
        let quota = self
            .config
            .host_quotas
            .get(host)
            .copied()
            .unwrap_or(self.config.default_quota);
        Arc::clone(hosts.entry(host.clone()).or_insert_with(|| {
            let polite = HostPoliteness::new(host.clone(), quota);
            let remembered = locked(&self.remembered).remove(host);
            if let Some(pace) = remembered {
                let since = SystemTime::now()
                    .duration_since(pace.last_request)
                    .unwrap_or_default();
                polite.resume(pace.crawl_delay, since);
            }
            Arc::new(HostEntry {
                polite,
                robots: OnceCell::new(),
                dead: AtomicBool::new(false),
                refused: std::sync::OnceLock::new(),
                requests: AtomicU64::new(0),
                busy_ms: AtomicU64::new(0),
            })
        }))
    }

    async fn robots_of<'e>(&self, entry: &'e HostEntry, scheme: &str) -> &'e Robots {
        entry
            .robots
            .get_or_init(|| async {
                let Ok(url) = Url::parse(&format!("{scheme}://{}/robots.txt", entry.polite.host()))
                else {
                    return Robots::Unavailable;
                };
                match self
                    .send(entry, &Request::get(url, "text/plain"), false)
                    .await
                {
                    Ok(fetched) => {
                        let robots = Robots::from_response(fetched.status, &fetched.body);
                        if let Some(delay) = robots.crawl_delay() {
                            entry.polite.set_crawl_delay(delay);
                            // robots.txt itself was a request the delay spaces.
                            self.note_pace(entry).await;
                        }
                        robots
                    }
                    Err(FetchError::Gone { .. }) => Robots::Gone,
                    Err(FetchError::Status { status, .. } | FetchError::Refused { status, .. }) => {
                        Robots::from_response(status, b"")
                    }
                    Err(FetchError::Unsafe(why)) => {
                        let _ = entry.refused.set(why);
                        Robots::Unavailable
                    }
                    Err(_) => Robots::Unavailable,
                }
            })
            .await
    }

    async fn fetch_uncached(&self, request: Request) -> Result<Arc<Fetched>, FetchError> {
        let url = request.url.as_str().to_owned();
        let Some(host) = Host::from_url(&request.url) else {
            return Err(FetchError::Unsafe(Cause::Known(format!("{url}: no host"))));
        };
        if locked(&self.forgotten).contains(&host) {
            return Err(FetchError::Forgotten {
                host: host.to_string(),
            });
        }
        if self.is_denied(&host) {
            return Err(FetchError::Denied {
                host: host.to_string(),
            });
        }
        let entry = self.entry(&host);
        let span = info_span!("request", %host, url = %request.url);
        // An owned brand's token goes to its own home server only (the engine sends it
        // nowhere else); on that server's client API it acts for the account's owner,
        // as any client app does, so robots.txt does not gate it (BRIEF section 3).
        let client = request.bearer.is_some() && request.url.path().starts_with("/api/");
        async {
            let robots = self.robots_of(&entry, request.url.scheme()).await;
            if client {
                if let Robots::Gone = robots {
                    return Err(FetchError::HostGone {
                        host: host.to_string(),
                    });
                }
                if !robots.allows(&url) {
                    locked(&self.client_access).insert(host.to_string());
                }
                return self.send(&entry, &request, true).await.map(Arc::new);
            }
            match robots {
                Robots::Gone => {
                    return Err(FetchError::HostGone {
                        host: host.to_string(),
                    });
                }
                // Refused by the address guard: reported as unsafe, with the address
                // and the key that would allow it, not as an unreadable robots.txt.
                Robots::Unavailable if entry.refused.get().is_some() => {
                    return Err(FetchError::Unsafe(
                        entry.refused.get().cloned().unwrap_or_else(|| {
                            Cause::Known(format!("{host}: refused by the address guard"))
                        }),
                    ));
                }
                Robots::Unavailable if entry.dead.load(Ordering::Relaxed) => {
                    return Err(FetchError::Unreachable(Cause::Known(format!(
                        "{host}: did not answer (robots.txt)"
                    ))));
                }
                Robots::Unavailable => {
                    return Err(FetchError::RobotsUnavailable {
                        host: host.to_string(),
                    });
                }
                robots if !robots.allows(&url) => return Err(FetchError::RobotsDisallowed { url }),
                _ => {}
            }
            self.send(&entry, &request, false).await.map(Arc::new)
        }
        .instrument(span)
        .await
    }

    /// Waits for this request's turn in the host's budget that every crawling process
    /// shares (issue #15), when the pace book keeps one; the wait is counted as a
    /// rate-limit wait.
    async fn wait_for_shared_slot(&self, entry: &HostEntry) {
        let Some(book) = self.pace_book.as_ref() else {
            return;
        };
        let (interval, burst) = entry.polite.shared_pace();
        let Some(at) = book.reserve(entry.polite.host(), interval, burst).await else {
            return;
        };
        if let Ok(wait) = at.duration_since(SystemTime::now())
            && !wait.is_zero()
        {
            self.stats.rate_limit_waits.fetch_add(1, Ordering::Relaxed);
            let ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
            self.stats
                .rate_limit_wait_ms
                .fetch_add(ms, Ordering::Relaxed);
            tokio::time::sleep(wait).await;
        }
    }

    /// Records, for a host with a Crawl-delay, that it is being asked something now.
    async fn note_pace(&self, entry: &HostEntry) {
        let delay = entry.polite.crawl_delay();
        if let Some(book) = self.pace_book.as_ref().filter(|_| !delay.is_zero()) {
            let pace = Pace {
                last_request: SystemTime::now(),
                crawl_delay: delay,
            };
            book.record(entry.polite.host(), pace).await;
        }
    }

    /// Sends with the host's politeness and retries, without the robots check; a
    /// `client` request (an owned brand's own client) does not wait for Crawl-delay.
    async fn send(
        &self,
        entry: &HostEntry,
        request: &Request,
        client: bool,
    ) -> Result<Fetched, FetchError> {
        let url = request.url.as_str().to_owned();
        let host = entry.polite.host();
        let max_retries = self.config.max_retries;
        let mut attempt = 0;
        loop {
            if entry.dead.load(Ordering::Relaxed) {
                return Err(FetchError::Unreachable(Cause::Known(format!(
                    "{host}: did not answer earlier in this crawl"
                ))));
            }
            entry.within_budget(&self.config)?;
            let response = match self.dispatch(entry, request, client).await? {
                Ok(response) => response,
                Err(error) => {
                    self.transport_failed(entry, error, attempt)?;
                    attempt += 1;
                    continue;
                }
            };
            let status = response.status.as_u16();
            let wait = self.answered(entry, &response);
            if !wait.is_zero()
                && let Some(book) = self.pace_book.as_ref()
            {
                // Every process sharing the book waits too, not only this one.
                book.hold(host, SystemTime::now() + wait).await;
            }
            match next::after_status(status, attempt, max_retries, wait) {
                Next::Retry => attempt += 1,
                Next::Document => {
                    entry.polite.on_success();
                    let header = |name: &str| response.header(name).map(str::to_owned);
                    return Ok(Fetched {
                        status,
                        content_type: header("content-type"),
                        etag: header("etag"),
                        last_modified: header("last-modified"),
                        link: header("link"),
                        url: response.url,
                        body: response.body,
                    });
                }
                Next::Refused => return Err(FetchError::Refused { url, status }),
                Next::Gone => return Err(FetchError::Gone { url }),
                Next::RateLimited => {
                    return Err(FetchError::RateLimited {
                        url,
                        retries: attempt,
                    });
                }
                _ => return Err(FetchError::Status { url, status }),
            }
        }
    }

    /// A request that got no answer: counted, and `Ok` when it is to be tried again
    /// (after a back-off), else what it means for the fetch.
    fn transport_failed(
        &self,
        entry: &HostEntry,
        error: NetError,
        attempt: u32,
    ) -> Result<(), FetchError> {
        let host = entry.polite.host();
        entry.polite.on_response(None);
        self.stats.record(host, None);
        self.stats.errors.fetch_add(1, Ordering::Relaxed);
        match next::after_error(&error, attempt, self.config.max_retries) {
            Next::Retry => {
                entry.polite.back_off(None);
                Ok(())
            }
            Next::Dead => {
                entry.dead.store(true, Ordering::Relaxed);
                warn!(%host, %error, "host unreachable");
                Err(FetchError::Unreachable(error.into()))
            }
            Next::Unsafe => Err(FetchError::Unsafe(error.into())),
            _ => Err(FetchError::Transport(error.into())),
        }
    }

    /// An answer: its rate-limit headers and status taken into the host's pace and the
    /// stats; returns how long a retry must wait (only 429 and 503 carry a wait worth
    /// honouring; other 5xx back off).
    fn answered(&self, entry: &HostEntry, response: &Response) -> Duration {
        let now = SystemTime::now();
        let limits = rate_limit(&response.headers, now);
        entry.polite.on_response(limits);
        let status = response.status.as_u16();
        self.stats.record(entry.polite.host(), Some(status));
        debug!(status, "response");
        if status == 429 {
            self.stats.status_429.fetch_add(1, Ordering::Relaxed);
        }
        if !next::backs_off(status) {
            return Duration::ZERO;
        }
        let told = matches!(status, 429 | 503)
            .then(|| {
                retry_after(&response.headers, now)
                    .or_else(|| limits.filter(|l| l.remaining == 0).map(|l| l.reset_in))
            })
            .flatten();
        entry.polite.back_off(told)
    }

    /// One request on its way: the host's pace, a slot among those in flight, the
    /// host's budget and pace book kept. `Err` only when the crawl is stopping.
    async fn dispatch(
        &self,
        entry: &HostEntry,
        request: &Request,
        client: bool,
    ) -> Result<Result<Response, NetError>, FetchError> {
        let waited = if client {
            entry.polite.acquire_as_client().await
        } else {
            entry.polite.acquire().await
        };
        if !waited.is_zero() {
            self.stats.rate_limit_waits.fetch_add(1, Ordering::Relaxed);
            let ms = u64::try_from(waited.as_millis()).unwrap_or(u64::MAX);
            self.stats
                .rate_limit_wait_ms
                .fetch_add(ms, Ordering::Relaxed);
        }
        self.wait_for_shared_slot(entry).await;
        let Ok(_permit) = self.global.acquire().await else {
            entry.polite.on_response(None);
            return Err(FetchError::Transport(Cause::Known("crawl stopped".into())));
        };
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
        self.note_pace(entry).await;
        entry.requests.fetch_add(1, Ordering::Relaxed);
        let sent = std::time::Instant::now();
        let result = self.client.get(request).await;
        let ms = u64::try_from(sent.elapsed().as_millis()).unwrap_or(u64::MAX);
        entry.busy_ms.fetch_add(ms, Ordering::Relaxed);
        // The answer's time too: a process killed after it was read leaves the latest
        // time behind.
        self.note_pace(entry).await;
        Ok(result)
    }
}
