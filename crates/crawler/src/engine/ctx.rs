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

use fedireach_core::{ConsentReason, Host, Route, Unavailable};
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
    pub(super) consent: Mutex<BTreeMap<ConsentKey, std::collections::BTreeSet<String>>>,
    /// Refusals by host, route (`activitypub`, `api`) and reason: the host is left out
    /// only when nothing of it could be read; otherwise the route alone is.
    pub(super) refusals: Mutex<std::collections::BTreeSet<(String, Route, ConsentReason)>>,
    /// Hosts that answered at least one request with a document.
    pub(super) read_hosts: Mutex<std::collections::BTreeSet<String>>,
    pub(super) gone: Mutex<Vec<Gone>>,
    pub(super) unresolved: Mutex<Vec<super::summary::UnresolvedActor>>,
    pub(super) unlisted: Mutex<Vec<super::summary::UnresolvedActor>>,
    /// The (host, cap) pairs already reported `over_limit`.
    pub(super) over_limit_seen: Mutex<std::collections::BTreeSet<(String, String)>>,
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
            unlisted: Mutex::new(Vec::new()),
            over_limit_seen: Mutex::new(std::collections::BTreeSet::new()),
            posts: AtomicU64::new(0),
            unchanged: AtomicU64::new(0),
            engagements: AtomicU64::new(0),
            removed: AtomicU64::new(0),
        }
    }

    pub fn count(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
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
