//! The JSON API under `/api/v1/`: one route per report kind, each answering the same
//! JSON as `fedireach report KIND --format json` (with `?previous=true`, the report
//! with its previous period and changes), plus the brand list, key figures, the
//! comparison and the crawl runs.

use axum::{
    extract::{Path, RawQuery, State},
    http::header,
    response::{IntoResponse, Response},
};
use fedireach_analytics::Format;
use serde::Serialize;

use crate::{ApiError, AppState, View, WebError, pages, reports::BrandReport};

/// Pretty JSON with a final newline: byte for byte what `report --format json` writes.
fn json_body(value: &impl Serialize) -> Result<Response, ApiError> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| WebError::Analytics(fedireach_analytics::AnalyticsError::Json(e)))?;
    text.push('\n');
    Ok(([(header::CONTENT_TYPE, "application/json")], text).into_response())
}

/// A brand as the API lists it (a watched brand's actors are its own accounts, not
/// the people who engaged).
#[derive(Debug, Serialize)]
struct BrandEntry {
    name: String,
    owned: bool,
    actors: Vec<String>,
    /// The accounts the last crawl could not read, and why: their posts are unknown.
    unread: Vec<UnreadActor>,
}

#[derive(Debug, Serialize)]
struct UnreadActor {
    actor: String,
    #[serde(flatten)]
    unread: fedireach_store::Unread,
}

pub(crate) async fn brands(State(state): State<AppState>) -> Result<Response, ApiError> {
    let brands: Vec<BrandEntry> = state
        .store()
        .list_brands()
        .await?
        .into_iter()
        .map(|b| BrandEntry {
            owned: b.is_owned(),
            unread: b
                .actors
                .iter()
                .filter_map(|a| {
                    Some(UnreadActor {
                        actor: a.input.clone(),
                        unread: a.unread.clone()?,
                    })
                })
                .collect(),
            actors: b.actors.into_iter().map(|a| a.input).collect(),
            name: b.name,
        })
        .collect();
    json_body(&serde_json::json!({ "brands": brands }))
}

pub(crate) async fn figures(
    State(state): State<AppState>,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let view = View::parse(query.as_deref())?;
    let figures = state.figures(&name, &view).await?;
    let labels = view.labels();
    let metrics: Vec<crate::Metric> = state
        .dashboards()
        .brand
        .iter()
        .find_map(|p| match p {
            crate::Panel::Figures { metrics, .. } => Some(metrics.clone()),
            _ => None,
        })
        .unwrap_or_default();
    // A brand none of whose accounts could be read, with no post stored: unknown, not 0.
    let brand = state.store().brand(&name).await?;
    let unknown = crate::figures::unread_brand(&brand, &figures);
    let key_figures = crate::figures::shown_key_figures(&figures, &metrics, unknown);
    json_body(&serde_json::json!({
        "brand": name,
        "from": view.window.from_label(),
        "to": view.window.to_label(),
        "tz": labels.tz,
        "unknown": unknown,
        "current": unknown.is_none().then_some(&figures.key),
        "previous": figures.previous,
        "figures": key_figures,
    }))
}

/// `GET /api/v1/brands/{name}/{kind}`.
pub(crate) async fn report(
    kind: BrandReport,
    state: AppState,
    name: String,
    query: Option<String>,
) -> Result<Response, ApiError> {
    let view = View::parse(query.as_deref())?;
    let figures = state.figures(&name, &view).await?;
    if view.previous {
        // Every report, each beside its previous period (the README's promise), the
        // same JSON as `report KIND --previous --format json`.
        let analytics = state.analytics();
        let (window, granularity) = (view.window, figures.timeline.granularity);
        let bytes = tokio::task::spawn_blocking(move || {
            kind.compared(&analytics, &name, &window, granularity, Format::Json)
        })
        .await
        .map_err(WebError::from)??;
        return Ok(([(header::CONTENT_TYPE, "application/json")], bytes).into_response());
    }
    let bytes = kind.render(&figures, Format::Json)?;
    Ok(([(header::CONTENT_TYPE, "application/json")], bytes).into_response())
}

pub(crate) async fn compare(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let view = View::parse(query.as_deref())?;
    if view.brands.len() < 2 {
        // As the page: a comparison needs two brands.
        return Err(WebError::BadQuery {
            param: "brand",
            message: "name two or more brands to compare: /api/v1/compare?brand=A&brand=B".into(),
        }
        .into());
    }
    if view.previous {
        for brand in &view.brands {
            state.store().brand(brand).await?;
        }
        let analytics = state.analytics();
        let (brands, window) = (view.brands.clone(), view.window);
        let bytes = tokio::task::spawn_blocking(move || {
            crate::compared::compare(&analytics, &brands, &window, Format::Json)
        })
        .await
        .map_err(WebError::from)??;
        return Ok(([(header::CONTENT_TYPE, "application/json")], bytes).into_response());
    }
    json_body(&pages::compare_report(&state, &view).await?)
}

/// The table's rows as objects named by its headers; numbers where a cell parses as
/// one, `null` for empty cells.
fn objects(table: &crate::tables::PlainTable) -> Vec<serde_json::Value> {
    table
        .rows
        .iter()
        .map(|row| {
            let fields = table.headers.iter().zip(row).map(|(h, cell)| {
                let value = if cell.is_empty() {
                    serde_json::Value::Null
                } else if let Ok(n) = cell.parse::<i64>() {
                    n.into()
                } else if let Some(n) = cell.parse::<f64>().ok().filter(|n| n.is_finite()) {
                    n.into()
                } else {
                    cell.clone().into()
                };
                (h.clone(), value)
            });
            serde_json::Value::Object(fields.collect())
        })
        .collect()
}

pub(crate) async fn crawls(State(state): State<AppState>) -> Result<Response, ApiError> {
    let runs = pages::runs_table(&state).await?;
    let failed = pages::failures_table(&state).await?;
    json_body(&serde_json::json!({
        "runs": objects(&runs),
        "failed_hosts": objects(&failed),
    }))
}

/// Unknown `/api/v1/...` paths answer JSON, not the HTML 404 page.
pub(crate) async fn not_found() -> ApiError {
    ApiError(WebError::NotFound(
        "no such API route; see the README for the list".into(),
    ))
}
