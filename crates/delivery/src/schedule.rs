//! When a delivery is due and which days its report covers, as dates in its time zone.
//!
//! Each delivery has *slots*: every day for `after_crawl`, the chosen weekday for
//! `weekly:DAY`, the first of the month for `monthly`. The slot of a day is the latest
//! one on or before it, and the report covers the window that ends the day before the
//! slot: whole days only, so the figures do not move after the mail went out. A slot
//! missed (the service was down) is made up by the next run, once: the store keys a
//! sent mail by its period.

use std::{fmt, str::FromStr};

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::DeliveryError;

/// The days a report covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum ReportWindow {
    /// The last N whole days (`7d`, `30d`).
    Days(u32),
    /// The last whole calendar month (`calendar_month`); for a daily or weekly
    /// delivery, the month so far.
    CalendarMonth,
}

/// When a delivery goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum When {
    /// After every scheduled crawl (nightly).
    AfterCrawl,
    /// After the first scheduled crawl on or after this weekday.
    Weekly(Weekday),
    /// After the first scheduled crawl of the month.
    Monthly,
}

/// The days one mail covers, both inclusive, and the key it is recorded under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// The key a sent mail is recorded under: its days, so one period is mailed once.
    pub fn key(&self) -> String {
        format!("{}..{}", self.from, self.to)
    }
}

/// The period of the slot that `today` falls in.
pub fn period_due(when: When, window: ReportWindow, today: NaiveDate) -> Period {
    let slot = match when {
        When::AfterCrawl => today,
        When::Weekly(day) => {
            let back =
                (7 + today.weekday().num_days_from_monday() - day.num_days_from_monday()) % 7;
            today - Days::new(u64::from(back))
        }
        When::Monthly => today.with_day(1).unwrap_or(today),
    };
    let to = slot.pred_opt().unwrap_or(slot);
    let from = match window {
        ReportWindow::Days(n) => to - Days::new(u64::from(n.max(1) - 1)),
        ReportWindow::CalendarMonth => to.with_day(1).unwrap_or(to),
    };
    Period { from, to }
}

impl FromStr for ReportWindow {
    type Err = DeliveryError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_ascii_lowercase();
        if s == "calendar_month" || s == "month" {
            return Ok(Self::CalendarMonth);
        }
        s.strip_suffix('d')
            .and_then(|n| n.parse::<u32>().ok())
            .filter(|n| (1..=366).contains(n))
            .map(Self::Days)
            .ok_or(DeliveryError::BadSetting {
                input: s,
                what: "report window",
                expected: "`7d`, `30d` (1 to 366 days) or `calendar_month`",
            })
    }
}

impl fmt::Display for ReportWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Days(n) => write!(f, "{n}d"),
            Self::CalendarMonth => f.write_str("calendar_month"),
        }
    }
}

impl TryFrom<String> for ReportWindow {
    type Error = DeliveryError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<ReportWindow> for String {
    fn from(w: ReportWindow) -> Self {
        w.to_string()
    }
}

impl FromStr for When {
    type Err = DeliveryError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        let bad = || DeliveryError::BadSetting {
            input: s.to_owned(),
            what: "delivery time",
            expected: "`after_crawl`, `weekly:monday` (any weekday) or `monthly`",
        };
        match lower.as_str() {
            "after_crawl" | "nightly" | "daily" => Ok(Self::AfterCrawl),
            "monthly" => Ok(Self::Monthly),
            other => other
                .strip_prefix("weekly:")
                .and_then(|day| day.parse::<Weekday>().ok())
                .map(Self::Weekly)
                .ok_or_else(bad),
        }
    }
}

impl fmt::Display for When {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AfterCrawl => f.write_str("after_crawl"),
            Self::Weekly(day) => write!(f, "weekly:{}", weekday_name(*day)),
            Self::Monthly => f.write_str("monthly"),
        }
    }
}

fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "monday",
        Weekday::Tue => "tuesday",
        Weekday::Wed => "wednesday",
        Weekday::Thu => "thursday",
        Weekday::Fri => "friday",
        Weekday::Sat => "saturday",
        Weekday::Sun => "sunday",
    }
}

impl TryFrom<String> for When {
    type Error = DeliveryError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<When> for String {
    fn from(w: When) -> Self {
        w.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn periods_end_the_day_before_their_slot() {
        for (when, window, today, from, to) in [
            (
                "after_crawl",
                "7d",
                "2026-12-06",
                "2026-11-29",
                "2026-12-05",
            ),
            (
                "after_crawl",
                "30d",
                "2026-12-06",
                "2026-11-06",
                "2026-12-05",
            ),
            // 2026-12-06 is a Sunday: the Monday slot was 2026-11-30.
            (
                "weekly:monday",
                "7d",
                "2026-12-06",
                "2026-11-23",
                "2026-11-29",
            ),
            (
                "weekly:sunday",
                "7d",
                "2026-12-06",
                "2026-11-29",
                "2026-12-05",
            ),
            (
                "monthly",
                "calendar_month",
                "2026-12-06",
                "2026-11-01",
                "2026-11-30",
            ),
            (
                "monthly",
                "calendar_month",
                "2026-03-01",
                "2026-02-01",
                "2026-02-28",
            ),
            ("monthly", "30d", "2026-12-01", "2026-11-01", "2026-11-30"),
            (
                "after_crawl",
                "calendar_month",
                "2026-12-06",
                "2026-12-01",
                "2026-12-05",
            ),
        ] {
            let when: When = when.parse().unwrap_or(When::Monthly);
            let window: ReportWindow = window.parse().unwrap_or(ReportWindow::Days(0));
            let period = period_due(when, window, date(today));
            assert_eq!(
                (period.from, period.to),
                (date(from), date(to)),
                "{when} {window} on {today}"
            );
        }
    }

    #[test]
    fn settings_parse_and_print_back() {
        for s in ["after_crawl", "weekly:friday", "monthly"] {
            assert_eq!(
                s.parse::<When>().map(|w| w.to_string()).ok().as_deref(),
                Some(s)
            );
        }
        for s in ["7d", "30d", "calendar_month"] {
            assert_eq!(
                s.parse::<ReportWindow>()
                    .map(|w| w.to_string())
                    .ok()
                    .as_deref(),
                Some(s)
            );
        }
        for bad in ["weekly", "weekly:funday", "hourly", ""] {
            assert!(bad.parse::<When>().is_err(), "{bad:?}");
        }
        for bad in ["0d", "7", "400d", "week", ""] {
            assert!(bad.parse::<ReportWindow>().is_err(), "{bad:?}");
        }
    }
}
