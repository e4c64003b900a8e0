//! The facts as polars frames, built once: removed and self-engagements are dropped
//! here, since they leave every figure; hosts are interned to integer ids so the
//! million-row joins and group-bys run on integers.

use std::collections::{BTreeMap, HashMap};

use fedireach_core::{EngagementKind, Facts};
use polars::prelude::*;

use crate::Result;

/// Engagement kinds as the small integers the `kind` column holds.
pub(crate) const REPLY: i32 = 0;
pub(crate) const THREAD_REPLY: i32 = 1;
pub(crate) const BOOST: i32 = 2;
pub(crate) const LIKE: i32 = 3;
pub(crate) const QUOTE: i32 = 4;

/// Software and family of hosts no instance fact describes.
pub(crate) const UNKNOWN: &str = "unknown";

fn kind_code(kind: EngagementKind) -> i32 {
    match kind {
        EngagementKind::Reply => REPLY,
        EngagementKind::ThreadReply => THREAD_REPLY,
        EngagementKind::Boost => BOOST,
        EngagementKind::Like => LIKE,
        EngagementKind::Quote => QUOTE,
    }
}

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
    /// post_id, uri, author_uri, host_id, published_at, is_boost, deleted,
    /// reported_replies, reported_likes, reported_boosts, reported_quotes.
    pub posts: DataFrame,
    /// post_id, hashtag.
    pub hashtags: DataFrame,
    /// Live engagements by others only: post_id, kind, actor_id, host_id, at (when it
    /// happened, or was first seen).
    pub engagements: DataFrame,
    /// actor_id, followers.
    pub actors: DataFrame,
    /// host_id, host, software, family, active_month: one row per host any fact names.
    pub hosts: DataFrame,
    /// tracked_actor_id, taken_at, followers.
    pub snapshots: DataFrame,
    /// crawl_id, started_at, subject, action, reason, count.
    pub consent: DataFrame,
}

/// Host names to dense ids.
#[derive(Default)]
struct Interner {
    ids: HashMap<String, i64>,
    names: Vec<String>,
}

impl Interner {
    fn id(&mut self, host: &str) -> i64 {
        if let Some(id) = self.ids.get(host) {
            return *id;
        }
        // A Vec never holds more than i64::MAX items.
        let id = i64::try_from(self.names.len()).unwrap_or(i64::MAX);
        self.ids.insert(host.to_owned(), id);
        self.names.push(host.to_owned());
        id
    }
}

impl Frames {
    pub fn from_facts(facts: &Facts) -> Result<Self> {
        let mut hosts = Interner::default();

        let mut brands: BTreeMap<String, Vec<TrackedActor>> = BTreeMap::new();
        for ba in &facts.brand_actors {
            hosts.id(&ba.host);
            brands
                .entry(ba.brand.clone())
                .or_default()
                .push(TrackedActor {
                    tracked_actor_id: ba.tracked_actor_id,
                    actor_uri: ba.actor_uri.clone(),
                    owned: ba.owned,
                });
        }

        let p = &facts.posts;
        let posts = df!(
            "post_id" => p.iter().map(|p| p.post_id).collect::<Vec<_>>(),
            "uri" => p.iter().map(|p| p.uri.as_str()).collect::<Vec<_>>(),
            "author_uri" => p.iter().map(|p| p.author_uri.as_str()).collect::<Vec<_>>(),
            "post_host_id" => p.iter().map(|p| hosts.id(&p.host)).collect::<Vec<_>>(),
            "published_at" => p.iter().map(|p| p.published_at).collect::<Vec<_>>(),
            "is_boost" => p.iter().map(|p| p.is_boost).collect::<Vec<_>>(),
            "deleted" => p.iter().map(|p| p.deleted).collect::<Vec<_>>(),
            "reported_replies" => p.iter().map(|p| p.reported_replies).collect::<Vec<_>>(),
            "reported_likes" => p.iter().map(|p| p.reported_likes).collect::<Vec<_>>(),
            "reported_boosts" => p.iter().map(|p| p.reported_boosts).collect::<Vec<_>>(),
            "reported_quotes" => p.iter().map(|p| p.reported_quotes).collect::<Vec<_>>(),
        )?;

        let tags: Vec<(i64, &str)> = p
            .iter()
            .flat_map(|p| p.hashtags.iter().map(move |t| (p.post_id, t.as_str())))
            .collect();
        let hashtags = df!(
            "post_id" => tags.iter().map(|t| t.0).collect::<Vec<_>>(),
            "hashtag" => tags.iter().map(|t| t.1).collect::<Vec<_>>(),
        )?;

        let live: Vec<_> = facts
            .engagements
            .iter()
            .filter(|e| e.removed_at.is_none() && !e.is_self)
            .collect();
        let engagements = df!(
            "post_id" => live.iter().map(|e| e.post_id).collect::<Vec<_>>(),
            "kind" => live.iter().map(|e| kind_code(e.kind)).collect::<Vec<_>>(),
            "actor_id" => live.iter().map(|e| e.actor_id).collect::<Vec<_>>(),
            "host_id" => live.iter().map(|e| hosts.id(&e.host)).collect::<Vec<_>>(),
            "at" => live.iter().map(|e| e.happened_at.unwrap_or(e.first_seen_at)).collect::<Vec<_>>(),
        )?;

        let a = &facts.actors;
        let actors = df!(
            "actor_id" => a.iter().map(|a| a.actor_id).collect::<Vec<_>>(),
            "followers" => a.iter().map(|a| a.followers_count).collect::<Vec<_>>(),
        )?;

        let instances: HashMap<&str, _> = facts
            .instances
            .iter()
            .map(|i| (i.host.as_str(), i))
            .collect();
        for i in &facts.instances {
            hosts.id(&i.host);
        }
        let names = &hosts.names;
        let instance = |h: &String| instances.get(h.as_str());
        let hosts = df!(
            "host_id" => (0..names.len()).map(|i| i64::try_from(i).unwrap_or(i64::MAX)).collect::<Vec<_>>(),
            "host" => names.iter().map(String::as_str).collect::<Vec<_>>(),
            "software" => names.iter().map(|h| instance(h).map_or(UNKNOWN, |i| i.software.as_str())).collect::<Vec<_>>(),
            "family" => names.iter().map(|h| instance(h).map_or(UNKNOWN, |i| i.family.as_str())).collect::<Vec<_>>(),
            "active_month" => names.iter().map(|h| instance(h).and_then(|i| i.users_active_month)).collect::<Vec<_>>(),
        )?;

        let s = &facts.follower_snapshots;
        let snapshots = df!(
            "tracked_actor_id" => s.iter().map(|s| s.tracked_actor_id).collect::<Vec<_>>(),
            "taken_at" => s.iter().map(|s| s.taken_at).collect::<Vec<_>>(),
            "followers" => s.iter().map(|s| s.followers).collect::<Vec<_>>(),
        )?;

        let c = &facts.consent;
        let consent = df!(
            "crawl_id" => c.iter().map(|c| c.crawl_id).collect::<Vec<_>>(),
            "started_at" => c.iter().map(|c| c.crawl_started_at).collect::<Vec<_>>(),
            "subject" => c.iter().map(|c| c.subject.as_str()).collect::<Vec<_>>(),
            "action" => c.iter().map(|c| c.action.as_str()).collect::<Vec<_>>(),
            "reason" => c.iter().map(|c| c.reason.as_str()).collect::<Vec<_>>(),
            "count" => c.iter().map(|c| c.count).collect::<Vec<_>>(),
        )?;

        Ok(Self {
            brands,
            posts,
            hashtags,
            engagements,
            actors,
            hosts,
            snapshots,
            consent,
        })
    }
}
