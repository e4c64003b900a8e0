//! Objects: the posts, videos, articles and comments whose engagement is measured.

use chrono::{DateTime, Utc};

use super::actor::first_url;
use super::collection::CollectionRef;
use super::tag::{Tag, hashtags};
use crate::addressing::Visibility;
use crate::context::JsonLdContext;
use crate::json::Fields;
use crate::quote::{Quote, extract_quote};

/// The type of an object.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ObjectKind {
    /// A short post.
    Note,
    /// A long post (blogs, BookWyrm reviews are `Review`).
    Article,
    /// A link post (Lemmy, NodeBB, WordPress).
    Page,
    /// A PeerTube video.
    Video,
    /// A picture post.
    Image,
    /// A Funkwhale track.
    Audio,
    /// A poll.
    Question,
    /// A Mobilizon event.
    Event,
    /// A BookWyrm review.
    Review,
    /// A BookWyrm comment.
    Comment,
    /// A BookWyrm quotation.
    Quotation,
    /// A deleted object.
    Tombstone,
    /// Any other type, kept as written (empty when the object has none).
    Other(String),
}

impl ObjectKind {
    fn parse(kind: &str) -> Option<Self> {
        Some(match kind {
            "Note" => Self::Note,
            "Article" => Self::Article,
            "Page" => Self::Page,
            "Video" => Self::Video,
            "Image" => Self::Image,
            "Audio" => Self::Audio,
            "Question" => Self::Question,
            "Event" => Self::Event,
            "Review" => Self::Review,
            "Comment" => Self::Comment,
            "Quotation" => Self::Quotation,
            "Tombstone" => Self::Tombstone,
            _ => return None,
        })
    }

    pub(crate) fn is_known(kind: &str) -> bool {
        Self::parse(kind).is_some()
    }
}

/// An ActivityStreams object.
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    /// The `@context` it was served with.
    pub ld_context: JsonLdContext,
    /// `id`, when given.
    pub id: Option<String>,
    /// The type.
    pub kind: ObjectKind,
    /// Authors: `attributedTo` as a string, an object or an array (PeerTube lists the
    /// account and the channel).
    pub attributed_to: Vec<String>,
    /// `published`.
    pub published: Option<DateTime<Utc>>,
    /// `updated`.
    pub updated: Option<DateTime<Utc>>,
    /// The HTML page (`url` as string, Link or array; `text/html` preferred).
    pub url: Option<String>,
    /// `inReplyTo`.
    pub in_reply_to: Option<String>,
    /// `to` addressees.
    pub to: Vec<String>,
    /// `cc` addressees.
    pub cc: Vec<String>,
    /// `content` (HTML), or the first `contentMap` value.
    pub content: Option<String>,
    /// `name` (titles of articles, pages, videos).
    pub name: Option<String>,
    /// `summary` (content warning or abstract).
    pub summary: Option<String>,
    /// `sensitive`.
    pub sensitive: Option<bool>,
    /// The language: the `contentMap` key whose text is `content` (else the first key in
    /// sorted order), or PeerTube's `language.identifier`.
    pub language: Option<String>,
    /// `tag` entries.
    pub tags: Vec<Tag>,
    /// `replies` collection.
    pub replies: Option<CollectionRef>,
    /// `likes` collection.
    pub likes: Option<CollectionRef>,
    /// `shares` collection.
    pub shares: Option<CollectionRef>,
    /// `comments` collection (PeerTube).
    pub comments: Option<CollectionRef>,
    /// `dislikes` collection (PeerTube).
    pub dislikes: Option<CollectionRef>,
    /// `context` (FEP-7888 thread context), when it is an id.
    pub context: Option<String>,
    /// `conversation` (OStatus thread id).
    pub conversation: Option<String>,
    /// The object this one quotes, from whichever form the server used.
    pub quote: Option<Quote>,
    /// `mediaType` of `content`.
    pub media_type: Option<String>,
}

impl Object {
    pub(crate) fn from_fields(fields: Fields<'_>, depth: usize) -> Self {
        let kind = fields
            .types()
            .into_iter()
            .find_map(|t| ObjectKind::parse(t.strip_prefix("as:").unwrap_or(t)))
            .unwrap_or_else(|| {
                ObjectKind::Other(fields.types().first().copied().unwrap_or("").to_owned())
            });
        let content_map = fields.obj("contentMap");
        // serde_json sorts keys, so document order is lost: prefer the language whose
        // text is `content` (Mastodon writes one of each).
        let plain_content = fields.str("content");
        let language = content_map
            .and_then(|map| {
                let usable = || map.0.iter().filter(|(k, _)| !k.trim().is_empty());
                let matching = usable().find(|(_, v)| {
                    plain_content.is_some() && v.as_str().map(str::trim) == plain_content.as_deref()
                });
                matching.or_else(|| usable().next()).map(|(k, _)| k.clone())
            })
            .or_else(|| fields.obj("language").and_then(|l| l.str("identifier")))
            .or_else(|| fields.str("language"));
        let content = plain_content.or_else(|| {
            content_map.and_then(|map| map.0.values().find_map(|v| v.as_str().map(str::to_owned)))
        });
        let tags = Tag::list(&fields);
        let collection = |key: &str| {
            fields
                .get(key)
                .and_then(|value| CollectionRef::from_value(value, depth))
        };
        Self {
            ld_context: JsonLdContext::from_value(fields.get("@context")),
            id: fields.str("id"),
            kind,
            attributed_to: fields.ids("attributedTo"),
            published: fields.date("published"),
            updated: fields.date("updated"),
            url: first_url(&fields),
            in_reply_to: fields.id("inReplyTo"),
            to: fields.ids("to"),
            cc: fields.ids("cc"),
            content,
            name: fields.str("name"),
            summary: fields.str("summary"),
            sensitive: fields.bool("sensitive"),
            language,
            quote: extract_quote(&fields, &tags),
            tags,
            replies: collection("replies"),
            likes: collection("likes"),
            shares: collection("shares"),
            comments: collection("comments"),
            dislikes: collection("dislikes"),
            context: fields.id("context"),
            conversation: fields.str("conversation"),
            media_type: fields.str("mediaType"),
        }
    }

    /// Who may see the object, from `to` and `cc` (see [`Visibility::from_addressing`]).
    pub fn visibility(&self) -> Visibility {
        Visibility::from_addressing(&self.to, &self.cc, None)
    }

    /// The object's hashtags, lower-cased and without `#`.
    pub fn hashtags(&self) -> Vec<String> {
        hashtags(&self.tags)
    }

    /// The first author.
    pub fn author(&self) -> Option<&str> {
        self.attributed_to.first().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn object(value: Value) -> Object {
        match Fields::of(&value) {
            Some(fields) => Object::from_fields(fields, 0),
            None => panic!("test document is not an object"),
        }
    }

    #[test]
    fn peertube_style_video() {
        let o = object(json!({
            "type": "Video", "id": "https://p/videos/watch/1",
            "attributedTo": [{"type": "Person", "id": "https://p/accounts/a"}, {"type": "Group", "id": "https://p/video-channels/c"}],
            "language": {"identifier": "fr", "name": "French"},
            "likes": "https://p/videos/watch/1/likes",
            "comments": {"type": "OrderedCollection", "totalItems": 4},
            "to": "https://www.w3.org/ns/activitystreams#Public"
        }));
        assert_eq!(o.kind, ObjectKind::Video);
        assert_eq!(o.attributed_to.len(), 2);
        assert_eq!(o.language.as_deref(), Some("fr"));
        assert_eq!(
            o.likes.as_ref().and_then(CollectionRef::url),
            Some("https://p/videos/watch/1/likes")
        );
        assert_eq!(
            o.comments.as_ref().and_then(CollectionRef::total_items),
            Some(4)
        );
        assert_eq!(o.visibility(), Visibility::Public);
    }

    #[test]
    fn content_map_gives_language_and_content() {
        let o = object(json!({"type": "Note", "contentMap": {"de": "<p>Hallo</p>"}}));
        assert_eq!(o.language.as_deref(), Some("de"));
        assert_eq!(o.content.as_deref(), Some("<p>Hallo</p>"));
        let two = object(json!({"type": "Note", "content": "Salut",
            "contentMap": {"en": "Hello", "fr": "Salut"}}));
        assert_eq!(two.language.as_deref(), Some("fr"));
        let other = object(json!({"type": "ChatMessage"}));
        assert_eq!(other.kind, ObjectKind::Other("ChatMessage".to_owned()));
    }
}
