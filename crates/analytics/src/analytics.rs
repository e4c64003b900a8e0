//! The entry point: facts turned into frames once, then one method per report kind
//! (in `reports/`). This file holds the pieces every report shares: brand lookup, the
//! brand's posts in a window, their engagements, and engagements summed per engager.

use std::collections::BTreeMap;

use fedireach_core::{Facts, KindCounts, PostCoverage, UnavailablePosts};
use polars::prelude::*;

use crate::{
    AnalyticsError, Result, Window,
    columns::opt_strings,
    frames::{BOOST, Frames, LIKE, QUOTE, REPLY, THREAD_REPLY, TrackedActor},
};

/// The analytics over one export of the store. Building it converts the facts to
/// columns once; every report is then a lazy polars query over those columns.
///
/// Everything here is synchronous and CPU-bound, and polars panics on a
/// single-threaded tokio runtime: async callers run it in `spawn_blocking`.
#[derive(Debug, Clone)]
pub struct Analytics {
    pub(crate) frames: Frames,
}

impl Analytics {
    /// Loads the facts the store exported.
    pub fn from_facts(facts: &Facts) -> Result<Self> {
        Ok(Self {
            frames: Frames::from_facts(facts)?,
        })
    }

    /// The names of the brands in the facts, sorted.
    pub fn brands(&self) -> Vec<String> {
        self.frames.brands.keys().cloned().collect()
    }

    /// Whether the brand is owned (its owner gave a token), rather than watched.
    /// Every report here is aggregate, so both kinds see the same reports; the
    /// dashboard uses this to decide whether it may show who engaged.
    pub fn is_owned(&self, brand: &str) -> Result<bool> {
        Ok(self.brand(brand)?.iter().any(|a| a.owned))
    }

    /// A brand's tracked actors, or the error that lists the brands that exist.
    pub(crate) fn brand(&self, name: &str) -> Result<&[TrackedActor]> {
        self.frames
            .brands
            .get(name)
            .map(Vec::as_slice)
            .ok_or_else(|| AnalyticsError::UnknownBrand {
                name: name.to_owned(),
                known: self.brands(),
            })
    }

    /// The brand's posts published in the window: not boosts by the brand, not
    /// deleted. Columns: those of `Frames::posts` plus `tracked_actor_id`, the author's
    /// tracked actor in this brand.
    pub(crate) fn brand_posts(&self, brand: &str, window: &Window) -> Result<LazyFrame> {
        let mut authors: BTreeMap<&str, i64> = BTreeMap::new();
        for actor in self.brand(brand)? {
            if let Some(uri) = actor.actor_uri.as_deref() {
                let id = authors.entry(uri).or_insert(actor.tracked_actor_id);
                *id = (*id).min(actor.tracked_actor_id);
            }
        }
        let authors = df!(
            "author_uri" => authors.keys().copied().collect::<Vec<_>>(),
            "tracked_actor_id" => authors.values().copied().collect::<Vec<_>>(),
        )?;
        let (start, end) = window.bounds();
        Ok(self
            .frames
            .posts
            .clone()
            .lazy()
            .filter(
                col("is_boost")
                    .not()
                    .and(col("deleted").not())
                    .and(col("published_at").gt_eq(lit(start)))
                    .and(col("published_at").lt(lit(end))),
            )
            .inner_join(authors.lazy(), col("author_uri"), col("author_uri")))
    }

    /// How many of the brand's posts in the window had each kind unavailable: what the
    /// counts of every row of a report over these posts leave out.
    pub fn unavailable_posts(&self, brand: &str, window: &Window) -> Result<UnavailablePosts> {
        let df = self
            .brand_posts(brand, window)?
            .select([col("coverage")])
            .filter(col("coverage").is_not_null())
            .collect()?;
        let coverages: Vec<PostCoverage> = opt_strings(&df, "coverage")?
            .iter()
            .filter_map(|c| PostCoverage::from_cell(c.as_deref()?))
            .collect();
        Ok(coverages.iter().collect())
    }

    /// The live engagements by others on these posts, with the post's host and the
    /// engager's instance: post_id, kind, actor_id, host_id, at, post_host_id, host,
    /// software, family, active_month.
    pub(crate) fn engagements_of(&self, posts: LazyFrame) -> LazyFrame {
        self.frames
            .engagements
            .clone()
            .lazy()
            .inner_join(
                posts.select([col("post_id"), col("post_host_id")]),
                col("post_id"),
                col("post_id"),
            )
            .left_join(
                self.frames.hosts.clone().lazy(),
                col("host_id"),
                col("host_id"),
            )
    }

    /// Engagements summed per engager: actor_id, host_id, the counts by kind
    /// (`kind_counts`), then the engager's instance (host, software, family,
    /// active_month) and follower count (`followers`).
    pub(crate) fn per_engager(&self, engagements: LazyFrame) -> LazyFrame {
        engagements
            .group_by([col("actor_id"), col("host_id")])
            .agg(kind_counts())
            .left_join(
                self.frames.hosts.clone().lazy(),
                col("host_id"),
                col("host_id"),
            )
            .left_join(
                self.frames.actors.clone().lazy(),
                col("actor_id"),
                col("actor_id"),
            )
    }
}

/// The columns of the counts by kind, in report order.
pub(crate) const KIND_COLUMNS: [(&str, i32); 5] = [
    ("replies", REPLY),
    ("thread_replies", THREAD_REPLY),
    ("boosts", BOOST),
    ("likes", LIKE),
    ("quotes", QUOTE),
];

/// Aggregations counting the engagements of each kind, as `KIND_COLUMNS`.
pub(crate) fn kind_counts() -> Vec<Expr> {
    KIND_COLUMNS
        .iter()
        .map(|(name, code)| {
            col("kind")
                .eq(lit(*code))
                .cast(DataType::Int64)
                .sum()
                .alias(*name)
        })
        .collect()
}

/// Aggregations summing per-kind count columns, as `KIND_COLUMNS`.
pub(crate) fn kind_sums() -> Vec<Expr> {
    KIND_COLUMNS
        .iter()
        .map(|(name, _)| col(*name).sum().alias(*name))
        .collect()
}

/// The counts by kind of each row of `df`, from the `KIND_COLUMNS` columns.
pub(crate) fn read_kind_counts(df: &DataFrame) -> Result<Vec<KindCounts>> {
    let [r, t, b, l, q] = KIND_COLUMNS.map(|(name, _)| crate::columns::counts(df, name));
    let (r, t, b, l, q) = (r?, t?, b?, l?, q?);
    let at = |column: &[u64], i: usize| column.get(i).copied().unwrap_or_default();
    Ok((0..df.height())
        .map(|i| KindCounts::new(at(&r, i), at(&t, i), at(&b, i), at(&l, i), at(&q, i)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::analytics;

    #[test]
    fn analytics_can_be_shared_with_blocking_tasks() {
        fn send_sync<T: Send + Sync + 'static>() {}
        send_sync::<Analytics>();
    }

    #[test]
    fn brands_are_listed_and_looked_up_by_name() -> Result<()> {
        let a = analytics()?;
        assert_eq!(a.brands(), ["acme", "rival"]);
        assert!(a.is_owned("acme")?);
        assert!(matches!(
            a.is_owned("Acme"),
            Err(AnalyticsError::UnknownBrand { .. })
        ));
        Ok(())
    }
}
