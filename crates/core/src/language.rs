//! The declared language of a reply or quote: what its author's server wrote
//! (ActivityStreams `contentMap` keys, Lemmy's `language.identifier`, a Mastodon status's
//! `language`), never a guess from the text.

use std::{fmt, num::NonZeroU8};

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

#[cfg(test)]
mod tests {
    use super::*;

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
