//! The facts as polars frames, built once: removed and self-engagements are dropped
//! here, since they leave every figure; hosts are interned to integer ids so the
//! million-row joins and group-bys run on integers.

use std::collections::BTreeMap;

use fedireach_core::Facts;
use polars::prelude::*;

use crate::{
    Result,
    columns::{bools, i64s, opt_strings, strings},
    raw::{HostIds, RawFrames},
};

/// Engagement kinds as the small integers the `kind` column holds.
pub(crate) const REPLY: i32 = 0;
pub(crate) const THREAD_REPLY: i32 = 1;
pub(crate) const BOOST: i32 = 2;
pub(crate) const LIKE: i32 = 3;
pub(crate) const QUOTE: i32 = 4;

/// Software and family of hosts no instance fact describes.
pub(crate) const UNKNOWN: &str = "unknown";

/// The kind name of a code, as reports print it.
pub(crate) fn kind_name(code: i32) -> &'static str {
    match code {
        REPLY => "reply",
        THREAD_REPLY => "thread_reply",
        BOOST => "boost",
        LIKE => "like",
        _ => "quote",
    }
}

/// A tracked actor of a brand, kept on the Rust side: there are few.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TrackedActor {
    pub tracked_actor_id: i64,
    pub actor_uri: Option<String>,
    pub owned: bool,
}

/// Every fact table as a frame.
#[derive(Debug, Clone)]
pub(crate) struct Frames {
    /// Brand name -> its tracked actors.
    pub brands: BTreeMap<String, Vec<TrackedActor>>,
    /// post_id, uri, author_uri, post_host_id, published_at, is_boost, deleted,
    /// reported_replies, reported_likes, reported_boosts, reported_quotes, coverage
    /// (`PostCoverage::to_cell`, null where not recorded).
    pub posts: DataFrame,
    /// post_id, hashtag.
    pub hashtags: DataFrame,
    /// Live engagements by others only: post_id, kind, actor_id, host_id, at (when it
    /// happened, or was first seen), happened (when it happened; null where the
    /// source gives no time).
    pub engagements: DataFrame,
    /// The replies, thread replies and quotes among them: post_id, kind, language (a
    /// code, `und` where none is declared, null where none was recorded). Apart from
    /// `engagements`, so the million likes and boosts carry no string column.
    pub languages: DataFrame,
    /// actor_id, followers, named (see `ActorFact::named`).
    pub actors: DataFrame,
    /// host_id, host, software, family, active_month: one row per host any fact names.
    pub hosts: DataFrame,
    /// tracked_actor_id, taken_at, followers.
    pub snapshots: DataFrame,
    /// crawl_id, started_at, subject, action, reason, count.
    pub consent: DataFrame,
}

impl Frames {
    /// The frames of facts exported by the store.
    pub fn from_facts(facts: &Facts) -> Result<Self> {
        Self::from_raw(&RawFrames::from_facts(facts, &mut HostIds::default())?)
    }

    /// The frames of raw fact tables, from the store or the columnar copy.
    pub fn from_raw(raw: &RawFrames) -> Result<Self> {
        let brands = Self::brands(&raw.brand_actors)?;
        let hosts = Self::hosts(raw)?;
        let host_ids = hosts.clone().lazy().select([col("host"), col("host_id")]);

        let posts = raw
            .posts
            .clone()
            .lazy()
            .inner_join(host_ids.clone(), col("host"), col("host"))
            .select([
                col("post_id"),
                col("uri"),
                col("author_uri"),
                col("host_id").alias("post_host_id"),
                col("published_at"),
                col("is_boost"),
                col("deleted"),
                col("reported_replies"),
                col("reported_likes"),
                col("reported_boosts"),
                col("reported_quotes"),
                col("coverage"),
            ])
            .collect()?;

        let (engagements, languages) = Self::engagements(raw)?;
        let actors = raw
            .actors
            .clone()
            .lazy()
            .select([
                col("actor_id"),
                col("followers_count").alias("followers"),
                col("named"),
            ])
            .collect()?;
        let snapshots = raw
            .follower_snapshots
            .clone()
            .lazy()
            .select([col("tracked_actor_id"), col("taken_at"), col("followers")])
            .collect()?;
        let consent = raw
            .consent
            .clone()
            .lazy()
            .select([
                col("crawl_id"),
                col("crawl_started_at").alias("started_at"),
                col("subject"),
                col("action"),
                col("reason"),
                col("count"),
            ])
            .collect()?;

        Ok(Self {
            brands,
            posts,
            hashtags: raw.post_hashtags.clone(),
            engagements,
            languages,
            actors,
            hosts,
            snapshots,
            consent,
        })
    }

    /// The live engagements (not removed, not the brand's own), and the languages of
    /// the replies and quotes among them.
    fn engagements(raw: &RawFrames) -> Result<(DataFrame, DataFrame)> {
        let live = raw
            .engagements
            .clone()
            .lazy()
            .filter(col("removed_at").is_null().and(col("is_self").not()));
        let languages = live
            .clone()
            .filter(
                col("kind")
                    .eq(lit(REPLY))
                    .or(col("kind").eq(lit(THREAD_REPLY)))
                    .or(col("kind").eq(lit(QUOTE))),
            )
            .select([col("post_id"), col("kind"), col("language")])
            .collect()?;
        let engagements = live
            .select([
                col("post_id"),
                col("kind"),
                col("actor_id"),
                col("host_id"),
                col("happened_at")
                    .fill_null(col("first_seen_at"))
                    .alias("at"),
                col("happened_at").alias("happened"),
            ])
            .collect()?;
        Ok((engagements, languages))
    }

    /// The brands and their tracked actors, by brand name.
    fn brands(brand_actors: &DataFrame) -> Result<BTreeMap<String, Vec<TrackedActor>>> {
        let mut brands: BTreeMap<String, Vec<TrackedActor>> = BTreeMap::new();
        let names = strings(brand_actors, "brand")?;
        let ids = i64s(brand_actors, "tracked_actor_id")?;
        let uris = opt_strings(brand_actors, "actor_uri")?;
        let owned = bools(brand_actors, "owned")?;
        for (((brand, tracked_actor_id), actor_uri), owned) in
            names.into_iter().zip(ids).zip(uris).zip(owned)
        {
            brands.entry(brand).or_default().push(TrackedActor {
                tracked_actor_id,
                actor_uri,
                owned,
            });
        }
        Ok(brands)
    }

    /// Every host of the dictionary with its software (`unknown` where no instance
    /// fact describes it).
    fn hosts(raw: &RawFrames) -> Result<DataFrame> {
        let instances = raw
            .instances
            .clone()
            .lazy()
            .unique_stable_generic(Some(vec![col("host")]), UniqueKeepStrategy::Last);
        Ok(raw
            .hosts
            .clone()
            .lazy()
            .left_join(instances, col("host"), col("host"))
            .select([
                col("host_id"),
                col("host"),
                col("software").fill_null(lit(UNKNOWN)),
                col("family").fill_null(lit(UNKNOWN)),
                col("users_active_month").alias("active_month"),
            ])
            .collect()?)
    }
}
