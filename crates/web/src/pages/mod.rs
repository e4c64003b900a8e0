//! The HTML pages: each handler reads the view from the query string, fetches the
//! figures (cached) and renders its template under `dashboards/templates/`.

mod brand;
mod compare;
mod crawls;
mod deliveries;
mod instance;
mod overview;

use axum::response::Html;
use minijinja::Value;
use serde::Serialize;

pub(crate) use brand::brand_page;
pub(crate) use compare::{FamilyTable, compare_page, compare_report};
pub(crate) use crawls::{consent_report, crawls_page, failures_table, runs_table};
pub(crate) use instance::{instance_page, instance_table};
pub(crate) use overview::overview_page;

use crate::{AppState, View, WebError};

/// Time zones offered by the chooser (any IANA name can be typed).
const ZONES: &[&str] = &[
    "UTC",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Australia/Sydney",
];

/// A quick range under the chooser.
#[derive(Debug, Serialize)]
struct Preset {
    label: &'static str,
    query: String,
}

/// The quick ranges: rolling (`last=N`), so a cached or shared page never offers
/// yesterday's "last 7 days".
fn presets(view: &View) -> Vec<Preset> {
    let tz = view.window.tz().name();
    let with_tz = |mut query: url::form_urlencoded::Serializer<'_, String>| {
        if tz != "UTC" {
            query.append_pair("tz", tz);
        }
        query.finish()
    };
    let mut out = vec![Preset {
        label: "All time",
        query: with_tz(url::form_urlencoded::Serializer::new(String::new())),
    }];
    for (label, days) in [
        ("Last 7 days", "7"),
        ("Last 30 days", "30"),
        ("Last 90 days", "90"),
    ] {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair("last", days);
        out.push(Preset {
            label,
            query: with_tz(query),
        });
    }
    out
}

/// Renders a page with what every page shows: the view chooser and navigation.
fn render(
    state: &AppState,
    template: &str,
    view: &View,
    title: &str,
    page: Value,
) -> Result<Html<String>, WebError> {
    let labels = view.labels();
    let common = minijinja::context! {
        title => title,
        view => Value::from_serialize(&labels),
        view_brands => view.brands.clone(),
        zones => ZONES,
        presets => Value::from_serialize(presets(view)),
        form_token => state.form_token(),
        actions_enabled => state.admin_token().is_some(),
    };
    let context = minijinja::context! { ..page, ..common };
    let html = state
        .dashboards()
        .templates
        .get_template(template)?
        .render(context)?;
    Ok(Html(html))
}
