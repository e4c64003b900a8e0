//! CSV with a header row, through the `csv` crate (quoting per RFC 4180), and every
//! text cell guarded against formula injection (OWASP "CSV Injection").

use std::io::Write;

use crate::{Result, render::Tabular};

/// A cell a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a
/// tab or a carriage return) gets a leading `'`, which spreadsheets show as text.
/// Plain numbers (`-3`, `-0.5`) are left alone: a spreadsheet reads them as the
/// numbers they are, and they carry no formula.
pub fn guard_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && cell.parse::<f64>().map_or(true, |v| !v.is_finite()) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

pub(super) fn write(report: &dyn Tabular, out: &mut dyn Write) -> Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(report.headers().iter().map(|h| guard_cell(h).into_owned()))?;
    for row in report.rows() {
        writer.write_record(row.iter().map(|c| guard_cell(c).into_owned()))?;
    }
    writer.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_guarded_numbers_are_not() {
        for (cell, expected) in [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+1+2", "'+1+2"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tcmd", "'\tcmd"),
            ("\rcmd", "'\rcmd"),
            ("-", "'-"),
            ("-inf", "'-inf"),
            ("-3", "-3"),
            ("-0.25", "-0.25"),
            ("mastodon", "mastodon"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(guard_cell(cell), expected, "{cell:?}");
        }
    }
}
