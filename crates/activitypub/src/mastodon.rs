//! The Mastodon-compatible REST API (Mastodon and forks, GoToSocial, Pleroma, Akkoma,
//! Sharkey, Iceshrimp): accounts, statuses and thread contexts.
//!
//! This API is the only place Mastodon names who liked or boosted a post
//! (`favourited_by`, `reblogged_by`), so accounts are read with their opt-out flags.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::addressing::Visibility;
use crate::error::ParseError;
use crate::json::{self, Fields, id_of};
use crate::listing::{Listing, parse_array};
use crate::optout::{OptOut, OptOutSignals};

/// How deep reblogs and quotes of statuses are read (a reblog of a quote of a post).
const MAX_STATUS_DEPTH: usize = 3;

/// A profile field (`fields` of an account).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountField {
    /// The label.
    pub name: String,
    /// The value, as HTML.
    pub value: String,
}

/// A Mastodon API account.
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    /// The server-local id.
    pub id: String,
    /// The local part of the handle.
    pub username: String,
    /// `user` for local accounts, `user@host` for remote ones.
    pub acct: Option<String>,
    /// The profile page.
    pub url: Option<String>,
    /// The ActivityPub actor id (Mastodon 4.2+; absent on older servers).
    pub uri: Option<String>,
    /// The display name.
    pub display_name: Option<String>,
    /// The bio, as HTML.
    pub note: Option<String>,
    /// Followers.
    pub followers_count: Option<u64>,
    /// Following.
    pub following_count: Option<u64>,
    /// Posts.
    pub statuses_count: Option<u64>,
    /// Automated account.
    pub bot: Option<bool>,
    /// Listed in the directory.
    pub discoverable: Option<bool>,
    /// Opted in to search (Mastodon 4.2+).
    pub indexable: Option<bool>,
    /// Asked search engines not to index the profile.
    pub noindex: Option<bool>,
    /// Follows need approval.
    pub locked: Option<bool>,
    /// Profile fields.
    pub fields: Vec<AccountField>,
}

impl Account {
    fn from_value(value: &Value) -> Option<Self> {
        let f = Fields::of(value)?;
        Some(Self {
            id: id_string(&f, "id")?,
            username: f.str("username").or_else(|| {
                f.str("acct")
                    .and_then(|acct| acct.split('@').next().map(str::to_owned))
            })?,
            acct: f.str("acct"),
            url: f.str("url"),
            uri: f.str("uri"),
            display_name: f.str("display_name"),
            note: f.str("note"),
            followers_count: f.count("followers_count"),
            following_count: f.count("following_count"),
            statuses_count: f.count("statuses_count"),
            bot: f.bool("bot"),
            discoverable: f.bool("discoverable"),
            indexable: f.bool("indexable"),
            noindex: f
                .bool("noindex")
                .or_else(|| f.obj("source").and_then(|s| s.bool("noindex"))),
            locked: f.bool("locked"),
            fields: f
                .many("fields")
                .filter_map(Fields::of)
                .filter_map(|field| {
                    Some(AccountField {
                        name: field.str("name")?,
                        value: field.str("value").unwrap_or_default(),
                    })
                })
                .collect(),
        })
    }

    /// The account's opt-out signals and the naming decision.
    pub fn opt_out(&self) -> OptOut {
        OptOut::from_signals(OptOutSignals {
            indexable: self.indexable,
            discoverable: self.discoverable,
            noindex: self.noindex,
            bio_html: self.note.as_deref(),
            tags: &[],
        })
    }
}

/// A Mastodon 4.5 quote of another status.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusQuote {
    /// `state` (`accepted`, `pending`, `revoked`...); absent in Fedibird's older form.
    pub state: Option<String>,
    /// The quoted status, when embedded.
    pub quoted_status: Option<Box<Status>>,
    /// The quoted status id (`quoted_status_id` of a shallow quote, or the embedded
    /// status's id).
    pub quoted_status_id: Option<String>,
}

/// A Mastodon API status.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    /// The server-local id.
    pub id: String,
    /// The ActivityPub object id.
    pub uri: Option<String>,
    /// The HTML page.
    pub url: Option<String>,
    /// When it was posted.
    pub created_at: Option<DateTime<Utc>>,
    /// The local id of the status it replies to.
    pub in_reply_to_id: Option<String>,
    /// The local id of the account it replies to.
    pub in_reply_to_account_id: Option<String>,
    /// `public`, `unlisted`, `private` or `direct`.
    pub visibility: Option<String>,
    /// The author.
    pub account: Option<Account>,
    /// The boosted status, when this is a boost.
    pub reblog: Option<Box<Status>>,
    /// Replies, as counted by the server.
    pub replies_count: Option<u64>,
    /// Boosts, as counted by the server.
    pub reblogs_count: Option<u64>,
    /// Favourites, as counted by the server.
    pub favourites_count: Option<u64>,
    /// Quotes, as counted by the server (Mastodon 4.5+).
    pub quotes_count: Option<u64>,
    /// The status this one quotes.
    pub quote: Option<StatusQuote>,
    /// Hashtag names, lower-cased.
    pub tags: Vec<String>,
    /// ISO 639 language code.
    pub language: Option<String>,
    /// The content, as HTML.
    pub content: Option<String>,
}

impl Status {
    /// The status as the ActivityStreams object its server federates, as far as the
    /// client API tells it: `uri` as its id, its page, when it was posted, its text,
    /// language and hashtags, and its public or unlisted addressing. `None` for a boost,
    /// a status without a `uri`, or one neither public nor unlisted.
    pub fn to_object(&self) -> Option<crate::Object> {
        const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";
        if self.reblog.is_some() {
            return None;
        }
        let (to, cc) = match self.visibility()? {
            Visibility::Public => (vec![PUBLIC], vec![]),
            Visibility::Unlisted => (vec![], vec![PUBLIC]),
            _ => return None,
        };
        let doc = serde_json::json!({
            "id": self.uri.as_deref()?,
            "type": "Note",
            "url": self.url,
            "published": self.created_at.map(|t| t.to_rfc3339()),
            "content": self.content,
            "to": to,
            "cc": cc,
            "tag": self.tags.iter().map(|name| serde_json::json!({
                "type": "Hashtag",
                "name": format!("#{name}"),
            })).collect::<Vec<_>>(),
            "language": self.language,
        });
        let bytes = serde_json::to_vec(&doc).ok()?;
        crate::parse_object(&bytes, bytes.len()).ok()
    }

    /// The status's visibility, when the server named a known one.
    pub fn visibility(&self) -> Option<Visibility> {
        self.visibility
            .as_deref()
            .and_then(Visibility::from_mastodon)
    }

    fn from_value(value: &Value, depth: usize) -> Option<Self> {
        let f = Fields::of(value)?;
        let nested = |key: &str| {
            (depth < MAX_STATUS_DEPTH)
                .then(|| f.get(key).and_then(|v| Status::from_value(v, depth + 1)))
                .flatten()
                .map(Box::new)
        };
        Some(Self {
            id: id_string(&f, "id")?,
            uri: f.str("uri"),
            url: f.str("url"),
            created_at: f.date("created_at"),
            in_reply_to_id: id_string(&f, "in_reply_to_id"),
            in_reply_to_account_id: id_string(&f, "in_reply_to_account_id"),
            visibility: f.str("visibility").map(|v| v.to_ascii_lowercase()),
            account: f.get("account").and_then(Account::from_value),
            reblog: nested("reblog"),
            replies_count: f.count("replies_count"),
            reblogs_count: f.count("reblogs_count"),
            favourites_count: f.count("favourites_count"),
            quotes_count: f.count("quotes_count"),
            quote: quote_of(&f, depth),
            tags: f
                .many("tags")
                .filter_map(|tag| Fields::of(tag).and_then(|t| t.str("name")))
                .map(|name| name.trim_start_matches('#').to_lowercase())
                .filter(|name| !name.is_empty())
                .collect(),
            language: f.str("language"),
            content: f.str("content"),
        })
    }
}

/// Reads the quote forms: Mastodon 4.5 `quote: {state, quoted_status}` or
/// `{state, quoted_status_id}`, and Fedibird's `quote: Status` / `quote_id`.
fn quote_of(f: &Fields<'_>, depth: usize) -> Option<StatusQuote> {
    let read_status = |value: &Value| {
        (depth < MAX_STATUS_DEPTH)
            .then(|| Status::from_value(value, depth + 1))
            .flatten()
            .map(Box::new)
    };
    match f.obj("quote") {
        Some(q) if q.has("state") || q.has("quoted_status") || q.has("quoted_status_id") => {
            let quoted_status = q.get("quoted_status").and_then(read_status);
            let quoted_status_id = id_string(&q, "quoted_status_id")
                .or_else(|| quoted_status.as_ref().map(|s| s.id.clone()));
            Some(StatusQuote {
                state: q.str("state"),
                quoted_status,
                quoted_status_id,
            })
        }
        Some(_) => {
            let quoted_status = f.get("quote").and_then(read_status);
            Some(StatusQuote {
                state: None,
                quoted_status_id: quoted_status
                    .as_ref()
                    .map(|s| s.id.clone())
                    .or_else(|| id_string(f, "quote_id")),
                quoted_status,
            })
        }
        None => id_string(f, "quote_id").map(|id| StatusQuote {
            state: None,
            quoted_status: None,
            quoted_status_id: Some(id),
        }),
    }
}

/// An id written as a string or a number (some forks use numbers).
fn id_string(f: &Fields<'_>, key: &str) -> Option<String> {
    match f.get(key)? {
        Value::Number(n) => Some(n.to_string()),
        other => id_of(other),
    }
}

/// `GET /api/v1/statuses/:id/context`.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusContext {
    /// The statuses above, oldest first.
    pub ancestors: Listing<Status>,
    /// The replies below, in thread order.
    pub descendants: Listing<Status>,
}

/// Parses an account (`/api/v1/accounts/lookup`, `/api/v1/accounts/:id`).
pub fn parse_account(bytes: &[u8], max_bytes: usize) -> Result<Account, ParseError> {
    let value = Value::Object(json::read_object(bytes, max_bytes)?);
    Account::from_value(&value).ok_or(ParseError::MissingField {
        document: "a Mastodon account",
        field: "id/username",
    })
}

/// Parses a list of accounts (`favourited_by`, `reblogged_by`).
pub fn parse_accounts(bytes: &[u8], max_bytes: usize) -> Result<Listing<Account>, ParseError> {
    parse_array(bytes, max_bytes, Account::from_value)
}

/// Parses a status (`/api/v1/statuses/:id`).
pub fn parse_status(bytes: &[u8], max_bytes: usize) -> Result<Status, ParseError> {
    let value = Value::Object(json::read_object(bytes, max_bytes)?);
    Status::from_value(&value, 0).ok_or(ParseError::MissingField {
        document: "a Mastodon status",
        field: "id",
    })
}

/// Parses a list of statuses (`/api/v1/accounts/:id/statuses`).
pub fn parse_statuses(bytes: &[u8], max_bytes: usize) -> Result<Listing<Status>, ParseError> {
    parse_array(bytes, max_bytes, |v| Status::from_value(v, 0))
}

/// Parses a thread context (`/api/v1/statuses/:id/context`).
pub fn parse_status_context(bytes: &[u8], max_bytes: usize) -> Result<StatusContext, ParseError> {
    let map = json::read_object(bytes, max_bytes)?;
    let f = Fields(&map);
    if !f.has("ancestors") && !f.has("descendants") {
        return Err(ParseError::MissingField {
            document: "a Mastodon status context",
            field: "descendants",
        });
    }
    let list = |key: &str| Listing::from_values(f.many(key), |v| Status::from_value(v, 0));
    Ok(StatusContext {
        ancestors: list("ancestors"),
        descendants: list("descendants"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: usize = 1 << 20;

    const STATUS: &str = r#"{
        "id": "113", "uri": "https://m.example/users/brand/statuses/113",
        "url": "https://m.example/@brand/113", "created_at": "2025-05-01T10:00:00.000Z",
        "in_reply_to_id": null, "in_reply_to_account_id": null, "visibility": "public",
        "language": "en", "content": "<p>hello</p>",
        "replies_count": 2, "reblogs_count": "3", "favourites_count": 5, "quotes_count": 1,
        "tags": [{"name": "Rust", "url": "https://m.example/tags/rust"}],
        "account": {"id": "1", "username": "brand", "acct": "brand", "url": "https://m.example/@brand",
                    "uri": "https://m.example/users/brand", "display_name": "Brand",
                    "note": "<p>We post</p>", "followers_count": 1200, "following_count": 3,
                    "statuses_count": 40, "bot": false, "discoverable": true, "indexable": true,
                    "noindex": false, "locked": false,
                    "fields": [{"name": "Web", "value": "<a>x</a>", "verified_at": null}, {"value": "no name"}]},
        "reblog": null,
        "quote": {"state": "accepted", "quoted_status": {"id": "99", "account": {"id": "2", "username": "o"}}}
    }"#;

    #[test]
    fn reads_a_full_status() {
        let status = parse_status(STATUS.as_bytes(), MAX).expect("the sample parses");
        assert_eq!(status.id, "113");
        assert_eq!(status.reblogs_count, Some(3));
        assert_eq!(status.tags, ["rust"]);
        assert_eq!(status.visibility(), Some(Visibility::Public));
        let Some(account) = &status.account else {
            panic!("account expected");
        };
        assert_eq!(account.followers_count, Some(1200));
        assert_eq!(account.fields.len(), 1);
        assert!(account.opt_out().may_be_named);
        let Some(quote) = &status.quote else {
            panic!("quote expected");
        };
        assert_eq!(quote.state.as_deref(), Some("accepted"));
        assert_eq!(quote.quoted_status_id.as_deref(), Some("99"));
    }

    #[test]
    fn every_quote_form() {
        let cases = [
            (
                r#"{"id":"1","quote":{"state":"pending","quoted_status_id":"7"}}"#,
                Some("7"),
            ),
            (
                r#"{"id":"1","quote":{"state":"deleted","quoted_status":null}}"#,
                None,
            ),
            (
                r#"{"id":"1","quote":{"id":"8","account":{"id":"2","username":"x"}},"quote_id":"8"}"#,
                Some("8"),
            ),
            (r#"{"id":"1","quote_id":"9"}"#, Some("9")),
            (r#"{"id":"1","quote":null}"#, None),
        ];
        for (input, expected) in cases {
            let status =
                parse_status(input.as_bytes(), MAX).unwrap_or_else(|e| panic!("{e}: {input}"));
            let got = status.quote.and_then(|q| q.quoted_status_id);
            assert_eq!(got.as_deref(), expected, "{input}");
        }
    }

    #[test]
    fn lists_and_contexts() {
        let accounts = parse_accounts(
            br#"[{"id":"1","username":"a"},{"id":2,"acct":"b@remote.example"},{"username":"no id"},7]"#,
            MAX,
        );
        let Ok(accounts) = accounts else {
            panic!("accounts should parse");
        };
        assert_eq!(accounts.items.len(), 2);
        assert_eq!(accounts.items[1].username, "b");
        assert_eq!(accounts.skipped, 2);
        assert!(
            !accounts.items[0].opt_out().may_be_named,
            "indexable missing"
        );

        let context = parse_status_context(
            br#"{"ancestors":[],"descendants":[{"id":"5","in_reply_to_id":113}]}"#,
            MAX,
        );
        let Ok(context) = context else {
            panic!("context should parse");
        };
        assert_eq!(
            context.descendants.items[0].in_reply_to_id.as_deref(),
            Some("113")
        );
        assert!(matches!(
            parse_status_context(b"{}", MAX),
            Err(ParseError::MissingField { .. })
        ));
        assert!(matches!(
            parse_status(b"[]", MAX),
            Err(ParseError::WrongShape { .. })
        ));
        assert!(matches!(
            parse_account(br#"{"id":"1"}"#, MAX),
            Err(ParseError::MissingField { .. })
        ));
    }
}
