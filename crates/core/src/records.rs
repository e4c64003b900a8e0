//! What a crawl found, as the store writes it: instances, engagers, posts and
//! engagements. Plain data shared by the crawler (which produces it) and the store (which
//! writes it idempotently), so neither depends on the other.

use crate::{EngagementKind, Host, Software, SoftwareSource};

/// What a crawl learned of an instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceRecord {
    pub host: Host,
    pub software: Software,
    pub software_version: Option<String>,
    pub software_source: SoftwareSource,
    pub users_total: Option<i64>,
    pub users_active_month: Option<i64>,
}

/// An engager (or a brand actor) as a crawl saw it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActorRecord {
    /// The actor id; stored only as its keyed hash.
    pub actor_uri: String,
    /// `user@domain`, where known; stored as a hash, and in the clear only where allowed.
    pub handle: Option<String>,
    pub webfinger_domain: Option<String>,
    pub followers_count: Option<i64>,
    /// `None`: the flag was missing, which means not indexable.
    pub indexable: Option<bool>,
    pub discoverable: Option<bool>,
    pub noindex: bool,
    /// `#nobot` and its kin in the bio.
    pub nobot: bool,
    pub display_name: Option<String>,
    pub avatar_url: Option<String>,
}

impl ActorRecord {
    /// Why this engager may not be named, if it may not (BRIEF section 3).
    pub fn opt_out_reason(&self) -> Option<&'static str> {
        if self.nobot {
            Some("nobot")
        } else if self.noindex {
            Some("noindex")
        } else if self.discoverable == Some(false) {
            Some("not_discoverable")
        } else if self.indexable != Some(true) {
            Some("not_indexable")
        } else {
            None
        }
    }
}

/// A post of a tracked actor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PostRecord {
    pub uri: String,
    pub author_uri: String,
    pub host: String,
    pub published_at: i64,
    pub object_type: String,
    pub url: Option<String>,
    pub language: Option<String>,
    /// `public` or `unlisted`; anything else is never stored.
    pub visibility: String,
    pub is_boost: bool,
    pub boosted_uri: Option<String>,
    pub summary: Option<String>,
    pub content_excerpt: Option<String>,
    pub reported_replies: Option<i64>,
    pub reported_likes: Option<i64>,
    pub reported_boosts: Option<i64>,
    pub reported_quotes: Option<i64>,
    /// How each kind's count is known (`None`: not recorded by this writer).
    pub coverage: Option<crate::PostCoverage>,
    pub hashtags: Vec<String>,
}

/// An engagement with a post already stored (or in the same batch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngagementRecord {
    pub post_uri: String,
    pub kind: EngagementKind,
    /// The engager, written in the same batch or before.
    pub actor_uri: String,
    /// The engager's instance.
    pub host: Host,
    /// The engagement's own id (reply, quote, Like or Announce activity), where it has one.
    pub uri: Option<String>,
    pub depth: Option<i64>,
    pub emoji: Option<String>,
    pub content_excerpt: Option<String>,
    /// The source strategy that found it (`mastodon_api`, `activitypub`...).
    pub source: String,
    pub happened_at: Option<i64>,
    /// A reply's or quote's declared language, or [`crate::Language::UNDECLARED`];
    /// `None` for likes and boosts.
    pub language: Option<crate::Language>,
}

/// A crawl's findings, written together.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batch {
    pub instances: Vec<InstanceRecord>,
    pub actors: Vec<ActorRecord>,
    pub posts: Vec<PostRecord>,
    pub engagements: Vec<EngagementRecord>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opt_out_reasons() {
        let base = ActorRecord {
            indexable: Some(true),
            ..ActorRecord::default()
        };
        let cases = [
            (base.clone(), None),
            (
                ActorRecord {
                    indexable: None,
                    ..base.clone()
                },
                Some("not_indexable"),
            ),
            (
                ActorRecord {
                    indexable: Some(false),
                    ..base.clone()
                },
                Some("not_indexable"),
            ),
            (
                ActorRecord {
                    discoverable: Some(false),
                    ..base.clone()
                },
                Some("not_discoverable"),
            ),
            (
                ActorRecord {
                    discoverable: Some(true),
                    ..base.clone()
                },
                None,
            ),
            (
                ActorRecord {
                    noindex: true,
                    ..base.clone()
                },
                Some("noindex"),
            ),
            (
                ActorRecord {
                    nobot: true,
                    indexable: None,
                    ..base.clone()
                },
                Some("nobot"),
            ),
        ];
        for (record, expected) in cases {
            assert_eq!(record.opt_out_reason(), expected, "{record:?}");
        }
    }
}

/// How a host answered a crawl, as the instance page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reachability {
    /// It answered (any status below 500).
    Ok,
    /// It did not answer, or only with 5xx; the store makes it `dead` when the crawl
    /// before found it failing too.
    Failing,
}

impl Reachability {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Failing => "failing",
        }
    }
}

/// What a host's robots.txt let a crawl do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RobotsState {
    /// No robots.txt (4xx) or no rules.
    Allowed,
    /// Rules that leave the root open and may close some paths.
    Partial,
    /// Rules that close the root to us.
    Disallowed,
    /// robots.txt could not be read (5xx, unreachable): nothing was asked of the host.
    Unknown,
}

impl RobotsState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allowed => "allowed",
            Self::Partial => "partial",
            Self::Disallowed => "disallowed",
            Self::Unknown => "unknown",
        }
    }
}

/// What one crawl learned of how a host can be crawled (the `instances` columns
/// `reachability`, `last_error`, `robots_state`, `crawl_delay_ms`,
/// `requires_signature`). Only hosts the crawl asked something of have one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostHealth {
    pub host: Host,
    pub reachability: Reachability,
    /// The first failure of the crawl on this host, if any.
    pub last_error: Option<String>,
    /// `None` when robots.txt was not asked in this crawl.
    pub robots: Option<RobotsState>,
    pub crawl_delay_ms: Option<u64>,
    /// It refused an unsigned ActivityPub GET (401/403): it wants signed fetches. A
    /// crawl that signs every request cannot tell, so `false` is "not seen".
    pub refused_unsigned: bool,
    /// What it refused in this crawl, as `REASON:ROUTE` (`robots_txt:activitypub`,
    /// `authorized_fetch:api`...), the consent report's words; sorted.
    pub refusals: Vec<String>,
}
