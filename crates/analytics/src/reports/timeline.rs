//! `report timeline`: engagements per day or week, by family and kind, in the window's
//! time zone.

use chrono::NaiveDate;
use chrono_tz::Tz;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{
    Analytics, Result, Window,
    columns::{counts, i64s, strings},
    frames::kind_name,
};

/// Days since 0001-01-01 (chrono's "common era" count) of 1970-01-01.
const UNIX_EPOCH_DAYS_FROM_CE: i64 = 719_163;

/// The size of a timeline bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    /// One bucket per calendar day.
    #[default]
    Day,
    /// One bucket per ISO week, Monday to Sunday, named by its Monday.
    Week,
}

impl std::str::FromStr for Granularity {
    type Err = crate::AnalyticsError;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "day" | "daily" => Ok(Self::Day),
            "week" | "weekly" => Ok(Self::Week),
            _ => Err(crate::AnalyticsError::BadGranularity {
                input: s.to_owned(),
            }),
        }
    }
}

/// `report timeline`: rows sorted by period, family, then kind in report order
/// (reply, thread_reply, boost, like, quote). Only non-zero buckets are listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineReport {
    pub brand: String,
    pub from: Option<String>,
    pub to: Option<String>,
    /// The IANA time zone the days are read in.
    pub tz: String,
    pub granularity: Granularity,
    pub rows: Vec<TimelineRow>,
}

/// Engagements of one kind from one family in one day or week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineRow {
    /// The day, or the Monday of the week (YYYY-MM-DD).
    pub period: String,
    pub family: String,
    /// `reply`, `thread_reply`, `boost`, `like` or `quote`.
    pub kind: String,
    pub engagements: u64,
}

/// The local date of a Unix-seconds column, as days since 1970-01-01 (Int32).
pub(crate) fn local_day(seconds: Expr, tz: Tz) -> Result<Expr> {
    Ok(local_datetime(seconds, tz)?
        .dt()
        .date()
        .cast(DataType::Int32))
}

/// A Unix-seconds column as a datetime in `tz`.
pub(crate) fn local_datetime(seconds: Expr, tz: Tz) -> Result<Expr> {
    let utc = (seconds * lit(1000i64)).cast(DataType::Datetime(
        TimeUnit::Milliseconds,
        Some(TimeZone::UTC),
    ));
    let zone = TimeZone::opt_try_new(Some(tz.name()))?.unwrap_or(TimeZone::UTC);
    Ok(utc.dt().convert_time_zone(zone))
}

impl Analytics {
    /// Engagements on the brand's posts (whenever published) that happened in the
    /// window (or, where the time is unknown, were first seen in it).
    pub fn timeline(
        &self,
        brand: &str,
        window: &Window,
        granularity: Granularity,
    ) -> Result<TimelineReport> {
        let posts = self.brand_posts(brand, &Window::all())?;
        let (start, end) = window.bounds();
        let day = local_day(col("at"), window.tz())?;
        let period = match granularity {
            Granularity::Day => day,
            // 1970-01-01 was a Thursday: (day + 3) mod 7 is the days since Monday.
            Granularity::Week => day.clone() - (day + lit(3i32)) % lit(7i32),
        };
        let df = self
            .engagements_of(posts)
            .filter(col("at").gt_eq(lit(start)).and(col("at").lt(lit(end))))
            .with_column(period.alias("period"))
            .group_by([col("period"), col("family"), col("kind")])
            .agg([len().alias("engagements")])
            .sort(["period", "family", "kind"], SortMultipleOptions::default())
            .collect()?;
        let periods = i64s(&df, "period")?;
        let families = strings(&df, "family")?;
        let kinds = i64s(&df, "kind")?;
        let engagements = counts(&df, "engagements")?;
        let rows = periods
            .into_iter()
            .zip(families)
            .zip(kinds.into_iter().zip(engagements))
            .map(|((period, family), (kind, engagements))| TimelineRow {
                period: day_label(period),
                family,
                kind: kind_name(i32::try_from(kind).unwrap_or_default()).to_owned(),
                engagements,
            })
            .collect();
        Ok(TimelineReport {
            brand: brand.to_owned(),
            from: window.from_label(),
            to: window.to_label(),
            tz: window.tz().name().to_owned(),
            granularity,
            rows,
        })
    }
}

/// Days since 1970-01-01 as YYYY-MM-DD.
fn day_label(days: i64) -> String {
    i32::try_from(days + UNIX_EPOCH_DAYS_FROM_CE)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .map_or_else(|| days.to_string(), |d| d.format("%Y-%m-%d").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{analytics, august};

    fn rows(report: &TimelineReport) -> Vec<(&str, &str, &str, u64)> {
        report
            .rows
            .iter()
            .map(|r| {
                (
                    r.period.as_str(),
                    r.family.as_str(),
                    r.kind.as_str(),
                    r.engagements,
                )
            })
            .collect()
    }

    #[test]
    fn timeline_per_day_and_per_week() -> Result<()> {
        // Post 1's engagements happened on Aug 1 (its thread reply on Aug 2); post 2's
        // on Aug 3 (the quote has no time: first seen on Aug 3). July's post 5 is
        // outside the window, rival's post 10 not acme's.
        let a = analytics()?;
        let days = a.timeline("acme", &august("UTC")?, Granularity::Day)?;
        assert_eq!(
            rows(&days),
            [
                ("2026-08-01", "mastodon", "reply", 1),
                ("2026-08-01", "mastodon", "boost", 2),
                ("2026-08-01", "mastodon", "like", 2),
                ("2026-08-01", "misskey", "boost", 1),
                ("2026-08-01", "misskey", "like", 1),
                ("2026-08-02", "misskey", "thread_reply", 1),
                ("2026-08-03", "mastodon", "boost", 1),
                ("2026-08-03", "misskey", "quote", 1),
            ]
        );
        let weeks = a.timeline("acme", &august("UTC")?, Granularity::Week)?;
        assert_eq!(
            rows(&weeks),
            [
                ("2026-07-27", "mastodon", "reply", 1),
                ("2026-07-27", "mastodon", "boost", 2),
                ("2026-07-27", "mastodon", "like", 2),
                ("2026-07-27", "misskey", "thread_reply", 1),
                ("2026-07-27", "misskey", "boost", 1),
                ("2026-07-27", "misskey", "like", 1),
                ("2026-08-03", "mastodon", "boost", 1),
                ("2026-08-03", "misskey", "quote", 1),
            ]
        );
        Ok(())
    }

    #[test]
    fn timeline_days_follow_the_time_zone() -> Result<()> {
        // In Honolulu (UTC-10), post 1's Aug 1 13:00Z engagements are Aug 1 03:00
        // local; its thread reply (Aug 2 10:00Z) is Aug 2 00:00; post 2's Aug 3 09:00Z
        // ones are Aug 2 23:00: 5 rows on Aug 1, 3 on Aug 2.
        let a = analytics()?;
        let honolulu = a.timeline("acme", &august("Pacific/Honolulu")?, Granularity::Day)?;
        let periods: Vec<_> = honolulu.rows.iter().map(|r| r.period.as_str()).collect();
        assert_eq!(
            periods,
            [
                "2026-08-01",
                "2026-08-01",
                "2026-08-01",
                "2026-08-01",
                "2026-08-01",
                "2026-08-02",
                "2026-08-02",
                "2026-08-02"
            ]
        );
        assert_eq!(honolulu.tz, "Pacific/Honolulu");
        assert_eq!("Week".parse::<Granularity>().ok(), Some(Granularity::Week));
        assert!("month".parse::<Granularity>().is_err());
        let empty = Window::parse(Some("2026-09-01"), Some("2026-09-30"), None)?;
        assert!(
            a.timeline("acme", &empty, Granularity::Week)?
                .rows
                .is_empty()
        );
        Ok(())
    }
}
