//! `report posts`: each brand post with its engagements by kind, itemised and as the
//! origin server reported them, its engagement rate and cross-server share.

use std::collections::{BTreeMap, BTreeSet};

use fedireach_core::{
    CoverageRow, PostCoverage, PostRow, PostsReport, ReportedCounts, pct_2dp, round_half_away,
};
use polars::prelude::*;

use crate::{
    Analytics, Result, Window,
    analytics::{kind_counts, read_kind_counts},
    columns::{counts, i64s, opt_counts, opt_i64s, opt_strings, strings},
    frames::THREAD_REPLY,
    window::rfc3339,
};

/// The softwares of the instances that engaged with each post.
fn softwares_per_post(engagements: LazyFrame) -> Result<BTreeMap<i64, BTreeSet<String>>> {
    let reached = engagements
        .group_by([col("post_id"), col("software")])
        .agg([len()])
        .collect()?;
    let mut softwares: BTreeMap<i64, BTreeSet<String>> = BTreeMap::new();
    for (post, software) in i64s(&reached, "post_id")?
        .into_iter()
        .zip(strings(&reached, "software")?)
    {
        softwares.entry(post).or_default().insert(software);
    }
    Ok(softwares)
}

/// Each row's counts as its origin reported them.
fn reported_counts(df: &DataFrame) -> Result<Vec<ReportedCounts>> {
    let [replies, boosts, likes, quotes] = [
        "reported_replies",
        "reported_boosts",
        "reported_likes",
        "reported_quotes",
    ]
    .map(|name| opt_counts(df, name));
    let (replies, boosts, likes, quotes) = (replies?, boosts?, likes?, quotes?);
    let at = |column: &[Option<u64>], i: usize| column.get(i).copied().flatten();
    Ok((0..df.height())
        .map(|i| ReportedCounts {
            replies: at(&replies, i),
            boosts: at(&boosts, i),
            likes: at(&likes, i),
            quotes: at(&quotes, i),
        })
        .collect())
}

impl Analytics {
    /// The brand's posts published in the window, by publication time then uri.
    pub fn posts(&self, brand: &str, window: &Window) -> Result<PostsReport> {
        let posts = self.brand_posts(brand, window)?;
        let engagements = self.engagements_of(posts.clone());

        let mut aggs = kind_counts();
        aggs.push(
            col("kind")
                .neq(lit(THREAD_REPLY))
                .and(col("host_id").neq(col("post_host_id")))
                .cast(DataType::Int64)
                .sum()
                .alias("cross_server"),
        );
        let per_post = engagements.clone().group_by([col("post_id")]).agg(aggs);

        let df = posts
            .clone()
            .left_join(per_post, col("post_id"), col("post_id"))
            .left_join(
                self.closest_followers(posts),
                col("post_id"),
                col("post_id"),
            )
            .collect()?;

        let mut softwares = softwares_per_post(engagements)?;

        let ids = i64s(&df, "post_id")?;
        let uris = strings(&df, "uri")?;
        let authors = strings(&df, "author_uri")?;
        let published = i64s(&df, "published_at")?;
        let mut reported = reported_counts(&df)?.into_iter();
        let coverage = opt_strings(&df, "coverage")?;
        let kinds = read_kind_counts(&df)?;
        let cross = counts(&df, "cross_server")?;
        let followers = opt_i64s(&df, "followers_at_publication")?;

        let mut rows: Vec<(i64, PostRow)> = Vec::with_capacity(df.height());
        for (i, id) in ids.iter().enumerate() {
            let c = kinds.get(i).copied().unwrap_or_default();
            let followers = followers
                .get(i)
                .copied()
                .flatten()
                .and_then(|f| u64::try_from(f).ok());
            let at = published.get(i).copied().unwrap_or_default();
            rows.push((
                at,
                PostRow {
                    uri: uris.get(i).cloned().unwrap_or_default(),
                    actor: authors.get(i).cloned().unwrap_or_default(),
                    published: rfc3339(at),
                    counts: c,
                    reported: reported.next().unwrap_or_default(),
                    followers,
                    engagement_rate: followers.and_then(|f| round_half_away(c.engagements, f, 4)),
                    cross_server_share_pct: pct_2dp(
                        cross.get(i).copied().unwrap_or_default(),
                        c.engagements,
                    ),
                    softwares: softwares
                        .remove(id)
                        .map(|s| s.into_iter().collect())
                        .unwrap_or_default(),
                    coverage: coverage
                        .get(i)
                        .and_then(|c| PostCoverage::from_cell(c.as_deref()?))
                        .map(CoverageRow::from),
                },
            ));
        }
        rows.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.uri.cmp(&b.1.uri)));
        Ok(PostsReport {
            brand: brand.to_owned(),
            from: window.from_label(),
            to: window.to_label(),
            rows: rows.into_iter().map(|(_, row)| row).collect(),
        })
    }

    /// post_id, followers_at_publication: the author's follower count at the snapshot
    /// closest in time to publication (the earlier one on a tie), among the snapshots
    /// that know the count.
    pub(crate) fn closest_followers(&self, posts: LazyFrame) -> LazyFrame {
        let snapshots = self
            .frames
            .snapshots
            .clone()
            .lazy()
            .filter(col("followers").is_not_null());
        posts
            .select([col("post_id"), col("published_at"), col("tracked_actor_id")])
            .inner_join(snapshots, col("tracked_actor_id"), col("tracked_actor_id"))
            .with_column(
                (col("taken_at") - col("published_at"))
                    .abs()
                    .alias("distance"),
            )
            .group_by([col("post_id")])
            .agg([col("followers")
                .sort_by(
                    [col("distance"), col("taken_at")],
                    SortMultipleOptions::default(),
                )
                .first()
                .alias("followers_at_publication")])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{ACME, analytics, august};

    #[test]
    fn posts_in_august() -> Result<()> {
        // Post 1: 7 engagements (the thread reply apart), 6 of them from other hosts
        // than acme.social (85.71 %); closest snapshot: Aug 2 (1100 followers, 12 h
        // away, against 36 h for Jul 31): 7 / 1100 = 0.0064. Post 2: the Aug 3
        // snapshot is closer but has no count, so Aug 2 again: 2 / 1100 = 0.0018.
        let report = analytics()?.posts("acme", &august("UTC")?)?;
        let got: Vec<_> = report
            .rows
            .iter()
            .map(|r| {
                (
                    r.uri.as_str(),
                    r.actor.as_str(),
                    r.published.as_str(),
                    r.counts.by_kind(),
                    r.counts.engagements,
                    r.reported.clone(),
                    r.followers,
                    r.engagement_rate,
                    r.cross_server_share_pct,
                    r.softwares.join(","),
                )
            })
            .collect();
        let reported = ReportedCounts {
            replies: Some(3),
            likes: Some(10),
            ..ReportedCounts::default()
        };
        assert_eq!(
            got,
            [
                (
                    "https://acme.social/posts/1",
                    ACME,
                    "2026-08-01T12:00:00Z",
                    [1, 1, 3, 3, 0],
                    7,
                    reported,
                    Some(1100),
                    Some(0.0064),
                    85.71,
                    "glitch,mastodon,misskey,sharkey".to_owned(),
                ),
                (
                    "https://acme.social/posts/2",
                    ACME,
                    "2026-08-02T23:30:00Z",
                    [0, 0, 1, 0, 1],
                    2,
                    ReportedCounts::default(),
                    Some(1100),
                    Some(0.0018),
                    100.0,
                    "mastodon,sharkey".to_owned(),
                ),
            ]
        );
        Ok(())
    }

    #[test]
    fn a_post_without_engagements_or_snapshots() -> Result<()> {
        let report = analytics()?.posts("rival", &Window::all())?;
        let row = report.rows.first();
        assert_eq!(report.rows.len(), 1);
        assert_eq!(
            row.map(|r| (r.counts.engagements, r.counts.likes)),
            Some((1, 1))
        );
        assert_eq!(
            row.map(|r| (r.followers, r.engagement_rate)),
            Some((None, None))
        );
        assert_eq!(row.map(|r| r.cross_server_share_pct), Some(100.0));
        Ok(())
    }
}
