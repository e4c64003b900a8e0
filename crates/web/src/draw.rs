//! Charts drawn once per cached window: the SVG the page inlines and its text
//! alternative. PNGs are drawn on request (slides and e-mail are rare).

use std::sync::Arc;

use fedireach_charts::Chart;

use crate::{BrandFigures, ChartName, WebError, charts};

/// A chart drawn as SVG, with its text alternative.
#[derive(Debug)]
pub struct Drawn {
    pub svg: String,
    pub alt: String,
}

fn cached(
    figures: &BrandFigures,
    key: &'static str,
    chart: impl FnOnce() -> Chart,
) -> Result<Arc<Drawn>, WebError> {
    let lock = || {
        figures
            .drawn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    };
    if let Some(hit) = lock().get(key) {
        return Ok(Arc::clone(hit));
    }
    let chart = chart();
    let drawn = Arc::new(Drawn {
        svg: chart.svg(chart.size())?,
        alt: chart.alt_text(),
    });
    lock().insert(key, Arc::clone(&drawn));
    Ok(drawn)
}

/// A chart of the brand page.
pub(crate) fn drawn(figures: &BrandFigures, name: ChartName) -> Result<Arc<Drawn>, WebError> {
    cached(figures, name.as_str(), || {
        charts::brand_chart(figures, name)
    })
}

/// The overview's sparkline.
pub(crate) fn sparkline(figures: &BrandFigures) -> Result<Arc<Drawn>, WebError> {
    cached(figures, "sparkline", || charts::sparkline(figures))
}
