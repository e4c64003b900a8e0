//! `report best-time`: mean engagements per post by hour of week of publication, in
//! the window's time zone.

use fedireach_core::round_half_away;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{
    Analytics, Result, Window,
    columns::{counts, i64s},
    frames::THREAD_REPLY,
    reports::timeline::local_datetime,
};

/// Weekday names, Monday first (ISO), as the rows carry them.
const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// `report best-time`: one row per hour of the week in which the brand published,
/// sorted Monday 00h first. Hours without posts are not listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BestTimeReport {
    pub brand: String,
    pub from: Option<String>,
    pub to: Option<String>,
    /// The IANA time zone the hours are read in.
    pub tz: String,
    pub rows: Vec<BestTimeRow>,
}

/// The posts published in one hour of the week and their mean engagements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BestTimeRow {
    /// `mon` ... `sun`.
    pub weekday: String,
    /// 0-23, local.
    pub hour: u8,
    /// 0 (Monday 00h) to 167 (Sunday 23h).
    pub hour_of_week: u8,
    pub posts: u64,
    /// Replies + boosts + likes + quotes of those posts.
    pub engagements: u64,
    /// engagements / posts, rounded half away from zero to 2 decimals.
    pub mean_engagements: f64,
}

impl Analytics {
    /// Mean engagements per post of the brand's posts published in the window, by the
    /// local hour of week of their publication.
    pub fn best_time(&self, brand: &str, window: &Window) -> Result<BestTimeReport> {
        let posts = self.brand_posts(brand, window)?;
        let per_post = self
            .engagements_of(posts.clone())
            .filter(col("kind").neq(lit(THREAD_REPLY)))
            .group_by([col("post_id")])
            .agg([len().cast(DataType::Int64).alias("engagements")]);
        let local = local_datetime(col("published_at"), window.tz())?;
        let df = posts
            .select([col("post_id"), col("published_at")])
            .left_join(per_post, col("post_id"), col("post_id"))
            .with_columns([
                local
                    .clone()
                    .dt()
                    .weekday()
                    .cast(DataType::Int64)
                    .alias("weekday"),
                local.dt().hour().cast(DataType::Int64).alias("hour"),
            ])
            .group_by([col("weekday"), col("hour")])
            .agg([
                len().alias("posts"),
                col("engagements").fill_null(lit(0i64)).sum(),
            ])
            .sort(["weekday", "hour"], SortMultipleOptions::default())
            .collect()?;
        let weekdays = i64s(&df, "weekday")?;
        let hours = i64s(&df, "hour")?;
        let posts = counts(&df, "posts")?;
        let engagements = counts(&df, "engagements")?;
        let rows = weekdays
            .into_iter()
            .zip(hours)
            .zip(posts.into_iter().zip(engagements))
            .map(|((weekday, hour), (posts, engagements))| {
                // polars numbers weekdays 1 (Monday) to 7 and hours 0 to 23.
                let day = usize::try_from(weekday - 1).unwrap_or_default().min(6);
                let hour = u8::try_from(hour).unwrap_or_default();
                BestTimeRow {
                    weekday: WEEKDAYS.get(day).copied().unwrap_or("mon").to_owned(),
                    hour,
                    hour_of_week: u8::try_from(day).unwrap_or_default() * 24 + hour,
                    posts,
                    engagements,
                    mean_engagements: round_half_away(engagements, posts, 2).unwrap_or_default(),
                }
            })
            .collect();
        Ok(BestTimeReport {
            brand: brand.to_owned(),
            from: window.from_label(),
            to: window.to_label(),
            tz: window.tz().name().to_owned(),
            rows,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{ACME, AUG_1, DAY, HOUR, august, post, world};

    fn rows(report: &BestTimeReport) -> Vec<(&str, u8, u8, u64, u64, f64)> {
        report
            .rows
            .iter()
            .map(|r| {
                (
                    r.weekday.as_str(),
                    r.hour,
                    r.hour_of_week,
                    r.posts,
                    r.engagements,
                    r.mean_engagements,
                )
            })
            .collect()
    }

    #[test]
    fn best_time_in_utc_and_in_paris() -> Result<()> {
        // Post 1 (Sat 12:00Z, 7 engagements), post 2 (Sun 23:30Z, 2), and a post 6
        // without engagements on Sat Aug 8 12:30Z: Saturday noon averages 7 / 2 = 3.5.
        // Paris is UTC+2: Sat 14h, and post 2 moves to Monday 01h.
        let mut facts = world();
        facts.posts.push(post(
            6,
            ACME,
            "acme.social",
            AUG_1 + 7 * DAY + 12 * HOUR + HOUR / 2,
            &[],
        ));
        let a = Analytics::from_facts(&facts)?;
        let utc = a.best_time("acme", &august("UTC")?)?;
        assert_eq!(
            rows(&utc),
            [("sat", 12, 132, 2, 7, 3.5), ("sun", 23, 167, 1, 2, 2.0)]
        );
        let paris = a.best_time("acme", &august("Europe/Paris")?)?;
        assert_eq!(paris.tz, "Europe/Paris");
        assert_eq!(
            rows(&paris),
            [("mon", 1, 1, 1, 2, 2.0), ("sat", 14, 134, 2, 7, 3.5)]
        );
        let empty = Window::parse(Some("2026-01-01"), Some("2026-01-07"), None)?;
        assert!(a.best_time("acme", &empty)?.rows.is_empty());
        Ok(())
    }
}
