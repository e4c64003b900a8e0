//! Vertical bars (reach by server software) and horizontal bars (top instances), each
//! bar in the colour of its family, its value written at its end.

use plotters::{
    coord::Shift,
    prelude::*,
    style::text_anchor::{HPos, Pos, VPos},
};

use crate::{
    Bar, Bars, HBars, family_colour,
    output::{DrawResult, msg, number, text, title, top},
};

/// Axis labels longer than this are cut with an ellipsis (the tables show them whole).
const MAX_LABEL: usize = 26;

pub(crate) fn short(label: &str) -> String {
    cut(label, MAX_LABEL)
}

/// `label` in at most `max` characters, an ellipsis marking a cut.
pub(crate) fn cut(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_owned()
    } else {
        let mut cut: String = label.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

fn label_of(bars: &[Bar], index: i32) -> String {
    usize::try_from(index)
        .ok()
        .and_then(|i| bars.get(i))
        .map(|b| short(&b.label))
        .unwrap_or_default()
}

fn count(len: usize) -> std::result::Result<i32, String> {
    i32::try_from(len.max(1)).map_err(msg)
}

/// Segmented coordinates include their end: `0..=last` is `n` segments. One segment
/// alone (`0..0`) has no width in plotters (its bar was drawn `width="-4"`): it is the
/// middle one of `-1..=1`, the empty neighbours unlabelled.
pub(crate) fn segments(n: i32) -> std::ops::Range<i32> {
    if n <= 1 { -1..1 } else { 0..n - 1 }
}

/// Width of the vertical bars' value axis (labels and description), in pixels.
const Y_AREA: u32 = 70;
/// A generous width of one character of the 13-pixel label font, in pixels.
const LABEL_CHAR: f64 = 7.5;

/// Whether the bars' labels would overlap under vertical bars `width` pixels wide:
/// such bars are drawn horizontally instead, each label on its own row.
pub(crate) fn crowded(c: &Bars, width: u32) -> bool {
    let n = c.bars.len().max(1);
    let plot = f64::from(width.saturating_sub(Y_AREA + 24));
    #[allow(clippy::cast_precision_loss)]
    let per_bar = plot / n as f64;
    let widest = c
        .bars
        .iter()
        .map(|b| short(&b.label).chars().count())
        .max()
        .unwrap_or(0);
    #[allow(clippy::cast_precision_loss)]
    let label = widest as f64 * LABEL_CHAR;
    label + 8.0 > per_bar
}

/// A value written above (or after) its bar.
fn value_text(anchor: (HPos, VPos)) -> TextStyle<'static> {
    text(12).pos(Pos::new(anchor.0, anchor.1))
}

pub(crate) fn vertical<DB: DrawingBackend>(c: &Bars, root: &DrawingArea<DB, Shift>) -> DrawResult {
    if crowded(c, root.dim_in_pixel().0) {
        return horizontal(
            &HBars {
                title: c.title.clone(),
                value_label: c.value_label.clone(),
                bars: c.bars.clone(),
            },
            root,
        );
    }
    let n = count(c.bars.len())?;
    let mut chart = ChartBuilder::on(root)
        .caption(&c.title, title(root, &c.title))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(Y_AREA)
        .build_cartesian_2d(
            segments(n).into_segmented(),
            0.0..top(c.bars.iter().map(|b| b.value)),
        )
        .map_err(msg)?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .disable_x_mesh()
        .x_labels(c.bars.len().max(1))
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => label_of(&c.bars, *i),
            _ => String::new(),
        })
        .y_label_formatter(&number)
        .y_desc(c.value_label.as_str())
        .label_style(text(13))
        .axis_desc_style(text(14))
        .draw()
        .map_err(msg)?;
    chart
        .draw_series((0..n).zip(&c.bars).map(|(i, bar)| {
            let mut rect = Rectangle::new(
                [
                    (SegmentValue::Exact(i), 0.0),
                    (SegmentValue::Exact(i + 1), bar.value),
                ],
                family_colour(&bar.family).plotters().filled(),
            );
            rect.set_margin(0, 0, 6, 6);
            rect
        }))
        .map_err(msg)?;
    chart
        .draw_series((0..n).zip(&c.bars).map(|(i, bar)| {
            Text::new(
                number(&bar.value),
                (SegmentValue::CenterOf(i), bar.value),
                value_text((HPos::Center, VPos::Bottom)),
            )
        }))
        .map_err(msg)?;
    Ok(())
}

pub(crate) fn horizontal<DB: DrawingBackend>(
    c: &HBars,
    root: &DrawingArea<DB, Shift>,
) -> DrawResult {
    let n = count(c.bars.len())?;
    // The first bar at the top: row i is drawn at y = n - 1 - i.
    let row = |i: i32| n - 1 - i;
    let mut chart = ChartBuilder::on(root)
        .caption(&c.title, title(root, &c.title))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(200)
        .build_cartesian_2d(
            0.0..top(c.bars.iter().map(|b| b.value)),
            segments(n).into_segmented(),
        )
        .map_err(msg)?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .disable_y_mesh()
        .y_labels(c.bars.len().max(1))
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(y) => label_of(&c.bars, n - 1 - *y),
            _ => String::new(),
        })
        .x_label_formatter(&number)
        .x_desc(c.value_label.as_str())
        .label_style(text(13))
        .axis_desc_style(text(14))
        .draw()
        .map_err(msg)?;
    chart
        .draw_series((0..n).zip(&c.bars).map(|(i, bar)| {
            let mut rect = Rectangle::new(
                [
                    (0.0, SegmentValue::Exact(row(i))),
                    (bar.value, SegmentValue::Exact(row(i) + 1)),
                ],
                family_colour(&bar.family).plotters().filled(),
            );
            rect.set_margin(4, 4, 0, 0);
            rect
        }))
        .map_err(msg)?;
    chart
        .draw_series((0..n).zip(&c.bars).map(|(i, bar)| {
            Text::new(
                format!(" {}", number(&bar.value)),
                (bar.value, SegmentValue::CenterOf(row(i))),
                value_text((HPos::Left, VPos::Center)),
            )
        }))
        .map_err(msg)?;
    Ok(())
}
