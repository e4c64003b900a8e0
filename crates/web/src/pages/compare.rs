//! `/compare?brand=A&brand=B`: share of voice and side-by-side figures.

use axum::{
    extract::{RawQuery, State},
    response::Html,
};
use fedireach_analytics::CompareReport;
use minijinja::Value;

use crate::{
    AppState, View, WebError, charts,
    tables::{plain, with_query},
};

/// The comparison of the brands the view names (computed off the async threads).
pub(crate) async fn compare_report(
    state: &AppState,
    view: &View,
) -> Result<CompareReport, WebError> {
    for brand in &view.brands {
        // An unknown brand is a 404 naming it, before any work.
        state.store().brand(brand).await?;
    }
    let analytics = state.analytics();
    let (brands, window) = (view.brands.clone(), view.window);
    Ok(tokio::task::spawn_blocking(move || {
        let names: Vec<&str> = brands.iter().map(String::as_str).collect();
        analytics.compare(&names, &window)
    })
    .await??)
}

/// The query of a comparison: its brands and window.
pub(crate) fn compare_query(view: &View) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for brand in &view.brands {
        query.append_pair("brand", brand);
    }
    let labels = view.labels();
    let mut out = query.finish();
    if !labels.query.is_empty() {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(&labels.query);
    }
    out
}

pub(crate) async fn compare_page(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, WebError> {
    let view = View::parse(query.as_deref())?;
    let all: Vec<String> = state
        .store()
        .list_brands()
        .await?
        .into_iter()
        .map(|b| b.name)
        .collect();
    // Nothing ticked: compare every brand (as many as a comparison takes), so the page
    // opens on a comparison rather than an empty form.
    let mut view = view;
    if view.brands.is_empty() && all.len() >= 2 {
        view.brands = all
            .iter()
            .take(crate::view::MAX_COMPARED)
            .cloned()
            .collect();
    }
    let q = compare_query(&view);
    let page = if view.brands.len() < 2 {
        minijinja::context! { all_brands => all, chosen => false }
    } else {
        let report = compare_report(&state, &view).await?;
        let chart = charts::share_of_voice(&report);
        let (headers, rows) = plain(&report);
        let (family_headers, family_rows) = plain(&FamilyTable(&report));
        minijinja::context! {
            all_brands => all,
            chosen => true,
            svg => Value::from_safe_string(chart.svg(chart.size())?),
            alt => chart.alt_text(),
            png_url => with_query("/compare/charts/share-of-voice.png", &q),
            headers => headers,
            rows => Value::from_serialize(rows),
            family_headers => family_headers,
            family_rows => Value::from_serialize(family_rows),
            csv_url => with_query("/compare.csv", &q),
            families_csv_url => with_query("/compare/families.csv", &q),
            json_url => with_query("/api/v1/compare", &q),
        }
    };
    super::render(&state, "compare.html", &view, "Compare brands", page)
}

/// The per-family part of a comparison as its own table.
pub(crate) struct FamilyTable<'a>(pub &'a CompareReport);

impl serde::Serialize for FamilyTable<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.families.serialize(s)
    }
}

impl fedireach_analytics::Tabular for FamilyTable<'_> {
    fn title(&self) -> String {
        "Engagements by family, per brand".to_owned()
    }
    fn headers(&self) -> Vec<String> {
        [
            "brand",
            "family",
            "engagements",
            "unique_engagers",
            "potential_reach",
            "share_pct",
        ]
        .map(String::from)
        .to_vec()
    }
    fn rows(&self) -> Vec<Vec<String>> {
        self.0
            .families
            .iter()
            .map(|f| {
                vec![
                    f.brand.clone(),
                    f.family.clone(),
                    f.engagements.to_string(),
                    f.unique_engagers.to_string(),
                    f.potential_reach.to_string(),
                    f.share_pct.to_string(),
                ]
            })
            .collect()
    }
}
