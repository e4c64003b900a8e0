//! The one HTTP client of the crawler.

use std::{collections::HashMap, net::SocketAddr, sync::Arc, time::Duration};

use bytes::{Bytes, BytesMut};
use reqwest::{StatusCode, header::HeaderMap, redirect};
use thiserror::Error;
use url::Url;

use super::{
    guard::AddressGuard,
    resolver::{GuardedResolver, RefusedAddress},
};

/// How the client connects, from the config's `[crawl]` and `[network]` sections.
#[derive(Debug, Clone)]
pub struct NetConfig {
    pub user_agent: String,
    pub timeout: Duration,
    pub max_redirects: u32,
    pub max_document_bytes: u64,
    pub allow_http: bool,
    /// A CA to trust besides the system's (PEM).
    pub extra_ca_pem: Option<Vec<u8>>,
    pub guard: AddressGuard,
    pub resolve_all: Option<SocketAddr>,
    pub resolve: HashMap<String, SocketAddr>,
}

/// A request to make: a GET, or a POST that only reads.
#[derive(Debug, Clone)]
pub struct Request {
    pub url: Url,
    pub accept: &'static str,
    /// Validators for a conditional GET.
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// A read-only token, sent only to the brand's own home server.
    pub bearer: Option<String>,
    /// Extra headers (an HTTP signature and its date).
    pub headers: Vec<(&'static str, String)>,
    /// A JSON body: the request is then a POST (Misskey's API reads only POSTs).
    pub json_body: Option<String>,
    /// A second try of a GET whose signature covered its query, signed over the path
    /// alone (GoToSocial): a request of its own within the crawl.
    pub signed_without_query: bool,
}

impl Request {
    pub fn get(url: Url, accept: &'static str) -> Self {
        Self {
            url,
            accept,
            etag: None,
            last_modified: None,
            bearer: None,
            headers: Vec::new(),
            json_body: None,
            signed_without_query: false,
        }
    }

    /// A POST of a JSON body that only reads (Misskey's `notes/*` endpoints).
    pub fn post_json(url: Url, body: String) -> Self {
        Self {
            json_body: Some(body),
            ..Self::get(url, "application/json")
        }
    }

    /// What identifies this request within a crawl: the URL, and the body of a POST.
    pub fn key(&self) -> String {
        match &self.json_body {
            Some(body) => format!("POST {} {body}", self.url),
            None if self.signed_without_query => format!("{} (signed without query)", self.url),
            None => self.url.as_str().to_owned(),
        }
    }
}

/// A response read in full (within the size cap).
#[derive(Debug, Clone)]
pub struct Response {
    pub status: StatusCode,
    /// Where the document came from after redirects.
    pub url: Url,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Why a request got no response. Each says what to do about it.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum NetError {
    /// The URL's scheme is not https (or http where allowed).
    #[error("{url}: only https:// is fetched (http:// with network.allow_http)")]
    Scheme { url: String },
    /// The address is loopback, private, link-local or denied.
    #[error("{url}: {source}")]
    Refused {
        url: String,
        #[source]
        source: RefusedAddress,
    },
    /// The host did not answer: no connection, or it was dropped before any answer.
    #[error("{url}: the host did not answer ({detail}); it may be down")]
    Unreachable { url: String, detail: String },
    /// No complete answer within the time limit.
    #[error("{url}: no answer within {0:?}; raise crawl.timeout if the host is just slow", .timeout)]
    Timeout { url: String, timeout: Duration },
    /// More redirects than allowed, or a loop.
    #[error("{url}: {detail}")]
    Redirects { url: String, detail: String },
    /// The body came encoded (gzip...) although only `identity` was asked for.
    #[error(
        "{url}: served with Content-Encoding {encoding:?}, which was not asked for; not inflated, not read"
    )]
    Encoding { url: String, encoding: String },
    /// The document is larger than the cap.
    #[error("{url}: the document is larger than {limit} bytes (crawl.max_document_bytes)")]
    TooLarge { url: String, limit: u64 },
    /// Any other transport failure (TLS, protocol).
    #[error("{url}: {source}")]
    Transport {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    /// The client could not be built from the config.
    #[error("cannot set up HTTP: {detail}")]
    Setup { detail: String },
}

/// Raised inside the redirect policy, recognised again in the error chain.
#[derive(Debug, Error)]
#[error("{0}")]
struct RedirectRefused(String);

/// The crawler's HTTP client.
#[derive(Debug, Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    guard: AddressGuard,
    allow_http: bool,
    max_bytes: u64,
    timeout: Duration,
}

impl HttpClient {
    pub fn new(config: &NetConfig) -> Result<Self, NetError> {
        let resolver = GuardedResolver::new(
            config.guard.clone(),
            config.resolve_all,
            config.resolve.clone(),
        );
        let guard = config.guard.clone();
        let allow_http = config.allow_http;
        let max_redirects = usize::try_from(config.max_redirects).unwrap_or(usize::MAX);
        let policy = redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > max_redirects {
                return attempt.error(RedirectRefused(format!(
                    "more than {max_redirects} redirects"
                )));
            }
            if attempt.previous().iter().any(|u| u == attempt.url()) {
                return attempt.error(RedirectRefused("a redirect loop".to_owned()));
            }
            if let Err(refusal) = check_url(attempt.url(), &guard, allow_http) {
                let detail = format!("a redirect to {}: {refusal}", attempt.url());
                return attempt.error(RedirectRefused(detail));
            }
            attempt.follow()
        });
        let mut builder = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .redirect(policy)
            .dns_resolver(Arc::new(resolver))
            .pool_max_idle_per_host(4);
        if let Some(pem) = &config.extra_ca_pem {
            let certs =
                reqwest::Certificate::from_pem_bundle(pem).map_err(|e| NetError::Setup {
                    detail: format!("network.extra_ca_file is not a PEM certificate bundle: {e}"),
                })?;
            for cert in certs {
                builder = builder.tls_certs_merge([cert]);
            }
        }
        let client = builder.build().map_err(|e| NetError::Setup {
            detail: e.to_string(),
        })?;
        Ok(Self {
            client,
            guard: config.guard.clone(),
            allow_http,
            max_bytes: config.max_document_bytes,
            timeout: config.timeout,
        })
    }

    /// Makes a GET and reads the body within the size cap.
    pub async fn get(&self, request: &Request) -> Result<Response, NetError> {
        let url = request.url.as_str().to_owned();
        check_url(&request.url, &self.guard, self.allow_http).map_err(|refusal| match refusal {
            UrlRefusal::Scheme => NetError::Scheme { url: url.clone() },
            UrlRefusal::Address(source) => NetError::Refused {
                url: url.clone(),
                source,
            },
        })?;
        let mut builder = match &request.json_body {
            Some(body) => self
                .client
                .post(request.url.clone())
                .header("content-type", "application/json")
                .body(body.clone()),
            None => self.client.get(request.url.clone()),
        }
        .header("accept", request.accept);
        if let Some(etag) = &request.etag {
            builder = builder.header("if-none-match", etag);
        }
        if let Some(modified) = &request.last_modified {
            builder = builder.header("if-modified-since", modified);
        }
        if let Some(token) = &request.bearer {
            builder = builder.bearer_auth(token);
        }
        for (name, value) in &request.headers {
            builder = builder.header(*name, value);
        }
        // Asked for as it is (no Accept-Encoding is sent, nothing is ever inflated): a
        // body encoded anyway may be a bomb, and is not read.
        builder = builder.header("accept-encoding", "identity");
        let mut response = builder.send().await.map_err(|e| self.classify(&url, e))?;
        if let Some(encoding) = response
            .headers()
            .get("content-encoding")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|e| !e.is_empty() && !e.eq_ignore_ascii_case("identity"))
        {
            return Err(NetError::Encoding {
                url,
                encoding: encoding.chars().take(40).collect(),
            });
        }
        if response
            .content_length()
            .is_some_and(|len| len > self.max_bytes)
        {
            return Err(NetError::TooLarge {
                url,
                limit: self.max_bytes,
            });
        }
        let status = response.status();
        let final_url = response.url().clone();
        let headers = response.headers().clone();
        let mut body = BytesMut::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.classify(&url, e))? {
            if u64::try_from(body.len() + chunk.len()).unwrap_or(u64::MAX) > self.max_bytes {
                return Err(NetError::TooLarge {
                    url,
                    limit: self.max_bytes,
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Response {
            status,
            url: final_url,
            headers,
            body: body.freeze(),
        })
    }

    fn classify(&self, url: &str, error: reqwest::Error) -> NetError {
        let url = url.to_owned();
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&error);
        while let Some(e) = source {
            if let Some(refused) = e.downcast_ref::<RefusedAddress>() {
                return NetError::Refused {
                    url,
                    source: refused.clone(),
                };
            }
            if let Some(redirect) = e.downcast_ref::<RedirectRefused>() {
                return NetError::Redirects {
                    url,
                    detail: redirect.0.clone(),
                };
            }
            source = e.source();
        }
        if error.is_timeout() {
            NetError::Timeout {
                url,
                timeout: self.timeout,
            }
        } else if error.is_connect() || error.is_request() || error.is_body() {
            NetError::Unreachable {
                url,
                detail: chain(&error),
            }
        } else {
            NetError::Transport { url, source: error }
        }
    }
}

enum UrlRefusal {
    Scheme,
    Address(RefusedAddress),
}

impl std::fmt::Display for UrlRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Scheme => f.write_str("only https:// is fetched"),
            Self::Address(refused) => refused.fmt(f),
        }
    }
}

/// The scheme rule, and the address guard for IP-literal hosts (names are guarded by the
/// resolver when the connection is made).
fn check_url(url: &Url, guard: &AddressGuard, allow_http: bool) -> Result<(), UrlRefusal> {
    match url.scheme() {
        "https" => {}
        "http" if allow_http => {}
        _ => return Err(UrlRefusal::Scheme),
    }
    let ip = match url.host() {
        Some(url::Host::Ipv4(ip)) => std::net::IpAddr::V4(ip),
        Some(url::Host::Ipv6(ip)) => std::net::IpAddr::V6(ip),
        _ => return Ok(()),
    };
    guard.check(ip).map_err(|refusal| {
        UrlRefusal::Address(RefusedAddress {
            host: ip.to_string(),
            addr: ip,
            refusal,
        })
    })
}

/// An error and its sources on one line.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}
