//! `/crawls`: recent crawl runs, the consent report, and the "crawl now" form.

use axum::{
    extract::{RawQuery, State},
    response::Html,
};
use chrono::DateTime;
use fedireach_analytics::ConsentReport;
use minijinja::Value;

use crate::{
    AppState, View, WebError,
    tables::{PlainTable, plain, with_query},
};

/// Crawl runs listed.
const RUNS: i64 = 50;

fn time(seconds: i64) -> String {
    DateTime::from_timestamp(seconds, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// The recent runs as a table (page and CSV): when, how it ended, what it did, and
/// how long it waited for servers' rate limits.
pub(crate) async fn runs_table(state: &AppState) -> Result<PlainTable, WebError> {
    let runs = state.store().recent_crawl_runs(RUNS).await?;
    let counts = state.store().recent_crawl_counts(RUNS).await?;
    Ok(PlainTable {
        title: "Recent crawls".to_owned(),
        headers: [
            "crawl_id",
            "started",
            "finished",
            "status",
            "trigger",
            "brands",
            "requests",
            "posts_seen",
            "engagements_new",
            "hosts_failed",
            "rate_limit_wait_s",
        ]
        .map(String::from)
        .to_vec(),
        rows: runs
            .iter()
            .map(|r| {
                let c = counts.iter().find(|c| c.crawl_id == r.id);
                let count = |f: fn(&fedireach_store::CrawlCounts) -> i64| {
                    c.map(|c| f(c).to_string()).unwrap_or_default()
                };
                vec![
                    r.id.to_string(),
                    time(r.started_at),
                    r.finished_at.map(time).unwrap_or_default(),
                    serde_json::to_value(r.status)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    r.trigger.clone(),
                    r.brand.clone().unwrap_or_else(|| "all".to_owned()),
                    count(|c| c.requests),
                    count(|c| c.posts_seen),
                    count(|c| c.engagements_new),
                    count(|c| c.hosts_failed),
                    c.map(|c| {
                        let ms = u64::try_from(c.rate_limit_wait_ms).unwrap_or(0);
                        format!("{:.1}", std::time::Duration::from_millis(ms).as_secs_f64())
                    })
                    .unwrap_or_default(),
                ]
            })
            .collect(),
    })
}

/// The crawls asked for and not ended: the queue the crawler takes them from.
pub(crate) async fn queue_table(state: &AppState) -> Result<PlainTable, WebError> {
    let jobs = state.store().pending_crawl_jobs().await?;
    Ok(PlainTable {
        title: "Queue".to_owned(),
        headers: ["job", "brands", "state", "asked", "asked_by"]
            .map(String::from)
            .to_vec(),
        rows: jobs
            .into_iter()
            .map(|j| {
                vec![
                    j.id.to_string(),
                    j.brand.unwrap_or_else(|| "all".to_owned()),
                    j.state,
                    time(j.requested_at),
                    j.requested_by,
                ]
            })
            .collect(),
    })
}

/// The hosts that failed in the recent crawls (page and CSV).
pub(crate) async fn failures_table(state: &AppState) -> Result<PlainTable, WebError> {
    let failed = state.store().recent_failed_hosts(RUNS).await?;
    Ok(PlainTable {
        title: "Hosts that failed".to_owned(),
        headers: ["crawl_id", "host", "kind", "failures", "example"]
            .map(String::from)
            .to_vec(),
        rows: failed
            .into_iter()
            .map(|f| {
                vec![
                    f.crawl_id.to_string(),
                    f.host,
                    f.kind,
                    f.failures.to_string(),
                    f.example,
                ]
            })
            .collect(),
    })
}

/// The consent report of the crawls in the window. The facts do not tie crawls to
/// brands, so any brand's report lists every crawl; without brands there is none.
pub(crate) async fn consent_report(
    state: &AppState,
    view: &View,
) -> Result<Option<ConsentReport>, WebError> {
    let Some(first) = state.store().list_brands().await?.into_iter().next() else {
        return Ok(None);
    };
    Ok(Some(
        state.figures(&first.name, view).await?.consent.clone(),
    ))
}

pub(crate) async fn crawls_page(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, WebError> {
    let view = View::parse(query.as_deref())?;
    let labels = view.labels();
    // After "queue a crawl": say what was queued (`?queued=JOB`).
    let queued = url::form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "queued")
        .and_then(|(_, v)| v.parse::<i64>().ok());
    let queue = state.store().pending_crawl_jobs().await?;
    let confirmation = queued.map(|id| match queue.iter().find(|j| j.id == id) {
        Some(job) => format!(
            "Crawl #{id} of {} is {}. It is listed under Queue until it ends; the recent crawls then show it.",
            job.brand.as_deref().map_or_else(|| "every brand".to_owned(), |b| format!("brand {b}")),
            job.state
        ),
        None => format!("Crawl #{id} has ended: see the recent crawls below."),
    });
    let (queue_headers, queue_rows) = plain(&queue_table(&state).await?);
    let runs = runs_table(&state).await?;
    let (run_headers, run_rows) = plain(&runs);
    let (failure_headers, failure_rows) = plain(&failures_table(&state).await?);
    let consent = consent_report(&state, &view).await?;
    let (consent_headers, consent_rows) = consent.as_ref().map(plain).unwrap_or_default();
    let (delivery_headers, delivery_rows) =
        plain(&super::deliveries::deliveries_table(&state).await?);
    let (alert_headers, alert_rows) = plain(&super::deliveries::alerts_table(&state).await?);
    let (rule_headers, rule_rows) = plain(&super::deliveries::rules_table(&state).await?);
    let brands: Vec<String> = state
        .store()
        .list_brands()
        .await?
        .into_iter()
        .map(|b| b.name)
        .collect();
    let page = minijinja::context! {
        run_headers => run_headers,
        run_rows => Value::from_serialize(run_rows),
        runs_csv => "/crawls.csv",
        failure_headers => failure_headers,
        failure_rows => Value::from_serialize(failure_rows),
        failures_csv => "/crawls/failures.csv",
        consent_headers => consent_headers,
        consent_rows => Value::from_serialize(consent_rows),
        consent_csv => with_query("/crawls/consent.csv", &labels.query),
        delivery_headers => delivery_headers,
        delivery_rows => Value::from_serialize(delivery_rows),
        alert_headers => alert_headers,
        alert_rows => Value::from_serialize(alert_rows),
        confirmation => confirmation,
        queue_headers => queue_headers,
        queue_rows => Value::from_serialize(queue_rows),
        rule_headers => rule_headers,
        rule_rows => Value::from_serialize(rule_rows),
        brands => brands,
    };
    super::render(&state, "crawls.html", &view, "Crawls", page)
}
