//! The server: one listener on loopback that plays every simulated instance, chosen by
//! the `Host` header (and by SNI under TLS).
//!
//! Start it with [`FakeverseServer::start`] (tests, the demo) or [`run`] (the
//! `fedireach fakeverse` command). Requests go through [`dispatch`]: the stats path,
//! then the host's misbehaviour, robots.txt bookkeeping, its rate limit, and the
//! document its software would serve.

mod api;
mod dispatch;
mod docs;
mod politeness;
mod reply;
mod signature;
mod state;
mod tls;

pub use dispatch::STATS_PATH;
pub use signature::NetworkOptions;

use std::{
    net::SocketAddr,
    sync::{Arc, atomic::Ordering},
    time::Duration,
};

use axum::{Router, body::Body};
use hyper::{Request, body::Incoming};
use hyper_util::{
    rt::{TokioExecutor, TokioIo},
    server::conn::auto,
};
use tokio::{net::TcpListener, sync::watch, task::JoinHandle};
use tower::ServiceExt;

use crate::{FakeverseError, Quirk, Truth, World, WorldOptions};
use state::State;

/// How to run the server.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    pub world: WorldOptions,
    /// Where to listen; port 0 picks a free one. Loopback only, for tests.
    pub listen: SocketAddr,
    /// Rate-limit windows are divided by this (60: Mastodon's 5 minutes become 5 s).
    pub time_scale: f64,
    /// One limit for every throttled request of every host: (requests, window). For
    /// tests that want to see 429s quickly.
    pub rate_limit: Option<(u64, Duration)>,
    /// How long slow hosts wait before answering.
    pub slow_delay: Duration,
    /// How long every host takes to answer (0 by default; real servers take 50 to
    /// 500 ms), for benches of several crawl workers.
    pub latency: Duration,
    /// How the simulated servers reach others (GoToSocial fetching a signer's key).
    pub network: NetworkOptions,
    /// The world's day 0 (Unix seconds); `None`: the seed's fixed date (tests and
    /// benches compare against it), `Some`: the demo's "today".
    pub day0: Option<i64>,
}

/// Mastodon's windows of 5 and 15 minutes become 5 and 15 seconds.
pub const DEFAULT_TIME_SCALE: f64 = 60.0;

impl Default for ServerOptions {
    fn default() -> Self {
        Self {
            world: WorldOptions::default(),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            time_scale: DEFAULT_TIME_SCALE,
            rate_limit: None,
            slow_delay: Duration::from_millis(1500),
            latency: Duration::ZERO,
            network: NetworkOptions::default(),
            day0: None,
        }
    }
}

/// The running server.
#[derive(Debug)]
pub struct FakeverseServer {
    addr: SocketAddr,
    ca_pem: Option<String>,
    state: Arc<State>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

/// A connection closed on purpose (dead hosts).
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose")
    }
}

impl std::error::Error for Dropped {}

impl FakeverseServer {
    /// Generates the world and starts serving it; returns once the socket listens.
    pub async fn start(options: ServerOptions) -> Result<Self, FakeverseError> {
        let listener =
            TcpListener::bind(options.listen)
                .await
                .map_err(|source| FakeverseError::Bind {
                    addr: options.listen,
                    source,
                })?;
        let addr = listener
            .local_addr()
            .map_err(|source| FakeverseError::Bind {
                addr: options.listen,
                source,
            })?;
        let world = match options.day0 {
            Some(day0) => World::generate_at(&options.world, day0),
            None => World::generate(&options.world),
        };
        let tls = if options.world.plain_http {
            None
        } else {
            let dead = world
                .hosts_with(Quirk::Dead)
                .into_iter()
                .map(str::to_owned)
                .collect();
            Some(tls::server_config(dead)?)
        };
        let ca_pem = tls.as_ref().map(|(_, pem)| pem.clone());
        let acceptor = tls.map(|(config, _)| tokio_rustls::TlsAcceptor::from(config));
        let state = Arc::new(State::new(world, options, addr.port()));
        let router = Router::new()
            .fallback(dispatch::dispatch)
            .with_state(state.clone());
        let (stop, mut stopped) = watch::channel(false);
        let loop_state = state.clone();
        let task = tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = stopped.changed() => break,
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { continue };
                        let _ = stream.set_nodelay(true);
                        let (router, state, acceptor) = (router.clone(), loop_state.clone(), acceptor.clone());
                        tokio::spawn(async move {
                            match acceptor {
                                Some(acceptor) => {
                                    if let Ok(tls) = acceptor.accept(stream).await {
                                        serve_connection(TokioIo::new(tls), router, state).await;
                                    }
                                }
                                None => serve_connection(TokioIo::new(stream), router, state).await,
                            }
                        });
                    }
                }
            }
        });
        Ok(Self {
            addr,
            ca_pem,
            state,
            stop,
            task,
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The CA certificate (PEM) that signed every host's certificate; `None` in plain
    /// HTTP.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// The world served.
    pub fn world(&self) -> &World {
        &self.state.world
    }

    /// The ground truth of the world served.
    pub fn truth(&self) -> Truth {
        Truth::of(&self.state.world)
    }

    /// What an admin does to `host` while crawlers come and go: its robots.txt is
    /// `body` from the next request on (a real server's file is edited the same way).
    pub fn edit_robots(&self, host: &str, body: &str) -> Result<(), FakeverseError> {
        let instance = self
            .state
            .world
            .instance_index(host)
            .ok_or_else(|| FakeverseError::UnknownHost(host.to_owned()))?;
        self.state.edit_robots(instance, body.to_owned());
        Ok(())
    }

    /// The stats document (`GET /__fakeverse/stats`).
    pub fn stats(&self) -> serde_json::Value {
        self.state.stats_json()
    }

    /// Stops accepting connections and waits for the accept loop to end.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

async fn serve_connection<I>(io: TokioIo<I>, router: Router, state: Arc<State>)
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        let (router, state) = (router.clone(), state.clone());
        async move {
            if let Some(i) = dispatch::dead_host(&state, req.headers()) {
                state.count_request(i);
                if let Some(s) = state.host_stats(i) {
                    s.dropped.fetch_add(1, Ordering::Relaxed);
                }
                return Err(Dropped);
            }
            let response = router.oneshot(req.map(Body::new)).await;
            Ok::<_, Dropped>(match response {
                Ok(r) => r,
                Err(never) => match never {},
            })
        }
    });
    let _ = auto::Builder::new(TokioExecutor::new())
        .serve_connection(io, service)
        .await;
}

/// What [`run`] hands to its caller once the server listens.
#[derive(Debug)]
pub struct Ready<'a> {
    pub addr: SocketAddr,
    pub ca_pem: Option<&'a str>,
    pub world: &'a World,
}

/// Runs the server until `shutdown` completes: the body of `fedireach fakeverse`.
/// `on_ready` runs once it listens (print `listening on ADDR`, the summary, write the
/// truth and the CA there); this function prints nothing itself.
pub async fn run<F, S>(
    options: ServerOptions,
    on_ready: F,
    shutdown: S,
) -> Result<(), FakeverseError>
where
    F: FnOnce(Ready<'_>) -> Result<(), FakeverseError>,
    S: Future<Output = ()>,
{
    let server = FakeverseServer::start(options).await?;
    on_ready(Ready {
        addr: server.addr(),
        ca_pem: server.ca_pem(),
        world: server.world(),
    })?;
    shutdown.await;
    server.shutdown().await;
    Ok(())
}

/// Writes `text` to `path` (the truth, the CA).
pub fn write_file(path: &str, text: &str) -> Result<(), FakeverseError> {
    std::fs::write(path, text).map_err(|source| FakeverseError::Write {
        path: path.to_owned(),
        source,
    })
}
