//! The polite fetcher: everything the crawler fetches goes through [`Fetcher::fetch`],
//! which reads robots.txt before anything else on a host, keeps each host's rate (ours,
//! the server's headers, its Crawl-delay, its 429s and 503s), caps requests in flight
//! across hosts, retries what is worth retrying, and never fetches a URL twice in a crawl.

mod headers;
mod host;
mod pace;
mod robots;

use std::{
    collections::{BTreeSet, HashMap, HashSet},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, SystemTime},
};

use bytes::Bytes;
use fedireach_core::Host;
use sha2::{Digest, Sha256};
use thiserror::Error;
use tokio::sync::{OnceCell, Semaphore};
use tracing::{Instrument, debug, info_span, warn};
use url::Url;

use headers::{MAX_SERVER_WAIT, rate_limit, retry_after};
use host::HostPoliteness;
pub use host::HostQuota;
pub use pace::{Pace, PaceBook};
pub use robots::Robots;

use crate::net::{HttpClient, NetError, Request};

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

/// A document as fetched.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub status: u16,
    /// After redirects.
    pub url: Url,
    pub body: Bytes,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// The `Link` header (Mastodon REST paging).
    pub link: Option<String>,
}

impl Fetched {
    /// 304: the copy the validators named is current.
    pub fn not_modified(&self) -> bool {
        self.status == 304
    }

    /// Whether the body is declared JSON (any `json` media type: ActivityPub, JRD,
    /// NodeInfo's profiles), or not declared at all. An HTML page is not a document to
    /// read, even when it happens to parse.
    pub fn is_json(&self) -> bool {
        self.content_type
            .as_deref()
            .is_none_or(|t| t.to_ascii_lowercase().contains("json"))
    }

    /// What to remember of this response to ask for it conditionally next time.
    pub fn validators(&self) -> Validators {
        Validators {
            etag: self.etag.clone(),
            last_modified: self.last_modified.clone(),
            body_sha256: Some(hex::encode(Sha256::digest(&self.body))),
        }
    }

    /// Whether this answer says the document is the one `known` describes: a 304, or
    /// the same body (servers that send no validator, POST APIs).
    pub fn unchanged_from(&self, known: &Validators) -> bool {
        self.not_modified()
            || (self.status == 200
                && known.body_sha256.is_some()
                && self.validators().body_sha256 == known.body_sha256)
    }
}

/// What a crawl remembers of a response: its validators for a conditional GET, and a
/// digest of its body to recognise it unchanged when the server sends none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// SHA-256 of the body, hex.
    pub body_sha256: Option<String>,
}

/// Why a fetch gave no document. Refusals (robots, 401/403, 410) are a "no", not a
/// failure of the host: the crawl's summary and exit code treat them apart.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum FetchError {
    /// robots.txt disallows the path for our agent.
    #[error("{url}: disallowed by robots.txt")]
    RobotsDisallowed { url: String },
    /// robots.txt could not be read (5xx or no answer), so the host is not crawled.
    #[error("{host}: robots.txt could not be read, so nothing is fetched from it in this crawl")]
    RobotsUnavailable { host: String },
    /// The host, or the document, answered 410 Gone: an opt-out; purge it.
    #[error("{url}: gone (410); what is stored of it is purged")]
    Gone { url: String },
    /// robots.txt answered 410 Gone: the whole host opted out; purge it.
    #[error("{host}: robots.txt is gone (410): the host opted out; what is stored of it is purged")]
    HostGone { host: String },
    /// 401 or 403: no consent (authorized fetch, a private document, a disabled API).
    #[error("{url}: refused ({status}); recorded in the consent report")]
    Refused { url: String, status: u16 },
    /// Any other unsuccessful status.
    #[error("{url}: HTTP {status}")]
    Status { url: String, status: u16 },
    /// Still limited after every retry.
    #[error("{url}: still rate-limited after {retries} retries")]
    RateLimited { url: String, retries: u32 },
    /// The host is down (no answer), found dead earlier in this crawl, or too slow.
    #[error("{0}")]
    Unreachable(String),
    /// Refused by the address guard, too large, too many redirects, not https.
    #[error("{0}")]
    Unsafe(String),
    /// A transport failure (TLS, protocol).
    #[error("{0}")]
    Transport(String),
    /// The host is on the operator's denylist: nothing is asked of it.
    #[error("{host}: on the denylist (crawl.denylist_file), so nothing is asked of it")]
    Denied { host: String },
    /// The host was forgotten (`forget instance`): nothing is asked of it.
    #[error("{host}: forgotten (forget instance), so nothing is asked of it")]
    Forgotten { host: String },
    /// The host cost the crawl more than a cap allows (requests, time, items, pages).
    #[error("{host}: {what}; nothing more is asked of it in this crawl, what was read is kept")]
    OverLimit { host: String, what: String },
    /// Asked for again after its document was released (see [`Fetcher::release`]).
    #[error("{key}: fetched earlier in this crawl, and no longer kept")]
    Released { key: String },
}

impl FetchError {
    /// Whether this counts as the host failing (exit code 3), rather than a refusal.
    pub fn is_host_failure(&self) -> bool {
        matches!(
            self,
            Self::Status { .. }
                | Self::RateLimited { .. }
                | Self::Unreachable(_)
                | Self::Unsafe(_)
                | Self::Transport(_)
                | Self::OverLimit { .. }
        ) && !matches!(self, Self::Status { status: 404, .. })
    }
}

/// Counters of one crawl's traffic.
#[derive(Debug, Default)]
pub struct FetchStats {
    pub requests: AtomicU64,
    pub rate_limit_waits: AtomicU64,
    pub rate_limit_wait_ms: AtomicU64,
    pub status_429: AtomicU64,
    pub errors: AtomicU64,
    per_host: Mutex<HashMap<String, HostCounts>>,
}

/// One host's traffic in a crawl.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostCounts {
    pub requests: u64,
    pub by_status: std::collections::BTreeMap<u16, u64>,
    pub failures: u64,
}

impl FetchStats {
    fn record(&self, host: &Host, status: Option<u16>) {
        let mut map = self
            .per_host
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let counts = map.entry(host.to_string()).or_default();
        counts.requests += 1;
        match status {
            Some(s) => *counts.by_status.entry(s).or_default() += 1,
            None => counts.failures += 1,
        }
    }

    /// A copy of the per-host counts.
    pub fn per_host(&self) -> HashMap<String, HostCounts> {
        self.per_host
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

struct HostEntry {
    polite: HostPoliteness,
    robots: OnceCell<Robots>,
    /// Set when the host did not answer: later requests fail at once.
    dead: AtomicBool,
    /// Why the address guard refused the host when robots.txt was asked for (its
    /// address and the config key that would allow it): every request fails with it.
    refused: std::sync::OnceLock<String>,
    /// What the host has cost this crawl: requests sent, and time spent waiting for
    /// its answers (milliseconds).
    requests: AtomicU64,
    busy_ms: AtomicU64,
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
        self.forgotten
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend(hosts);
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
        self.denied
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend(domains);
    }

    /// Whether `host` is on the denylist (itself or a parent domain).
    pub fn is_denied(&self, host: &Host) -> bool {
        self.denied
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .any(|d| host.is_within(d))
    }

    /// Hosts where an owned brand's client access went past what robots.txt bars.
    pub fn client_access_hosts(&self) -> BTreeSet<String> {
        self.client_access
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    pub fn stats(&self) -> &FetchStats {
        &self.stats
    }

    /// Fetches a document once per crawl: a second call for the same URL gets the first
    /// call's result, even while the first is still under way.
    pub async fn fetch(&self, request: Request) -> Result<Arc<Fetched>, FetchError> {
        let slot = {
            let mut seen = self
                .seen
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
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
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
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
        let mut hosts = self
            .hosts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let quota = self
            .config
            .host_quotas
            .get(host)
            .copied()
            .unwrap_or(self.config.default_quota);
        Arc::clone(hosts.entry(host.clone()).or_insert_with(|| {
            let polite = HostPoliteness::new(host.clone(), quota);
            let remembered = self
                .remembered
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .remove(host);
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
            return Err(FetchError::Unsafe(format!("{url}: no host")));
        };
        if self
            .forgotten
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .contains(&host)
        {
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
                    self.client_access
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .insert(host.to_string());
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
                        entry.refused.get().cloned().unwrap_or_default(),
                    ));
                }
                Robots::Unavailable if entry.dead.load(Ordering::Relaxed) => {
                    return Err(FetchError::Unreachable(format!(
                        "{host}: did not answer (robots.txt)"
                    )));
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

    /// `Err(OverLimit)` once the host has cost this crawl all its requests or time.
    fn within_budget(&self, entry: &HostEntry) -> Result<(), FetchError> {
        let over = |what: String| FetchError::OverLimit {
            host: entry.polite.host().to_string(),
            what,
        };
        let max = self.config.max_requests_per_host;
        if entry.requests.load(Ordering::Relaxed) >= max {
            return Err(over(format!(
                "asked {max} times, the most one host may be (crawl.max_requests_per_host)"
            )));
        }
        let budget = self.config.host_time_budget;
        let busy = Duration::from_millis(entry.busy_ms.load(Ordering::Relaxed));
        if busy >= budget {
            return Err(over(format!(
                "kept the crawl waiting {}s for its answers, its whole budget \
                 (crawl.host_time_budget = {}s)",
                busy.as_secs(),
                budget.as_secs()
            )));
        }
        Ok(())
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
        let mut attempt = 0;
        loop {
            if entry.dead.load(Ordering::Relaxed) {
                return Err(FetchError::Unreachable(format!(
                    "{host}: did not answer earlier in this crawl"
                )));
            }
            self.within_budget(entry)?;
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
            let result = {
                let Ok(_permit) = self.global.acquire().await else {
                    entry.polite.on_response(None);
                    return Err(FetchError::Transport("crawl stopped".into()));
                };
                self.stats.requests.fetch_add(1, Ordering::Relaxed);
                self.note_pace(entry).await;
                entry.requests.fetch_add(1, Ordering::Relaxed);
                let sent = std::time::Instant::now();
                let result = self.client.get(request).await;
                let ms = u64::try_from(sent.elapsed().as_millis()).unwrap_or(u64::MAX);
                entry.busy_ms.fetch_add(ms, Ordering::Relaxed);
                // The answer's time too: a process killed after it was read leaves the
                // latest time behind.
                self.note_pace(entry).await;
                result
            };
            let response = match result {
                Ok(response) => response,
                Err(error) => {
                    entry.polite.on_response(None);
                    self.stats.record(host, None);
                    self.stats.errors.fetch_add(1, Ordering::Relaxed);
                    match error {
                        NetError::Timeout { .. } if attempt < self.config.max_retries.min(1) => {
                            attempt += 1;
                            entry.polite.back_off(None);
                            continue;
                        }
                        NetError::Unreachable { .. } | NetError::Timeout { .. } => {
                            entry.dead.store(true, Ordering::Relaxed);
                            warn!(%host, %error, "host unreachable");
                            return Err(FetchError::Unreachable(error.to_string()));
                        }
                        NetError::Refused { .. }
                        | NetError::Redirects { .. }
                        | NetError::TooLarge { .. }
                        | NetError::Encoding { .. }
                        | NetError::Scheme { .. } => {
                            return Err(FetchError::Unsafe(error.to_string()));
                        }
                        other => return Err(FetchError::Transport(other.to_string())),
                    }
                }
            };
            let now = SystemTime::now();
            let limits = rate_limit(&response.headers, now);
            entry.polite.on_response(limits);
            let status = response.status.as_u16();
            self.stats.record(host, Some(status));
            debug!(status, "response");
            match status {
                429 | 503 | 500..=599 => {
                    if status == 429 {
                        self.stats.status_429.fetch_add(1, Ordering::Relaxed);
                    }
                    let told = retry_after(&response.headers, now)
                        .or_else(|| limits.filter(|l| l.remaining == 0).map(|l| l.reset_in));
                    let wait = entry.polite.back_off(if status == 429 || status == 503 {
                        told
                    } else {
                        None
                    });
                    if attempt >= self.config.max_retries || wait > MAX_SERVER_WAIT {
                        return Err(if status == 429 {
                            FetchError::RateLimited {
                                url,
                                retries: attempt,
                            }
                        } else {
                            FetchError::Status { url, status }
                        });
                    }
                    attempt += 1;
                }
                401 | 403 => return Err(FetchError::Refused { url, status }),
                410 => return Err(FetchError::Gone { url }),
                200..=299 | 304 => {
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
                _ => return Err(FetchError::Status { url, status }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fetched(status: u16, content_type: Option<&str>, body: &'static [u8]) -> Fetched {
        Fetched {
            status,
            url: Url::parse("https://a.example/x").unwrap_or_else(|_| unreachable!()),
            body: Bytes::from_static(body),
            content_type: content_type.map(str::to_owned),
            etag: Some("W/\"1\"".to_owned()),
            last_modified: None,
            link: None,
        }
    }

    #[test]
    fn unchanged_is_a_304_or_the_same_body() {
        let known = fetched(200, None, b"{\"a\":1}").validators();
        for (answer, unchanged) in [
            (fetched(304, None, b""), true),
            (fetched(200, None, b"{\"a\":1}"), true),
            (fetched(200, None, b"{\"a\":2}"), false),
            (fetched(201, None, b"{\"a\":1}"), false),
        ] {
            assert_eq!(answer.unchanged_from(&known), unchanged, "{answer:?}");
        }
        let no_digest = Validators {
            body_sha256: None,
            ..known
        };
        assert!(!fetched(200, None, b"{\"a\":1}").unchanged_from(&no_digest));
    }

    #[test]
    fn json_is_any_json_media_type_or_none_said() {
        for (content_type, json) in [
            (None, true),
            (Some("application/activity+json; charset=utf-8"), true),
            (
                Some("application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\""),
                true,
            ),
            (Some("application/jrd+json"), true),
            (Some("Application/JSON"), true),
            (Some("text/html; charset=utf-8"), false),
            (Some("text/plain"), false),
        ] {
            assert_eq!(
                fetched(200, content_type, b"{}").is_json(),
                json,
                "{content_type:?}"
            );
        }
    }
}
