//! `report reach`: engagements by server software (the core `ReachReport`, compared
//! byte for byte with the simulated fediverse's truth) and by family.

use fedireach_core::{KindCounts, ReachFigures, ReachReport, ReachRow, UnavailablePosts, pct_2dp};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{
    Analytics, Result, Window,
    analytics::{kind_sums, read_kind_counts},
    columns::{counts, strings},
};

/// Reach of a brand on one software family: the sums over its softwares, unique counts
/// recomputed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FamilyRow {
    pub family: String,
    #[serde(flatten)]
    pub counts: KindCounts,
    #[serde(flatten)]
    pub reach: ReachFigures,
    /// Of the brand's posts in the window, how many have each kind unavailable.
    #[serde(default)]
    pub unavailable_posts: UnavailablePosts,
}

/// `report reach` by family: one row per family, sorted by engagements descending,
/// then family.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FamilyReport {
    pub brand: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub rows: Vec<FamilyRow>,
}

/// One group of a reach query, before it becomes a software or family row.
struct Group {
    key: String,
    family: String,
    counts: KindCounts,
    /// Its reach, `share_pct` left at 0 until the total is known.
    reach: ReachFigures,
}

impl Group {
    /// The group's reach, with its share of `total` engagements.
    fn reach(&self, total: u64) -> ReachFigures {
        ReachFigures {
            share_pct: pct_2dp(self.counts.engagements, total),
            ..self.reach
        }
    }
}

impl Analytics {
    /// Reach by server software of the brand's posts published in the window.
    pub fn reach(&self, brand: &str, window: &Window) -> Result<ReachReport> {
        let groups = self.reach_groups(brand, window, "software")?;
        let unavailable_posts = self.unavailable_posts(brand, window)?;
        let total: u64 = groups.iter().map(|g| g.counts.engagements).sum();
        let mut rows: Vec<ReachRow> = groups
            .into_iter()
            .map(|g| ReachRow {
                reach: g.reach(total),
                software: g.key,
                family: g.family,
                counts: g.counts,
                unavailable_posts,
            })
            .collect();
        rows.sort_by(|a, b| {
            b.counts
                .engagements
                .cmp(&a.counts.engagements)
                .then_with(|| a.software.cmp(&b.software))
        });
        Ok(ReachReport {
            brand: brand.to_owned(),
            from: window.from_label(),
            to: window.to_label(),
            rows,
        })
    }

    /// Reach by software family of the brand's posts published in the window.
    pub fn reach_by_family(&self, brand: &str, window: &Window) -> Result<FamilyReport> {
        let groups = self.reach_groups(brand, window, "family")?;
        let unavailable_posts = self.unavailable_posts(brand, window)?;
        let total: u64 = groups.iter().map(|g| g.counts.engagements).sum();
        let mut rows: Vec<FamilyRow> = groups
            .into_iter()
            .map(|g| FamilyRow {
                reach: g.reach(total),
                family: g.key,
                counts: g.counts,
                unavailable_posts,
            })
            .collect();
        rows.sort_by(|a, b| {
            b.counts
                .engagements
                .cmp(&a.counts.engagements)
                .then_with(|| a.family.cmp(&b.family))
        });
        Ok(FamilyReport {
            brand: brand.to_owned(),
            from: window.from_label(),
            to: window.to_label(),
            rows,
        })
    }

    /// Engagers grouped by `key` (`software` or `family`).
    fn reach_groups(&self, brand: &str, window: &Window, key: &str) -> Result<Vec<Group>> {
        let posts = self.brand_posts(brand, window)?;
        let engagers = self.per_engager(self.engagements_of(posts));
        let mut aggs = kind_sums();
        aggs.extend([
            col("family").first().alias("family_of"),
            col("actor_id").n_unique().alias("unique_engagers"),
            col("host_id").n_unique().alias("unique_instances"),
            when(col("boosts").gt(lit(0i64)))
                .then(col("followers").fill_null(lit(0i64)))
                .otherwise(lit(0i64))
                .sum()
                .alias("potential_reach"),
        ]);
        let df = engagers.group_by([col(key)]).agg(aggs).collect()?;
        let keys = strings(&df, key)?;
        let families = strings(&df, "family_of")?;
        let kinds = read_kind_counts(&df)?;
        let engagers = counts(&df, "unique_engagers")?;
        let instances = counts(&df, "unique_instances")?;
        let reach = counts(&df, "potential_reach")?;
        Ok(keys
            .into_iter()
            .zip(families)
            .zip(kinds)
            .zip(engagers.into_iter().zip(instances).zip(reach))
            .map(
                |(((key, family), counts), ((engagers, instances), reach))| Group {
                    key,
                    family,
                    counts,
                    reach: ReachFigures {
                        unique_engagers: engagers,
                        unique_instances: instances,
                        potential_reach: reach,
                        share_pct: 0.0,
                    },
                },
            )
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use fedireach_core::{EngagementKind, Facts};

    use super::*;
    use crate::testkit::{self, AUG_1, HOUR, analytics, august};

    /// software, family, [replies, thread, boosts, likes, quotes], engagements,
    /// engagers, instances, potential reach, share.
    type Expected = (
        &'static str,
        &'static str,
        [u64; 5],
        u64,
        u64,
        u64,
        u64,
        f64,
    );

    fn check(rows: &[ReachRow], expected: &[Expected]) {
        let got: Vec<Expected> = rows
            .iter()
            .map(|r| {
                (
                    leak(&r.software),
                    leak(&r.family),
                    r.counts.by_kind(),
                    r.counts.engagements,
                    r.reach.unique_engagers,
                    r.reach.unique_instances,
                    r.reach.potential_reach,
                    r.reach.share_pct,
                )
            })
            .collect();
        assert_eq!(got, expected);
    }

    /// Test-only: compare owned strings against the `'static` expectations.
    fn leak(s: &str) -> &'static str {
        Box::leak(s.to_owned().into_boxed_str())
    }

    #[test]
    fn reach_by_software_in_august() -> Result<()> {
        // Self boost, removed like, the brand's boost (post 3), the deleted post 4,
        // July's post 5 and rival's post 10 are all left out. 101 boosted twice: its
        // 200 followers count once in mastodon's potential reach (200 + 50).
        let report = analytics()?.reach("acme", &august("UTC")?)?;
        assert_eq!(report.brand, "acme");
        assert_eq!(report.from.as_deref(), Some("2026-08-01"));
        assert_eq!(report.to.as_deref(), Some("2026-08-31"));
        check(
            &report.rows,
            &[
                ("mastodon", "mastodon", [0, 0, 3, 2, 0], 5, 3, 2, 250, 55.56),
                ("misskey", "misskey", [0, 0, 1, 1, 0], 2, 1, 1, 1000, 22.22),
                ("glitch", "mastodon", [1, 0, 0, 0, 0], 1, 1, 1, 0, 11.11),
                ("sharkey", "misskey", [0, 1, 0, 0, 1], 1, 1, 1, 0, 11.11),
            ],
        );
        Ok(())
    }

    #[test]
    fn reach_of_all_time_and_of_the_previous_month() -> Result<()> {
        let a = analytics()?;
        let july = august("UTC")?.previous();
        let report = a.reach("acme", &july.unwrap_or_default())?;
        assert_eq!(report.from.as_deref(), Some("2026-07-01"));
        check(
            &report.rows,
            &[
                ("mastodon", "mastodon", [0, 0, 0, 1, 0], 1, 1, 1, 0, 50.0),
                ("misskey", "misskey", [1, 0, 0, 0, 0], 1, 1, 1, 0, 50.0),
            ],
        );
        let all = a.reach("acme", &Window::all())?;
        assert_eq!((all.from, all.to), (None, None));
        check(
            &all.rows,
            &[
                ("mastodon", "mastodon", [0, 0, 3, 3, 0], 6, 3, 2, 250, 54.55),
                ("misskey", "misskey", [1, 0, 1, 1, 0], 3, 1, 1, 1000, 27.27),
                ("glitch", "mastodon", [1, 0, 0, 0, 0], 1, 1, 1, 0, 9.09),
                ("sharkey", "misskey", [0, 1, 0, 0, 1], 1, 1, 1, 0, 9.09),
            ],
        );
        Ok(())
    }

    #[test]
    fn reach_by_family_recounts_uniques() -> Result<()> {
        let report = analytics()?.reach_by_family("acme", &august("UTC")?)?;
        let got: Vec<_> = report
            .rows
            .iter()
            .map(|r| {
                (
                    r.family.as_str(),
                    r.counts.by_kind(),
                    r.counts.engagements,
                    r.reach.unique_engagers,
                    r.reach.unique_instances,
                    r.reach.potential_reach,
                    r.reach.share_pct,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("mastodon", [1, 0, 3, 2, 0], 6, 4, 3, 250, 66.67),
                ("misskey", [0, 1, 1, 1, 1], 3, 2, 2, 1000, 33.33),
            ]
        );
        Ok(())
    }

    #[test]
    fn share_rounds_half_away_from_zero() -> Result<()> {
        // 1 of 32 engagements is 3.125 %: 3.13, where rounding half to even gives 3.12;
        // 31 of 32 is 96.875 %: 96.88.
        let mut facts = Facts {
            brand_actors: vec![testkit::brand_actor(
                1,
                "b",
                1,
                "https://a.example/u/b",
                "a.example",
            )],
            posts: vec![testkit::post(
                1,
                "https://a.example/u/b",
                "a.example",
                AUG_1,
                &[],
            )],
            instances: vec![
                testkit::instance("one.example", "akkoma", "pleroma", None),
                testkit::instance("many.example", "pleroma", "pleroma", None),
            ],
            ..Facts::default()
        };
        facts.engagements.push(testkit::engagement(
            0,
            1,
            EngagementKind::Like,
            0,
            "one.example",
            AUG_1 + HOUR,
        ));
        for i in 1..32 {
            let like =
                testkit::engagement(i, 1, EngagementKind::Like, i, "many.example", AUG_1 + HOUR);
            facts.engagements.push(like);
        }
        let report = Analytics::from_facts(&facts)?.reach("b", &Window::all())?;
        let shares: Vec<_> = report
            .rows
            .iter()
            .map(|r| (r.software.as_str(), r.reach.share_pct))
            .collect();
        assert_eq!(shares, [("pleroma", 96.88), ("akkoma", 3.13)]);
        Ok(())
    }

    #[test]
    fn what_leaves_every_figure() -> Result<()> {
        // One post, one like; each case changes one fact and says what is left.
        type Change = fn(&mut Facts);
        let cases: [(&str, Change, u64); 8] = [
            ("nothing changed", |_| {}, 1),
            ("a self-engagement", |f| f.engagements[0].is_self = true, 0),
            (
                "a removed like",
                |f| f.engagements[0].removed_at = Some(AUG_1),
                0,
            ),
            ("a boost by the brand", |f| f.posts[0].is_boost = true, 0),
            ("a deleted post", |f| f.posts[0].deleted = true, 0),
            (
                "a post outside the window",
                |f| f.posts[0].published_at = AUG_1 - 1,
                0,
            ),
            (
                "another author's post",
                |f| f.posts[0].author_uri = "https://a.example/u/z".into(),
                0,
            ),
            (
                "a thread reply",
                |f| f.engagements[0].kind = EngagementKind::ThreadReply,
                0,
            ),
        ];
        for (case, change, engagements) in cases {
            let mut facts = Facts {
                brand_actors: vec![testkit::brand_actor(
                    1,
                    "b",
                    1,
                    "https://a.example/u/b",
                    "a.example",
                )],
                posts: vec![testkit::post(
                    1,
                    "https://a.example/u/b",
                    "a.example",
                    AUG_1,
                    &[],
                )],
                engagements: vec![testkit::engagement(
                    1,
                    1,
                    EngagementKind::Like,
                    7,
                    "x.example",
                    AUG_1 + HOUR,
                )],
                ..Facts::default()
            };
            change(&mut facts);
            let window = Window::parse(Some("2026-08-01"), Some("2026-08-01"), None)?;
            let report = Analytics::from_facts(&facts)?.reach("b", &window)?;
            let total: u64 = report.rows.iter().map(|r| r.counts.engagements).sum();
            assert_eq!(total, engagements, "{case}");
        }
        Ok(())
    }

    #[test]
    fn empty_window_gives_empty_rows() -> Result<()> {
        let window = Window::parse(Some("2030-01-01"), Some("2030-01-31"), None)?;
        let a = analytics()?;
        assert!(a.reach("acme", &window)?.rows.is_empty());
        assert!(a.reach_by_family("acme", &window)?.rows.is_empty());
        assert!(
            Analytics::from_facts(&Facts::default())?
                .brands()
                .is_empty()
        );
        Ok(())
    }

    #[test]
    fn unknown_brand_lists_the_brands_that_exist() -> Result<()> {
        let err = analytics()?
            .reach("acne", &Window::all())
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("unknown brand `acne`; the brands that exist are: acme, rival")
        );
        Ok(())
    }
}
