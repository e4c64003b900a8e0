//! The declared language of a reply or quote: what its author's server wrote
//! (ActivityStreams `contentMap` keys, Lemmy's `language.identifier`, a Mastodon status's
//! `language`), never a guess from the text.
//!
//! Also the rows of `report languages`, which the analytics compute and the simulated
//! fediverse's truth predicts, so both serialise through the same types.

use std::{fmt, num::NonZeroU8};

use serde::{Deserialize, Serialize};

use crate::{UnavailablePosts, pct_2dp};

/// What the store keeps for a reply or quote that declares no language: BCP 47's
/// "undetermined". A reply stored with no language at all (`NULL`) was found before the
/// crawler read languages: not recorded, which is another unknown.
pub const UNDECLARED: &str = "und";

/// A language as a crawl records it: an ISO 639 code (2 or 3 lower-case ASCII
/// letters), or [`Language::UNDECLARED`]. Held inline, without an allocation: a crawl
/// holds one per reply, tens of thousands at once.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Language {
    code: [u8; 3],
    /// Never zero, so an `Option<Language>` takes no more room.
    len: NonZeroU8,
}

impl Language {
    /// `und`: the reply or quote declares no language.
    pub const UNDECLARED: Self = Self {
        code: *b"und",
        len: NonZeroU8::MIN.saturating_add(2),
    };

    /// The primary language subtag of a declared BCP 47 tag, lower-cased (`en-GB` and
    /// `EN` are `en`), so one language is one row whatever region or script its writers
    /// add. `None` for what names no language: empty or over-long input, anything but
    /// 2 or 3 ASCII letters before the first `-` or `_` (private use `x-…`,
    /// grandfathered `i-…`), and `und` itself.
    pub fn parse(tag: &str) -> Option<Self> {
        let tag = tag.trim();
        if tag.len() > 64 {
            return None;
        }
        let primary = tag.split(['-', '_']).next().unwrap_or_default().as_bytes();
        if !(2..=3).contains(&primary.len()) || !primary.iter().all(u8::is_ascii_alphabetic) {
            return None;
        }
        let mut code = [0u8; 3];
        for (slot, b) in code.iter_mut().zip(primary) {
            *slot = b.to_ascii_lowercase();
        }
        let language = Self {
            code,
            len: NonZeroU8::new(u8::try_from(primary.len()).ok()?)?,
        };
        (language != Self::UNDECLARED).then_some(language)
    }

    /// A code as the store keeps it: a language, or `und` ([`Language::UNDECLARED`]).
    pub fn from_code(code: &str) -> Option<Self> {
        if code == UNDECLARED {
            Some(Self::UNDECLARED)
        } else {
            Self::parse(code)
        }
    }

    /// The code (`en`, `yue`, or `und`).
    pub fn as_str(&self) -> &str {
        let len = usize::from(self.len.get()).min(self.code.len());
        // Only ASCII letters are ever stored.
        std::str::from_utf8(&self.code[..len]).unwrap_or(UNDECLARED)
    }
}

impl fmt::Debug for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Language({})", self.as_str())
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// [`Language::parse`], as the code it keeps.
pub fn primary_language(tag: &str) -> Option<String> {
    Language::parse(tag).map(|l| l.as_str().to_owned())
}

/// `report languages`: the declared language of the replies, thread replies and quotes of
/// the brand's posts, one row per language by total descending then code, then the
/// unknown rows (not declared, not recorded). Likes and boosts have no language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LanguagesReport {
    pub brand: String,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Replies, thread replies and quotes of the brand's posts in the window.
    pub total: u64,
    /// Of them, those declaring a language, in % (0 when there are none).
    pub declared_pct: f64,
    pub rows: Vec<LanguageRow>,
    /// Of the brand's posts in the window, how many have each kind unavailable: their
    /// replies and quotes are in no row (unknown, not 0).
    #[serde(default)]
    pub unavailable_posts: UnavailablePosts,
}

/// The replies and quotes in one declared language, or of one kind of unknown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LanguageRow {
    /// The declared language (its ISO 639 code), `null` where it is unknown.
    pub language: Option<String>,
    /// Why the language is unknown, `null` for a language: `not_declared` (its author
    /// or their server declares none: Misskey, PeerTube and Pleroma never do) or
    /// `not_recorded` (found by a crawl made before fedireach read languages).
    pub unknown: Option<String>,
    pub replies: u64,
    pub thread_replies: u64,
    pub quotes: u64,
    pub total: u64,
    /// This row's total / the report's total, in %, see [`pct_2dp`].
    pub share_pct: f64,
}

/// Counts of replies, thread replies and quotes, by stored language.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LanguageCounts {
    pub replies: u64,
    pub thread_replies: u64,
    pub quotes: u64,
}

impl LanguagesReport {
    /// The report of counts keyed by the stored language: a code,
    /// [`crate::UNDECLARED`] (not declared) or `None` (not recorded).
    pub fn from_counts(
        brand: &str,
        (from, to): (Option<String>, Option<String>),
        counts: impl IntoIterator<Item = (Option<String>, LanguageCounts)>,
        unavailable_posts: UnavailablePosts,
    ) -> Self {
        let mut merged: std::collections::BTreeMap<Option<String>, LanguageCounts> =
            std::collections::BTreeMap::new();
        for (language, c) in counts {
            let slot = merged.entry(language).or_default();
            slot.replies += c.replies;
            slot.thread_replies += c.thread_replies;
            slot.quotes += c.quotes;
        }
        let total: u64 = merged
            .values()
            .map(|c| c.replies + c.thread_replies + c.quotes)
            .sum();
        let mut rows: Vec<LanguageRow> = merged
            .into_iter()
            .map(|(language, c)| {
                let unknown = match language.as_deref() {
                    None => Some("not_recorded"),
                    Some(crate::UNDECLARED) => Some("not_declared"),
                    Some(_) => None,
                };
                let sum = c.replies + c.thread_replies + c.quotes;
                LanguageRow {
                    language: language.filter(|_| unknown.is_none()),
                    unknown: unknown.map(str::to_owned),
                    replies: c.replies,
                    thread_replies: c.thread_replies,
                    quotes: c.quotes,
                    total: sum,
                    share_pct: pct_2dp(sum, total),
                }
            })
            .filter(|row| row.total > 0)
            .collect();
        rows.sort_by(|a, b| {
            (
                a.unknown.is_some(),
                std::cmp::Reverse(a.total),
                &a.language,
                &a.unknown,
            )
                .cmp(&(
                    b.unknown.is_some(),
                    std::cmp::Reverse(b.total),
                    &b.language,
                    &b.unknown,
                ))
        });
        let declared = rows
            .iter()
            .filter(|r| r.unknown.is_none())
            .map(|r| r.total)
            .sum();
        Self {
            brand: brand.to_owned(),
            from,
            to,
            total,
            declared_pct: pct_2dp(declared, total),
            rows,
            unavailable_posts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_sort_declared_first_and_name_their_unknowns() {
        let c = |replies, thread_replies, quotes| LanguageCounts {
            replies,
            thread_replies,
            quotes,
        };
        let report = LanguagesReport::from_counts(
            "acme",
            (None, None),
            [
                (None, c(1, 0, 0)),
                (Some("und".to_owned()), c(2, 1, 0)),
                (Some("fr".to_owned()), c(1, 0, 1)),
                (Some("de".to_owned()), c(2, 0, 0)),
                (Some("en".to_owned()), c(3, 1, 0)),
                (Some("en".to_owned()), c(0, 0, 1)),
                (Some("ja".to_owned()), c(0, 0, 0)),
            ],
            UnavailablePosts::default(),
        );
        let rows: Vec<_> = report
            .rows
            .iter()
            .map(|r| {
                (
                    r.language.as_deref(),
                    r.unknown.as_deref(),
                    r.total,
                    r.share_pct,
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                (Some("en"), None, 5, 38.46),
                (Some("de"), None, 2, 15.38),
                (Some("fr"), None, 2, 15.38),
                (None, Some("not_declared"), 3, 23.08),
                (None, Some("not_recorded"), 1, 7.69),
            ]
        );
        assert_eq!((report.total, report.declared_pct), (13, 69.23));
        let empty =
            LanguagesReport::from_counts("acme", (None, None), [], UnavailablePosts::default());
        assert_eq!(
            (empty.total, empty.declared_pct, empty.rows.len()),
            (0, 0.0, 0)
        );
    }

    #[test]
    fn tags_reduce_to_their_primary_subtag() {
        for (tag, want) in [
            ("en", Some("en")),
            ("EN-gb", Some("en")),
            (" pt_BR ", Some("pt")),
            ("zh-Hant-TW", Some("zh")),
            ("yue", Some("yue")),
            ("und", None),
            ("UND-x-foo", None),
            ("x-klingon", None),
            ("i-enochian", None),
            ("", None),
            ("e", None),
            ("engl", None),
            ("e1", None),
            ("日本", None),
        ] {
            assert_eq!(primary_language(tag).as_deref(), want, "{tag:?}");
        }
        assert_eq!(primary_language(&"a".repeat(100_000)), None);
        assert_eq!(Language::UNDECLARED.as_str(), UNDECLARED);
        assert_eq!(
            std::mem::size_of::<Option<Language>>(),
            4,
            "no allocation, no padding"
        );
    }
}
