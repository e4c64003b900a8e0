//! A brand's report beside its previous period (`?previous=true`), computed and
//! rendered in one place for the JSON API and the CSV downloads: which report a kind
//! names is said once here.

use std::sync::Arc;

use fedireach_analytics::{
    Analytics, Compared, Figures, Format, Granularity, Tabular, TimelineBasis, Window, render,
    render_compared,
};
use serde::Serialize;

use crate::WebError;

/// `{current, previous, changes}` as JSON, or the changes table as CSV (key, figure,
/// current, previous, change, change_pct).
fn rendered<T: Tabular + Serialize + Figures>(
    window: &Window,
    format: Format,
    report: impl Fn(&Window) -> fedireach_analytics::Result<T>,
) -> Result<Vec<u8>, WebError> {
    let compared = Compared::of(window, report)?;
    let mut out = Vec::new();
    match format {
        Format::Csv => render(&compared, Format::Csv, &mut out)?,
        other => render_compared(&compared, other, &mut out)?,
    }
    Ok(out)
}

/// Report `kind` of `brand` over `window` beside its previous period, in `format`.
/// CPU-bound (polars): run it in `spawn_blocking`.
pub(crate) fn brand_report(
    analytics: &Arc<Analytics>,
    kind: &str,
    brand: &str,
    window: &Window,
    granularity: Granularity,
    format: Format,
) -> Result<Vec<u8>, WebError> {
    let a = analytics;
    match kind {
        "reach" => rendered(window, format, |w| a.reach(brand, w)),
        "reach-by-family" => rendered(window, format, |w| a.reach_by_family(brand, w)),
        "posts" => rendered(window, format, |w| a.posts(brand, w)),
        "instances" => rendered(window, format, |w| a.instances(brand, w)),
        "timeline" => rendered(window, format, |w| a.timeline(brand, w, granularity)),
        "timeline-engaged" => rendered(window, format, |w| {
            a.timeline_by(brand, w, granularity, TimelineBasis::Engaged)
        }),
        "best-time" => rendered(window, format, |w| a.best_time(brand, w)),
        "hashtags" => rendered(window, format, |w| a.hashtags(brand, w)),
        "languages" => rendered(window, format, |w| a.languages(brand, w)),
        "followers" => rendered(window, format, |w| a.followers(brand, w)),
        "consent" => rendered(window, format, |w| a.consent(brand, w)),
        other => Err(WebError::NotFound(format!("no report `{other}`"))),
    }
}

/// The comparison of `brands` beside its previous period, in `format`.
pub(crate) fn compare(
    analytics: &Arc<Analytics>,
    brands: &[String],
    window: &Window,
    format: Format,
) -> Result<Vec<u8>, WebError> {
    let names: Vec<&str> = brands.iter().map(String::as_str).collect();
    rendered(window, format, |w| analytics.compare(&names, w))
}
