//! WebFinger JRD documents (`/.well-known/webfinger`): from a handle to an actor id.
//!
//! The actor link is `rel="self"` with an ActivityStreams media type. Older Hubzilla,
//! zap and GNU social servers put it elsewhere or not at all; [`Jrd::actor_link`]
//! falls back through the places they use and says which one it used, so that the
//! crawler can verify a guessed id by fetching it.

use serde_json::Value;

use crate::error::ParseError;
use crate::json::{self, Fields, non_empty_str};
use crate::quote::is_activity_media_type;

/// Links kept from one JRD; real ones carry about a dozen.
const MAX_LINKS: usize = 256;

/// A test on a JRD link, one per [`ActorLinkSource`].
type LinkTest<'a> = dyn Fn(&JrdLink) -> bool + 'a;

/// A WebFinger JRD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jrd {
    /// `subject` (usually `acct:user@host`).
    pub subject: Option<String>,
    /// `aliases` (profile pages and actor ids).
    pub aliases: Vec<String>,
    /// `links`.
    pub links: Vec<JrdLink>,
}

/// One link of a JRD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JrdLink {
    /// `rel`.
    pub rel: String,
    /// `type` (a media type).
    pub media_type: Option<String>,
    /// `href`.
    pub href: Option<String>,
    /// `template` (OStatus subscribe links).
    pub template: Option<String>,
}

/// Where [`Jrd::actor_link`] found the actor id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ActorLinkSource {
    /// `rel="self"` with an ActivityStreams media type: the standard, trust it.
    SelfActivityJson,
    /// An ActivityStreams media type under another rel.
    OtherRelActivityJson,
    /// `rel="self"` with no or another media type.
    SelfUntyped,
    /// Hubzilla/zap `http://webfinger.net/rel/blog` channel link: verify by fetching.
    BlogLink,
    /// The `http://webfinger.net/rel/profile-page` link (GNU social): verify by fetching.
    ProfilePage,
    /// The first `https` alias: verify by fetching.
    Alias,
}

impl ActorLinkSource {
    /// Whether the id is standard, or a guess that the crawler should verify.
    pub fn is_fallback(self) -> bool {
        !matches!(self, ActorLinkSource::SelfActivityJson)
    }
}

/// The actor id a JRD points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActorLink {
    /// The actor id.
    pub href: String,
    /// Where it was found.
    pub source: ActorLinkSource,
}

impl Jrd {
    /// The actor id, from the standard link or, failing that, the fallbacks of older
    /// servers (in [`ActorLinkSource`] order).
    pub fn actor_link(&self) -> Option<ActorLink> {
        self.actor_candidates().into_iter().next()
    }

    /// Every possible actor id, best first and without repeats, for a crawler that
    /// verifies fallbacks by fetching them in turn.
    pub fn actor_candidates(&self) -> Vec<ActorLink> {
        let typed = |link: &JrdLink| {
            link.media_type
                .as_deref()
                .is_some_and(is_activity_media_type)
        };
        let rel = |link: &JrdLink, name: &str| link.rel.trim().eq_ignore_ascii_case(name);
        let rules: [(ActorLinkSource, &LinkTest<'_>); 5] = [
            (ActorLinkSource::SelfActivityJson, &|l| {
                rel(l, "self") && typed(l)
            }),
            (ActorLinkSource::OtherRelActivityJson, &typed),
            (ActorLinkSource::SelfUntyped, &|l| rel(l, "self")),
            (ActorLinkSource::BlogLink, &|l| {
                rel(l, "http://webfinger.net/rel/blog")
            }),
            (ActorLinkSource::ProfilePage, &|l| {
                rel(l, "http://webfinger.net/rel/profile-page")
            }),
        ];
        let mut found: Vec<ActorLink> = Vec::new();
        let mut push = |href: &str, source: ActorLinkSource| {
            let href = href.trim();
            if href.starts_with("http") && !found.iter().any(|known| known.href == href) {
                found.push(ActorLink {
                    href: href.to_owned(),
                    source,
                });
            }
        };
        for (source, matches) in rules {
            for link in self.links.iter().filter(|l| matches(l)) {
                if let Some(href) = &link.href {
                    push(href, source);
                }
            }
        }
        for alias in self.aliases.iter().filter(|a| a.starts_with("https://")) {
            push(alias, ActorLinkSource::Alias);
        }
        found
    }

    /// The link with this `rel`, if any.
    pub fn link(&self, rel: &str) -> Option<&JrdLink> {
        self.links.iter().find(|link| link.rel.trim() == rel)
    }

    pub(crate) fn from_fields(fields: Fields<'_>) -> Self {
        Self {
            subject: fields.str("subject"),
            aliases: fields
                .many("aliases")
                .filter_map(non_empty_str)
                .map(str::to_owned)
                .collect(),
            links: fields
                .many("links")
                .filter_map(JrdLink::from_value)
                .take(MAX_LINKS)
                .collect(),
        }
    }
}

impl JrdLink {
    fn from_value(value: &Value) -> Option<Self> {
        let fields = Fields::of(value)?;
        Some(Self {
            rel: fields.str("rel")?,
            media_type: fields.str("type"),
            href: fields.str("href"),
            template: fields.str("template"),
        })
    }
}

/// Parses a WebFinger JRD (also used for NodeInfo discovery documents).
pub fn parse_webfinger(bytes: &[u8], max_bytes: usize) -> Result<Jrd, ParseError> {
    let map = json::read_object(bytes, max_bytes)?;
    let fields = Fields(&map);
    if !fields.has("links") && !fields.has("subject") {
        return Err(ParseError::MissingField {
            document: "a WebFinger JRD",
            field: "links",
        });
    }
    Ok(Jrd::from_fields(fields))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(doc: &str, expected: Option<(&str, ActorLinkSource)>) {
        let jrd = parse_webfinger(doc.as_bytes(), 1 << 16).unwrap_or_else(|e| panic!("{e}: {doc}"));
        let got = jrd.actor_link();
        assert_eq!(
            got.as_ref().map(|l| (l.href.as_str(), l.source)),
            expected,
            "{doc}"
        );
    }

    #[test]
    fn actor_link_in_every_place() {
        use ActorLinkSource::*;
        check(
            r#"{"links":[{"rel":"self","type":"application/activity+json","href":"https://m/u/a"}]}"#,
            Some(("https://m/u/a", SelfActivityJson)),
        );
        check(
            r#"{"links":[{"rel":"self","type":"application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"","href":"https://h/channel/a"}]}"#,
            Some(("https://h/channel/a", SelfActivityJson)),
        );
        check(
            r#"{"links":[{"rel":"self","type":"text/html","href":"https://x/html"},{"rel":" SELF ","type":" application/activity+json ","href":"https://x/ap"}]}"#,
            Some(("https://x/ap", SelfActivityJson)),
        );
        check(
            r#"{"links":[{"rel":"alternate","type":"application/activity+json","href":"https://x/alt"}]}"#,
            Some(("https://x/alt", OtherRelActivityJson)),
        );
        check(
            r#"{"links":[{"rel":"http://webfinger.net/rel/blog","href":"https://h/channel/k"},{"rel":"http://webfinger.net/rel/profile-page","href":"https://h/profile/k"}]}"#,
            Some(("https://h/channel/k", BlogLink)),
        );
        check(
            r#"{"subject":"acct:a@g","aliases":["acct:a@g","https://g/user/1"],"links":[]}"#,
            Some(("https://g/user/1", Alias)),
        );
        check(r#"{"subject":"acct:a@g","links":[{"rel":"self"}]}"#, None);
        check(r#"{"links":[{"rel":"self","href":"data:x"}]}"#, None);
    }

    #[test]
    fn candidates_are_ordered_and_unique() {
        let jrd = parse_webfinger(
            br#"{"aliases":["https://g/user/1","https://g/a"],"links":[
                {"rel":"http://webfinger.net/rel/profile-page","type":"text/html","href":"https://g/a"},
                {"rel":"self","type":"application/activity+json","href":"https://g/user/1"}]}"#,
            1 << 16,
        );
        let Ok(jrd) = jrd else {
            panic!("should parse");
        };
        let got: Vec<_> = jrd
            .actor_candidates()
            .into_iter()
            .map(|l| (l.href, l.source))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "https://g/user/1".to_owned(),
                    ActorLinkSource::SelfActivityJson
                ),
                ("https://g/a".to_owned(), ActorLinkSource::ProfilePage),
            ]
        );
    }

    #[test]
    fn refuses_documents_that_are_not_jrd() {
        assert!(matches!(
            parse_webfinger(br#"{"type":"Person"}"#, 100),
            Err(ParseError::MissingField { .. })
        ));
        assert!(matches!(
            parse_webfinger(b"[1]", 100),
            Err(ParseError::WrongShape { .. })
        ));
    }
}
