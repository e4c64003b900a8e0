//! `report hashtags`: the engagements of the brand's posts per hashtag they carried.

use fedireach_core::{KindCounts, pct_2dp, round_half_away};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{
    Analytics, Result, Window,
    analytics::{kind_counts, kind_sums, read_kind_counts},
    columns::{counts, strings},
};

/// `report hashtags`: rows sorted by engagements descending, then hashtag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HashtagsReport {
    pub brand: String,
    pub from: Option<String>,
    pub to: Option<String>,
    /// All engagements of the brand's posts in the window, tagged or not.
    pub engagements: u64,
    pub rows: Vec<HashtagRow>,
}

/// The brand's posts carrying one hashtag, and their engagements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HashtagRow {
    /// Lower-cased, without `#`.
    pub hashtag: String,
    pub posts: u64,
    #[serde(flatten)]
    pub counts: KindCounts,
    /// engagements / posts, rounded half away from zero to 2 decimals.
    pub engagements_per_post: f64,
    /// This hashtag's engagements / all the brand's engagements, in %: a post with two
    /// hashtags counts for both, so the shares may add up past 100.
    pub share_pct: f64,
}

impl Analytics {
    /// Hashtags of the brand's posts published in the window.
    pub fn hashtags(&self, brand: &str, window: &Window) -> Result<HashtagsReport> {
        let posts = self.brand_posts(brand, window)?;
        let per_post = posts.clone().select([col("post_id")]).left_join(
            self.engagements_of(posts)
                .group_by([col("post_id")])
                .agg(kind_counts()),
            col("post_id"),
            col("post_id"),
        );
        let totals = per_post.clone().select(kind_sums()).collect()?;
        let total = read_kind_counts(&totals)?
            .first()
            .map(|c| c.engagements)
            .unwrap_or_default();
        let mut aggs = kind_sums();
        aggs.push(len().alias("posts"));
        let df = self
            .frames
            .hashtags
            .clone()
            .lazy()
            .inner_join(per_post, col("post_id"), col("post_id"))
            .group_by([col("hashtag")])
            .agg(aggs)
            .collect()?;
        let tags = strings(&df, "hashtag")?;
        let posts = counts(&df, "posts")?;
        let kinds = read_kind_counts(&df)?;
        let mut rows: Vec<HashtagRow> = tags
            .into_iter()
            .zip(posts)
            .zip(kinds)
            .map(|((hashtag, posts), c)| HashtagRow {
                hashtag,
                posts,
                counts: c,
                engagements_per_post: round_half_away(c.engagements, posts, 2).unwrap_or_default(),
                share_pct: pct_2dp(c.engagements, total),
            })
            .collect();
        rows.sort_by(|a, b| {
            b.counts
                .engagements
                .cmp(&a.counts.engagements)
                .then_with(|| a.hashtag.cmp(&b.hashtag))
        });
        Ok(HashtagsReport {
            brand: brand.to_owned(),
            from: window.from_label(),
            to: window.to_label(),
            engagements: total,
            rows,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{analytics, august};

    #[test]
    fn hashtags_in_august_and_all_time() -> Result<()> {
        // August: post 1 (launch, coffee) has 7 engagements, post 2 (coffee) 2.
        // All time adds July's post 5 (launch) and its 2.
        let a = analytics()?;
        for (window, total, expected) in [
            (
                august("UTC")?,
                9,
                [("coffee", 2, 9, 4.5, 100.0), ("launch", 1, 7, 7.0, 77.78)],
            ),
            (
                Window::all(),
                11,
                [("coffee", 2, 9, 4.5, 81.82), ("launch", 2, 9, 4.5, 81.82)],
            ),
        ] {
            let report = a.hashtags("acme", &window)?;
            assert_eq!(report.engagements, total);
            let got: Vec<_> = report
                .rows
                .iter()
                .map(|r| {
                    (
                        r.hashtag.as_str(),
                        r.posts,
                        r.counts.engagements,
                        r.engagements_per_post,
                        r.share_pct,
                    )
                })
                .collect();
            assert_eq!(got, expected);
        }
        assert!(a.hashtags("rival", &Window::all())?.rows.is_empty());
        Ok(())
    }
}
