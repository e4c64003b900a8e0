//! The HTML pages: each handler reads the view from the query string, fetches the
//! figures (cached) and renders its template under `dashboards/templates/`.

mod brand;
mod compare;
mod conversation;
mod crawls;
mod deliveries;
mod glossary;
mod instance;
mod overview;

use axum::response::Html;
use fedireach_analytics::Baseline;
use minijinja::Value;
use serde::Serialize;

pub(crate) use brand::brand_page;
pub(crate) use compare::{FamilyTable, compare_page, compare_report};
pub(crate) use conversation::conversation_page;
pub(crate) use crawls::{consent_report, crawls_page, failures_table, runs_table};
pub(crate) use glossary::glossary_page;
pub(crate) use instance::{instance_page, instance_table};
pub(crate) use overview::{FormAgain, overview, overview_page};

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
    /// The range the page shows now: highlighted.
    active: bool,
}

/// The quick ranges: rolling (`last=N`), so a cached or shared page never offers
/// yesterday's "last 7 days". They keep the view's zone and its brands (the compare
/// page's ticks).
fn presets(view: &View) -> Vec<Preset> {
    let tz = view.window.tz().name();
    let query = |last: Option<&str>| {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for brand in &view.brands {
            query.append_pair("brand", brand);
        }
        if let Some(days) = last {
            query.append_pair("last", days);
        }
        if tz != "UTC" {
            query.append_pair("tz", tz);
        }
        if view.window.baseline() != Baseline::PreviousPeriod {
            query.append_pair("previous", &view.window.baseline().param());
        }
        query.finish()
    };
    let all_time = view.window.from().is_none() && view.window.to().is_none();
    let mut out = vec![Preset {
        label: "All time",
        query: query(None),
        active: all_time,
    }];
    for (label, days) in [
        ("Last 7 days", 7),
        ("Last 30 days", 30),
        ("Last 90 days", 90),
    ] {
        out.push(Preset {
            label,
            query: query(Some(&days.to_string())),
            active: view.last == Some(days),
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
