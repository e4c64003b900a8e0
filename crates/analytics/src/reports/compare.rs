//! `report compare`: several brands side by side.

use fedireach_core::{pct_2dp, round_half_away};
use serde::{Deserialize, Serialize};

use crate::{Analytics, AnalyticsError, Result, Window, reports::followers::signed};

/// `report compare`: one row per brand in the order asked, then each brand's
/// engagements by family.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareReport {
    pub from: Option<String>,
    pub to: Option<String>,
    pub rows: Vec<CompareRow>,
    /// Sorted by brand (in the order asked), then engagements descending, then family.
    pub families: Vec<CompareFamilyRow>,
}

/// One brand's figures among those compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareRow {
    pub brand: String,
    /// Brand posts published in the window.
    pub posts: u64,
    /// Replies + boosts + likes + quotes of those posts.
    pub engagements: u64,
    /// This brand's engagements / the sum over the brands compared, in %.
    pub share_of_voice_pct: f64,
    /// engagements / posts, 2 decimals; `null` without posts.
    pub engagements_per_post: Option<f64>,
    /// Engagements of the posts whose author's follower count is known / the sum of
    /// those counts (each post's own, as in `report posts`), 4 decimals.
    pub engagement_rate: Option<f64>,
    /// Sum over the tracked actors of their first known follower count in the window.
    pub followers_start: Option<u64>,
    /// Same, last known count.
    pub followers_end: Option<u64>,
    /// followers_end - followers_start.
    pub follower_growth: Option<i64>,
    /// follower_growth / followers_start, in %, 2 decimals.
    pub follower_growth_pct: Option<f64>,
}

/// One brand's engagements from one family.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareFamilyRow {
    pub brand: String,
    pub family: String,
    pub engagements: u64,
    pub unique_engagers: u64,
    pub potential_reach: u64,
    /// Of this brand's engagements, in %.
    pub share_pct: f64,
}

impl Analytics {
    /// The brands' figures for posts published in the window (follower counts: the
    /// snapshots taken in it).
    pub fn compare(&self, brands: &[&str], window: &Window) -> Result<CompareReport> {
        if brands.is_empty() {
            return Err(AnalyticsError::NoBrand);
        }
        let mut rows = Vec::with_capacity(brands.len());
        let mut families = Vec::new();
        for brand in brands {
            let posts = self.posts(brand, window)?;
            let engagements: u64 = posts.rows.iter().map(|p| p.counts.engagements).sum();
            let (rated, followers) = posts
                .rows
                .iter()
                .filter_map(|p| p.followers.map(|f| (p.counts.engagements, f)))
                .fold((0, 0), |(e, f), (pe, pf)| (e + pe, f + pf));
            let span = self.followers(brand, window)?.span();
            // One count is no growth yet: unknown until a second crawl, not 0.
            let growth = span
                .filter(|s| s.repeated)
                .map(|s| signed(s.last) - signed(s.first));
            let post_count = u64::try_from(posts.rows.len()).unwrap_or(u64::MAX);
            rows.push(CompareRow {
                brand: (*brand).to_owned(),
                posts: post_count,
                engagements,
                share_of_voice_pct: 0.0,
                engagements_per_post: round_half_away(engagements, post_count, 2),
                engagement_rate: round_half_away(rated, followers, 4),
                followers_start: span.map(|s| s.first),
                followers_end: span.map(|s| s.last),
                follower_growth: growth,
                follower_growth_pct: span.zip(growth).and_then(|(s, g)| {
                    (s.first > 0).then(|| {
                        let pct = pct_2dp(g.unsigned_abs(), s.first);
                        if g < 0 { -pct } else { pct }
                    })
                }),
            });
            let by_family = self.reach_by_family(brand, window)?;
            families.extend(by_family.rows.into_iter().map(|f| CompareFamilyRow {
                brand: (*brand).to_owned(),
                family: f.family,
                engagements: f.counts.engagements,
                unique_engagers: f.reach.unique_engagers,
                potential_reach: f.reach.potential_reach,
                share_pct: f.reach.share_pct,
            }));
        }
        let total: u64 = rows.iter().map(|r| r.engagements).sum();
        for row in &mut rows {
            row.share_of_voice_pct = pct_2dp(row.engagements, total);
        }
        Ok(CompareReport {
            from: window.from_label(),
            to: window.to_label(),
            rows,
            families,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{analytics, august};

    #[test]
    fn acme_against_rival_in_august() -> Result<()> {
        // acme: 2 posts, 9 engagements, 9 / (1100 + 1100) = 0.0041, followers 1100 ->
        // 1210 (+10 %). rival: 1 post, 1 like, no follower counts. 9 + 1 = 10.
        let report = analytics()?.compare(&["acme", "rival"], &august("UTC")?)?;
        let got: Vec<_> = report
            .rows
            .iter()
            .map(|r| {
                (
                    r.brand.as_str(),
                    r.posts,
                    r.engagements,
                    r.share_of_voice_pct,
                    r.engagements_per_post,
                    r.engagement_rate,
                    (r.followers_start, r.followers_end),
                    r.follower_growth,
                    r.follower_growth_pct,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "acme",
                    2,
                    9,
                    90.0,
                    Some(4.5),
                    Some(0.0041),
                    (Some(1100), Some(1210)),
                    Some(110),
                    Some(10.0)
                ),
                (
                    "rival",
                    1,
                    1,
                    10.0,
                    Some(1.0),
                    None,
                    (None, None),
                    None,
                    None
                ),
            ]
        );
        let families: Vec<_> = report
            .families
            .iter()
            .map(|f| {
                (
                    f.brand.as_str(),
                    f.family.as_str(),
                    f.engagements,
                    f.unique_engagers,
                    f.potential_reach,
                    f.share_pct,
                )
            })
            .collect();
        assert_eq!(
            families,
            [
                ("acme", "mastodon", 6, 4, 250, 66.67),
                ("acme", "misskey", 3, 2, 1000, 33.33),
                ("rival", "mastodon", 1, 1, 0, 100.0),
            ]
        );
        Ok(())
    }

    #[test]
    fn compare_needs_known_brands() -> Result<()> {
        let a = analytics()?;
        assert!(matches!(
            a.compare(&[], &Window::all()),
            Err(AnalyticsError::NoBrand)
        ));
        assert!(matches!(
            a.compare(&["acme", "ghost"], &Window::all()),
            Err(AnalyticsError::UnknownBrand { .. })
        ));
        Ok(())
    }

    #[test]
    fn one_follower_count_is_no_growth_yet() -> Result<()> {
        // Aug 1-2 holds one of acme's counts (Aug 2, 1100): its start and end are
        // known, its growth is not (it needs a second crawl), and is not 0.
        let window = Window::parse(Some("2026-08-01"), Some("2026-08-02"), None)?;
        let report = analytics()?.compare(&["acme"], &window)?;
        let acme = report.rows.first().ok_or(AnalyticsError::NoBrand)?;
        assert_eq!(
            (acme.followers_start, acme.followers_end),
            (Some(1100), Some(1100))
        );
        assert_eq!(
            (acme.follower_growth, acme.follower_growth_pct),
            (None, None)
        );
        Ok(())
    }
}
