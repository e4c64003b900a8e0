//! The two backends: an SVG string and PNG bytes, both from the same drawing code.

use plotters::{coord::Shift, prelude::*};

use crate::{ChartError, Result, Size, font};

/// What drawing code returns: plotters' error, already as text (its error type is
/// generic over the backend).
pub(crate) type DrawResult = std::result::Result<(), String>;

/// Turns any plotters error into the message `DrawResult` carries.
pub(crate) fn msg<E: std::fmt::Display>(error: E) -> String {
    error.to_string()
}

fn draw_error(chart: &str, message: String) -> ChartError {
    ChartError::Draw {
        chart: chart.to_owned(),
        message,
    }
}

/// Draws into an SVG document.
pub(crate) fn svg(
    title: &str,
    size: Size,
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> DrawResult,
) -> Result<String> {
    font::ensure()?;
    check(title, size)?;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (size.width, size.height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| draw_error(title, msg(e)))?;
        draw(&root).map_err(|m| draw_error(title, m))?;
        root.present().map_err(|e| draw_error(title, msg(e)))?;
    }
    Ok(out)
}

/// Draws into an RGB buffer and encodes it as PNG.
pub(crate) fn png(
    title: &str,
    size: Size,
    draw: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> DrawResult,
) -> Result<Vec<u8>> {
    font::ensure()?;
    check(title, size)?;
    let pixels = usize::try_from(u64::from(size.width) * u64::from(size.height) * 3)
        .map_err(|e| draw_error(title, msg(e)))?;
    let mut buffer = vec![0_u8; pixels];
    {
        let root =
            BitMapBackend::with_buffer(&mut buffer, (size.width, size.height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| draw_error(title, msg(e)))?;
        draw(&root).map_err(|m| draw_error(title, m))?;
        root.present().map_err(|e| draw_error(title, msg(e)))?;
    }
    let png_error = |source| ChartError::Png {
        chart: title.to_owned(),
        source,
    };
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, size.width, size.height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(png_error)?;
        writer.write_image_data(&buffer).map_err(png_error)?;
        writer.finish().map_err(png_error)?;
    }
    Ok(out)
}

/// Largest side drawn: a bound on memory for a PNG asked for by URL.
const MAX_SIDE: u32 = 4000;

fn check(title: &str, size: Size) -> Result<()> {
    if size.width == 0 || size.height == 0 || size.width > MAX_SIDE || size.height > MAX_SIDE {
        return Err(draw_error(
            title,
            format!(
                "size {}x{} is outside 1..={MAX_SIDE} pixels a side",
                size.width, size.height
            ),
        ));
    }
    Ok(())
}

/// The text style of titles, labels and legends.
pub(crate) fn text(size: u32) -> TextStyle<'static> {
    (font::FAMILY, size).into_font().color(&BLACK)
}

/// A title's size, in pixels: the usual one, or smaller down to a floor where a long
/// title (a subtitled download: "… · Acme, 2026-08-01 to 2026-08-31") would be wider
/// than the area it is centred on and be cut at both sides.
pub(crate) const TITLE_SIZES: std::ops::RangeInclusive<u32> = 11..=20;

/// The title's style on `area`: the largest of [`TITLE_SIZES`] at which it fits with a
/// margin each side.
pub(crate) fn title<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
) -> TextStyle<'static> {
    let (width, _) = area.dim_in_pixel();
    let fits = |size: u32| {
        area.estimate_text_size(title, &text(size))
            .is_ok_and(|(w, _)| w + 2 * TITLE_MARGIN <= width)
    };
    let size = TITLE_SIZES
        .rev()
        .find(|s| fits(*s))
        .unwrap_or(*TITLE_SIZES.start());
    text(size)
}

/// Room kept each side of a title.
const TITLE_MARGIN: u32 = 12;

/// The largest value, never zero, so an empty chart still has an axis.
pub(crate) fn top(values: impl Iterator<Item = f64>) -> f64 {
    let max = values.filter(|v| v.is_finite()).fold(0.0_f64, f64::max);
    if max <= 0.0 { 1.0 } else { max * 1.1 }
}

/// Axis numbers without a trailing `.0` for whole values.
pub(crate) fn number(v: &f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Height of one legend row, in pixels.
pub(crate) const LEGEND_ROW: u32 = 18;

/// How a legend entry shows its series.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Swatch {
    /// A filled square (bars).
    Block,
    /// A short thick line (lines).
    Line,
}

/// A legend in its own area, beside or under the plot so it never hides data: one
/// entry a row, the swatch in the series' colour (its family's), then its name.
pub(crate) fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    series: &[crate::Series],
    swatch: Swatch,
) -> DrawResult {
    let row = i32::try_from(LEGEND_ROW).map_err(msg)?;
    for (i, s) in (0_i32..).zip(series) {
        let (name, colour) = (&s.name, crate::family_colour(&s.name).plotters());
        let y = 6 + i * row;
        match swatch {
            Swatch::Block => area
                .draw(&Rectangle::new([(4, y + 3), (16, y + 15)], colour.filled()))
                .map_err(msg)?,
            Swatch::Line => area
                .draw(&PathElement::new(
                    [(2, y + 9), (18, y + 9)],
                    colour.stroke_width(3),
                ))
                .map_err(msg)?,
        }
        // About 7 pixels a character at 12 pixels: cut only what does not fit.
        let room = usize::try_from(area.dim_in_pixel().0.saturating_sub(30) / 7).unwrap_or(0);
        area.draw(&Text::new(
            crate::bars::cut(name, room.max(8)),
            (24, y + 2),
            text(12),
        ))
        .map_err(msg)?;
    }
    Ok(())
}

/// Rows of legend a number of series needs, in pixels (with a margin).
pub(crate) fn legend_height(series: usize) -> u32 {
    u32::try_from(series)
        .unwrap_or(u32::MAX)
        .saturating_mul(LEGEND_ROW)
        + 12
}
