//! `report consent`: what each crawl left out or anonymised, and why.

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{
    Analytics, Result, Window,
    columns::{counts, i64s, strings},
    window::rfc3339,
};

/// `report consent`: one row per crawl, subject, action and reason, sorted by crawl
/// start, crawl, subject, action, reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentReport {
    pub brand: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub rows: Vec<ConsentRow>,
}

/// How many things one crawl left out or anonymised for one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRow {
    pub crawl_id: i64,
    /// When the crawl started, RFC 3339 UTC.
    pub started: String,
    /// `engager`, `post` or `host`.
    pub subject: String,
    /// `left_out` or `anonymised`.
    pub action: String,
    /// `robots_txt`, `gone_410`, `authorized_fetch`, `not_indexable`, `nobot`...
    pub reason: String,
    pub count: u64,
}

impl Analytics {
    /// The consent lines of the crawls started in the window. The facts do not tie a
    /// crawl to a brand, so every crawl's lines are listed; the brand is checked and
    /// named in the report.
    pub fn consent(&self, brand: &str, window: &Window) -> Result<ConsentReport> {
        self.brand(brand)?;
        let (start, end) = window.bounds();
        let keys = ["crawl_id", "started_at", "subject", "action", "reason"];
        let df = self
            .frames
            .consent
            .clone()
            .lazy()
            .filter(
                col("started_at")
                    .gt_eq(lit(start))
                    .and(col("started_at").lt(lit(end))),
            )
            .group_by(keys.map(col))
            .agg([col("count").sum()])
            .sort(keys, SortMultipleOptions::default())
            .collect()?;
        let crawls = i64s(&df, "crawl_id")?;
        let started = i64s(&df, "started_at")?;
        let subjects = strings(&df, "subject")?;
        let actions = strings(&df, "action")?;
        let reasons = strings(&df, "reason")?;
        let count = counts(&df, "count")?;
        let rows = crawls
            .into_iter()
            .zip(started)
            .zip(subjects.into_iter().zip(actions))
            .zip(reasons.into_iter().zip(count))
            .map(
                |(((crawl_id, started), (subject, action)), (reason, count))| ConsentRow {
                    crawl_id,
                    started: rfc3339(started),
                    subject,
                    action,
                    reason,
                    count,
                },
            )
            .collect();
        Ok(ConsentReport {
            brand: brand.to_owned(),
            from: window.from_label(),
            to: window.to_label(),
            rows,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{analytics, august};

    #[test]
    fn consent_lines_of_the_crawls_in_the_window() -> Result<()> {
        // Crawl 1 (Aug 2) reported not_indexable twice (3 + 2); crawl 0 is in July.
        let report = analytics()?.consent("acme", &august("UTC")?)?;
        let got: Vec<_> = report
            .rows
            .iter()
            .map(|r| {
                (
                    r.crawl_id,
                    r.started.as_str(),
                    r.subject.as_str(),
                    r.action.as_str(),
                    r.reason.as_str(),
                    r.count,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    1,
                    "2026-08-02T00:00:00Z",
                    "engager",
                    "anonymised",
                    "not_indexable",
                    5
                ),
                (
                    1,
                    "2026-08-02T00:00:00Z",
                    "host",
                    "left_out",
                    "robots_txt",
                    1
                ),
            ]
        );
        assert_eq!(analytics()?.consent("acme", &Window::all())?.rows.len(), 3);
        assert!(analytics()?.consent("nobody", &Window::all()).is_err());
        Ok(())
    }
}
