//! The kinds of engagement of BRIEF section 1.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

/// How an engager interacted with a brand post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EngagementKind {
    /// A public object whose `inReplyTo` is the post.
    Reply,
    /// A reply to a reply, at some depth below the post; counted apart from replies.
    ThreadReply,
    /// An `Announce` of the post.
    Boost,
    /// A `Like`, or an emoji reaction (which keeps its emoji).
    Like,
    /// An object quoting the post.
    Quote,
}

impl EngagementKind {
    /// Every kind, in the order reports list them.
    pub const ALL: [Self; 5] = [
        Self::Reply,
        Self::ThreadReply,
        Self::Boost,
        Self::Like,
        Self::Quote,
    ];

    /// The name used in the store, the reports and the truth files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reply => "reply",
            Self::ThreadReply => "thread_reply",
            Self::Boost => "boost",
            Self::Like => "like",
            Self::Quote => "quote",
        }
    }

    /// Whether the kind counts in "engagements" (replies + boosts + likes + quotes);
    /// thread replies are kept and shown, but apart.
    pub fn counts_as_engagement(self) -> bool {
        !matches!(self, Self::ThreadReply)
    }

    /// Whether it is a text of its own (a reply or a quote) that may declare a language.
    pub fn has_language(self) -> bool {
        !self.once_per_engager()
    }

    /// Whether one engager can do this at most once per post (so the engager, not a
    /// document id, identifies it).
    pub fn once_per_engager(self) -> bool {
        matches!(self, Self::Boost | Self::Like)
    }
}

impl fmt::Display for EngagementKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EngagementKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown engagement kind `{s}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for kind in EngagementKind::ALL {
            assert_eq!(kind.as_str().parse::<EngagementKind>(), Ok(kind));
        }
        assert!("favourite".parse::<EngagementKind>().is_err());
    }
}
