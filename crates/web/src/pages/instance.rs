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
                r.engagements.to_string(),
                r.replies.to_string(),
                r.boosts.to_string(),
                r.likes.to_string(),
                r.quotes.to_string(),
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
    let page = minijinja::context! {
        host => host.clone(),
        software => sample.as_ref().map(|s| s.software.clone()),
        family => sample.as_ref().map(|s| s.family.clone()),
        active_month => sample.as_ref().and_then(|s| s.active_month),
        headers => headers,
        rows => Value::from_serialize(rows),
        csv_url => with_query(&format!("/instances/{}/table.csv", segment(&host)), &labels.query),
    };
    super::render(&state, "instance.html", &view, &host, page)
}
