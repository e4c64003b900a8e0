//! The facts as raw frames: one frame per fact table, the columns named and typed like
//! the fact fields. This is the form the columnar copy on disk keeps
//! ([`crate::FactsCache`]) and the one `Frames` is built from, whether the facts come
//! from the store or from that copy.
//!
//! One departure from the fact fields, for speed: the million-row engagements table
//! holds its host as an id of a host dictionary (`hosts`) and its kind as a small
//! integer, so loading it hashes no strings.

use std::collections::HashMap;

use fedireach_core::{EngagementKind, Facts};
use polars::prelude::*;

use crate::{
    Result,
    columns::{i64s, strings},
    frames::{BOOST, LIKE, QUOTE, REPLY, THREAD_REPLY},
};

/// Host names to ids, stable for the life of a columnar copy (new hosts get the next
/// id), so engagement parts written at different crawls agree.
#[derive(Debug, Clone, Default)]
pub(crate) struct HostIds {
    ids: HashMap<String, i64>,
    names: Vec<String>,
}

impl HostIds {
    /// The id of `host`, numbering it if new.
    pub fn id(&mut self, host: &str) -> i64 {
        if let Some(id) = self.ids.get(host) {
            return *id;
        }
        // A Vec never holds more than i64::MAX items.
        let id = i64::try_from(self.names.len()).unwrap_or(i64::MAX);
        self.ids.insert(host.to_owned(), id);
        self.names.push(host.to_owned());
        id
    }

    /// The ids of hosts already numbered (for purging); unknown hosts have none.
    pub fn known(&self, hosts: &[String]) -> Vec<i64> {
        hosts
            .iter()
            .filter_map(|h| self.ids.get(h).copied())
            .collect()
    }

    /// The dictionary as a frame: host_id, host.
    pub fn frame(&self) -> Result<DataFrame> {
        Ok(df!(
            "host_id" => (0..self.names.len()).map(|i| i64::try_from(i).unwrap_or(i64::MAX)).collect::<Vec<_>>(),
            "host" => self.names.iter().map(String::as_str).collect::<Vec<_>>(),
        )?)
    }

    /// The dictionary of a frame written by [`HostIds::frame`].
    pub fn from_frame(frame: &DataFrame) -> Result<Self> {
        let mut pairs: Vec<(i64, String)> = i64s(frame, "host_id")?
            .into_iter()
            .zip(strings(frame, "host")?)
            .collect();
        pairs.sort();
        let mut hosts = Self::default();
        for (_, host) in pairs {
            if host.is_empty() {
                // A forgotten host: its id stays taken, its name is gone.
                hosts.names.push(host);
            } else {
                hosts.id(&host);
            }
        }
        Ok(hosts)
    }

    /// Blanks the names of the hosts `keep` refuses (forgotten: nothing names them any
    /// more), keeping their ids taken so the parts on disk still agree. Returns whether
    /// any name went.
    pub fn forget_unless(&mut self, keep: impl Fn(i64, &str) -> bool) -> bool {
        let mut forgot = false;
        for (i, name) in self.names.iter_mut().enumerate() {
            let id = i64::try_from(i).unwrap_or(i64::MAX);
            if !name.is_empty() && !keep(id, name) {
                self.ids.remove(name.as_str());
                name.clear();
                forgot = true;
            }
        }
        forgot
    }
}

/// The code of a kind in the `kind` columns.
pub(crate) fn kind_code(kind: EngagementKind) -> i32 {
    match kind {
        EngagementKind::Reply => REPLY,
        EngagementKind::ThreadReply => THREAD_REPLY,
        EngagementKind::Boost => BOOST,
        EngagementKind::Like => LIKE,
        EngagementKind::Quote => QUOTE,
    }
}

/// One frame per fact table.
#[derive(Debug, Clone)]
pub(crate) struct RawFrames {
    pub brand_actors: DataFrame,
    pub posts: DataFrame,
    pub post_hashtags: DataFrame,
    pub engagements: DataFrame,
    pub actors: DataFrame,
    pub instances: DataFrame,
    pub follower_snapshots: DataFrame,
    pub consent: DataFrame,
    /// The host dictionary: host_id, host; it names every host of every table.
    pub hosts: DataFrame,
}

impl RawFrames {
    /// The frames of `facts`, numbering hosts with (and into) `hosts`.
    pub fn from_facts(facts: &Facts, hosts: &mut HostIds) -> Result<Self> {
        for host in (facts.brand_actors.iter().map(|b| &b.host))
            .chain(facts.posts.iter().map(|p| &p.host))
            .chain(facts.actors.iter().map(|a| &a.host))
            .chain(facts.instances.iter().map(|i| &i.host))
        {
            hosts.id(host);
        }
        let b = &facts.brand_actors;
        let brand_actors = df!(
            "brand_id" => b.iter().map(|b| b.brand_id).collect::<Vec<_>>(),
            "brand" => b.iter().map(|b| b.brand.as_str()).collect::<Vec<_>>(),
            "owned" => b.iter().map(|b| b.owned).collect::<Vec<_>>(),
            "tracked_actor_id" => b.iter().map(|b| b.tracked_actor_id).collect::<Vec<_>>(),
            "actor_uri" => b.iter().map(|b| b.actor_uri.as_deref()).collect::<Vec<_>>(),
            "host" => b.iter().map(|b| b.host.as_str()).collect::<Vec<_>>(),
        )?;
        let p = &facts.posts;
        let posts = df!(
            "post_id" => p.iter().map(|p| p.post_id).collect::<Vec<_>>(),
            "uri" => p.iter().map(|p| p.uri.as_str()).collect::<Vec<_>>(),
            "author_uri" => p.iter().map(|p| p.author_uri.as_str()).collect::<Vec<_>>(),
            "host" => p.iter().map(|p| p.host.as_str()).collect::<Vec<_>>(),
            "published_at" => p.iter().map(|p| p.published_at).collect::<Vec<_>>(),
            "object_type" => p.iter().map(|p| p.object_type.as_str()).collect::<Vec<_>>(),
            "is_boost" => p.iter().map(|p| p.is_boost).collect::<Vec<_>>(),
            "deleted" => p.iter().map(|p| p.deleted).collect::<Vec<_>>(),
            "reported_replies" => p.iter().map(|p| p.reported_replies).collect::<Vec<_>>(),
            "reported_likes" => p.iter().map(|p| p.reported_likes).collect::<Vec<_>>(),
            "reported_boosts" => p.iter().map(|p| p.reported_boosts).collect::<Vec<_>>(),
            "reported_quotes" => p.iter().map(|p| p.reported_quotes).collect::<Vec<_>>(),
            "coverage" => p.iter().map(|p| p.coverage.map(|c| c.to_cell())).collect::<Vec<_>>(),
        )?;
        let tags: Vec<(i64, &str)> = p
            .iter()
            .flat_map(|p| p.hashtags.iter().map(move |t| (p.post_id, t.as_str())))
            .collect();
        let post_hashtags = df!(
            "post_id" => tags.iter().map(|t| t.0).collect::<Vec<_>>(),
            "hashtag" => tags.iter().map(|t| t.1).collect::<Vec<_>>(),
        )?;
        let e = &facts.engagements;
        let engagements = df!(
            "engagement_id" => e.iter().map(|e| e.engagement_id).collect::<Vec<_>>(),
            "post_id" => e.iter().map(|e| e.post_id).collect::<Vec<_>>(),
            "kind" => e.iter().map(|e| kind_code(e.kind)).collect::<Vec<_>>(),
            "actor_id" => e.iter().map(|e| e.actor_id).collect::<Vec<_>>(),
            "host_id" => e.iter().map(|e| hosts.id(&e.host)).collect::<Vec<_>>(),
            "happened_at" => e.iter().map(|e| e.happened_at).collect::<Vec<_>>(),
            "first_seen_at" => e.iter().map(|e| e.first_seen_at).collect::<Vec<_>>(),
            "removed_at" => e.iter().map(|e| e.removed_at).collect::<Vec<_>>(),
            "is_self" => e.iter().map(|e| e.is_self).collect::<Vec<_>>(),
            "language" => e.iter().map(|e| e.language.as_deref()).collect::<Vec<_>>(),
        )?;
        let a = &facts.actors;
        let actors = df!(
            "actor_id" => a.iter().map(|a| a.actor_id).collect::<Vec<_>>(),
            "host" => a.iter().map(|a| a.host.as_str()).collect::<Vec<_>>(),
            "followers_count" => a.iter().map(|a| a.followers_count).collect::<Vec<_>>(),
            "named" => a.iter().map(|a| a.named).collect::<Vec<_>>(),
        )?;
        let i = &facts.instances;
        let instances = df!(
            "host" => i.iter().map(|i| i.host.as_str()).collect::<Vec<_>>(),
            "software" => i.iter().map(|i| i.software.as_str()).collect::<Vec<_>>(),
            "family" => i.iter().map(|i| i.family.as_str()).collect::<Vec<_>>(),
            "users_active_month" => i.iter().map(|i| i.users_active_month).collect::<Vec<_>>(),
        )?;
        let s = &facts.follower_snapshots;
        let follower_snapshots = df!(
            "crawl_id" => s.iter().map(|s| s.crawl_id).collect::<Vec<_>>(),
            "tracked_actor_id" => s.iter().map(|s| s.tracked_actor_id).collect::<Vec<_>>(),
            "taken_at" => s.iter().map(|s| s.taken_at).collect::<Vec<_>>(),
            "followers" => s.iter().map(|s| s.followers).collect::<Vec<_>>(),
        )?;
        let c = &facts.consent;
        let consent = df!(
            "crawl_id" => c.iter().map(|c| c.crawl_id).collect::<Vec<_>>(),
            "crawl_started_at" => c.iter().map(|c| c.crawl_started_at).collect::<Vec<_>>(),
            "subject" => c.iter().map(|c| c.subject.as_ref()).collect::<Vec<_>>(),
            "action" => c.iter().map(|c| c.action.as_ref()).collect::<Vec<_>>(),
            "reason" => c.iter().map(|c| c.reason.as_str()).collect::<Vec<_>>(),
            "count" => c.iter().map(|c| c.count).collect::<Vec<_>>(),
        )?;
        Ok(Self {
            brand_actors,
            posts,
            post_hashtags,
            engagements,
            actors,
            instances,
            follower_snapshots,
            consent,
            hosts: hosts.frame()?,
        })
    }

    /// The frame of a table, by its file stem in the columnar copy, to replace.
    pub fn table_mut(&mut self, name: &str) -> Option<&mut DataFrame> {
        match name {
            "brand_actors" => Some(&mut self.brand_actors),
            "posts" => Some(&mut self.posts),
            "post_hashtags" => Some(&mut self.post_hashtags),
            "engagements" => Some(&mut self.engagements),
            "actors" => Some(&mut self.actors),
            "instances" => Some(&mut self.instances),
            "follower_snapshots" => Some(&mut self.follower_snapshots),
            "consent" => Some(&mut self.consent),
            "hosts" => Some(&mut self.hosts),
            _ => None,
        }
    }
}
