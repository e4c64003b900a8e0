//! The simulated world: instances, actors, brands, posts and engagements, generated once
//! from a seed and a scale, and seen on a given day.
//!
//! Everything is kept compact (indices, not strings, between the parts) so that the
//! large world's million engagements fit comfortably in memory; document ids are derived
//! from the parts on demand (see `ids.rs`).

mod generate;
pub(crate) mod ids;
mod quirk;
pub(crate) mod robots;
mod scale;
mod software;
mod summary;

use std::{collections::HashMap, ops::Range};

use fedireach_core::EngagementKind;

pub use generate::{TOUR, tour_brand};
pub use quirk::Quirk;
pub use robots::{RecordedRobots, recorded_robots};
pub use scale::Scale;
pub use software::{LanguageField, SimSoftware};

/// Seconds in a day.
pub(crate) const DAY: i64 = 86_400;
/// How many days the generated posts reach before the world's day 0.
pub const HISTORY_DAYS: i64 = 90;
/// How many days after day 0 the world is generated for (`--day` at most this).
pub const MAX_DAY: u32 = 30;
/// The day Globex publishes its launch post, at 09:00 UTC, engaged with many times
/// more than any other day of Globex: `--day LAUNCH_DAY` has not seen it yet, the next
/// day's world has the spike.
pub const LAUNCH_DAY: u32 = 20;
/// The brand whose accounts lose followers day after day: Initech, a watched brand on
/// Misskey.
pub const DECLINING_BRAND: u16 = 2;
/// The launch post's engagements, as a multiple of the scale's mean per post.
pub const LAUNCH_FACTOR: f64 = 15.0;

/// What to build: the same options always give the same world, byte for byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorldOptions {
    pub seed: u64,
    pub scale: Scale,
    /// Days after the world's day 0 (clamped to [`MAX_DAY`]).
    pub day: u32,
    /// `http://` ids instead of `https://`.
    pub plain_http: bool,
    /// Beside the three brands, an owned and a watched brand with one account on each
    /// software of [`TOUR`](generate::TOUR), with a few posts each: what a crawler can
    /// read of a brand on each software, the truth saying what it cannot.
    pub tour: bool,
}

impl Default for WorldOptions {
    fn default() -> Self {
        Self {
            seed: 1,
            scale: Scale::Small,
            day: 0,
            plain_http: false,
            tour: false,
        }
    }
}

/// One simulated instance.
#[derive(Debug, Clone)]
pub struct Instance {
    pub host: String,
    pub software: SimSoftware,
    pub quirk: Quirk,
    pub users_total: u64,
    pub active_month: u64,
    pub local_posts: u64,
    /// Its actors, as indices into the world's actors.
    pub actors: Range<u32>,
}

/// Why an actor is left out of what a crawler may store about it (BRIEF section 3).
/// Opted-out engagers still count in every aggregate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OptOut {
    None,
    /// `indexable: false`.
    NotIndexable,
    /// No `indexable` key at all (which means not indexable).
    IndexableMissing,
    /// `discoverable: false`.
    NotDiscoverable,
    /// `#nobot` in the bio.
    NoBot,
}

impl OptOut {
    /// The reason as the consent report names it; `None` for no opt-out.
    pub fn reason(self) -> Option<&'static str> {
        match self {
            Self::None => None,
            Self::NotIndexable | Self::IndexableMissing => Some("not_indexable"),
            Self::NotDiscoverable => Some("not_discoverable"),
            Self::NoBot => Some("nobot"),
        }
    }
}

/// One actor: a person, or a brand account (a PeerTube brand account is a channel).
#[derive(Debug, Clone)]
pub struct Actor {
    pub instance: u32,
    pub username: Box<str>,
    /// Followers on day 0.
    pub followers: u32,
    /// New followers a day.
    pub growth: u16,
    pub opt_out: OptOut,
    /// Answers 410 Gone: the actor opted out.
    pub gone: bool,
    /// The brand this actor posts for.
    pub brand: Option<u16>,
    /// A stable random number, for ids.
    pub key: u64,
}

/// A brand: tracked actors and, when owned, the token of its first actor's home server.
#[derive(Debug, Clone)]
pub struct Brand {
    pub name: String,
    pub actors: Vec<u32>,
    pub token: Option<String>,
}

/// A brand post.
#[derive(Debug, Clone)]
pub struct Post {
    pub brand: u16,
    pub actor: u32,
    /// Unix seconds.
    pub published: i64,
    pub key: u64,
}

/// An engagement with a brand post (thread replies included).
#[derive(Debug, Clone)]
pub struct Engagement {
    pub post: u32,
    pub actor: u32,
    pub kind: EngagementKind,
    /// 1 for a direct reply, 2+ for thread replies, 0 for the other kinds.
    pub depth: u8,
    /// An emoji reaction's emoji (index into [`EMOJIS`] plus one); 0 for none.
    pub emoji: u8,
    /// The reply this thread reply answers, or [`NO_PARENT`].
    pub parent: u32,
    /// Unix seconds.
    pub created: i64,
    /// When it was undone or deleted, [`NEVER`] if never.
    pub removed: i64,
}

/// No parent: the engagement is on the post itself.
pub const NO_PARENT: u32 = u32::MAX;
/// The brand index of the lure's post: past every brand, so no brand counts it.
pub const LURE_BRAND: u16 = u16::MAX;
/// A time that never comes.
pub const NEVER: i64 = i64::MAX;
/// The emoji reactions Misskey users give.
pub const EMOJIS: [&str; 6] = ["👍", "❤️", "🎉", "😆", ":blobcat:", "🍮"];

/// The generated world, seen on one day.
#[derive(Debug)]
pub struct World {
    pub(crate) seed: u64,
    pub(crate) scale: Scale,
    pub(crate) day: u32,
    pub(crate) scheme: &'static str,
    /// Unix seconds of the world's day 0 (fixed by the seed).
    pub(crate) day0: i64,
    pub(crate) instances: Vec<Instance>,
    pub(crate) actors: Vec<Actor>,
    pub(crate) brands: Vec<Brand>,
    /// Sorted by (actor, published).
    pub(crate) posts: Vec<Post>,
    /// Grouped by post (in post order), by creation time within a post.
    pub(crate) engagements: Vec<Engagement>,
    /// `post_starts[p]..post_starts[p + 1]` are post `p`'s engagements.
    pub(crate) post_starts: Vec<u32>,
    pub(crate) host_index: HashMap<String, u32>,
    /// The lure's actor (see [`World::lure`]).
    pub(crate) lure: u32,
}

impl World {
    /// Generates the world of `options` (deterministic: same options, same world).
    pub fn generate(options: &WorldOptions) -> Self {
        generate::generate(options)
    }

    /// The world of `options` with its day 0 at `day0` (Unix seconds): `demo` dates it
    /// relative to today, so "the last 7 days" of its dashboard hold posts.
    pub fn generate_at(options: &WorldOptions, day0: i64) -> Self {
        generate::generate_at(options, day0)
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn scale(&self) -> Scale {
        self.scale
    }

    pub fn day(&self) -> u32 {
        self.day
    }

    /// The world's clock on the day it is seen: Unix seconds, the same every run.
    pub fn now(&self) -> i64 {
        self.day0 + i64::from(self.day) * DAY
    }

    pub fn instances(&self) -> &[Instance] {
        &self.instances
    }

    pub fn actors(&self) -> &[Actor] {
        &self.actors
    }

    pub fn brands(&self) -> &[Brand] {
        &self.brands
    }

    /// Every generated post, published or not yet (see [`World::post_visible`]).
    pub fn posts(&self) -> &[Post] {
        &self.posts
    }

    pub fn engagements(&self) -> &[Engagement] {
        &self.engagements
    }

    /// The instance named `host`, if the world has it.
    pub fn instance_index(&self, host: &str) -> Option<u32> {
        self.host_index.get(host).copied()
    }

    /// The lure: `@lure@lure-1.example`, an account no brand tracks whose posts the
    /// hostile hosts engage with. A crawl that adds it as a brand meets them all; the
    /// truth leaves it out.
    pub fn lure(&self) -> String {
        self.handle(self.lure)
    }

    /// Whether a post counts in the truth: published by the day the world is seen, and a
    /// brand's (the lure's post is not).
    pub fn post_counted(&self, post: &Post) -> bool {
        self.post_visible(post) && usize::from(post.brand) < self.brands.len()
    }

    /// The hosts with a given behaviour.
    pub fn hosts_with(&self, quirk: Quirk) -> Vec<&str> {
        self.instances
            .iter()
            .filter(|i| i.quirk == quirk)
            .map(|i| i.host.as_str())
            .collect()
    }

    /// The engagements of post `post`, as a range of indices.
    pub fn engagements_of(&self, post: u32) -> Range<usize> {
        let p = post as usize;
        let start = self.post_starts.get(p).copied().unwrap_or(0) as usize;
        let end = self.post_starts.get(p + 1).copied().unwrap_or(0) as usize;
        start..end.max(start)
    }

    /// Whether a post is published by the day the world is seen.
    pub fn post_visible(&self, post: &Post) -> bool {
        post.published <= self.now()
    }

    /// The posts of `actor` published by the day the world is seen, in generation order.
    pub fn visible_posts_of(&self, actor: u32) -> impl Iterator<Item = u32> + '_ {
        self.posts
            .iter()
            .enumerate()
            .filter(move |(_, p)| p.actor == actor && self.post_visible(p))
            .filter_map(|(i, _)| u32::try_from(i).ok())
    }

    /// The engagements of `kind` with post `p` that its origin's API lists.
    pub fn listed_engagements_of(
        &self,
        p: u32,
        kind: EngagementKind,
    ) -> impl Iterator<Item = u32> + '_ {
        self.engagements_of(p)
            .filter_map(|i| u32::try_from(i).ok())
            .filter(move |&i| {
                self.engagements
                    .get(i as usize)
                    .is_some_and(|x| x.kind == kind && self.engagement_listed(x))
            })
    }

    /// Whether an engagement exists on the day the world is seen (made, not undone).
    pub fn engagement_visible(&self, e: &Engagement) -> bool {
        e.created <= self.now() && e.removed > self.now()
    }

    /// A post's engagements that exist on the day the world is seen, by kind: what its
    /// origin counts (the counters every software reports are made of these).
    pub fn visible_counts(&self, post: u32) -> fedireach_core::KindCounts {
        let mut counts = fedireach_core::KindCounts::default();
        for i in self.engagements_of(post) {
            if let Some(e) = self.engagements.get(i)
                && self.engagement_visible(e)
            {
                counts.record(e.kind);
            }
        }
        counts
    }

    /// Whether an origin's API lists the engagement: visible, and not by a deleted
    /// account (its server sent a Delete, which takes its likes, boosts, quotes and
    /// statuses off every list). The counts an origin reports still include them: the
    /// truth's `reported` figures are the origin's own counters.
    pub fn engagement_listed(&self, e: &Engagement) -> bool {
        self.engagement_visible(e) && self.actors.get(e.actor as usize).is_some_and(|a| !a.gone)
    }

    /// An actor's follower count on the day the world is seen: accounts gain their
    /// `growth` a day, except those of [`DECLINING_BRAND`], which lose as many (the
    /// follower-drop alert's case).
    pub fn followers(&self, actor: u32) -> u64 {
        self.actors.get(actor as usize).map_or(0, |a| {
            let change = u64::from(a.growth) * u64::from(self.day);
            if a.brand == Some(DECLINING_BRAND) {
                return u64::from(a.followers).saturating_sub(change);
            }
            u64::from(a.followers) + change
        })
    }

    /// The instance of an actor.
    pub fn instance_of(&self, actor: u32) -> Option<&Instance> {
        self.actors
            .get(actor as usize)
            .and_then(|a| self.instances.get(a.instance as usize))
    }

    /// The language an actor writes in, when they chose one: brand accounts write
    /// English; other people by the weights of [`LANGUAGES`], and the rest choose none.
    /// A function of the actor's stable key, so the world's random streams (and every
    /// other figure) are untouched.
    pub fn writes_in(&self, actor: u32) -> Option<&'static str> {
        let a = self.actors.get(actor as usize)?;
        if a.brand.is_some() {
            return Some("en");
        }
        let mut roll = (a.key.rotate_left(23) ^ 0x9e37_79b9_7f4a_7c15) % 100;
        for (language, weight) in LANGUAGES {
            if roll < weight {
                return Some(language);
            }
            roll -= weight;
        }
        None
    }

    /// The language that a note written by `actor` declares to other servers: the one
    /// they write in, where their software federates one
    /// ([`SimSoftware::language_field`]).
    pub fn declared_language(&self, actor: u32) -> Option<&'static str> {
        let software = self.instance_of(actor)?.software;
        if software.language_field() == LanguageField::None {
            return None;
        }
        self.writes_in(actor)
    }
}

/// The languages people write in, with their weight in 100; the remaining 8 choose
/// none (a Mastodon status may have no language).
pub const LANGUAGES: [(&str, u64); 6] = [
    ("en", 45),
    ("de", 15),
    ("fr", 10),
    ("ja", 10),
    ("es", 8),
    ("pt", 4),
];
