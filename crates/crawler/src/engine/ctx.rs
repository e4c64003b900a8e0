//! What every part of a crawl shares: the polite fetcher, the signing key, the tallies of
//! failures and consent, and typed fetch-and-parse helpers.

use std::{
    collections::BTreeMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::SystemTime,
};

use fedireach_core::{Host, Unavailable};
use tracing::{debug, warn};
use url::Url;

use super::{
    plan::CrawlOptions,
    scope,
    summary::{ConsentKey, HostFailure},
};
use crate::{FetchError, Fetched, Fetcher, InstanceKey, Request};

/// The Accept header for ActivityPub documents: both media types servers answer to.
pub const ACCEPT_AP: &str = "application/activity+json, application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";
pub const ACCEPT_JSON: &str = "application/json";
pub const ACCEPT_JRD: &str = "application/jrd+json, application/json";

/// Shared state of one crawl.
#[derive(Debug)]
pub struct Ctx {
    pub fetcher: Arc<Fetcher>,
    pub key: Option<InstanceKey>,
    pub options: CrawlOptions,
    pub started_at: i64,
    pub(super) failures: Mutex<Vec<HostFailure>>,
    consent: Mutex<BTreeMap<ConsentKey, std::collections::BTreeSet<String>>>,
    /// Refusals by host, route (`activitypub`, `api`) and reason: the host is left out
    /// only when nothing of it could be read; otherwise the route alone is.
    pub(super) refusals: Mutex<std::collections::BTreeSet<(String, &'static str, &'static str)>>,
    /// Hosts that answered at least one request with a document.
    read_hosts: Mutex<std::collections::BTreeSet<String>>,
    gone: Mutex<Vec<Gone>>,
    unresolved: Mutex<Vec<super::summary::UnresolvedActor>>,
    /// The (host, cap) pairs already reported `over_limit`.
    over_limit_seen: Mutex<std::collections::BTreeSet<(String, String)>>,
    pub posts: AtomicU64,
    /// Posts found unchanged since the last crawl, so not read again.
    pub unchanged: AtomicU64,
    pub engagements: AtomicU64,
    pub removed: AtomicU64,
}

/// Something that answered 410 Gone: an opt-out to purge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gone {
    Object(String),
    Host(Host),
}

impl Ctx {
    pub fn new(fetcher: Arc<Fetcher>, key: Option<InstanceKey>, options: CrawlOptions) -> Self {
        let started_at = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        Self {
            fetcher,
            key,
            options,
            started_at,
            failures: Mutex::new(Vec::new()),
            consent: Mutex::new(BTreeMap::new()),
            refusals: Mutex::new(std::collections::BTreeSet::new()),
            read_hosts: Mutex::new(std::collections::BTreeSet::new()),
            gone: Mutex::new(Vec::new()),
            unresolved: Mutex::new(Vec::new()),
            over_limit_seen: Mutex::new(std::collections::BTreeSet::new()),
            posts: AtomicU64::new(0),
            unchanged: AtomicU64::new(0),
            engagements: AtomicU64::new(0),
            removed: AtomicU64::new(0),
        }
    }

    /// Counts `who` (an engager hash input, a host, a post) once under a consent reason.
    pub fn consent(&self, subject: &'static str, action: &'static str, reason: &str, who: &str) {
        let mut map = self
            .consent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.entry(ConsentKey {
            subject,
            action,
            reason: reason.to_owned(),
        })
        .or_default()
        .insert(who.to_owned());
    }

    pub fn failure(&self, host: &str, url: &str, kind: &'static str, message: String) {
        // Whatever post is being read saw a failure: it is not remembered as read in full.
        scope::note_failure();
        self.report(host, url, kind, message);
    }

    /// A host that served more than a cap allows: reported `over_limit` with the cap,
    /// once per host and cap, and what was read of it is kept (the post stands as read).
    pub fn over_limit(&self, url: &Url, what: &str) {
        let host = Host::from_url(url)
            .map(|h| h.to_string())
            .unwrap_or_default();
        let first = self
            .over_limit_seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert((host.clone(), what.to_owned()));
        if !first {
            return;
        }
        self.report(
            &host,
            url.as_str(),
            "over_limit",
            format!("{url}: {what}; what was read is kept"),
        );
    }

    /// A host that misbehaved without keeping anything from being read (its endless
    /// empty pages were cut short): reported, but the post stands as read.
    pub fn misbehaved(&self, url: &Url, what: &str) {
        let host = Host::from_url(url)
            .map(|h| h.to_string())
            .unwrap_or_default();
        self.report(&host, url.as_str(), "malformed", format!("{url}: {what}"));
    }

    fn report(&self, host: &str, url: &str, kind: &'static str, message: String) {
        warn!(host, url, kind, %message, "host failed");
        self.failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(HostFailure {
                host: host.to_owned(),
                url: url.to_owned(),
                kind,
                message,
            });
    }

    fn push_gone(&self, gone: Gone) {
        let mut list = self
            .gone
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !list.contains(&gone) {
            list.push(gone);
        }
    }

    /// What answered 410 during the crawl, to purge.
    pub fn take_gone(&self) -> Vec<Gone> {
        std::mem::take(
            &mut *self
                .gone
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    /// A brand actor that could not be resolved, and why.
    pub fn unresolved(&self, actor: &str, reason: String) {
        self.unresolved
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(super::summary::UnresolvedActor {
                actor: actor.to_owned(),
                reason,
            });
    }

    pub fn take_unresolved(&self) -> Vec<super::summary::UnresolvedActor> {
        std::mem::take(
            &mut *self
                .unresolved
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    pub fn take_failures(&self) -> Vec<HostFailure> {
        std::mem::take(
            &mut *self
                .failures
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    /// The consent report: a refused host is `left_out` only when nothing of it could
    /// be read; a host read by one route and refused by another has the refused route
    /// recorded (`route`, `refused`, `REASON:ROUTE`). Hosts where an owned brand's
    /// client went past robots.txt are `client_access`.
    pub fn consent_counts(&self) -> BTreeMap<ConsentKey, u64> {
        let read = self
            .read_hosts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let refusals = self
            .refusals
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        for (host, route, reason) in refusals {
            if read.contains(&host) {
                self.consent("route", "refused", &format!("{reason}:{route}"), &host);
            } else {
                self.consent("host", "left_out", reason, &host);
            }
        }
        for host in self.fetcher.client_access_hosts() {
            self.consent("host", "client_access", "owner_token", &host);
        }
        self.consent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .map(|(k, v)| (k.clone(), u64::try_from(v.len()).unwrap_or(u64::MAX)))
            .collect()
    }

    /// Notes that a document of `host` was read.
    fn read_from(&self, host: &Host) {
        self.read_hosts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(host.to_string());
    }

    fn refused(&self, host: String, url: &Url, reason: &'static str) {
        let route = if url.path().starts_with("/api/") {
            "api"
        } else {
            "activitypub"
        };
        self.refusals
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert((host, route, reason));
    }

    pub fn count(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// Records what a failed fetch means: a host failure, or a refusal for consent.
    pub fn record(&self, url: &Url, error: &FetchError) {
        let host = Host::from_url(url)
            .map(|h| h.to_string())
            .unwrap_or_default();
        match error {
            FetchError::RobotsDisallowed { .. } => self.refused(host, url, "robots_txt"),
            FetchError::Forgotten { .. } => self.consent("host", "left_out", "forgotten", &host),
            FetchError::Denied { .. } => self.consent("host", "left_out", "denylist", &host),
            FetchError::RobotsUnavailable { .. } => {
                self.failure(&host, url.as_str(), "robots_unavailable", error.to_string());
            }
            FetchError::Gone { .. } => {
                self.consent("post", "left_out", "gone_410", url.as_str());
                self.push_gone(Gone::Object(url.to_string()));
            }
            FetchError::HostGone { .. } => {
                self.consent("host", "left_out", "gone_410", &host);
                if let Some(host) = Host::from_url(url) {
                    self.push_gone(Gone::Host(host));
                }
            }
            FetchError::Refused { .. } => {
                let reason = if self.key.is_some() {
                    "refused_signed_fetch"
                } else {
                    "authorized_fetch"
                };
                self.refused(host, url, reason);
            }
            FetchError::Status { status: 404, .. } => debug!(%url, "not found"),
            _ if error.is_host_failure() => {
                let kind = match error {
                    FetchError::Unreachable(_) => "unreachable",
                    FetchError::RateLimited { .. } => "rate_limited",
                    FetchError::Unsafe(_) => "unsafe",
                    FetchError::OverLimit { .. } => "over_limit",
                    FetchError::Status { .. } => "http_status",
                    _ => "transport",
                };
                self.failure(&host, url.as_str(), kind, error.to_string());
            }
            _ => debug!(%url, %error, "not fetched"),
        }
    }

    /// A malformed document: logged and skipped, the host counted as failing.
    pub fn malformed(&self, url: &Url, error: &dyn std::fmt::Display) {
        let host = Host::from_url(url)
            .map(|h| h.to_string())
            .unwrap_or_default();
        self.failure(&host, url.as_str(), "malformed", format!("{url}: {error}"));
    }

    /// GETs a document, signed when the instance actor has a key.
    pub async fn get(
        &self,
        url: &Url,
        accept: &'static str,
        bearer: Option<&str>,
    ) -> Result<Arc<Fetched>, FetchError> {
        let mut request = Request::get(url.clone(), accept);
        request.bearer = bearer.map(str::to_owned);
        self.fetch(request).await
    }

    /// Sends a request (a GET signed when the instance actor has a key and no token is
    /// sent), recording a failure for the summary. A 401 to a GET signed over a query
    /// is tried once more signed over the path alone, as GoToSocial verifies.
    pub async fn fetch(&self, mut request: Request) -> Result<Arc<Fetched>, FetchError> {
        let key = self
            .key
            .as_ref()
            .filter(|_| request.bearer.is_none() && request.json_body.is_none());
        if let Some(key) = key {
            match key.sign_get(&request.url, SystemTime::now(), true) {
                Ok(headers) => request.headers = headers,
                Err(e) => warn!(%e, "cannot sign"),
            }
        }
        let url = request.url.clone();
        let accept = request.accept;
        let bearer = request.bearer.is_some();
        self.note_fetched(&request);
        let mut result = self.fetcher.fetch(request).await;
        if let (Some(key), Err(FetchError::Refused { status: 401, .. }), Some(_)) =
            (key, &result, url.query())
        {
            let mut retry = Request::get(url.clone(), accept);
            retry.signed_without_query = true;
            match key.sign_get(&url, SystemTime::now(), false) {
                Ok(headers) => {
                    retry.headers = headers;
                    debug!(%url, "401 to a signature over the query: signed without it");
                    self.note_fetched(&retry);
                    result = self.fetcher.fetch(retry).await;
                }
                Err(e) => warn!(%e, "cannot sign"),
            }
        }
        match result {
            Ok(fetched) => {
                if fetched.status < 400
                    && let Some(host) = Host::from_url(&url)
                {
                    self.read_from(&host);
                }
                Ok(fetched)
            }
            Err(error) => {
                let refusal = match &error {
                    FetchError::RobotsDisallowed { .. } => Some(Unavailable::RobotsTxt),
                    // Refused although signed or with a token: a "no". Refused to an
                    // anonymous request: it wants a client's token.
                    FetchError::Refused { .. } if key.is_some() || bearer => {
                        Some(Unavailable::Refused)
                    }
                    FetchError::Refused { .. } => Some(Unavailable::NeedsToken),
                    _ => None,
                };
                if let (Some(why), Some(host)) = (refusal, Host::from_url(&url)) {
                    scope::note_refusal(host, why);
                }
                self.record(&url, &error);
                Err(error)
            }
        }
    }

    /// POSTs a read-only JSON query (Misskey's API).
    pub async fn post_json(
        &self,
        url: &Url,
        body: String,
        bearer: Option<&str>,
    ) -> Result<Arc<Fetched>, FetchError> {
        let mut request = Request::post_json(url.clone(), body);
        request.bearer = bearer.map(str::to_owned);
        self.fetch(request).await
    }

    /// Fetches and parses, recording a malformed document.
    pub async fn get_parsed<T, E: std::fmt::Display>(
        &self,
        url: &Url,
        accept: &'static str,
        bearer: Option<&str>,
        parse: impl FnOnce(&[u8], usize) -> Result<T, E>,
    ) -> Option<(T, Arc<Fetched>)> {
        self.get_parsed_or_why(url, accept, bearer, parse)
            .await
            .ok()
    }

    /// [`Ctx::get_parsed`], saying why there is no document when there is none.
    pub async fn get_parsed_or_why<T, E: std::fmt::Display>(
        &self,
        url: &Url,
        accept: &'static str,
        bearer: Option<&str>,
        parse: impl FnOnce(&[u8], usize) -> Result<T, E>,
    ) -> Result<(T, Arc<Fetched>), String> {
        let fetched = self
            .get(url, accept, bearer)
            .await
            .map_err(|e| e.to_string())?;
        if !fetched.is_json() {
            let served = fetched.content_type.as_deref().unwrap_or_default();
            let why = format!("{url}: served {served}, not JSON");
            self.malformed(url, &format_args!("served {served}, not JSON"));
            return Err(why);
        }
        match parse(&fetched.body, self.options.max_document_bytes) {
            Ok(value) => Ok((value, fetched)),
            Err(error) => {
                self.malformed(url, &error);
                Err(format!("{url}: malformed ({error})"))
            }
        }
    }
}

/// Futures run at most this many at a time by [`all_bounded`].
pub const AT_ONCE: usize = 64;

/// Runs futures [`AT_ONCE`] at a time and gives their outputs in order. A host may list
/// tens of thousands of items (crawl.max_items_per_collection): `join_all` would hold a
/// future for each at once, each the size of a whole fetch, hundreds of megabytes. The
/// fetcher's own cap on requests in flight is lower, so nothing is slower.
pub async fn all_bounded<F: Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    use futures::StreamExt;
    futures::stream::iter(futures)
        .buffered(AT_ONCE)
        .collect()
        .await
}

/// Resolves a possibly relative reference against a document's URL; `None` for junk.
pub fn join(base: &Url, reference: &str) -> Option<Url> {
    base.join(reference)
        .ok()
        .filter(|u| matches!(u.scheme(), "https" | "http"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AddressGuard, HostQuota, HttpClient, NetConfig, PolitenessConfig};

    fn ctx() -> Ctx {
        let client = HttpClient::new(&NetConfig {
            user_agent: "fedireach-test".into(),
            timeout: std::time::Duration::from_secs(1),
            max_redirects: 0,
            max_document_bytes: 1024,
            allow_http: true,
            extra_ca_pem: None,
            guard: AddressGuard::default(),
            resolve_all: None,
            resolve: std::collections::HashMap::new(),
        })
        .unwrap_or_else(|e| panic!("client: {e}"));
        let fetcher = Fetcher::new(
            client,
            PolitenessConfig {
                default_quota: HostQuota {
                    rate: 1.0,
                    burst: 1,
                },
                host_quotas: std::collections::HashMap::new(),
                concurrency: 1,
                max_retries: 0,
                max_requests_per_host: 100,
                host_time_budget: std::time::Duration::from_secs(60),
            },
        );
        Ctx::new(
            Arc::new(fetcher),
            None,
            CrawlOptions {
                max_document_bytes: 1024,
                reply_depth: 3,
                post_concurrency: 1,
                handle_scheme: "https",
                max_items_per_collection: 100,
                max_pages_per_collection: 10,
                max_items_per_post: 100,
            },
        )
    }

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    /// A host read over ActivityPub whose token-only API refused is not "left out":
    /// its refused route is recorded; a host of which nothing was read is left out.
    #[test]
    fn refusals_are_per_route_and_left_out_only_when_nothing_was_read() {
        let ctx = ctx();
        let read = url("https://read.example/api/v1/statuses/1/quotes");
        let shut = url("https://shut.example/users/a");
        if let Some(host) = Host::from_url(&read) {
            ctx.read_from(&host);
        }
        for (u, status) in [(&read, 401), (&shut, 401)] {
            ctx.record(
                u,
                &FetchError::Refused {
                    url: u.to_string(),
                    status,
                },
            );
        }
        ctx.record(
            &url("https://shut.example/.well-known/webfinger"),
            &FetchError::RobotsDisallowed {
                url: "https://shut.example/.well-known/webfinger".into(),
            },
        );
        let counts = ctx.consent_counts();
        let get = |subject, action, reason: &str| {
            counts
                .get(&ConsentKey {
                    subject,
                    action,
                    reason: reason.to_owned(),
                })
                .copied()
        };
        assert_eq!(get("route", "refused", "authorized_fetch:api"), Some(1));
        assert_eq!(get("host", "left_out", "authorized_fetch"), Some(1));
        assert_eq!(get("host", "left_out", "robots_txt"), Some(1));
        assert_eq!(counts.len(), 3, "{counts:?}");
    }
}
