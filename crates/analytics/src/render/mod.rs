//! Rendering reports for people and programs: an aligned table for a terminal, CSV
//! for spreadsheets, JSON for programs. The CLI and the dashboard both render through
//! here, so a report looks the same wherever it is read.
//!
//! Every report implements [`Tabular`] (a title, headers and rows of cells) and
//! `Serialize`; [`render`] picks the format.

mod compare;
mod csv;
#[cfg(test)]
mod headers_test;
mod reports;
mod table;

use std::{fmt, io::Write, str::FromStr};

use serde::Serialize;

use crate::{AnalyticsError, Compared, Result};

pub use self::csv::guard_cell;

/// An output format of `report --format`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    /// Aligned columns for a terminal.
    #[default]
    Table,
    /// RFC 4180 with a header row, guarded against formula injection.
    Csv,
    /// Pretty-printed JSON, field order fixed, rows sorted as each report documents.
    Json,
}

impl FromStr for Format {
    type Err = AnalyticsError;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "table" => Ok(Self::Table),
            "csv" => Ok(Self::Csv),
            "json" => Ok(Self::Json),
            _ => Err(AnalyticsError::BadFormat {
                input: s.to_owned(),
            }),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Table => "table",
            Self::Csv => "csv",
            Self::Json => "json",
        })
    }
}

/// A report as one table of text cells. Numbers are written the way JSON writes them
/// (`55.56`, `4.5`, `100.0`); unknown values are empty cells.
pub trait Tabular {
    /// One line naming the report, its brand and window, shown above the table.
    fn title(&self) -> String;
    /// Column names, as the JSON fields are named.
    fn headers(&self) -> Vec<String>;
    /// The rows, each as long as the headers.
    fn rows(&self) -> Vec<Vec<String>>;
    /// Sentences shown under the table (terminal and dashboard; CSV has no room for
    /// them, its columns say the same): what the figures leave out as unknown.
    fn notes(&self) -> Vec<String> {
        Vec::new()
    }
}

/// Whether a column only restates a report's notes (the `unavailable_posts_*` counts):
/// CSV keeps it, a table for people shows the note under it instead.
fn is_note_column(header: &str) -> bool {
    header
        .strip_prefix("unavailable_posts_")
        .is_some_and(|kind| fedireach_core::UnavailablePosts::KINDS.contains(&kind))
}

/// A report's headers and rows for people: without the columns that restate its notes
/// (a terminal table and the dashboard show the notes under the table instead).
pub fn shown_columns(report: &dyn Tabular) -> (Vec<String>, Vec<Vec<String>>) {
    let all = report.headers();
    let keep: Vec<bool> = all.iter().map(|h| !is_note_column(h)).collect();
    let kept = |cells: Vec<String>| -> Vec<String> {
        cells
            .into_iter()
            .zip(&keep)
            .filter_map(|(c, k)| k.then_some(c))
            .collect()
    };
    let rows = report.rows().into_iter().map(kept).collect();
    (kept(all), rows)
}

/// Writes a report in the format asked.
pub fn render<T: Tabular + Serialize>(
    report: &T,
    format: Format,
    out: &mut dyn Write,
) -> Result<()> {
    match format {
        Format::Table => table::write(report, out),
        Format::Csv => csv::write(report, out),
        Format::Json => write_json(report, out),
    }
}

/// Writes a report with its previous period: as a table, the report then the changes;
/// as CSV, the report's own table (CSV holds one table: the changes are in the table
/// and JSON forms); as JSON, `{current, previous, changes}`.
pub fn render_compared<T: Tabular + Serialize>(
    compared: &Compared<T>,
    format: Format,
    out: &mut dyn Write,
) -> Result<()> {
    match format {
        Format::Table => {
            table::write(&compared.current, out)?;
            writeln!(out)?;
            table::write(compared, out)
        }
        Format::Csv => csv::write(&compared.current, out),
        Format::Json => write_json(compared, out),
    }
}

fn write_json<T: Serialize>(value: &T, out: &mut dyn Write) -> Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)?;
    Ok(())
}

impl<T: Tabular> Tabular for Compared<T> {
    fn title(&self) -> String {
        if self.previous.is_some() {
            match self.baseline {
                crate::Baseline::PreviousPeriod => {
                    "Change from the previous period of the same length".to_owned()
                }
                crate::Baseline::PreviousYear => {
                    "Change from the same days a year before".to_owned()
                }
                crate::Baseline::From(date) => format!(
                    "Change from the same number of days from {}",
                    date.format("%Y-%m-%d")
                ),
            }
        } else {
            "No previous period: give both --from and --to to compare".to_owned()
        }
    }

    fn headers(&self) -> Vec<String> {
        [
            "key",
            "figure",
            "current",
            "previous",
            "change",
            "change_pct",
        ]
        .map(String::from)
        .to_vec()
    }

    fn rows(&self) -> Vec<Vec<String>> {
        self.changes
            .iter()
            .map(|c| {
                vec![
                    c.key.clone(),
                    c.figure.clone(),
                    float(c.current),
                    float(c.previous),
                    float(c.change),
                    opt(c.change_pct.map(float)),
                ]
            })
            .collect()
    }
}

/// A float cell as JSON writes it.
pub(crate) fn float(v: f64) -> String {
    serde_json::Number::from_f64(v).map_or_else(|| v.to_string(), |n| n.to_string())
}

/// An optional cell: empty when unknown.
pub(crate) fn opt(v: Option<impl ToString>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        HashtagRow, HashtagsReport, Window,
        testkit::{analytics, august},
    };

    fn text(report: &(impl Tabular + Serialize), format: Format) -> Result<String> {
        let mut out = Vec::new();
        render(report, format, &mut out)?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    #[test]
    fn table_is_aligned() -> Result<()> {
        let report = analytics()?.instances("acme", &august("UTC")?)?;
        let expected = "\
Engaging instances of acme, 2026-08-01 to 2026-08-31
host         software  family    replies  thread_replies  boosts  likes  quotes  engagements  unique_engagers  active_month  penetration_pct
-----------  --------  --------  -------  --------------  ------  -----  ------  -----------  ---------------  ------------  ---------------
m.example    mastodon  mastodon        0               0       3      1       0            4                2            50              4.0
k.example    misskey   misskey         0               0       1      1       0            2                1             0
acme.social  mastodon  mastodon        0               0       0      1       0            1                1           100              1.0
g.example    glitch    mastodon        1               0       0      0       0            1                1
s.example    sharkey   misskey         0               1       0      0       1            1                1             8             12.5
";
        assert_eq!(text(&report, Format::Table)?, expected);
        let empty =
            analytics()?.instances("rival", &Window::parse(None, Some("2020-01-01"), None)?)?;
        assert_eq!(
            text(&empty, Format::Table)?,
            "Engaging instances of rival, up to 2020-01-01\n(no rows)\n"
        );
        Ok(())
    }

    #[test]
    fn unknown_counts_are_columns_in_csv_and_a_note_under_a_table() -> Result<()> {
        let mut report = analytics()?.instances("acme", &august("UTC")?)?;
        report.rows.truncate(1);
        for row in &mut report.rows {
            row.unavailable_posts.quotes = 2;
        }
        assert_eq!(
            text(&report, Format::Csv)?,
            "host,software,family,replies,thread_replies,boosts,likes,quotes,engagements,\
             unique_engagers,active_month,penetration_pct,unavailable_posts_replies,\
             unavailable_posts_boosts,unavailable_posts_likes,unavailable_posts_quotes\n\
             m.example,mastodon,mastodon,0,0,3,1,0,4,2,50,4.0,0,0,0,2\n"
        );
        let table = text(&report, Format::Table)?;
        assert!(!table.contains("unavailable_posts"), "{table}");
        assert!(
            table.ends_with(
                "m.example  mastodon  mastodon        0               0       3      1       0            4                2            50              4.0\n\
                 Unknown, so not in these counts: the quotes of 2 posts (each post's coverage says why).\n"
            ),
            "{table}"
        );
        let json = text(&report, Format::Json)?;
        assert!(json.contains("\"unavailable_posts\": {\n        \"replies\": 0,\n        \"boosts\": 0,\n        \"likes\": 0,\n        \"quotes\": 2\n      }"), "{json}");
        Ok(())
    }

    #[test]
    fn csv_has_a_header_iso_dates_and_guarded_cells() -> Result<()> {
        let report = HashtagsReport {
            brand: "acme".to_owned(),
            from: None,
            to: None,
            engagements: 3,
            rows: vec![HashtagRow {
                hashtag: "=cmd|' /C calc'!A0".to_owned(),
                posts: 1,
                counts: fedireach_core::KindCounts::new(0, 0, 1, 2, 0),
                engagements_per_post: 3.0,
                share_pct: 100.0,
            }],
        };
        assert_eq!(
            text(&report, Format::Csv)?,
            "hashtag,posts,replies,thread_replies,boosts,likes,quotes,engagements,engagements_per_post,share_pct\n\
             '=cmd|' /C calc'!A0,1,0,0,1,2,0,3,3.0,100.0\n"
        );
        let consent = analytics()?.consent("acme", &august("UTC")?)?;
        assert_eq!(
            text(&consent, Format::Csv)?,
            "crawl_id,started,subject,action,reason,count\n\
             1,2026-08-02T00:00:00Z,engager,anonymised,not_indexable,5\n\
             1,2026-08-02T00:00:00Z,host,left_out,robots_txt,1\n"
        );
        Ok(())
    }

    #[test]
    fn json_is_the_serde_shape() -> Result<()> {
        let a = analytics()?;
        let report = a.reach("acme", &august("UTC")?)?;
        let json = text(&report, Format::Json)?;
        assert!(json.starts_with("{\n  \"brand\": \"acme\",\n  \"from\": \"2026-08-01\",\n  \"to\": \"2026-08-31\",\n  \"rows\": [\n    {\n      \"software\": \"mastodon\",\n"));
        let back: fedireach_core::ReachReport = serde_json::from_str(&json)?;
        assert_eq!(back, report);

        let compared = Compared::of(&august("UTC")?, |w| a.reach("acme", w))?;
        let mut out = Vec::new();
        render_compared(&compared, Format::Json, &mut out)?;
        let value: serde_json::Value = serde_json::from_slice(&out)?;
        let keys: Vec<_> = value
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        assert_eq!(keys, ["changes", "current", "previous"]);
        assert_eq!(value["current"], serde_json::to_value(&report)?);
        Ok(())
    }

    #[test]
    fn formats_parse() {
        for (input, expected) in [
            ("table", Some(Format::Table)),
            ("CSV", Some(Format::Csv)),
            ("json", Some(Format::Json)),
            ("xml", None),
        ] {
            assert_eq!(input.parse::<Format>().ok(), expected);
        }
    }
}
