//! Activities: what an actor did to an object (created, boosted, liked, deleted...).

use chrono::{DateTime, Utc};

use super::ObjectRef;
use super::tag::{Tag, TagKind};
use crate::context::JsonLdContext;
use crate::json::Fields;

/// Longest text read as a reaction emoji; a longer `content` is a comment, not an emoji.
const MAX_REACTION_CHARS: usize = 64;

/// The type of an activity.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ActivityKind {
    /// Publishes an object.
    Create,
    /// Boosts (shares) an object.
    Announce,
    /// Likes an object (Misskey emoji reactions are Likes with `_misskey_reaction`).
    Like,
    /// An emoji reaction (Pleroma, Akkoma: `EmojiReact`; some send `EmojiReaction`).
    EmojiReact,
    /// A down-vote (Lemmy, PeerTube).
    Dislike,
    /// Deletes an object or actor.
    Delete,
    /// Undoes another activity.
    Undo,
    /// Edits an object or actor.
    Update,
    /// Follows an actor.
    Follow,
    /// Accepts a follow.
    Accept,
    /// Rejects a follow.
    Reject,
    /// Adds to a collection (pins, moderators).
    Add,
    /// Removes from a collection.
    Remove,
    /// Reports content.
    Flag,
    /// Blocks an actor.
    Block,
    /// Moves an account.
    Move,
    /// Any other activity type (Lemmy's `Lock`, `Warn`...), kept as written.
    Other(String),
}

impl ActivityKind {
    fn parse(kind: &str) -> Option<Self> {
        Some(match kind {
            "Create" => Self::Create,
            "Announce" => Self::Announce,
            "Like" => Self::Like,
            "EmojiReact" | "EmojiReaction" | "litepub:EmojiReact" => Self::EmojiReact,
            "Dislike" => Self::Dislike,
            "Delete" => Self::Delete,
            "Undo" => Self::Undo,
            "Update" => Self::Update,
            "Follow" => Self::Follow,
            "Accept" => Self::Accept,
            "Reject" => Self::Reject,
            "Add" => Self::Add,
            "Remove" => Self::Remove,
            "Flag" => Self::Flag,
            "Block" => Self::Block,
            "Move" => Self::Move,
            _ => return None,
        })
    }

    pub(crate) fn is_known(kind: &str) -> bool {
        Self::parse(kind).is_some()
            || matches!(
                kind,
                "Lock" | "Read" | "View" | "Listen" | "Join" | "Leave" | "Invite" | "Offer"
            )
    }
}

/// An ActivityStreams activity.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    /// The `@context` it was served with.
    pub ld_context: JsonLdContext,
    /// `id`, when given.
    pub id: Option<String>,
    /// The type.
    pub kind: ActivityKind,
    /// The actor id (the first, when several are given).
    pub actor: Option<String>,
    /// `object`: one or several (a `Flag` lists the reported account and posts).
    pub objects: Vec<ObjectRef>,
    /// `target` id (the collection of an `Add`).
    pub target: Option<String>,
    /// `published`.
    pub published: Option<DateTime<Utc>>,
    /// `to` addressees.
    pub to: Vec<String>,
    /// `cc` addressees.
    pub cc: Vec<String>,
    /// `content` (a report's comment, a reaction's emoji...).
    pub content: Option<String>,
    /// `tag` entries (custom emoji of a reaction).
    pub tags: Vec<Tag>,
    /// The emoji of a reaction: `_misskey_reaction`, else the `content` of a `Like` or
    /// `EmojiReact`.
    pub reaction: Option<String>,
}

impl Activity {
    pub(crate) fn from_fields(fields: Fields<'_>, depth: usize) -> Self {
        let kind = fields
            .types()
            .into_iter()
            .find_map(|t| ActivityKind::parse(t.strip_prefix("as:").unwrap_or(t)))
            .unwrap_or_else(|| {
                ActivityKind::Other(fields.types().first().copied().unwrap_or("").to_owned())
            });
        let content = fields.str("content");
        let reaction = fields.str("_misskey_reaction").or_else(|| {
            matches!(kind, ActivityKind::Like | ActivityKind::EmojiReact)
                .then(|| content.clone())
                .flatten()
        });
        let reaction = reaction
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty() && r.chars().count() <= MAX_REACTION_CHARS);
        Self {
            ld_context: JsonLdContext::from_value(fields.get("@context")),
            id: fields.str("id"),
            kind,
            actor: fields.id("actor"),
            objects: fields
                .many("object")
                .filter_map(|value| ObjectRef::from_value(value, depth))
                .collect(),
            target: fields.id("target"),
            published: fields.date("published"),
            to: fields.ids("to"),
            cc: fields.ids("cc"),
            content,
            tags: Tag::list(&fields),
            reaction,
        }
    }

    /// The (first) object.
    pub fn object(&self) -> Option<&ObjectRef> {
        self.objects.first()
    }

    /// The id of the (first) object.
    pub fn object_id(&self) -> Option<&str> {
        self.object().and_then(ObjectRef::id)
    }

    /// The image of a custom-emoji reaction (`:blobcat:`), from the `Emoji` tags.
    pub fn reaction_icon(&self) -> Option<&str> {
        let reaction = self.reaction.as_deref()?;
        self.tags
            .iter()
            .filter(|tag| tag.kind == TagKind::Emoji)
            .find(|tag| tag.name.as_deref().map(str::trim) == Some(reaction))
            .and_then(|tag| tag.icon.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn activity(value: Value) -> Activity {
        match Fields::of(&value) {
            Some(fields) => Activity::from_fields(fields, 0),
            None => panic!("test document is not an object"),
        }
    }

    #[test]
    fn reactions_from_every_server_family() {
        let cases = [
            (
                json!({"type": "Like", "_misskey_reaction": "👍", "content": "👍"}),
                Some("👍"),
            ),
            (json!({"type": "Like", "content": ":blob:"}), Some(":blob:")),
            (json!({"type": "EmojiReact", "content": "🎉"}), Some("🎉")),
            (json!({"type": "Like"}), None),
            (json!({"type": "Create", "content": "<p>hi</p>"}), None),
            (json!({"type": "Like", "content": "x".repeat(200)}), None),
        ];
        for (input, expected) in cases {
            assert_eq!(
                activity(input.clone()).reaction.as_deref(),
                expected,
                "{input}"
            );
        }
    }

    #[test]
    fn custom_emoji_icon_and_objects() {
        let a = activity(json!({
            "type": "Like", "actor": {"id": "https://k/u", "type": "Person"},
            "object": ["https://m/s/1", {"id": "https://m/s/2", "type": "Note"}],
            "content": ":blob:",
            "tag": [{"type": "Emoji", "name": ":blob:", "icon": {"url": "https://k/blob.png"}}]
        }));
        assert_eq!(a.actor.as_deref(), Some("https://k/u"));
        assert_eq!(a.objects.len(), 2);
        assert_eq!(a.object_id(), Some("https://m/s/1"));
        assert_eq!(a.reaction_icon(), Some("https://k/blob.png"));
    }
}
