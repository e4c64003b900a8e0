//! The server softwares the simulated fediverse plays, and what each says about itself.

use fedireach_core::Software;

/// A simulated server software: decides the shape of every document a host serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SimSoftware {
    Mastodon,
    Pleroma,
    Akkoma,
    Misskey,
    Sharkey,
    /// A Misskey fork whose NodeInfo capitalises its name (`Fedired`), as the real one does.
    Fedired,
    Pixelfed,
    Peertube,
    Lemmy,
    Mbin,
    Gotosocial,
    Friendica,
    Wordpress,
    Threads,
}

/// How a software's notes declare their language (see [`SimSoftware::language_field`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LanguageField {
    /// `contentMap: {TAG: content}` beside `content`, when the author chose a language.
    ContentMap,
    /// Lemmy's `language: {identifier, name}`.
    Lemmy,
    /// Nothing: the software federates no post language.
    None,
}

impl SimSoftware {
    /// Every software, in a fixed order (used for minimum counts).
    pub const ALL: [Self; 14] = [
        Self::Mastodon,
        Self::Pleroma,
        Self::Akkoma,
        Self::Misskey,
        Self::Sharkey,
        Self::Fedired,
        Self::Pixelfed,
        Self::Peertube,
        Self::Lemmy,
        Self::Mbin,
        Self::Gotosocial,
        Self::Friendica,
        Self::Wordpress,
        Self::Threads,
    ];

    /// A short lower-case slug, used in host names (`mastodon-3.example`).
    pub fn slug(self) -> &'static str {
        match self {
            Self::Mastodon => "mastodon",
            Self::Pleroma => "pleroma",
            Self::Akkoma => "akkoma",
            Self::Misskey => "misskey",
            Self::Sharkey => "sharkey",
            Self::Fedired => "fedired",
            Self::Pixelfed => "pixelfed",
            Self::Peertube => "peertube",
            Self::Lemmy => "lemmy",
            Self::Mbin => "mbin",
            Self::Gotosocial => "gotosocial",
            Self::Friendica => "friendica",
            Self::Wordpress => "wordpress",
            Self::Threads => "threads",
        }
    }

    /// NodeInfo `software.name` exactly as the real software writes it; `None` for a
    /// software that serves no NodeInfo (Threads).
    pub fn nodeinfo_name(self) -> Option<&'static str> {
        match self {
            Self::Fedired => Some("Fedired"),
            Self::Threads => None,
            other => Some(other.slug()),
        }
    }

    /// A plausible version string for NodeInfo.
    pub fn version(self) -> &'static str {
        match self {
            Self::Mastodon => "4.5.2",
            Self::Pleroma => "2.5.51",
            Self::Akkoma => "3.15.2",
            Self::Misskey => "2025.4.0",
            Self::Sharkey => "2025.2.3",
            Self::Fedired => "2024.11.1",
            Self::Pixelfed => "0.12.4",
            Self::Peertube => "7.1.0",
            Self::Lemmy => "0.19.11",
            Self::Mbin => "1.8.2",
            Self::Gotosocial => "0.19.1",
            Self::Friendica => "2024.12",
            Self::Wordpress => "5.8.0",
            Self::Threads => "",
        }
    }

    /// Mastodon-style documents and the Mastodon REST API.
    pub fn is_mastodon(self) -> bool {
        matches!(self, Self::Mastodon)
    }

    /// The Misskey family: notes without collections, the `/api/notes/*` endpoints.
    pub fn is_misskey(self) -> bool {
        matches!(self, Self::Misskey | Self::Sharkey | Self::Fedired)
    }

    /// Whether a note written on this software carries a `replies` collection listing
    /// its direct replies, so that thread replies below it can be found over ActivityPub.
    pub fn lists_replies(self) -> bool {
        matches!(self, Self::Mastodon)
    }

    /// Whether this software's person actors link a followers collection with a count
    /// (Lemmy and Mbin users have none).
    pub fn exposes_followers(self) -> bool {
        !matches!(self, Self::Lemmy | Self::Mbin)
    }

    /// How a note written here declares its language to other servers, from each
    /// software's own source or from what its real documents hold:
    /// - Mastodon: `attribute :content_map, if: :language?` in
    ///   app/serializers/activitypub/note_serializer.rb: a `contentMap` only when the
    ///   status has a language.
    /// - GoToSocial: docs/federation/federating_with_gotosocial.md, "Content,
    ///   ContentMap, and Language" (PR #2366): a single-entry `contentMap` when the post
    ///   is in a user-selected language.
    /// - Friendica, WordPress: their notes in `fixtures/real` (friendica/note_note_1.json,
    ///   wordpress/note_note.json) carry a `contentMap`.
    /// - Lemmy: `language: {identifier, name}` (fixtures/real/lemmy/note_comment.json);
    ///   Mbin, which speaks Lemmy's vocabulary to federate with it, alike.
    /// - Misskey and its forks: none. The API's `packedNoteSchema`
    ///   (packages/backend/src/models/json-schema/note.ts) has no language, nor do their
    ///   notes in fixtures/real/misskey.
    /// - Pleroma, Akkoma: none in their notes in fixtures/real (pleroma/note_note.json,
    ///   akkoma/note_p.helene.moe_AM7S6vZQmL6pI9TgPY.json).
    /// - Pixelfed: none; app/Transformer/ActivityPub/Verb/Note.php and CreateNote.php
    ///   write `content` only.
    /// - PeerTube: none on comments (fixtures/real/peertube/note_note.json).
    /// - Threads: no document of it to go by; modelled as declaring none.
    pub fn language_field(self) -> LanguageField {
        match self {
            Self::Mastodon | Self::Gotosocial | Self::Friendica | Self::Wordpress => {
                LanguageField::ContentMap
            }
            Self::Lemmy | Self::Mbin => LanguageField::Lemmy,
            Self::Misskey
            | Self::Sharkey
            | Self::Fedired
            | Self::Pleroma
            | Self::Akkoma
            | Self::Pixelfed
            | Self::Peertube
            | Self::Threads => LanguageField::None,
        }
    }

    /// Whether users of this software can quote a post.
    pub fn can_quote(self) -> bool {
        matches!(
            self,
            Self::Mastodon
                | Self::Misskey
                | Self::Sharkey
                | Self::Fedired
                | Self::Pleroma
                | Self::Akkoma
        )
    }

    /// Whether users of this software write replies to posts of other softwares.
    /// PeerTube accounts comment on videos only; WordPress blogs and Lemmy/Mbin users
    /// rarely reply outside their own threads, and never in this world.
    pub fn replies_anywhere(self) -> bool {
        !matches!(
            self,
            Self::Peertube | Self::Wordpress | Self::Lemmy | Self::Mbin
        )
    }

    /// The JSON-LD `@context` strings this software's actor documents carry, beside the
    /// ActivityStreams and security contexts. A crawler without NodeInfo names the
    /// software from these (see [`SimSoftware::software_from_context`]).
    pub fn context_namespaces(self) -> &'static [&'static str] {
        match self {
            Self::Mastodon | Self::Gotosocial | Self::Pixelfed | Self::Wordpress => {
                &["http://joinmastodon.org/ns#", "http://schema.org#"]
            }
            Self::Pleroma | Self::Akkoma => &["/schemas/litepub-0.1.jsonld"],
            Self::Misskey | Self::Fedired => &[
                "http://joinmastodon.org/ns#",
                "https://misskey-hub.net/ns#",
                "http://schema.org#",
            ],
            Self::Sharkey => &[
                "http://joinmastodon.org/ns#",
                "https://misskey-hub.net/ns#",
                "https://joinsharkey.org/ns#",
            ],
            Self::Peertube => &["https://joinpeertube.org/ns#", "http://schema.org/"],
            Self::Lemmy | Self::Mbin => &["https://join-lemmy.org/context.json"],
            Self::Friendica => &[
                "http://joinmastodon.org/ns#",
                "http://www.w3.org/2006/vcard/ns#",
            ],
            Self::Threads => &[],
        }
    }

    /// What a crawler learns from this software's `@context` alone, through the core
    /// mapping: the same rule the crawler applies.
    pub fn software_from_context(self) -> Option<Software> {
        Software::from_namespaces(self.context_namespaces().iter().copied())
    }
}
