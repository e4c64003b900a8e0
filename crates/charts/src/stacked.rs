//! Bars over time stacked by family (engagements over time), with a legend.

use plotters::{coord::Shift, prelude::*};

use crate::{
    Stacked, family_colour,
    output::{self, DrawResult, msg, number, text, title, top},
};

/// At most this many period labels under the axis; the others are skipped.
const MAX_PERIOD_LABELS: usize = 12;

/// Width of the legend column right of the plot.
const LEGEND_WIDTH: u32 = 130;

pub(crate) fn draw<DB: DrawingBackend>(c: &Stacked, root: &DrawingArea<DB, Shift>) -> DrawResult {
    let n = i32::try_from(c.periods.len().max(1)).map_err(msg)?;
    let totals: Vec<f64> = (0..c.periods.len())
        .map(|p| {
            c.series
                .iter()
                .map(|s| s.values.get(p).copied().flatten().unwrap_or(0.0))
                .sum()
        })
        .collect();
    let titled = root.titled(&c.title, title(root, &c.title)).map_err(msg)?;
    let (width, _) = titled.dim_in_pixel();
    let (plot, key) = titled.split_horizontally(width.saturating_sub(LEGEND_WIDTH));
    let mut chart = ChartBuilder::on(&plot)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(
            crate::bars::segments(n).into_segmented(),
            0.0..top(totals.iter().copied()),
        )
        .map_err(msg)?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .disable_x_mesh()
        .x_labels(c.periods.len().clamp(1, MAX_PERIOD_LABELS))
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => usize::try_from(*i)
                .ok()
                .and_then(|i| c.periods.get(i))
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
    let gap = if c.periods.len() > 40 { 0 } else { 2 };
    let mut base = vec![0.0_f64; c.periods.len()];
    for series in &c.series {
        let colour = family_colour(&series.name).plotters();
        let mut rects = Vec::new();
        for (i, (value, floor)) in series.values.iter().zip(base.iter_mut()).enumerate() {
            let value = value.unwrap_or(0.0);
            if value > 0.0 {
                let i = i32::try_from(i).map_err(msg)?;
                let mut rect = Rectangle::new(
                    [
                        (SegmentValue::Exact(i), *floor),
                        (SegmentValue::Exact(i + 1), *floor + value),
                    ],
                    colour.filled(),
                );
                rect.set_margin(0, 0, gap, gap);
                rects.push(rect);
            }
            *floor += value;
        }
        chart.draw_series(rects).map_err(msg)?;
    }
    output::legend(&key.margin(12, 0, 0, 0), &c.series, output::Swatch::Block)?;
    Ok(())
}
