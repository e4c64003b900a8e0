//! For the operator's monitoring: `/healthz` (is the process up and its database
//! readable) and `/metrics` (crawls, requests per host and status, rate-limit waits,
//! the last success) in the Prometheus/OpenMetrics text format.
//!
//! Counters cover the crawls this process ran (the scheduler records them); the
//! gauges read from the database cover every process sharing it.

use std::sync::{
    Arc,
    atomic::{AtomicI64, AtomicU64},
};

use axum::{
    Json,
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use prometheus_client::{
    encoding::text::encode,
    metrics::{counter::Counter, family::Family, gauge::Gauge},
    registry::Registry,
};
use serde::Serialize;

use crate::AppState;

type Labels = Vec<(&'static str, String)>;

/// One finished crawl, as the metrics count it.
#[derive(Debug, Clone, Default)]
pub struct CrawlSample {
    pub trigger: fedireach_core::CrawlTrigger,
    /// `done`, `partial`, `failed`, `interrupted`.
    pub status: String,
    pub seconds: f64,
    pub engagements_found: u64,
    pub rate_limit_waits: u64,
    pub rate_limit_wait_seconds: f64,
    /// (host, status code or `error`, requests).
    pub requests: Vec<(String, String, u64)>,
}

/// The process's metrics; cheap to clone.
#[derive(Debug, Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    registry: Registry,
    crawls: Family<Labels, Counter>,
    requests: Family<Labels, Counter>,
    engagements: Counter,
    waits: Counter,
    wait_seconds: Counter<f64, AtomicU64>,
    crawl_seconds: Gauge<f64, AtomicU64>,
    runs: Family<Labels, Gauge>,
    running: Gauge,
    queued: Gauge,
    last_success: Gauge<i64, AtomicI64>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("fedireach");
        let crawls = Family::<Labels, Counter>::default();
        registry.register(
            "crawls",
            "Crawls this process ran, by trigger and outcome",
            crawls.clone(),
        );
        let requests = Family::<Labels, Counter>::default();
        registry.register(
            "crawl_requests",
            "HTTP requests of this process's crawls, by host and status (error: no answer)",
            requests.clone(),
        );
        let engagements = Counter::default();
        registry.register(
            "engagements_found",
            "Engagements found by this process's crawls",
            engagements.clone(),
        );
        let waits = Counter::default();
        registry.register(
            "rate_limit_waits",
            "Times a request waited for a host's rate limit",
            waits.clone(),
        );
        let wait_seconds = Counter::<f64, AtomicU64>::default();
        registry.register(
            "rate_limit_wait_seconds",
            "Time spent waiting for hosts' rate limits",
            wait_seconds.clone(),
        );
        let crawl_seconds = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "last_crawl_duration_seconds",
            "How long this process's last crawl took",
            crawl_seconds.clone(),
        );
        let runs = Family::<Labels, Gauge>::default();
        registry.register(
            "crawl_runs",
            "Crawl runs recorded in the database, by status (every process)",
            runs.clone(),
        );
        let running = Gauge::default();
        registry.register(
            "crawl_running",
            "1 while a crawl is running on the database (any process)",
            running.clone(),
        );
        let queued = Gauge::default();
        registry.register(
            "crawl_jobs_queued",
            "Crawl jobs waiting in the queue",
            queued.clone(),
        );
        let last_success = Gauge::<i64, AtomicI64>::default();
        registry.register(
            "last_crawl_success_timestamp_seconds",
            "When the last crawl that finished (done or partial) ended, Unix time; 0: never",
            last_success.clone(),
        );
        Self {
            inner: Arc::new(Inner {
                registry,
                crawls,
                requests,
                engagements,
                waits,
                wait_seconds,
                crawl_seconds,
                runs,
                running,
                queued,
                last_success,
            }),
        }
    }
}

impl Metrics {
    /// Counts a crawl this process ran.
    pub fn record_crawl(&self, sample: &CrawlSample) {
        let m = &self.inner;
        m.crawls
            .get_or_create(&vec![
                ("trigger", sample.trigger.to_string()),
                ("status", sample.status.clone()),
            ])
            .inc();
        for (host, status, n) in &sample.requests {
            m.requests
                .get_or_create(&vec![("host", host.clone()), ("status", status.clone())])
                .inc_by(*n);
        }
        m.engagements.inc_by(sample.engagements_found);
        m.waits.inc_by(sample.rate_limit_waits);
        m.wait_seconds.inc_by(sample.rate_limit_wait_seconds);
        m.crawl_seconds.set(sample.seconds);
    }

    /// The text exposition, with the database's gauges read now.
    async fn render(&self, state: &AppState) -> Result<String, fedireach_store::StoreError> {
        let store = state.store();
        let health = store.crawl_health().await?;
        let queued = store.queued_crawl_jobs().await?;
        let m = &self.inner;
        m.runs.clear();
        for (status, n) in &health.runs_by_status {
            m.runs
                .get_or_create(&vec![("status", status.clone())])
                .set(*n);
        }
        m.running.set(i64::from(health.running));
        m.queued.set(queued);
        m.last_success.set(health.last_success_at.unwrap_or(0));
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = encode(&mut out, &m.registry);
        Ok(out)
    }
}

/// `GET /metrics`.
pub(crate) async fn metrics(State(state): State<AppState>) -> Response {
    match state.metrics().render(&state).await {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(error) => {
            tracing::warn!(%error, "cannot read the crawl metrics");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the database cannot be read; see the server's log\n",
            )
                .into_response()
        }
    }
}

#[derive(Debug, Serialize)]
struct Health {
    status: &'static str,
    database: &'static str,
    crawl_running: bool,
    /// Unix seconds.
    last_crawl_success: Option<i64>,
}

/// `GET /healthz`: 200 when the database answers, 503 otherwise.
pub(crate) async fn healthz(State(state): State<AppState>) -> Response {
    match state.store().crawl_health().await {
        Ok(health) => Json(Health {
            status: "ok",
            database: "ok",
            crawl_running: health.running,
            last_crawl_success: health.last_success_at,
        })
        .into_response(),
        Err(error) => {
            tracing::warn!(%error, "health check: the database cannot be read");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Health {
                    status: "unavailable",
                    database: "unreadable",
                    crawl_running: false,
                    last_crawl_success: None,
                }),
            )
                .into_response()
        }
    }
}
