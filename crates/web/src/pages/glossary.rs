//! `/glossary`: what every figure means, with an anchor per term that each panel links
//! to, and the software families' colours.

use axum::{
    extract::{RawQuery, State},
    response::Html,
};

use crate::{AppState, View, WebError};

pub(crate) async fn glossary_page(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, WebError> {
    let view = View::parse(query.as_deref())?;
    let families: Vec<_> = fedireach_charts::fixed_families()
        .map(|(name, colour)| minijinja::context! { name => name, colour => colour.css() })
        .collect();
    super::render(
        &state,
        "glossary.html",
        &view,
        "What the figures mean",
        minijinja::context! { families => families },
    )
}
