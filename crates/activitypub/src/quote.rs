//! Which object a post quotes, from every form servers use to say so.
//!
//! Forms, checked in this order (the first found wins): Fedibird/Misskey `quoteUrl`,
//! Misskey `_misskey_quote`, `quoteUri` (Pleroma, Akkoma), the FEP-044f / Mastodon 4.5
//! `quote` property, and an FEP-e232 `Link` tag whose media type is an ActivityStreams
//! one.

use crate::json::Fields;
use crate::streams::{Tag, TagKind};

/// How a quote was expressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum QuoteForm {
    /// `quoteUrl`.
    QuoteUrl,
    /// `_misskey_quote`.
    MisskeyQuote,
    /// `quoteUri`.
    QuoteUri,
    /// `quote` (FEP-044f, Mastodon 4.5).
    QuoteProperty,
    /// An FEP-e232 object link in `tag`.
    LinkTag,
}

/// The object a post quotes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// The quoted object's id (or URL).
    pub id: String,
    /// The form it was found in.
    pub form: QuoteForm,
}

const PROPERTIES: [(&str, QuoteForm); 4] = [
    ("quoteUrl", QuoteForm::QuoteUrl),
    ("_misskey_quote", QuoteForm::MisskeyQuote),
    ("quoteUri", QuoteForm::QuoteUri),
    ("quote", QuoteForm::QuoteProperty),
];

/// Finds the quoted object among an object's fields and tags.
pub(crate) fn extract_quote(fields: &Fields<'_>, tags: &[Tag]) -> Option<Quote> {
    PROPERTIES
        .iter()
        .find_map(|(key, form)| {
            fields
                .id(key)
                .filter(|id| looks_like_url(id))
                .map(|id| Quote { id, form: *form })
        })
        .or_else(|| quote_link(tags))
}

/// The first FEP-e232 `Link` tag pointing at an ActivityStreams object.
pub fn quote_link(tags: &[Tag]) -> Option<Quote> {
    tags.iter()
        .filter(|tag| tag.kind == TagKind::Link)
        .find(|tag| {
            tag.media_type
                .as_deref()
                .is_some_and(is_activity_media_type)
        })
        .and_then(|tag| tag.href.clone())
        .filter(|id| looks_like_url(id))
        .map(|id| Quote {
            id,
            form: QuoteForm::LinkTag,
        })
}

/// Quote properties must hold a URL: BookWyrm's `Quotation` uses `quote` for the
/// quoted passage of a book, which is text.
fn looks_like_url(id: &str) -> bool {
    let lower = id.get(..8).unwrap_or(id).to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && !id.contains(char::is_whitespace)
}

/// Whether a media type names an ActivityStreams document: `application/activity+json`
/// or `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`, matched
/// tolerantly (case, spaces, quotes).
pub fn is_activity_media_type(media_type: &str) -> bool {
    let normalised: String = media_type
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '"' && *c != '\'')
        .collect::<String>()
        .to_ascii_lowercase();
    let mut parts = normalised.split(';');
    match parts.next() {
        Some("application/activity+json") => true,
        // Spaces were removed above, so several profiles run together: look inside.
        Some("application/ld+json") => parts.any(|p| {
            p.strip_prefix("profile=")
                .is_some_and(|profile| profile.contains("www.w3.org/ns/activitystreams"))
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn check(doc: Value, expected: Option<(&str, QuoteForm)>) {
        let Some(fields) = Fields::of(&doc) else {
            panic!("test document is not an object");
        };
        let tags = Tag::list(&fields);
        let got = extract_quote(&fields, &tags);
        assert_eq!(
            got.as_ref().map(|q| (q.id.as_str(), q.form)),
            expected,
            "{doc}"
        );
    }

    #[test]
    fn every_quote_form() {
        use QuoteForm::*;
        check(
            json!({"quoteUrl": "https://a/1"}),
            Some(("https://a/1", QuoteUrl)),
        );
        check(
            json!({"_misskey_quote": "https://a/2"}),
            Some(("https://a/2", MisskeyQuote)),
        );
        check(
            json!({"quoteUri": "https://a/3"}),
            Some(("https://a/3", QuoteUri)),
        );
        check(
            json!({"quote": "https://a/4"}),
            Some(("https://a/4", QuoteProperty)),
        );
        check(
            json!({"quote": {"id": "https://a/5", "type": "Note"}}),
            Some(("https://a/5", QuoteProperty)),
        );
        check(
            json!({"tag": [{"type": "Link", "mediaType": "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"", "href": "https://a/6"}]}),
            Some(("https://a/6", LinkTag)),
        );
        check(
            json!({"tag": {"type": "Link", "mediaType": "application/activity+json", "href": "https://a/7"}}),
            Some(("https://a/7", LinkTag)),
        );
        check(
            json!({"tag": [{"type": "Link", "mediaType": "text/html", "href": "https://a/8"}]}),
            None,
        );
        check(json!({"quote": 5, "quoteUrl": ""}), None);
        // BookWyrm: `quote` is the quoted passage of a book, not a post.
        check(json!({"type": "Quotation", "quote": "quote body"}), None);
        check(
            json!({"quote": "not a url", "quoteUri": "HTTPS://a/9"}),
            Some(("HTTPS://a/9", QuoteUri)),
        );
        check(json!({}), None);
    }

    #[test]
    fn first_form_wins() {
        check(
            json!({"quoteUri": "https://a/uri", "quoteUrl": "https://a/url", "_misskey_quote": "https://a/mk"}),
            Some(("https://a/url", QuoteForm::QuoteUrl)),
        );
    }

    #[test]
    fn media_types() {
        let cases = [
            ("application/activity+json", true),
            (
                "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"",
                true,
            ),
            (
                "application/ld+json;profile=https://www.w3.org/ns/activitystreams",
                true,
            ),
            (
                " Application/LD+JSON ;  profile='https://www.w3.org/ns/activitystreams' ",
                true,
            ),
            ("application/ld+json", false),
            ("application/json", false),
            ("text/html", false),
            ("", false),
        ];
        for (input, expected) in cases {
            assert_eq!(is_activity_media_type(input), expected, "{input}");
        }
    }
}
