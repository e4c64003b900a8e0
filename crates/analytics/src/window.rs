//! The report window: calendar days, both inclusive, in a time zone, and the period it
//! is compared with: the one of the same length just before it (month over month), the
//! same dates a year before (year over year), or as many days from a date of the user's
//! choosing (this launch against the last one).

use chrono::{DateTime, Days, Months, NaiveDate, NaiveTime, TimeZone as _, Utc};
use chrono_tz::Tz;

use crate::{AnalyticsError, Result};

/// The days a report covers. `from`/`to` are dates in `tz`, both inclusive; a missing
/// bound leaves that side open (all time). `baseline` says which period
/// [`Window::previous`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    tz: Tz,
    baseline: Baseline,
}

/// The period a window is compared with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Baseline {
    /// The days of the same number just before (month over month).
    #[default]
    PreviousPeriod,
    /// The same dates a year before (year over year: seasons and campaigns line up).
    PreviousYear,
    /// As many days as the window, from this date (any period to set against it).
    From(NaiveDate),
}

impl Baseline {
    /// `period`, `year` or the first date (YYYY-MM-DD): the value of `previous=`.
    pub fn param(self) -> String {
        match self {
            Self::PreviousPeriod => "period".to_owned(),
            Self::PreviousYear => "year".to_owned(),
            Self::From(date) => date.format("%Y-%m-%d").to_string(),
        }
    }

    /// What the changes are against, in words.
    pub fn label(self) -> String {
        match self {
            Self::PreviousPeriod => "previous period".to_owned(),
            Self::PreviousYear => "same days a year before".to_owned(),
            Self::From(date) => format!("same number of days from {}", date.format("%Y-%m-%d")),
        }
    }

    /// `period` (or `true`, `1`, `yes`), `year`, or a first date as YYYY-MM-DD.
    pub fn parse(input: &str) -> Option<Self> {
        let input = input.trim();
        match input.to_ascii_lowercase().as_str() {
            "period" | "true" | "1" | "yes" => Some(Self::PreviousPeriod),
            "year" => Some(Self::PreviousYear),
            _ => NaiveDate::parse_from_str(input, "%Y-%m-%d")
                .ok()
                .map(Self::From),
        }
    }
}

impl Default for Window {
    fn default() -> Self {
        Self::all()
    }
}

impl Window {
    /// All time, in UTC.
    pub fn all() -> Self {
        Self {
            from: None,
            to: None,
            tz: Tz::UTC,
            baseline: Baseline::PreviousPeriod,
        }
    }

    /// A window from dates already parsed. Fails when `to` is before `from`.
    pub fn new(from: Option<NaiveDate>, to: Option<NaiveDate>, tz: Tz) -> Result<Self> {
        if let (Some(f), Some(t)) = (from, to)
            && t < f
        {
            return Err(AnalyticsError::WindowReversed {
                from: f.to_string(),
                to: t.to_string(),
            });
        }
        Ok(Self {
            from,
            to,
            tz,
            baseline: Baseline::PreviousPeriod,
        })
    }

    /// A window from the command line's `--from`, `--to` (YYYY-MM-DD) and `--tz` (an
    /// IANA name, UTC when absent).
    pub fn parse(from: Option<&str>, to: Option<&str>, tz: Option<&str>) -> Result<Self> {
        let date = |input: &str| {
            NaiveDate::parse_from_str(input.trim(), "%Y-%m-%d").map_err(|_| {
                AnalyticsError::BadDate {
                    input: input.to_owned(),
                }
            })
        };
        let tz = match tz {
            None => Tz::UTC,
            Some(name) => name
                .trim()
                .parse::<Tz>()
                .map_err(|_| AnalyticsError::BadTimeZone {
                    input: name.to_owned(),
                })?,
        };
        Self::new(from.map(date).transpose()?, to.map(date).transpose()?, tz)
    }

    /// The same days in another time zone.
    pub fn with_tz(self, tz: Tz) -> Self {
        Self { tz, ..self }
    }

    /// The same days compared with `baseline`.
    pub fn with_baseline(self, baseline: Baseline) -> Self {
        Self { baseline, ..self }
    }

    /// What [`Window::previous`] is.
    pub fn baseline(&self) -> Baseline {
        self.baseline
    }

    /// First day, inclusive.
    pub fn from(&self) -> Option<NaiveDate> {
        self.from
    }

    /// Last day, inclusive.
    pub fn to(&self) -> Option<NaiveDate> {
        self.to
    }

    /// The time zone the days are read in.
    pub fn tz(&self) -> Tz {
        self.tz
    }

    /// `from` as YYYY-MM-DD, as the reports carry it.
    pub fn from_label(&self) -> Option<String> {
        self.from.map(|d| d.format("%Y-%m-%d").to_string())
    }

    /// `to` as YYYY-MM-DD, as the reports carry it.
    pub fn to_label(&self) -> Option<String> {
        self.to.map(|d| d.format("%Y-%m-%d").to_string())
    }

    /// Number of days, when both bounds are set.
    pub fn days(&self) -> Option<u64> {
        let (from, to) = (self.from?, self.to?);
        u64::try_from((to - from).num_days() + 1).ok()
    }

    /// The period the window is compared with, by its baseline: the period of the
    /// same length that ends the day before this one starts, the same dates a year
    /// before (29 February becomes the 28th), or as many days from the chosen date.
    /// `None` for an open window, which has no length.
    pub fn previous(&self) -> Option<Self> {
        let (from, to, days) = (self.from?, self.to?, self.days()?);
        let (from, to) = match self.baseline {
            Baseline::PreviousPeriod => (
                from.checked_sub_days(Days::new(days))?,
                from.checked_sub_days(Days::new(1))?,
            ),
            Baseline::PreviousYear => (
                from.checked_sub_months(Months::new(12))?,
                to.checked_sub_months(Months::new(12))?,
            ),
            Baseline::From(first) => (first, first.checked_add_days(Days::new(days - 1))?),
        };
        Some(Self {
            from: Some(from),
            to: Some(to),
            ..*self
        })
    }

    /// The window as Unix seconds: start inclusive, end exclusive (the local midnight
    /// after `to`). Open sides are `i64::MIN` / `i64::MAX`.
    pub fn bounds(&self) -> (i64, i64) {
        let start = self.from.map_or(i64::MIN, |d| local_midnight(self.tz, d));
        let end = self.to.map_or(i64::MAX, |d| {
            d.checked_add_days(Days::new(1))
                .map_or(i64::MAX, |next| local_midnight(self.tz, next))
        });
        (start, end)
    }

    /// Whether the instant `ts` (Unix seconds) falls inside.
    pub fn contains(&self, ts: i64) -> bool {
        let (start, end) = self.bounds();
        start <= ts && ts < end
    }
}

/// The first instant of `date` in `tz`, as Unix seconds. Where a DST jump skips
/// midnight, the day starts at the first local time that exists.
fn local_midnight(tz: Tz, date: NaiveDate) -> i64 {
    (0..24)
        .filter_map(|hour| NaiveTime::from_hms_opt(hour, 0, 0))
        .find_map(|time| tz.from_local_datetime(&date.and_time(time)).earliest())
        .map_or_else(
            || date.and_time(NaiveTime::MIN).and_utc().timestamp(),
            |dt| dt.timestamp(),
        )
}

/// RFC 3339 in UTC with whole seconds (`2026-08-01T12:00:00Z`), as the reports carry
/// times.
pub(crate) fn rfc3339(ts: i64) -> String {
    DateTime::<Utc>::from_timestamp(ts, 0).map_or_else(
        || ts.to_string(),
        |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or(NaiveDate::MIN)
    }

    #[test]
    fn bounds_are_local_midnights() {
        for (from, to, tz, start, end) in [
            // 2026-08-01T00:00:00Z .. 2026-08-03T00:00:00Z
            (
                "2026-08-01",
                "2026-08-02",
                "UTC",
                1_785_542_400,
                1_785_715_200,
            ),
            // Paris is UTC+2 in summer: local midnight is 22:00Z the day before.
            (
                "2026-08-01",
                "2026-08-02",
                "Europe/Paris",
                1_785_535_200,
                1_785_708_000,
            ),
        ] {
            let w = Window::parse(Some(from), Some(to), Some(tz));
            assert_eq!(
                w.map(|w| w.bounds()).ok(),
                Some((start, end)),
                "{from} {tz}"
            );
        }
    }

    #[test]
    fn previous_period_has_the_same_length() {
        let w = Window::new(Some(date("2026-08-01")), Some(date("2026-08-31")), Tz::UTC);
        let prev = w.ok().and_then(|w| w.previous());
        assert_eq!(
            prev.and_then(|p| p.from_label()),
            Some("2026-07-01".to_owned())
        );
        assert_eq!(
            prev.and_then(|p| p.to_label()),
            Some("2026-07-31".to_owned())
        );
        assert_eq!(Window::all().previous(), None);
        let year = |from: &str, to: &str| {
            Window::new(Some(date(from)), Some(date(to)), Tz::UTC)
                .ok()
                .map(|w| w.with_baseline(Baseline::PreviousYear))
                .and_then(|w| w.previous())
                .map(|p| (p.from_label(), p.to_label(), p.baseline()))
        };
        assert_eq!(
            year("2026-08-01", "2026-08-31"),
            Some((
                Some("2025-08-01".to_owned()),
                Some("2025-08-31".to_owned()),
                Baseline::PreviousYear
            ))
        );
        assert_eq!(
            year("2028-02-01", "2028-02-29"),
            Some((
                Some("2027-02-01".to_owned()),
                Some("2027-02-28".to_owned()),
                Baseline::PreviousYear
            ))
        );
        // Any period of the same length, from a chosen date: last spring's launch week
        // against this one.
        let chosen = Window::new(Some(date("2026-11-10")), Some(date("2026-11-16")), Tz::UTC)
            .ok()
            .map(|w| w.with_baseline(Baseline::From(date("2026-04-07"))))
            .and_then(|w| w.previous())
            .map(|p| (p.from_label(), p.to_label()));
        assert_eq!(
            chosen,
            Some((Some("2026-04-07".to_owned()), Some("2026-04-13".to_owned())))
        );
        for (input, baseline) in [
            ("true", Some(Baseline::PreviousPeriod)),
            ("period", Some(Baseline::PreviousPeriod)),
            ("Year", Some(Baseline::PreviousYear)),
            (
                " 2025-11-01 ",
                NaiveDate::from_ymd_opt(2025, 11, 1).map(Baseline::From),
            ),
            ("2025-13-01", None),
            ("decade", None),
        ] {
            assert_eq!(Baseline::parse(input), baseline, "{input}");
        }
        assert_eq!(Window::all().bounds(), (i64::MIN, i64::MAX));
    }

    #[test]
    fn bad_input_is_a_clear_error() {
        for (from, to, tz, message) in [
            (Some("2026-13-01"), None, None, "not a date"),
            (
                Some("2026-08-02"),
                Some("2026-08-01"),
                None,
                "before it starts",
            ),
            (None, None, Some("Mars/Olympus"), "unknown time zone"),
        ] {
            let err = Window::parse(from, to, tz).err().map(|e| e.to_string());
            assert!(err.as_deref().unwrap_or("").contains(message), "{err:?}");
        }
    }

    #[test]
    fn times_are_rfc3339_whole_seconds() {
        assert_eq!(rfc3339(1_785_585_600), "2026-08-01T12:00:00Z");
    }
}
