//! `/instances/{host}`: what one instance contributed to each brand.

use axum::{
    extract::{Path, RawQuery, State},
    response::Html,
};
use fedireach_core::{Host, InstanceRow};
use minijinja::Value;

use crate::{
    AppState, View, WebError,
    tables::{PlainTable, plain, segment, with_query},
};

/// The instance's row for each brand it engaged with in the view's window. A host no
/// brand has ever seen is a 404; one seen only outside the window gives no rows.
pub(crate) async fn instance_table(
    state: &AppState,
    host: &str,
    view: &View,
) -> Result<(String, PlainTable, Option<InstanceRow>), WebError> {
    let host = Host::parse(host)
        .map_err(|_| WebError::UnknownInstance(host.to_owned()))?
        .to_string();
    let all_time = View {
        window: fedireach_analytics::Window::all().with_tz(view.window.tz()),
        ..view.clone()
    };
    let mut known = false;
    let mut rows = Vec::new();
    let mut sample = None;
    for brand in state.store().list_brands().await? {
        known = known
            || state
                .figures(&brand.name, &all_time)
                .await?
                .instances
                .rows
                .iter()
                .any(|r| r.host == host);
        let figures = state.figures(&brand.name, view).await?;
        if let Some(r) = figures.instances.rows.iter().find(|r| r.host == host) {
            rows.push(vec![
                brand.name.clone(),
                r.counts.engagements.to_string(),
                r.counts.replies.to_string(),
                r.counts.boosts.to_string(),
                r.counts.likes.to_string(),
                r.counts.quotes.to_string(),
                r.unique_engagers.to_string(),
                r.penetration_pct.map(|p| p.to_string()).unwrap_or_default(),
            ]);
            sample.get_or_insert_with(|| r.clone());
        }
    }
    if !known {
        return Err(WebError::UnknownInstance(host));
    }
    let table = PlainTable {
        title: format!("Engagements from {host}, per brand"),
        headers: [
            "brand",
            "engagements",
            "replies",
            "boosts",
            "likes",
            "quotes",
            "unique_engagers",
            "penetration_pct",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    };
    Ok((host, table, sample))
}

pub(crate) async fn instance_page(
    State(state): State<AppState>,
    Path(host): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, WebError> {
    let view = View::parse(query.as_deref())?;
    let (host, table, sample) = instance_table(&state, &host, &view).await?;
    let labels = view.labels();
    let (headers, rows) = plain(&table);
    let health = state.store().instance_health(&host).await?;
    let page = minijinja::context! {
        host => host.clone(),
        software => sample.as_ref().map(|s| s.software.clone()),
        family => sample.as_ref().map(|s| s.family.clone()),
        active_month => sample.as_ref().and_then(|s| s.active_month),
        health => health.as_ref().map(health_lines),
        headers => headers,
        rows => Value::from_serialize(rows),
        csv_url => with_query(&format!("/instances/{}/table.csv", segment(&host)), &labels.query),
    };
    super::render(&state, "instance.html", &view, &host, page)
}

/// An instance's crawl health in sentences, for its page.
fn health_lines(h: &fedireach_store::InstanceHealth) -> Vec<(&'static str, String)> {
    let reach = match h.reachability.as_str() {
        "ok" => "answers".to_owned(),
        "failing" => "did not answer the last crawl".to_owned(),
        "dead" => "did not answer the last two crawls".to_owned(),
        "gone" => "gone (410): purged, never asked again".to_owned(),
        _ => "not asked by a crawl yet".to_owned(),
    };
    let reach = match &h.last_error {
        Some(error) => format!("{reach} (last error: {error})"),
        None => reach,
    };
    let robots = match h.robots_state.as_str() {
        "allowed" => "no rules for us: everything may be read",
        "partial" => "rules that close some paths: those are not read",
        "disallowed" => "closed to us: nothing of it is read",
        "gone" => "410 Gone: the host opted out",
        _ => "not read (unavailable or never asked): nothing of it is read until it is",
    };
    let robots = match h.crawl_delay_ms {
        Some(ms) => format!(
            "{robots}; Crawl-delay {} s, obeyed",
            std::time::Duration::from_millis(u64::try_from(ms).unwrap_or(0)).as_secs_f64()
        ),
        None => robots.to_owned(),
    };
    let signature = if h.requires_signature {
        "required: it refused an unsigned ActivityPub request"
    } else {
        "not seen required (a crawl that signs every request cannot tell)"
    };
    let checked = h.checked_at.map_or_else(
        || "never".to_owned(),
        |at| {
            chrono::DateTime::from_timestamp(at, 0).map_or_else(
                || at.to_string(),
                |t| t.format("%Y-%m-%d %H:%M UTC").to_string(),
            )
        },
    );
    vec![
        ("Reachability", reach),
        ("robots.txt", robots),
        ("Signed fetches", signature.to_owned()),
        ("Last crawled", checked),
    ]
}
