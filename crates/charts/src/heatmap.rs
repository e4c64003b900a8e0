//! The hour-of-week heat map: days down, hours across, darker where posts drew more
//! engagements on average; hours without posts are grey.

use plotters::{coord::Shift, prelude::*};

use crate::{
    HeatMap, Rgb,
    output::{DrawResult, msg, text, title},
};

pub(crate) const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// Hours without posts.
const EMPTY: Rgb = Rgb(0xee, 0xee, 0xee);
/// The two ends of the ramp, from the least to the most engagements.
const LOW: Rgb = Rgb(0xe8, 0xec, 0xff);
const HIGH: Rgb = Rgb(0x23, 0x2d, 0x8c);

fn ramp(t: f64) -> Rgb {
    let t = t.clamp(0.0, 1.0);
    let mix = |a: u8, b: u8| {
        let v = f64::from(a) + (f64::from(b) - f64::from(a)) * t;
        // Within 0..=255 by construction.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let byte = v.round().clamp(0.0, 255.0) as u8;
        byte
    };
    Rgb(mix(LOW.0, HIGH.0), mix(LOW.1, HIGH.1), mix(LOW.2, HIGH.2))
}

pub(crate) fn draw<DB: DrawingBackend>(c: &HeatMap, root: &DrawingArea<DB, Shift>) -> DrawResult {
    let max = c
        .cells
        .iter()
        .flatten()
        .flatten()
        .copied()
        .fold(0.0_f64, f64::max);
    let mut chart = ChartBuilder::on(root)
        .caption(&c.title, title(root, &c.title))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(50)
        .build_cartesian_2d((0..23).into_segmented(), (0..6).into_segmented())
        .map_err(msg)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(24)
        .y_labels(7)
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(h) => format!("{h:02}"),
            _ => String::new(),
        })
        // Monday at the top: row d is drawn at y = 6 - d.
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(y) => usize::try_from(6 - *y)
                .ok()
                .and_then(|d| WEEKDAYS.get(d))
                .map(|d| (*d).to_owned())
                .unwrap_or_default(),
            _ => String::new(),
        })
        .x_desc("hour of publication")
        .label_style(text(12))
        .axis_desc_style(text(13))
        .draw()
        .map_err(msg)?;
    let mut cells = Vec::with_capacity(7 * 24);
    for (day, hours) in (0..7).zip(c.cells.iter()) {
        for (hour, value) in (0..24).zip(hours) {
            let colour = match value {
                Some(v) if max > 0.0 => ramp(v / max),
                Some(_) => LOW,
                None => EMPTY,
            };
            let mut rect = Rectangle::new(
                [
                    (SegmentValue::Exact(hour), SegmentValue::Exact(6 - day)),
                    (SegmentValue::Exact(hour + 1), SegmentValue::Exact(7 - day)),
                ],
                colour.plotters().filled(),
            );
            rect.set_margin(1, 1, 1, 1);
            cells.push(rect);
        }
    }
    chart.draw_series(cells).map_err(msg)?;
    Ok(())
}
