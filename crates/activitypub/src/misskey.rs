//! The Misskey-family API (Misskey, Sharkey, Firefish, Iceshrimp, CherryPick...):
//! notes and their reactions, renotes, replies and quotes.
//!
//! Misskey notes carry no `likes`/`shares` collections over ActivityPub; the public
//! endpoints `notes/show`, `notes/reactions`, `notes/renotes` and `notes/children`
//! (all `POST` with a JSON body) are where engagement is itemised.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::addressing::Visibility;
use crate::error::ParseError;
use crate::json::{self, Fields};
use crate::listing::{Listing, parse_array};

/// How deep embedded `renote`/`reply` notes are read.
const MAX_NOTE_DEPTH: usize = 3;

/// Most distinct reactions kept per note; popular notes show a few dozen.
const MAX_REACTIONS: usize = 1024;

/// A Misskey `UserLite`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MisskeyUser {
    /// The server-local id.
    pub id: String,
    /// The local part of the handle.
    pub username: String,
    /// The user's server; `None` for a local user.
    pub host: Option<String>,
    /// The display name.
    pub name: Option<String>,
    /// The avatar URL.
    pub avatar_url: Option<String>,
    /// Marked as a bot.
    pub is_bot: Option<bool>,
}

impl MisskeyUser {
    fn from_value(value: &Value) -> Option<Self> {
        let f = Fields::of(value)?;
        Some(Self {
            id: f.str("id")?,
            username: f.str("username")?,
            host: f.str("host"),
            name: f.str("name"),
            avatar_url: f.str("avatarUrl"),
            is_bot: f.bool("isBot"),
        })
    }

    /// `user@host`, or `user` for a local user.
    pub fn acct(&self) -> String {
        match &self.host {
            Some(host) => format!("{}@{host}", self.username),
            None => self.username.clone(),
        }
    }
}

/// A Misskey note.
#[derive(Debug, Clone, PartialEq)]
pub struct MisskeyNote {
    /// The server-local id.
    pub id: String,
    /// When it was posted.
    pub created_at: Option<DateTime<Utc>>,
    /// The author's local id.
    pub user_id: Option<String>,
    /// The author.
    pub user: Option<MisskeyUser>,
    /// The text (MFM, not HTML); `None` for a pure renote.
    pub text: Option<String>,
    /// Content warning.
    pub cw: Option<String>,
    /// `public`, `home`, `followers` or `specified`.
    pub visibility: Option<String>,
    /// The renoted (or quoted, when `text` is set) note's id.
    pub renote_id: Option<String>,
    /// The id of the note replied to.
    pub reply_id: Option<String>,
    /// Renotes, as counted by the server.
    pub renote_count: Option<u64>,
    /// Replies, as counted by the server.
    pub replies_count: Option<u64>,
    /// Reactions: emoji (`👍`, `:blob@.:`) to count, sorted by emoji.
    pub reactions: Vec<(String, u64)>,
    /// The ActivityPub id, for notes from other servers.
    pub uri: Option<String>,
    /// The remote HTML page, for notes from other servers.
    pub url: Option<String>,
    /// The embedded renoted or quoted note.
    pub renote: Option<Box<MisskeyNote>>,
}

impl MisskeyNote {
    fn from_value(value: &Value, depth: usize) -> Option<Self> {
        let f = Fields::of(value)?;
        let user = f.get("user").and_then(MisskeyUser::from_value);
        Some(Self {
            id: f.str("id")?,
            created_at: f.date("createdAt"),
            user_id: f
                .str("userId")
                .or_else(|| user.as_ref().map(|u| u.id.clone())),
            user,
            text: f.str("text"),
            cw: f.str("cw"),
            visibility: f.str("visibility"),
            renote_id: f.str("renoteId"),
            reply_id: f.str("replyId"),
            renote_count: f.count("renoteCount"),
            replies_count: f.count("repliesCount"),
            reactions: f
                .obj("reactions")
                .map(|map| {
                    map.0
                        .iter()
                        .filter_map(|(emoji, count)| Some((emoji.clone(), json::count_of(count)?)))
                        .take(MAX_REACTIONS)
                        .collect()
                })
                .unwrap_or_default(),
            uri: f.str("uri"),
            url: f.str("url"),
            renote: (depth < MAX_NOTE_DEPTH)
                .then(|| f.get("renote").and_then(|v| Self::from_value(v, depth + 1)))
                .flatten()
                .map(Box::new),
        })
    }

    /// The note's visibility, when the server named a known one.
    pub fn visibility(&self) -> Option<Visibility> {
        self.visibility
            .as_deref()
            .and_then(Visibility::from_misskey)
    }

    /// A quote is a renote with text of its own; a pure renote is a boost.
    pub fn is_quote(&self) -> bool {
        self.renote_id.is_some() && self.text.as_deref().is_some_and(|t| !t.trim().is_empty())
    }

    /// A renote without text of its own (a boost).
    pub fn is_pure_renote(&self) -> bool {
        self.renote_id.is_some() && !self.is_quote()
    }

    /// All reactions, summed.
    pub fn reaction_total(&self) -> u64 {
        self.reactions.iter().map(|(_, n)| *n).sum()
    }
}

/// One entry of `notes/reactions`: who reacted with which emoji.
#[derive(Debug, Clone, PartialEq)]
pub struct MisskeyReaction {
    /// The reaction's id.
    pub id: String,
    /// When.
    pub created_at: Option<DateTime<Utc>>,
    /// Who.
    pub user: MisskeyUser,
    /// The emoji (`type`).
    pub emoji: String,
}

impl MisskeyReaction {
    fn from_value(value: &Value) -> Option<Self> {
        let f = Fields::of(value)?;
        Some(Self {
            id: f.str("id")?,
            created_at: f.date("createdAt"),
            user: f.get("user").and_then(MisskeyUser::from_value)?,
            emoji: f.str("type").or_else(|| f.str("reaction"))?,
        })
    }
}

/// Parses one note (`notes/show`).
pub fn parse_misskey_note(bytes: &[u8], max_bytes: usize) -> Result<MisskeyNote, ParseError> {
    let map = json::read_object(bytes, max_bytes)?;
    MisskeyNote::from_value(&Value::Object(map), 0).ok_or(ParseError::MissingField {
        document: "a Misskey note",
        field: "id",
    })
}

/// Parses a list of notes (`notes/renotes`, `notes/children`, `notes/replies`, user
/// notes).
pub fn parse_misskey_notes(
    bytes: &[u8],
    max_bytes: usize,
) -> Result<Listing<MisskeyNote>, ParseError> {
    parse_array(bytes, max_bytes, |v| MisskeyNote::from_value(v, 0))
}

/// Parses a `notes/reactions` list.
pub fn parse_misskey_reactions(
    bytes: &[u8],
    max_bytes: usize,
) -> Result<Listing<MisskeyReaction>, ParseError> {
    parse_array(bytes, max_bytes, MisskeyReaction::from_value)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: usize = 1 << 20;

    #[test]
    fn reads_a_note_with_reactions() {
        let note = r#"{"id":"9x1","createdAt":"2025-03-01T12:00:00.000Z","userId":"u1",
            "user":{"id":"u1","name":"Brand","username":"brand","host":null,"avatarUrl":"https://mk/a.png","isBot":false},
            "text":"hello","cw":null,"visibility":"public","renoteId":null,"replyId":null,
            "renoteCount":4,"repliesCount":"2","reactions":{"👍":3,":blob@.:":"2","bad":-1},
            "uri":null,"url":null}"#;
        let note = parse_misskey_note(note.as_bytes(), MAX).expect("the sample parses");
        assert_eq!(
            note.user.as_ref().map(MisskeyUser::acct).as_deref(),
            Some("brand")
        );
        assert_eq!((note.renote_count, note.replies_count), (Some(4), Some(2)));
        assert_eq!(note.reactions.len(), 2);
        assert_eq!(note.reaction_total(), 5);
        assert!(!note.is_quote() && !note.is_pure_renote());
        assert_eq!(note.visibility(), Some(Visibility::Public));
    }

    #[test]
    fn renotes_quotes_and_reactions() {
        let list = br#"[
            {"id":"r1","renoteId":"9x1","text":null,"user":{"id":"u2","username":"fan","host":"other.example"}},
            {"id":"q1","renoteId":"9x1","text":"look","renote":{"id":"9x1"}},
            {"text":"no id"}
        ]"#;
        let Ok(notes) = parse_misskey_notes(list, MAX) else {
            panic!("notes should parse");
        };
        assert_eq!(notes.skipped, 1);
        assert!(notes.items[0].is_pure_renote());
        assert_eq!(
            notes.items[0]
                .user
                .as_ref()
                .map(MisskeyUser::acct)
                .as_deref(),
            Some("fan@other.example")
        );
        assert!(notes.items[1].is_quote());
        assert_eq!(
            notes.items[1].renote.as_ref().map(|n| n.id.as_str()),
            Some("9x1")
        );

        let reactions = r#"[{"id":"x","createdAt":"2025-03-01T12:00:00Z","user":{"id":"u3","username":"r","host":"h.example"},"type":"🎉"},
                             {"id":"y","user":{"id":"u4"},"type":"👍"}]"#;
        let Ok(reactions) = parse_misskey_reactions(reactions.as_bytes(), MAX) else {
            panic!("reactions should parse");
        };
        assert_eq!(reactions.items.len(), 1);
        assert_eq!(reactions.items[0].emoji, "🎉");
        assert_eq!(reactions.skipped, 1);
        assert!(matches!(
            parse_misskey_note(b"{}", MAX),
            Err(ParseError::MissingField { .. })
        ));
    }
}
