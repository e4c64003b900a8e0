//! The text alternative of each chart: what a screen reader says instead of the
//! picture, and what the page shows under `<figcaption>`. It names the largest values
//! rather than every one; the tables beside the charts hold the rest.

use crate::{Chart, heatmap::WEEKDAYS, output::number};

/// How many items a text alternative names.
const NAMED: usize = 5;

pub(crate) fn describe(chart: &Chart) -> String {
    let title = chart.title();
    let body = match chart {
        Chart::Bars(c) => bars(&c.bars, &c.value_label),
        Chart::HBars(c) => bars(&c.bars, &c.value_label),
        Chart::Stacked(c) => {
            let mut totals: Vec<(&str, f64)> = c
                .series
                .iter()
                .map(|s| (s.name.as_str(), s.values.iter().flatten().sum()))
                .collect();
            totals.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
            match (c.periods.first(), c.periods.last()) {
                (Some(first), Some(last)) => format!(
                    "{} periods from {first} to {last}; {} in all: {}.",
                    c.periods.len(),
                    c.value_label,
                    list(totals.iter().map(|(n, v)| format!("{n} {}", number(v))))
                ),
                _ => "no data in this period.".to_owned(),
            }
        }
        Chart::HeatMap(c) => {
            let mut cells: Vec<(usize, usize, f64)> = Vec::new();
            for (d, hours) in c.cells.iter().enumerate() {
                for (h, v) in hours.iter().enumerate() {
                    if let Some(v) = v {
                        cells.push((d, h, *v));
                    }
                }
            }
            cells.sort_by(|a, b| b.2.total_cmp(&a.2).then((a.0, a.1).cmp(&(b.0, b.1))));
            if cells.is_empty() {
                "no posts in this period.".to_owned()
            } else {
                format!(
                    "{} hours of the week with posts; highest {}: {}.",
                    cells.len(),
                    c.value_label,
                    list(cells.iter().map(|(d, h, v)| {
                        let day = WEEKDAYS.get(*d).copied().unwrap_or("?");
                        format!("{day} {h:02}h {}", number(v))
                    }))
                )
            }
        }
        Chart::Lines(c) => {
            if c.series.is_empty() {
                "no data in this period.".to_owned()
            } else {
                list(c.series.iter().map(|s| {
                    let known: Vec<f64> = s.values.iter().flatten().copied().collect();
                    match (known.first(), known.last()) {
                        (Some(a), Some(b)) => format!(
                            "{} from {} to {} {}",
                            s.name,
                            number(a),
                            number(b),
                            c.value_label
                        ),
                        _ => format!("{} unknown", s.name),
                    }
                })) + "."
            }
        }
        Chart::Sparkline(c) => match (c.values.first(), c.values.last()) {
            (Some(a), Some(b)) => format!(
                "{} values, from {} to {}.",
                c.values.len(),
                number(a),
                number(b)
            ),
            _ => "no data.".to_owned(),
        },
    };
    format!("{title}: {body}")
}

fn bars(bars: &[crate::Bar], value_label: &str) -> String {
    if bars.is_empty() {
        return "no data in this period.".to_owned();
    }
    let mut sorted: Vec<&crate::Bar> = bars.iter().collect();
    sorted.sort_by(|a, b| b.value.total_cmp(&a.value).then(a.label.cmp(&b.label)));
    format!(
        "{} bars of {value_label}: {}.",
        bars.len(),
        list(
            sorted
                .iter()
                .map(|b| format!("{} {}", b.label, number(&b.value)))
        )
    )
}

/// The first `NAMED` items, then how many more.
fn list(items: impl ExactSizeIterator<Item = String>) -> String {
    let total = items.len();
    let mut named: Vec<String> = items.take(NAMED).collect();
    if total > NAMED {
        named.push(format!("and {} more", total - NAMED));
    }
    named.join(", ")
}
