//! `/`: every brand with its key figures and a sparkline (`dashboards/overview.toml`).

use axum::{
    extract::{RawQuery, State},
    response::Html,
};
use minijinja::Value;

use crate::{
    AppState, Panel, View, WebError,
    draw::sparkline,
    tables::{segment, with_query},
};

/// What was typed in the add-brand form, shown again with why it was refused (the
/// admin token is never shown again).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub(crate) struct FormAgain {
    pub name: String,
    pub actors: String,
    pub token_env: String,
    pub error: String,
}

pub(crate) async fn overview_page(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, WebError> {
    let view = View::parse(query.as_deref())?;
    overview(&state, &view, None).await
}

/// The overview, with the add-brand form filled in again after a refusal.
pub(crate) async fn overview(
    state: &AppState,
    view: &View,
    again: Option<FormAgain>,
) -> Result<Html<String>, WebError> {
    let view = view.clone();
    let labels = view.labels();
    let brands = state.store().list_brands().await?;
    let mut panels = Vec::new();
    for panel in &state.dashboards().overview {
        let Panel::Brands { title, metrics } = panel else {
            continue;
        };
        let mut cards = Vec::new();
        for brand in &brands {
            let figures = state.figures(&brand.name, &view).await?;
            let spark = sparkline(&figures)?;
            let base = format!("/brands/{}", segment(&brand.name));
            cards.push(minijinja::context! {
                name => brand.name.clone(),
                owned => brand.is_owned(),
                url => with_query(&base, &labels.query),
                figures => Value::from_serialize(figures.key_figures(metrics)),
                left_out => figures.key.left_out.clone(),
                sparkline => Value::from_safe_string(spark.svg.clone()),
                sparkline_alt => spark.alt.clone(),
                sparkline_png => with_query(&format!("{base}/charts/sparkline.png"), &labels.query),
            });
        }
        panels.push(minijinja::context! { title => title, cards => cards });
    }
    let page = minijinja::context! {
        panels => panels,
        brand_count => brands.len(),
        again => again,
    };
    super::render(state, "overview.html", &view, "Overview", page)
}
