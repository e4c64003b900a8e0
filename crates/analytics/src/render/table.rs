//! Aligned text tables for a terminal: numbers right-aligned, text left-aligned,
//! columns two spaces apart, a rule under the headers.

use std::io::Write;

use crate::{
    Result,
    render::{Tabular, shown_columns},
};

pub(super) fn write(report: &dyn Tabular, out: &mut dyn Write) -> Result<()> {
    // Columns that restate the notes give way to the notes, under the table.
    let (headers, rows) = shown_columns(report);
    writeln!(out, "{}", report.title())?;
    if rows.is_empty() {
        writeln!(out, "(no rows)")?;
        return Ok(());
    }
    let width = |i: usize| {
        rows.iter()
            .filter_map(|r| r.get(i))
            .chain(headers.get(i))
            .map(|c| c.chars().count())
            .max()
            .unwrap_or(0)
    };
    let numeric = |i: usize| {
        rows.iter()
            .filter_map(|r| r.get(i))
            .all(|c| c.is_empty() || c.parse::<f64>().is_ok())
    };
    let columns: Vec<(usize, bool)> = (0..headers.len()).map(|i| (width(i), numeric(i))).collect();
    let line = |cells: &[String]| {
        let text: Vec<String> = columns
            .iter()
            .enumerate()
            .map(|(i, (w, right))| {
                let cell = cells.get(i).map(String::as_str).unwrap_or("");
                // Control characters would break the alignment (and the terminal).
                let cell: String = cell
                    .chars()
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .collect();
                if *right {
                    format!("{cell:>w$}")
                } else {
                    format!("{cell:<w$}")
                }
            })
            .collect();
        text.join("  ").trim_end().to_owned()
    };
    writeln!(out, "{}", line(&headers))?;
    let rule: Vec<String> = columns.iter().map(|(w, _)| "-".repeat(*w)).collect();
    writeln!(out, "{}", rule.join("  "))?;
    for row in &rows {
        writeln!(out, "{}", line(row))?;
    }
    for note in report.notes() {
        writeln!(out, "{note}")?;
    }
    Ok(())
}
