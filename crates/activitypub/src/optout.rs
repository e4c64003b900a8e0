//! An engager's opt-out signals (product brief, section 3) and the one decision that
//! follows: may fedireach store and show who they are?
//!
//! An opted-out engager is still counted in aggregates; only their handle, name and
//! content are never kept. A missing `indexable` flag means "not indexable": consent is
//! never assumed.

use crate::html::html_to_text;
use crate::streams::{Actor, Tag, hashtags};

/// Hashtags in a bio that mean "do not index me" (compared lower-cased, without `#`).
pub const OPT_OUT_HASHTAGS: [&str; 5] = ["nobot", "nobots", "noindex", "nosearch", "noarchive"];

/// How much of a bio is read for opt-out hashtags; bios are short, this bounds hostile
/// ones.
const MAX_BIO_CHARS: usize = 20_000;

/// Why an engager may not be named.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OptOutReason {
    /// `indexable` is absent.
    IndexableMissing,
    /// `indexable: false`.
    NotIndexable,
    /// `discoverable: false`.
    NotDiscoverable,
    /// `noindex: true`.
    NoIndex,
    /// An opt-out hashtag (`nobot`, `noindex`...) in the bio or the profile tags.
    BioHashtag(String),
}

impl OptOutReason {
    /// The consent report's reason for it.
    pub fn consent_reason(&self) -> fedireach_core::ConsentReason {
        use fedireach_core::ConsentReason as R;
        match self {
            OptOutReason::IndexableMissing => R::IndexableMissing,
            OptOutReason::NotIndexable => R::NotIndexable,
            OptOutReason::NotDiscoverable => R::NotDiscoverable,
            OptOutReason::NoIndex => R::Noindex,
            OptOutReason::BioHashtag(_) => R::BioHashtag,
        }
    }

    /// A short stable label, for the consent report: its reason's word.
    pub fn as_str(&self) -> &'static str {
        self.consent_reason().into()
    }
}

/// The opt-out signals of an actor and the decision they lead to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptOut {
    /// `indexable: true` was stated.
    pub indexable: bool,
    /// `discoverable: false` was stated.
    pub not_discoverable: bool,
    /// `noindex: true` was stated.
    pub noindex: bool,
    /// The first opt-out hashtag found in the bio text or the profile's tags.
    pub bio_hashtag: Option<String>,
    /// Whether the actor's handle, name and avatar may be stored and shown.
    pub may_be_named: bool,
    /// The strongest reason against naming, when `may_be_named` is false.
    pub reason: Option<OptOutReason>,
}

/// The raw signals, as any source (ActivityPub actor, Mastodon account) states them.
#[derive(Debug, Clone, Copy, Default)]
pub struct OptOutSignals<'a> {
    /// `indexable`, `None` when absent.
    pub indexable: Option<bool>,
    /// `discoverable`, `None` when absent.
    pub discoverable: Option<bool>,
    /// `noindex`, `None` when absent.
    pub noindex: Option<bool>,
    /// The bio, as HTML.
    pub bio_html: Option<&'a str>,
    /// The profile's tags.
    pub tags: &'a [Tag],
}

impl OptOut {
    /// Decides from raw signals. Explicit flags outrank a missing `indexable`, so the
    /// reason says the most specific thing the actor asked for.
    pub fn from_signals(signals: OptOutSignals<'_>) -> Self {
        let bio_hashtag = signals
            .bio_html
            .and_then(|bio| opt_out_hashtag_in_text(&html_to_text(bio, MAX_BIO_CHARS)))
            .or_else(|| {
                hashtags(signals.tags)
                    .into_iter()
                    .find(|tag| OPT_OUT_HASHTAGS.contains(&tag.as_str()))
            });
        let not_discoverable = signals.discoverable == Some(false);
        let noindex = signals.noindex == Some(true);
        let reason = if let Some(tag) = &bio_hashtag {
            Some(OptOutReason::BioHashtag(tag.clone()))
        } else if noindex {
            Some(OptOutReason::NoIndex)
        } else if signals.indexable == Some(false) {
            Some(OptOutReason::NotIndexable)
        } else if not_discoverable {
            Some(OptOutReason::NotDiscoverable)
        } else if signals.indexable.is_none() {
            Some(OptOutReason::IndexableMissing)
        } else {
            None
        };
        Self {
            indexable: signals.indexable == Some(true),
            not_discoverable,
            noindex,
            bio_hashtag,
            may_be_named: reason.is_none(),
            reason,
        }
    }

    /// Decides for an ActivityPub actor.
    pub fn of_actor(actor: &Actor) -> Self {
        Self::from_signals(OptOutSignals {
            indexable: actor.indexable,
            discoverable: actor.discoverable,
            noindex: actor.noindex,
            bio_html: actor.summary.as_deref(),
            tags: &actor.tags,
        })
    }
}

/// The first opt-out hashtag written in plain text (`#NoBot` matches `nobot`;
/// `#nobotanist` does not).
pub fn opt_out_hashtag_in_text(text: &str) -> Option<String> {
    text.split('#').skip(1).find_map(|after| {
        let word: String = after
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect::<String>()
            .to_lowercase();
        OPT_OUT_HASHTAGS.contains(&word.as_str()).then_some(word)
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::json::Fields;

    fn decide(
        indexable: Option<bool>,
        discoverable: Option<bool>,
        noindex: Option<bool>,
        bio: &str,
    ) -> (bool, Option<&'static str>) {
        let o = OptOut::from_signals(OptOutSignals {
            indexable,
            discoverable,
            noindex,
            bio_html: Some(bio),
            tags: &[],
        });
        (o.may_be_named, o.reason.as_ref().map(OptOutReason::as_str))
    }

    #[test]
    fn decision_table() {
        let t = Some(true);
        let f = Some(false);
        let cases = [
            (t, t, None, "hello", (true, None)),
            (t, None, None, "", (true, None)),
            (None, t, None, "hi", (false, Some("indexable_missing"))),
            (f, t, None, "hi", (false, Some("not_indexable"))),
            (t, f, None, "hi", (false, Some("not_discoverable"))),
            (t, t, t, "hi", (false, Some("noindex"))),
            (t, t, f, "hi", (true, None)),
            (
                t,
                t,
                None,
                "<p>I am <a>#<span>NoBot</span></a></p>",
                (false, Some("bio_hashtag")),
            ),
            (t, t, None, "#nobots please", (false, Some("bio_hashtag"))),
            (
                t,
                t,
                None,
                "tags: #art, #NOARCHIVE.",
                (false, Some("bio_hashtag")),
            ),
            (t, t, None, "#nosearch", (false, Some("bio_hashtag"))),
            (t, t, None, "#noindex", (false, Some("bio_hashtag"))),
            (t, t, None, "#nobotanist and nobot", (true, None)),
            (t, t, None, "&#35;nobot", (false, Some("bio_hashtag"))),
        ];
        for (indexable, discoverable, noindex, bio, expected) in cases {
            assert_eq!(
                decide(indexable, discoverable, noindex, bio),
                expected,
                "{bio}"
            );
        }
    }

    #[test]
    fn hashtag_tags_count_too() {
        let doc = json!({"tag": [{"type": "Hashtag", "name": "#NoBot"}]});
        let tags = Fields::of(&doc).map(|f| Tag::list(&f)).unwrap_or_default();
        let o = OptOut::from_signals(OptOutSignals {
            indexable: Some(true),
            tags: &tags,
            ..OptOutSignals::default()
        });
        assert!(!o.may_be_named);
        assert_eq!(o.bio_hashtag.as_deref(), Some("nobot"));
    }
}
