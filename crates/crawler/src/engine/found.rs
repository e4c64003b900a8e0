//! What sources find: engagements with whatever the source already told of the engager.

use fedireach_activitypub::{Account, OptOut, OptOutReason, html_to_text};
use fedireach_core::{ActorRecord, Coverage, EngagementKind, PostCoverage, Unavailable};

/// Longest excerpt kept of a reply's or quote's text (only where consent allows).
pub const EXCERPT_CHARS: usize = 280;

/// What is known of an engager.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EngagerFacts {
    pub handle: Option<String>,
    pub followers: Option<i64>,
    pub indexable: Option<bool>,
    pub discoverable: Option<bool>,
    pub noindex: bool,
    pub nobot: bool,
    pub display_name: Option<String>,
    pub avatar: Option<String>,
    /// The reason it may not be named, if any.
    pub opt_out: Option<fedireach_core::ConsentReason>,
}

impl EngagerFacts {
    /// From a Mastodon-compatible Account (which carries follower count and flags).
    pub fn from_account(account: &Account, host_hint: Option<&str>) -> Self {
        let opt = account.opt_out();
        let handle = match (&account.acct, host_hint) {
            (Some(acct), _) if acct.contains('@') => Some(acct.clone()),
            (Some(acct), Some(host)) => Some(format!("{acct}@{host}")),
            (None, Some(host)) => Some(format!("{}@{host}", account.username)),
            _ => None,
        };
        Self {
            handle,
            followers: account.followers_count.and_then(|n| i64::try_from(n).ok()),
            indexable: account.indexable,
            discoverable: account.discoverable,
            noindex: account.noindex.unwrap_or(false),
            nobot: opt.bio_hashtag.is_some(),
            display_name: account.display_name.clone(),
            avatar: None,
            opt_out: opt.reason.as_ref().map(OptOutReason::consent_reason),
        }
    }

    /// From the opt-out reading of an actor document.
    pub fn from_opt_out(
        opt: &OptOut,
        indexable: Option<bool>,
        discoverable: Option<bool>,
        noindex: Option<bool>,
    ) -> Self {
        Self {
            indexable,
            discoverable,
            noindex: noindex.unwrap_or(false),
            nobot: opt.bio_hashtag.is_some(),
            opt_out: opt.reason.as_ref().map(OptOutReason::consent_reason),
            ..Self::default()
        }
    }

    pub fn record(&self, actor_uri: &str, webfinger_domain: Option<String>) -> ActorRecord {
        ActorRecord {
            actor_uri: actor_uri.to_owned(),
            handle: self.handle.clone(),
            webfinger_domain,
            followers_count: self.followers,
            indexable: self.indexable,
            discoverable: self.discoverable,
            noindex: self.noindex,
            nobot: self.nobot,
            display_name: self.display_name.clone(),
            avatar_url: self.avatar.clone(),
        }
    }
}

/// A reply's kind from its depth below the post: 1 is a direct reply, deeper ones are
/// thread replies.
pub fn reply_kind(depth: u32) -> EngagementKind {
    if depth == 1 {
        EngagementKind::Reply
    } else {
        EngagementKind::ThreadReply
    }
}

/// One engagement found by a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub kind: EngagementKind,
    pub actor_uri: String,
    /// The engagement's own id (the reply, the Like, the Announce).
    pub uri: Option<String>,
    pub depth: Option<i64>,
    pub emoji: Option<String>,
    /// Plain text, bounded; stored only where consent allows.
    pub excerpt: Option<String>,
    pub happened_at: Option<i64>,
    /// A reply's or quote's declared language.
    pub language: Option<fedireach_core::Language>,
    pub source: &'static str,
    pub engager: Option<EngagerFacts>,
}

impl Found {
    pub fn new(kind: EngagementKind, actor_uri: impl Into<String>, source: &'static str) -> Self {
        Self {
            kind,
            actor_uri: actor_uri.into(),
            uri: None,
            depth: None,
            emoji: None,
            excerpt: None,
            happened_at: None,
            language: None,
            source,
            engager: None,
        }
    }

    /// A reply (or thread reply) at `depth`: the note `id`, with its author, time, text
    /// and declared language; `None` for a note that names no author.
    pub fn reply(
        depth: u32,
        id: String,
        note: &fedireach_activitypub::Object,
        source: &'static str,
    ) -> Option<Self> {
        let author = note.author()?.to_owned();
        let mut found = Self::new(reply_kind(depth), author, source)
            .with_text(note.content.as_deref())
            .with_language(note.language.as_deref());
        found.uri = Some(id);
        found.depth = Some(i64::from(depth));
        found.happened_at = note.published.map(|t| t.timestamp());
        Some(found)
    }

    /// The language its author's server declared, reduced to its primary subtag.
    pub fn with_language(mut self, tag: Option<&str>) -> Self {
        self.language = tag.and_then(fedireach_core::Language::parse);
        self
    }

    pub fn with_text(mut self, html: Option<&str>) -> Self {
        self.excerpt = html
            .map(|h| html_to_text(h, EXCERPT_CHARS))
            .filter(|t| !t.is_empty());
        self
    }
}

/// Everything found for one post.
#[derive(Debug, Clone, Default)]
pub struct PostFindings {
    pub found: Vec<Found>,
    /// Kinds whose listing was read to its end: what is not in it is gone.
    pub complete: Vec<EngagementKind>,
    pub reported_replies: Option<i64>,
    pub reported_likes: Option<i64>,
    pub reported_boosts: Option<i64>,
    pub reported_quotes: Option<i64>,
    /// Kinds whose listing the source read (in full or not): their counts are itemised.
    pub listed: Vec<EngagementKind>,
    /// Kinds a source could not read, and why (a refusal, a token it lacked).
    pub blocked: Vec<(EngagementKind, Unavailable)>,
}

impl PostFindings {
    pub fn complete(&mut self, kind: EngagementKind) {
        if !self.complete.contains(&kind) {
            self.complete.push(kind);
        }
        self.listed(kind);
    }

    /// The source read a listing of `kind` (thread replies count as replies).
    pub fn listed(&mut self, kind: EngagementKind) {
        let kind = counted(kind);
        if !self.listed.contains(&kind) {
            self.listed.push(kind);
        }
    }

    /// The source could not read `kind`, for `why` (the first reason found stands).
    pub fn blocked(&mut self, kind: EngagementKind, why: Unavailable) {
        let kind = counted(kind);
        if !self.blocked.iter().any(|(k, _)| *k == kind) {
            self.blocked.push((kind, why));
        }
    }

    /// What the sources gave of each kind: itemised where a listing was read, reported
    /// where only the origin's count was, else unavailable with the reason met (a
    /// refusal, a token lacking), or not exposed when nothing offered it at all.
    pub fn coverage(&self) -> PostCoverage {
        let mut coverage = PostCoverage::all(Coverage::Unavailable(Unavailable::NotExposed));
        for kind in PostCoverage::KINDS {
            let reported = match kind {
                EngagementKind::Reply => self.reported_replies,
                EngagementKind::Boost => self.reported_boosts,
                EngagementKind::Like => self.reported_likes,
                _ => self.reported_quotes,
            };
            let known = if self.listed.contains(&kind) {
                Coverage::Itemised
            } else if reported.is_some() {
                Coverage::Reported
            } else {
                Coverage::Unavailable(
                    self.blocked
                        .iter()
                        .find(|(k, _)| *k == kind)
                        .map_or(Unavailable::NotExposed, |(_, why)| *why),
                )
            };
            coverage.set(kind, known);
        }
        coverage
    }
}

/// The kind a count is kept under: thread replies are replies.
fn counted(kind: EngagementKind) -> EngagementKind {
    match kind {
        EngagementKind::ThreadReply => EngagementKind::Reply,
        other => other,
    }
}
