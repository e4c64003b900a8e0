//! Lines over shared points (follower growth), and the overview's sparkline.

use plotters::{coord::Shift, prelude::*};

use crate::{
    Lines, Sparkline, family_colour,
    output::{self, DrawResult, msg, number, text},
};

/// At most this many point labels under the axis.
const MAX_POINT_LABELS: usize = 10;

fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if lo > hi {
        (0.0, 1.0)
    } else if (hi - lo).abs() < f64::EPSILON {
        (lo - 1.0, hi + 1.0)
    } else {
        let pad = (hi - lo) * 0.1;
        (lo - pad, hi + pad)
    }
}

pub(crate) fn draw<DB: DrawingBackend>(c: &Lines, root: &DrawingArea<DB, Shift>) -> DrawResult {
    let n = i32::try_from(c.points.len().max(1)).map_err(msg)?;
    let (lo, hi) = range(
        c.series
            .iter()
            .flat_map(|s| s.values.iter().flatten().copied()),
    );
    let titled = root.titled(&c.title, text(20)).map_err(msg)?;
    let (_, height) = titled.dim_in_pixel();
    let (plot, key) =
        titled.split_vertically(height.saturating_sub(output::legend_height(c.series.len())));
    let mut chart = ChartBuilder::on(&plot)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(80)
        .build_cartesian_2d(crate::bars::segments(n).into_segmented(), lo..hi)
        .map_err(msg)?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .x_labels(c.points.len().clamp(1, MAX_POINT_LABELS))
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => usize::try_from(*i)
                .ok()
                .and_then(|i| c.points.get(i))
                .cloned()
                .unwrap_or_default(),
            _ => String::new(),
        })
        .y_label_formatter(&number)
        .y_desc(c.value_label.as_str())
        .label_style(text(12))
        .axis_desc_style(text(14))
        .draw()
        .map_err(msg)?;
    for series in &c.series {
        let colour = family_colour(&series.name).plotters();
        let points: Vec<(SegmentValue<i32>, f64)> = (0..n)
            .zip(&series.values)
            .filter_map(|(i, v)| v.map(|v| (SegmentValue::CenterOf(i), v)))
            .collect();
        chart
            .draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))
            .map_err(msg)?;
        chart
            .draw_series(
                points
                    .into_iter()
                    .map(|p| Circle::new(p, 3, colour.filled())),
            )
            .map_err(msg)?;
    }
    output::legend(&key.margin(0, 0, 90, 0), &c.series, output::Swatch::Line)?;
    Ok(())
}

pub(crate) fn sparkline<DB: DrawingBackend>(
    c: &Sparkline,
    root: &DrawingArea<DB, Shift>,
) -> DrawResult {
    // One value is a flat line across, not a dot nobody sees.
    let values: Vec<f64> = match c.values.as_slice() {
        [] => return Ok(()),
        [one] => vec![*one, *one],
        many => many.to_vec(),
    };
    let last = i32::try_from(values.len() - 1).map_err(msg)?;
    let (lo, hi) = range(values.iter().copied());
    let mut chart = ChartBuilder::on(root)
        .margin(3)
        .build_cartesian_2d(0..last, lo..hi)
        .map_err(msg)?;
    let colour = family_colour("mastodon").plotters();
    chart
        .draw_series(LineSeries::new((0..).zip(values), colour.stroke_width(2)))
        .map_err(msg)?;
    Ok(())
}
