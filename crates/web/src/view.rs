//! The view every page and API call shares: the date range and time zone (and, for
//! comparisons, the brands), read from the query string so a view can be shared as a
//! URL. Bad dates and unknown zones are 400s here, before any work is done.
//!
//! A range is either fixed (`from`, `to`) or rolling (`last=N`: the N days ending
//! today in the view's zone), so a "last 30 days" link still means the last 30 days
//! tomorrow, and a page rendered with it holds no date that goes stale.

use fedireach_analytics::{Baseline, Window};
use serde::Serialize;

use crate::WebError;

/// Most brands one comparison takes: the page and chart stay readable.
pub const MAX_COMPARED: usize = 12;

/// Longest rolling range (`last=N`), in days: ten years.
pub const MAX_LAST_DAYS: u32 = 3660;

/// A parsed query string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    pub window: Window,
    /// Brands named with `brand=` (repeated), in order, without duplicates.
    pub brands: Vec<String>,
    /// `previous=true` (or `period`) or `previous=year`: the JSON API and the CSV add
    /// the period the window's baseline names, and the changes. `year` also makes the
    /// page's key figures compare with the same days a year before.
    pub previous: bool,
    /// `last=N`: the window is the N days ending today (resolved into `window`).
    pub last: Option<u32>,
}

/// The window as the templates show it and the links keep it.
#[derive(Debug, Clone, Serialize)]
pub struct ViewLabels {
    pub from: String,
    pub to: String,
    pub tz: String,
    /// `from=..&to=..&tz=..` or `last=N&tz=..` (only those set; `previous=year` when
    /// comparing year over year), URL-encoded, for links.
    pub query: String,
    /// `period` or `year`: what the key figures are compared with.
    pub baseline: String,
}

/// What the figure cache is keyed by, besides the brand.
pub type WindowKey = (Option<String>, Option<String>, String, String);

impl View {
    /// Reads `from`, `to` (YYYY-MM-DD, both inclusive), `last` (days ending today, when
    /// neither date is given), `tz` (IANA), `brand` (repeated) and `previous`; empty
    /// values count as absent (an empty form field).
    pub fn parse(query: Option<&str>) -> Result<Self, WebError> {
        let mut from = None;
        let mut to = None;
        let mut tz = None;
        let mut last = None;
        let mut brands: Vec<String> = Vec::new();
        let mut previous: Option<Baseline> = None;
        for (key, value) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            let value = value.trim().to_owned();
            if value.is_empty() {
                continue;
            }
            match key.as_ref() {
                "from" => from = Some(value),
                "to" => to = Some(value),
                "tz" => tz = Some(value),
                "last" => last = Some(value),
                "brand" if !brands.contains(&value) => brands.push(value),
                "previous" => {
                    previous = match value.as_str() {
                        "false" | "0" | "no" => None,
                        other => Some(Baseline::parse(other).ok_or_else(|| {
                            WebError::BadQuery {
                                param: "previous",
                                message: format!(
                                    "{other:?} is not a comparison: use previous=true (the previous period of the same length), previous=year (the same days a year before) or previous=YYYY-MM-DD (as many days from that date)"
                                ),
                            }
                        })?),
                    };
                }
                _ => {}
            }
        }
        if brands.len() > MAX_COMPARED {
            return Err(WebError::BadQuery {
                param: "brand",
                message: format!("at most {MAX_COMPARED} brands can be compared at once"),
            });
        }
        // Explicit dates win over a rolling range (a form with both sends both).
        let last = match last {
            Some(days) if from.is_none() && to.is_none() => Some(last_days(&days)?),
            _ => None,
        };
        let mut window = Window::parse(from.as_deref(), to.as_deref(), tz.as_deref())?;
        if let Some(days) = last {
            let today = chrono::Utc::now().with_timezone(&window.tz()).date_naive();
            let first = today
                .checked_sub_days(chrono::Days::new(u64::from(days - 1)))
                .unwrap_or(today);
            window = Window::new(Some(first), Some(today), window.tz())?;
        }
        Ok(Self {
            window: window.with_baseline(previous.unwrap_or_default()),
            brands,
            previous: previous.is_some(),
            last,
        })
    }

    pub fn key(&self) -> WindowKey {
        (
            self.window.from_label(),
            self.window.to_label(),
            self.window.tz().name().to_owned(),
            self.window.baseline().param(),
        )
    }

    pub fn labels(&self) -> ViewLabels {
        let from = self.window.from_label().unwrap_or_default();
        let to = self.window.to_label().unwrap_or_default();
        let tz = self.window.tz().name().to_owned();
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        if let Some(days) = self.last {
            query.append_pair("last", &days.to_string());
        } else {
            if !from.is_empty() {
                query.append_pair("from", &from);
            }
            if !to.is_empty() {
                query.append_pair("to", &to);
            }
        }
        if tz != "UTC" {
            query.append_pair("tz", &tz);
        }
        let baseline = self.window.baseline();
        if baseline != Baseline::PreviousPeriod {
            query.append_pair("previous", &baseline.param());
        }
        ViewLabels {
            from,
            to,
            tz,
            query: query.finish(),
            baseline: baseline.param(),
        }
    }
}

/// `last=N`: a whole number of days from 1 to [`MAX_LAST_DAYS`].
fn last_days(text: &str) -> Result<u32, WebError> {
    text.parse::<u32>()
        .ok()
        .filter(|d| (1..=MAX_LAST_DAYS).contains(d))
        .ok_or_else(|| WebError::BadQuery {
            param: "last",
            message: format!("`{text}` is not a number of days from 1 to {MAX_LAST_DAYS}"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(query: &str, expected: Result<&str, u16>) {
        let got = View::parse(Some(query)).map(|v| v.labels().query);
        match (got, expected) {
            (Ok(q), Ok(e)) => assert_eq!(q, e, "{query}"),
            (Err(e), Err(status)) => assert_eq!(e.status().as_u16(), status, "{query}"),
            (got, expected) => panic!("{query}: got {got:?}, expected {expected:?}"),
        }
    }

    #[test]
    fn queries() {
        check("", Ok(""));
        check(
            "from=2026-08-01&to=2026-08-31",
            Ok("from=2026-08-01&to=2026-08-31"),
        );
        check("from=&to=&tz=", Ok(""));
        check("tz=Europe%2FParis", Ok("tz=Europe%2FParis"));
        check("from=2026-13-01", Err(400));
        check("from=<script>", Err(400));
        check("tz=Mars%2FOlympus", Err(400));
        check("from=2026-08-31&to=2026-08-01", Err(400));
        check("brand=a&", Ok(""));
        check("last=7", Ok("last=7"));
        check("last=30&tz=Asia%2FTokyo", Ok("last=30&tz=Asia%2FTokyo"));
        check("last=7&from=2026-08-01", Ok("from=2026-08-01"));
        check("last=0", Err(400));
        check("last=-3", Err(400));
        check("last=99999", Err(400));
        check("last=%3Cscript%3E", Err(400));
        let many: String = (0..=MAX_COMPARED).map(|i| format!("brand=b{i}&")).collect();
        check(&many, Err(400));
    }

    #[test]
    fn a_rolling_range_ends_today_in_the_views_zone() -> Result<(), WebError> {
        let view = View::parse(Some("last=30&tz=Pacific%2FKiritimati"))?;
        let tz = view.window.tz();
        let today = chrono::Utc::now().with_timezone(&tz).date_naive();
        assert_eq!(view.window.to(), Some(today));
        assert_eq!(
            view.window.from(),
            today.checked_sub_days(chrono::Days::new(29))
        );
        assert_eq!(view.window.days(), Some(30));
        Ok(())
    }

    #[test]
    fn brands_keep_their_order_once() -> Result<(), WebError> {
        let view = View::parse(Some("brand=b&brand=a&brand=b&brand="))?;
        assert_eq!(view.brands, ["b", "a"]);
        Ok(())
    }
}
