//! The facts the analytics compute from: plain rows that the store exports and the
//! analytics load, so neither crate depends on the other (the store knows no polars, the
//! analytics no SQL). Times are Unix seconds, UTC. Ids are the store's row ids.

use serde::{Deserialize, Serialize};

use crate::EngagementKind;

/// A tracked actor of a brand. A post belongs to every brand that tracks its author.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrandActorFact {
    pub brand_id: i64,
    pub brand: String,
    /// Owned brands (with a token) may show who engaged; watched ones never do.
    pub owned: bool,
    pub tracked_actor_id: i64,
    /// The resolved actor id; `None` until the first crawl resolved it.
    pub actor_uri: Option<String>,
    /// The tracked actor's instance.
    pub host: String,
}

/// An object published by a tracked actor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostFact {
    pub post_id: i64,
    pub uri: String,
    pub author_uri: String,
    /// The origin instance (the author's).
    pub host: String,
    pub published_at: i64,
    pub object_type: String,
    /// A boost by the brand: kept, never a brand post.
    pub is_boost: bool,
    /// Deleted at the origin: leaves every figure.
    pub deleted: bool,
    pub reported_replies: Option<i64>,
    pub reported_likes: Option<i64>,
    pub reported_boosts: Option<i64>,
    pub reported_quotes: Option<i64>,
    /// How each kind's count is known; `None` for a post stored before it was recorded.
    #[serde(default)]
    pub coverage: Option<crate::PostCoverage>,
    /// Lower-cased, without `#`.
    pub hashtags: Vec<String>,
}

/// One engagement with a post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngagementFact {
    pub engagement_id: i64,
    pub post_id: i64,
    pub kind: EngagementKind,
    /// The engager (an [`ActorFact`]).
    pub actor_id: i64,
    /// The engager's instance.
    pub host: String,
    pub happened_at: Option<i64>,
    pub first_seen_at: i64,
    /// Gone from its source since (undone, deleted): leaves every figure.
    pub removed_at: Option<i64>,
    /// By one of the brand's own tracked actors: stored, never in reach figures.
    pub is_self: bool,
    /// A reply's or quote's declared language, [`crate::UNDECLARED`] where it declares
    /// none; `None` for likes and boosts, and for replies found before languages were
    /// read (not recorded).
    #[serde(default)]
    pub language: Option<String>,
}

/// An engager, without anything that names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActorFact {
    pub actor_id: i64,
    pub host: String,
    pub followers_count: Option<i64>,
    /// Whether the store keeps a name for it (an indexable engager of an owned brand,
    /// BRIEF section 3): only such engagers may be listed one by one.
    #[serde(default)]
    pub named: bool,
}

/// An instance and its software.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceFact {
    pub host: String,
    pub software: String,
    pub family: String,
    pub users_active_month: Option<i64>,
}

/// A tracked actor's follower count at one crawl.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowerSnapshotFact {
    pub crawl_id: i64,
    pub tracked_actor_id: i64,
    pub taken_at: i64,
    pub followers: Option<i64>,
}

/// One line of a crawl's consent report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentFact {
    pub crawl_id: i64,
    pub crawl_started_at: i64,
    pub subject: crate::ConsentSubject,
    pub action: crate::ConsentAction,
    /// A [`crate::ConsentReason`]'s word, `REASON:ROUTE` for a refused route.
    pub reason: String,
    pub count: i64,
}

/// Everything the analytics need, as exported by the store.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    pub brand_actors: Vec<BrandActorFact>,
    pub posts: Vec<PostFact>,
    pub engagements: Vec<EngagementFact>,
    pub actors: Vec<ActorFact>,
    pub instances: Vec<InstanceFact>,
    pub follower_snapshots: Vec<FollowerSnapshotFact>,
    pub consent: Vec<ConsentFact>,
}

/// Where a columnar copy of the facts stands against the store it was made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactsStamp {
    /// The store's random id: a copy of another database is never taken for this one's.
    pub store_id: String,
    /// The last engagement change the copy holds (the store's change log sequence).
    pub log_seq: i64,
    /// The version of the other fact tables the copy holds.
    pub version: i64,
}

/// What brings a columnar copy of the facts up to date with the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FactsUpdate {
    /// The copy holds the store's facts as they are.
    Current,
    /// Every fact: the copy is missing, of another store, or too old to catch up.
    Full { facts: Facts, stamp: FactsStamp },
    /// The copy at `base` catches up to `stamp`: every table but the engagements whole,
    /// the engagements inserted or changed since `base`, and the ids of those deleted.
    Changes {
        facts: Facts,
        removed: Vec<i64>,
        base: FactsStamp,
        stamp: FactsStamp,
    },
}
