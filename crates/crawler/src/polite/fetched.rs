//! What a fetch gives: the document as fetched, and what a crawl remembers of it to ask
//! for it conditionally next time.

use bytes::Bytes;
use sha2::{Digest, Sha256};
use url::Url;

/// A document as fetched.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub status: u16,
    /// After redirects.
    pub url: Url,
    pub body: Bytes,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// The `Link` header (Mastodon REST paging).
    pub link: Option<String>,
}

impl Fetched {
    /// The next page its `Link` header names (Mastodon REST paging), resolved against
    /// its URL; only on the same host.
    pub fn next_link(&self) -> Option<Url> {
        let next = fedireach_activitypub::parse_link_header(self.link.as_deref()?).next?;
        self.url
            .join(&next)
            .ok()
            .filter(|n| n.host_str() == self.url.host_str())
    }

    /// 304: the copy the validators named is current.
    pub fn not_modified(&self) -> bool {
        self.status == 304
    }

    /// Whether the body is declared JSON (any `json` media type: ActivityPub, JRD,
    /// NodeInfo's profiles), or not declared at all. An HTML page is not a document to
    /// read, even when it happens to parse.
    pub fn is_json(&self) -> bool {
        self.content_type
            .as_deref()
            .is_none_or(|t| t.to_ascii_lowercase().contains("json"))
    }

    /// What to remember of this response to ask for it conditionally next time.
    pub fn validators(&self) -> Validators {
        Validators {
            etag: self.etag.clone(),
            last_modified: self.last_modified.clone(),
            body_sha256: Some(hex::encode(Sha256::digest(&self.body))),
        }
    }

    /// Whether this answer says the document is the one `known` describes: a 304, or
    /// the same body (servers that send no validator, POST APIs).
    pub fn unchanged_from(&self, known: &Validators) -> bool {
        self.not_modified()
            || (self.status == 200
                && known.body_sha256.is_some()
                && self.validators().body_sha256 == known.body_sha256)
    }
}

/// What a crawl remembers of a response: its validators for a conditional GET, and a
/// digest of its body to recognise it unchanged when the server sends none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// SHA-256 of the body, hex.
    pub body_sha256: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fetched(status: u16, content_type: Option<&str>, body: &'static [u8]) -> Fetched {
        Fetched {
            status,
            url: Url::parse("https://a.example/x").unwrap_or_else(|_| unreachable!()),
            body: Bytes::from_static(body),
            content_type: content_type.map(str::to_owned),
            etag: Some("W/\"1\"".to_owned()),
            last_modified: None,
            link: None,
        }
    }

    #[test]
    fn unchanged_is_a_304_or_the_same_body() {
        let known = fetched(200, None, b"{\"a\":1}").validators();
        for (answer, unchanged) in [
            (fetched(304, None, b""), true),
            (fetched(200, None, b"{\"a\":1}"), true),
            (fetched(200, None, b"{\"a\":2}"), false),
            (fetched(201, None, b"{\"a\":1}"), false),
        ] {
            assert_eq!(answer.unchanged_from(&known), unchanged, "{answer:?}");
        }
        let no_digest = Validators {
            body_sha256: None,
            ..known
        };
        assert!(!fetched(200, None, b"{\"a\":1}").unchanged_from(&no_digest));
    }

    #[test]
    fn json_is_any_json_media_type_or_none_said() {
        for (content_type, json) in [
            (None, true),
            (Some("application/activity+json; charset=utf-8"), true),
            (
                Some("application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\""),
                true,
            ),
            (Some("application/jrd+json"), true),
            (Some("Application/JSON"), true),
            (Some("text/html; charset=utf-8"), false),
            (Some("text/plain"), false),
        ] {
            assert_eq!(
                fetched(200, content_type, b"{}").is_json(),
                json,
                "{content_type:?}"
            );
        }
    }
}
