//! Reports beside their previous period (`?previous=true`), rendered in one place for
//! the JSON API and the CSV downloads (which report a kind names is said once, in
//! [`crate::reports::BrandReport`]).

use std::sync::Arc;

use fedireach_analytics::{
    Analytics, Compared, Figures, Format, Tabular, Window, render, render_compared,
};
use serde::Serialize;

use crate::WebError;

/// `{current, previous, changes}` as JSON, or the changes table as CSV (key, figure,
/// current, previous, change, change_pct).
pub(crate) fn rendered<T: Tabular + Serialize + Figures>(
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
