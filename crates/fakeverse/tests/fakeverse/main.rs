//! The fakeverse's integration tests: one binary, one module per feature. Every HTTP
//! test talks to a real server on 127.0.0.1.

// A test fails by panicking: its helpers say why with `expect`, as `#[test]` functions
// may (clippy.toml), rather than carry on with a default.
#![allow(clippy::expect_used)]

mod apis;
mod cli;
mod consistency;
mod crawl;
mod documents;
mod misbehaving;
mod parsers;
mod politeness;
mod server;
mod signatures;
mod world;

use std::time::Duration;

use fedireach_fakeverse::{FakeverseServer, Scale, ServerOptions, WorldOptions};
use reqwest::{StatusCode, header::HeaderMap};
use serde_json::Value;

/// A plain-HTTP server of the small world with `seed`.
async fn start(seed: u64) -> FakeverseServer {
    start_with(options(seed)).await
}

/// The options of [`start`].
fn options(seed: u64) -> ServerOptions {
    ServerOptions {
        world: WorldOptions {
            seed,
            scale: Scale::Small,
            day: 0,
            plain_http: true,
            tour: false,
        },
        slow_delay: Duration::from_millis(300),
        ..ServerOptions::default()
    }
}

/// A plain-HTTP server of the small world with `seed` on `day`, without rate limits:
/// for tests that check what is served, not how fast it may be asked.
async fn start_unlimited(seed: u64, day: u32) -> FakeverseServer {
    start_with(ServerOptions {
        world: WorldOptions {
            seed,
            scale: Scale::Small,
            day,
            plain_http: true,
            tour: false,
        },
        slow_delay: Duration::from_millis(50),
        rate_limit: Some((u64::MAX, Duration::from_secs(1))),
        ..ServerOptions::default()
    })
    .await
}

async fn start_with(options: ServerOptions) -> FakeverseServer {
    FakeverseServer::start(options)
        .await
        .expect("the simulated fediverse starts on loopback")
}

/// One client for every test (building one loads the system's roots: slow).
fn client() -> reqwest::Client {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    CLIENT
        .get_or_init(|| {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(10))
                .build()
                .expect("a client that follows no redirect (the tests see each one)")
        })
        .clone()
}

/// An answer: status, headers, body.
struct Got {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Got {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// GETs `url` (any simulated host) from the plain-HTTP server: connects to its address
/// and names the host in `Host`.
async fn get(server: &FakeverseServer, url: &str) -> Got {
    request(server, reqwest::Method::GET, url, None, None).await
}

async fn request(
    server: &FakeverseServer,
    method: reqwest::Method,
    url: &str,
    body: Option<Value>,
    token: Option<&str>,
) -> Got {
    let parsed = url::Url::parse(url).unwrap_or_else(|e| panic!("bad url {url}: {e}"));
    let host = parsed.host_str().unwrap_or_default().to_owned();
    let mut path = parsed.path().to_owned();
    if let Some(q) = parsed.query() {
        path = format!("{path}?{q}");
    }
    let mut req = client()
        .request(method, format!("http://{}{path}", server.addr()))
        .header(reqwest::header::HOST, host)
        .header(reqwest::header::ACCEPT, "application/activity+json");
    if let Some(body) = body {
        req = req.json(&body);
    }
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let reply = req
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {url} failed: {e}"));
    let status = reply.status();
    let headers = reply.headers().clone();
    let body = reply
        .text()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: the body cannot be read: {e}"));
    Got {
        status,
        headers,
        body,
    }
}

/// `http://host` of the first host of a software with normal behaviour.
fn host_of(server: &FakeverseServer, software: fedireach_fakeverse::SimSoftware) -> String {
    server
        .world()
        .instances()
        .iter()
        .find(|i| i.software == software && i.quirk == fedireach_fakeverse::Quirk::Normal)
        .map(|i| i.host.clone())
        .unwrap_or_default()
}

/// GET through the shared client, retrying nothing: see `consistency::fetch_at`.
async fn consistency_fetch(addr: std::net::SocketAddr, url: &str) -> Option<Got> {
    consistency::fetch_at(addr, url).await
}
