//! What a crawl is asked to do.

use chrono::{DateTime, Utc};
use fedireach_core::ActorRef;

/// The brands to crawl.
#[derive(Debug, Clone)]
pub struct CrawlPlan {
    pub brands: Vec<BrandPlan>,
    /// Posts published before this are not walked (`None`: all).
    pub since: Option<DateTime<Utc>>,
    /// At most this many posts per tracked actor (newest first).
    pub max_posts: Option<usize>,
}

/// One brand.
#[derive(Debug, Clone)]
pub struct BrandPlan {
    pub name: String,
    /// The read-only token of an owned brand, valid on its first actor's home server.
    pub token: Option<String>,
    pub actors: Vec<ActorPlan>,
}

/// One tracked actor.
#[derive(Debug, Clone)]
pub struct ActorPlan {
    pub tracked_actor_id: i64,
    pub input: ActorRef,
}

/// How the crawler behaves beyond politeness.
#[derive(Debug, Clone)]
pub struct CrawlOptions {
    /// Largest document parsed (the fetcher already refused larger ones).
    pub max_document_bytes: usize,
    /// Levels of thread replies followed below a direct reply.
    pub reply_depth: u32,
    /// Posts crawled at once per tracked actor.
    pub post_concurrency: usize,
    /// How handles are resolved: `https`, or `http` where the config allows http ids.
    pub handle_scheme: &'static str,
    /// Items read at most from one collection, and pages: past either the host is
    /// reported `over_limit` and what was read is kept.
    pub max_items_per_collection: usize,
    pub max_pages_per_collection: usize,
    /// Items read at most for one post, from all its collections together.
    pub max_items_per_post: usize,
}
