//! `report timeline`: engagements per day or week, by family and kind, in the window's
//! time zone.
//!
//! One rule for every figure of a window: an engagement belongs to the window its
//! post was published in. The timeline follows it: the engagements of the posts
//! published in the window, per day (or week) of their post's publication, so the sum
//! of a window's timeline is the window's engagements. A second view
//! ([`TimelineBasis::Engaged`]) dates the same engagements by when they happened, only
//! those whose time the source gave (a reply's or quote's `published`, a boost's
//! announce); likes and others without a time are counted apart (`undated`), never
//! dated by when a crawl first saw them.

use chrono::{Datelike, Days, NaiveDate};
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

/// Most periods a timeline's axis lists; a longer span (an open window over decades
/// of hostile dates) lists only the periods with engagements.
const MAX_PERIODS: u64 = 1200;

/// What dates an engagement in the timeline.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimelineBasis {
    /// The day its post was published: the rule of every figure of a window.
    #[default]
    Published,
    /// The day it happened, where the source gave that time; the others are left out
    /// and counted in `undated`.
    Engaged,
}

/// `report timeline`: rows sorted by period, family, then kind in report order
/// (reply, thread_reply, boost, like, quote). Only non-zero buckets are listed as
/// rows; `periods` is the whole axis, empty periods included.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineReport {
    pub brand: String,
    pub from: Option<String>,
    pub to: Option<String>,
    /// The IANA time zone the days are read in.
    pub tz: String,
    pub granularity: Granularity,
    /// What dates an engagement: its post's publication, or when it happened.
    #[serde(default)]
    pub basis: TimelineBasis,
    /// Every period of the axis in order, from the window's first day (or the first
    /// period with engagements, for an open window) to its last, empty ones included.
    #[serde(default)]
    pub periods: Vec<String>,
    /// Engagements (thread replies aside) of the window's posts left out of an
    /// `engaged` timeline because their source gave no time; 0 for `published`.
    #[serde(default)]
    pub undated: u64,
    pub rows: Vec<TimelineRow>,
}

impl TimelineReport {
    /// The engagements of each period of `periods` (thread replies aside, as in every
    /// engagement count), in order.
    pub fn totals(&self) -> Vec<u64> {
        self.periods
            .iter()
            .map(|p| {
                self.rows
                    .iter()
                    .filter(|r| &r.period == p && r.kind != "thread_reply")
                    .map(|r| r.engagements)
                    .sum()
            })
            .collect()
    }
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
    /// The engagements of the brand's posts published in the window, per day or week
    /// of their post's publication.
    pub fn timeline(
        &self,
        brand: &str,
        window: &Window,
        granularity: Granularity,
    ) -> Result<TimelineReport> {
        self.timeline_by(brand, window, granularity, TimelineBasis::Published)
    }

    /// The timeline with its engagements dated as `basis` says.
    pub fn timeline_by(
        &self,
        brand: &str,
        window: &Window,
        granularity: Granularity,
        basis: TimelineBasis,
    ) -> Result<TimelineReport> {
        let posts = self.brand_posts(brand, window)?;
        let time = match basis {
            TimelineBasis::Published => col("published_at"),
            TimelineBasis::Engaged => col("happened"),
        };
        let day = local_day(time.clone(), window.tz())?;
        let period = match granularity {
            Granularity::Day => day,
            // 1970-01-01 was a Thursday: (day + 3) mod 7 is the days since Monday.
            Granularity::Week => day.clone() - (day + lit(3i32)) % lit(7i32),
        };
        let engagements = self.engagements_of(posts.clone()).inner_join(
            posts.select([col("post_id"), col("published_at")]),
            col("post_id"),
            col("post_id"),
        );
        let undated = match basis {
            TimelineBasis::Published => 0,
            TimelineBasis::Engaged => {
                let df = engagements
                    .clone()
                    .filter(
                        col("happened")
                            .is_null()
                            .and(col("kind").neq(lit(crate::frames::THREAD_REPLY))),
                    )
                    .select([len().alias("n")])
                    .collect()?;
                counts(&df, "n")?.first().copied().unwrap_or_default()
            }
        };
        let df = engagements
            .filter(time.is_not_null())
            .with_column(period.alias("period"))
            .group_by([col("period"), col("family"), col("kind")])
            .agg([len().alias("engagements")])
            .sort(["period", "family", "kind"], SortMultipleOptions::default())
            .collect()?;
        let periods = i64s(&df, "period")?;
        let families = strings(&df, "family")?;
        let kinds = i64s(&df, "kind")?;
        let engagements = counts(&df, "engagements")?;
        let axis = axis(window, granularity, basis, &periods);
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
            basis,
            periods: axis,
            undated,
            rows,
        })
    }
}

/// The first day of the period holding `date`.
fn period_of(date: NaiveDate, granularity: Granularity) -> NaiveDate {
    match granularity {
        Granularity::Day => date,
        Granularity::Week => date
            .checked_sub_days(Days::new(u64::from(date.weekday().num_days_from_monday())))
            .unwrap_or(date),
    }
}

/// Every period from the window's first day to its last (an `engaged` timeline runs on
/// to its last engagement; an open side starts or ends at the data), empty ones
/// included. `found` are the periods with engagements, as days since 1970-01-01.
fn axis(
    window: &Window,
    granularity: Granularity,
    basis: TimelineBasis,
    found: &[i64],
) -> Vec<String> {
    let date = |days: i64| {
        i32::try_from(days + UNIX_EPOCH_DAYS_FROM_CE)
            .ok()
            .and_then(NaiveDate::from_num_days_from_ce_opt)
    };
    let first_found = found.iter().min().and_then(|d| date(*d));
    let last_found = found.iter().max().and_then(|d| date(*d));
    let start = window.from().or(first_found);
    let end = match basis {
        TimelineBasis::Published => window.to().or(last_found),
        TimelineBasis::Engaged => window.to().max(last_found),
    };
    let (Some(start), Some(end)) = (start, end) else {
        return Vec::new();
    };
    let (start, end) = (period_of(start, granularity), period_of(end, granularity));
    let step = match granularity {
        Granularity::Day => 1,
        Granularity::Week => 7,
    };
    let span = u64::try_from((end - start).num_days()).unwrap_or(0) / step;
    if span >= MAX_PERIODS {
        let mut listed: Vec<i64> = found.to_vec();
        listed.dedup();
        return listed.into_iter().map(day_label).collect();
    }
    (0..=span)
        .filter_map(|i| start.checked_add_days(Days::new(i * step)))
        .map(|d| d.format("%Y-%m-%d").to_string())
        .collect()
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
        // Every engagement is dated by its post's publication: post 1 (Aug 1) with its
        // thread reply of Aug 2, post 2 (Aug 2 23:30Z) with its boost of Aug 3 and its
        // undated quote. July's post 5 is outside the window, rival's post 10 not
        // acme's.
        let a = analytics()?;
        let days = a.timeline("acme", &august("UTC")?, Granularity::Day)?;
        assert_eq!(
            rows(&days),
            [
                ("2026-08-01", "mastodon", "reply", 1),
                ("2026-08-01", "mastodon", "boost", 2),
                ("2026-08-01", "mastodon", "like", 2),
                ("2026-08-01", "misskey", "thread_reply", 1),
                ("2026-08-01", "misskey", "boost", 1),
                ("2026-08-01", "misskey", "like", 1),
                ("2026-08-02", "mastodon", "boost", 1),
                ("2026-08-02", "misskey", "quote", 1),
            ]
        );
        assert_eq!(days.basis, TimelineBasis::Published);
        // The axis is every day of August, empty ones included.
        assert_eq!(days.periods.len(), 31);
        assert_eq!(days.periods.first().map(String::as_str), Some("2026-08-01"));
        assert_eq!(days.periods.last().map(String::as_str), Some("2026-08-31"));
        let totals = days.totals();
        assert_eq!(totals.get(..3), Some(&[7, 2, 0][..]));
        let weeks = a.timeline("acme", &august("UTC")?, Granularity::Week)?;
        assert_eq!(
            rows(&weeks),
            [
                ("2026-07-27", "mastodon", "reply", 1),
                ("2026-07-27", "mastodon", "boost", 3),
                ("2026-07-27", "mastodon", "like", 2),
                ("2026-07-27", "misskey", "thread_reply", 1),
                ("2026-07-27", "misskey", "boost", 1),
                ("2026-07-27", "misskey", "like", 1),
                ("2026-07-27", "misskey", "quote", 1),
            ]
        );
        assert_eq!(
            weeks.periods,
            [
                "2026-07-27",
                "2026-08-03",
                "2026-08-10",
                "2026-08-17",
                "2026-08-24",
                "2026-08-31"
            ]
        );
        Ok(())
    }

    #[test]
    fn a_windows_timeline_adds_up_to_its_engagements() -> Result<()> {
        let a = analytics()?;
        for window in [
            august("UTC")?,
            august("Europe/Paris")?,
            Window::parse(Some("2026-08-02"), Some("2026-08-02"), None)?,
            Window::parse(Some("2026-07-01"), Some("2026-07-31"), None)?,
            Window::all(),
        ] {
            let reach: u64 = a
                .reach("acme", &window)?
                .rows
                .iter()
                .map(|r| r.counts.engagements)
                .sum();
            for granularity in [Granularity::Day, Granularity::Week] {
                let timeline = a.timeline("acme", &window, granularity)?;
                assert_eq!(timeline.totals().iter().sum::<u64>(), reach, "{window:?}");
            }
        }
        Ok(())
    }

    #[test]
    fn the_engaged_view_dates_only_what_has_a_time() -> Result<()> {
        // Post 1's engagements happened on Aug 1, its thread reply on Aug 2; post 2's
        // boost on Aug 3; its quote has no time: counted apart, never dated by when a
        // crawl first saw it.
        let a = analytics()?;
        let engaged = a.timeline_by(
            "acme",
            &august("UTC")?,
            Granularity::Day,
            TimelineBasis::Engaged,
        )?;
        assert_eq!(
            rows(&engaged),
            [
                ("2026-08-01", "mastodon", "reply", 1),
                ("2026-08-01", "mastodon", "boost", 2),
                ("2026-08-01", "mastodon", "like", 2),
                ("2026-08-01", "misskey", "boost", 1),
                ("2026-08-01", "misskey", "like", 1),
                ("2026-08-02", "misskey", "thread_reply", 1),
                ("2026-08-03", "mastodon", "boost", 1),
            ]
        );
        assert_eq!(engaged.undated, 1);
        assert_eq!(engaged.basis, TimelineBasis::Engaged);
        assert_eq!(engaged.periods.len(), 31);
        Ok(())
    }

    #[test]
    fn timeline_days_follow_the_time_zone() -> Result<()> {
        // In Honolulu (UTC-10), post 1 (Aug 1 12:00Z) is Aug 1 02:00 local, post 2
        // (Aug 2 23:30Z) Aug 2 13:30: 6 rows on Aug 1, 2 on Aug 2. In Paris post 2 is
        // Monday Aug 3 01:30.
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
                "2026-08-01",
                "2026-08-02",
                "2026-08-02"
            ]
        );
        assert_eq!(honolulu.tz, "Pacific/Honolulu");
        let paris = a.timeline("acme", &august("Europe/Paris")?, Granularity::Day)?;
        assert_eq!(
            paris.rows.last().map(|r| r.period.as_str()),
            Some("2026-08-03")
        );
        assert_eq!("Week".parse::<Granularity>().ok(), Some(Granularity::Week));
        assert!("month".parse::<Granularity>().is_err());
        let empty = Window::parse(Some("2026-09-01"), Some("2026-09-30"), None)?;
        let september = a.timeline("acme", &empty, Granularity::Week)?;
        assert!(september.rows.is_empty());
        // An empty window still has its axis: five weeks, every one zero.
        assert_eq!(september.periods.len(), 5);
        assert_eq!(september.totals(), [0; 5]);
        Ok(())
    }
}
