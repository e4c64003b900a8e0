//! Lines over shared points (follower growth), and the overview's sparkline.

use plotters::{coord::Shift, prelude::*};

use crate::{
    Lines, Sparkline, family_colour,
    output::{self, DrawResult, msg, number, text, title},
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

/// The value axis of counts (followers): from zero, so a change is seen at its true
/// size, to a tenth above the largest, at least 1; `range` where a value is negative.
fn count_range(values: impl Iterator<Item = f64> + Clone) -> (f64, f64) {
    let finite = values.filter(|v| v.is_finite());
    if finite.clone().any(|v| v < 0.0) {
        return range(finite);
    }
    let hi = finite.fold(0.0_f64, f64::max);
    (0.0, (hi * 1.1).max(1.0))
}

/// A count's tick: whole numbers only (no "0.5 followers").
fn whole(v: &f64) -> String {
    if v.fract() == 0.0 {
        number(v)
    } else {
        String::new()
    }
}

pub(crate) fn draw<DB: DrawingBackend>(c: &Lines, root: &DrawingArea<DB, Shift>) -> DrawResult {
    let n = i32::try_from(c.points.len().max(1)).map_err(msg)?;
    let (lo, hi) = count_range(
        c.series
            .iter()
            .flat_map(|s| s.values.iter().flatten().copied()),
    );
    let titled = root.titled(&c.title, title(root, &c.title)).map_err(msg)?;
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
        .y_label_formatter(&whole)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_drawn_from_zero_with_whole_ticks() {
        assert_eq!(count_range([1000.0, 1010.0].into_iter()), (0.0, 1111.0));
        assert_eq!(count_range([0.0].into_iter()), (0.0, 1.0));
        assert_eq!(count_range(std::iter::empty()), (0.0, 1.0));
        assert_eq!(
            count_range([-5.0, 5.0].into_iter()),
            range([-5.0, 5.0].into_iter())
        );
        assert_eq!(whole(&3.0), "3");
        assert_eq!(whole(&0.5), "");
    }

    #[test]
    fn a_follower_chart_has_no_fractional_tick() -> crate::Result<()> {
        let chart = crate::Chart::Lines(Lines {
            title: "Follower growth".into(),
            value_label: "followers".into(),
            points: vec!["2026-12-01".into(), "2026-12-02".into()],
            series: vec![crate::Series {
                name: "@acme@brand.example".into(),
                values: vec![Some(2.0), Some(3.0)],
            }],
        });
        let svg = chart.svg(crate::Size::new(800, 400))?;
        let texts: Vec<&str> = svg
            .split("<text")
            .skip(1)
            .filter_map(|t| t.split('>').nth(1)?.split('<').next())
            .map(str::trim)
            .collect();
        assert!(texts.contains(&"0"), "the axis starts at zero: {texts:?}");
        assert!(
            texts
                .iter()
                .filter_map(|t| t.parse::<f64>().ok())
                .all(|v| v.fract() == 0.0),
            "no fractional tick: {texts:?}"
        );
        Ok(())
    }
}
