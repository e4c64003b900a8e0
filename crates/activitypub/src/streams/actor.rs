//! Actors: the accounts, channels, groups and services that post and engage.

use chrono::{DateTime, Utc};

use super::tag::Tag;
use crate::context::JsonLdContext;
use crate::error::ParseError;
use crate::json::Fields;

/// The type of an actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ActorKind {
    /// A person's account.
    Person,
    /// A bot or automated account.
    Service,
    /// A server's own actor (instance actors, relays).
    Application,
    /// A community, a PeerTube channel, a group.
    Group,
    /// An organisation's account.
    Organization,
}

impl ActorKind {
    pub(crate) fn parse(kind: &str) -> Option<Self> {
        Some(match kind {
            "Person" => Self::Person,
            "Service" => Self::Service,
            "Application" => Self::Application,
            "Group" => Self::Group,
            "Organization" => Self::Organization,
            _ => return None,
        })
    }
}

/// An actor's `publicKey`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    /// The key id (what a signature's `keyId` names).
    pub id: Option<String>,
    /// The actor owning the key.
    pub owner: Option<String>,
    /// The PEM-encoded key.
    pub public_key_pem: Option<String>,
}

/// An ActivityPub actor.
#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    /// The `@context` the actor was served with.
    pub ld_context: JsonLdContext,
    /// The actor id (required).
    pub id: String,
    /// The actor type (a shape-detected actor of unknown type reads as `Person`).
    pub kind: ActorKind,
    /// The handle's local part.
    pub preferred_username: Option<String>,
    /// The display name.
    pub name: Option<String>,
    /// The bio, as HTML.
    pub summary: Option<String>,
    /// The profile page (first `url`, as string or Link).
    pub url: Option<String>,
    /// Inbox URL.
    pub inbox: Option<String>,
    /// Outbox URL.
    pub outbox: Option<String>,
    /// Followers collection URL.
    pub followers: Option<String>,
    /// Following collection URL.
    pub following: Option<String>,
    /// Featured (pinned) collection URL.
    pub featured: Option<String>,
    /// `endpoints.sharedInbox` (or a top-level `sharedInbox`, as Misskey also writes).
    pub shared_inbox: Option<String>,
    /// The `user@host` address some servers state (`webfinger`: WordPress, Mitra).
    pub webfinger: Option<String>,
    /// `alsoKnownAs`: the actor's other ids (account moves).
    pub also_known_as: Vec<String>,
    /// The signing key.
    pub public_key: Option<PublicKey>,
    /// Mastodon's `indexable`: `None` when absent (which means "not indexable").
    pub indexable: Option<bool>,
    /// `discoverable`, when given.
    pub discoverable: Option<bool>,
    /// `noindex` (Misskey family, some forks), when given.
    pub noindex: Option<bool>,
    /// `manuallyApprovesFollowers`, when given.
    pub locked: Option<bool>,
    /// Tags of the profile (hashtags, emoji).
    pub tags: Vec<Tag>,
    /// The avatar URL.
    pub icon: Option<String>,
    /// `published` (account creation), when given.
    pub published: Option<DateTime<Utc>>,
    /// `attributedTo`: a PeerTube channel's owning account, a Lemmy group's moderators.
    pub attributed_to: Vec<String>,
}

impl Actor {
    pub(crate) fn from_fields(fields: Fields<'_>) -> Result<Self, ParseError> {
        let id = fields.str("id").ok_or(ParseError::MissingField {
            document: "an actor",
            field: "id",
        })?;
        let kind = fields
            .types()
            .into_iter()
            .find_map(|t| ActorKind::parse(t.strip_prefix("as:").unwrap_or(t)))
            .unwrap_or(ActorKind::Person);
        let endpoints = fields.obj("endpoints");
        Ok(Self {
            ld_context: JsonLdContext::from_value(fields.get("@context")),
            id,
            kind,
            preferred_username: fields.str("preferredUsername"),
            name: fields.str("name"),
            summary: fields.str("summary"),
            url: first_url(&fields),
            inbox: fields.id("inbox"),
            outbox: fields.id("outbox"),
            followers: fields.id("followers"),
            following: fields.id("following"),
            featured: fields.id("featured"),
            shared_inbox: endpoints
                .and_then(|e| e.id("sharedInbox"))
                .or_else(|| fields.id("sharedInbox")),
            webfinger: fields.str("webfinger").map(|w| {
                w.trim_start_matches("acct:")
                    .trim_start_matches('@')
                    .to_owned()
            }),
            also_known_as: fields.ids("alsoKnownAs"),
            public_key: fields
                .many("publicKey")
                .find_map(Fields::of)
                .map(|key| PublicKey {
                    id: key.str("id"),
                    owner: key.id("owner"),
                    public_key_pem: key.str("publicKeyPem"),
                }),
            // Takahē writes the compact IRI as the key.
            indexable: fields
                .bool("indexable")
                .or_else(|| fields.bool("toot:indexable")),
            discoverable: fields
                .bool("discoverable")
                .or_else(|| fields.bool("toot:discoverable")),
            noindex: fields.bool("noindex"),
            locked: fields.bool("manuallyApprovesFollowers"),
            tags: Tag::list(&fields),
            icon: fields.many("icon").find_map(|icon| match Fields::of(icon) {
                Some(icon) => icon.id("url"),
                None => crate::json::id_of(icon),
            }),
            published: fields.date("published"),
            attributed_to: fields.ids("attributedTo"),
        })
    }
}

/// The first URL of a `url` field, preferring an HTML page among several links.
pub(crate) fn first_url(fields: &Fields<'_>) -> Option<String> {
    let mut first = None;
    for value in fields.many("url") {
        let Some(href) = crate::json::id_of(value) else {
            continue;
        };
        let html = Fields::of(value)
            .and_then(|link| link.str("mediaType"))
            .is_some_and(|media| media.starts_with("text/html"));
        if html {
            return Some(href);
        }
        first.get_or_insert(href);
    }
    first
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reads_mastodon_style_actor() {
        let doc = json!({
            "@context": ["https://www.w3.org/ns/activitystreams"],
            "id": "https://m.example/users/a", "type": "Service",
            "preferredUsername": "a", "inbox": "https://m.example/users/a/inbox",
            "endpoints": {"sharedInbox": "https://m.example/inbox"},
            "publicKey": {"id": "https://m.example/users/a#main-key", "owner": "https://m.example/users/a", "publicKeyPem": "PEM"},
            "indexable": false, "discoverable": "true",
            "icon": [{"type": "Image", "url": "https://m.example/a.png"}],
            "url": [{"type": "Link", "mediaType": "image/png", "href": "https://x/p"},
                    {"type": "Link", "mediaType": "text/html", "href": "https://m.example/@a"}]
        });
        let Some(fields) = Fields::of(&doc) else {
            panic!("object");
        };
        let actor = Actor::from_fields(fields).expect("the sample parses");
        assert_eq!(actor.kind, ActorKind::Service);
        assert_eq!(
            actor.shared_inbox.as_deref(),
            Some("https://m.example/inbox")
        );
        assert_eq!(actor.indexable, Some(false));
        assert_eq!(actor.discoverable, Some(true));
        assert_eq!(actor.icon.as_deref(), Some("https://m.example/a.png"));
        assert_eq!(actor.url.as_deref(), Some("https://m.example/@a"));
        assert_eq!(
            actor.public_key.and_then(|k| k.public_key_pem).as_deref(),
            Some("PEM")
        );
    }
}
