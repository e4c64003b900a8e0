//! The Mastodon-compatible REST API (Mastodon and its forks, Pleroma, Akkoma,
//! GoToSocial): the only place Mastodon names who liked and boosted a post
//! (`favourited_by`, `reblogged_by`, Link-header paging), the thread
//! (`context`, capped at 60 descendants without a token), and with the owned brand's
//! token, quotes.

use std::collections::HashMap;

use fedireach_activitypub::{
    Account, Listing, ParseError, Status, StatusContext, parse_accounts, parse_status,
    parse_status_context, parse_statuses,
};
use fedireach_core::{EngagementKind, Host, Unavailable};
use url::Url;

use crate::engine::{
    ctx::{ACCEPT_JSON, Ctx, all_bounded},
    found::{EngagerFacts, Found, PostFindings, reply_kind},
    resolve::webfinger,
};

const SOURCE: &str = "mastodon_api";

/// Accounts asked for per page (Mastodon caps `limit` at 80).
const PAGE_LIMIT: u32 = 80;

/// Mastodon serves at most this many descendants to a caller without a token.
pub const UNAUTHENTICATED_DESCENDANTS: usize = 60;

/// Pixelfed's `context` serves at most this many direct replies, token or not
/// (`ApiV1Controller::statusContext`), and none below them.
pub const PIXELFED_DESCENDANTS: usize = 20;

/// Statuses asked for on each side of a thread (`context?limit=`), where the server
/// takes a limit (Friendica).
const CONTEXT_LIMIT: u32 = 4_096;

/// Pages read at most from one account list.
const MAX_PAGES: usize = 1_000;

/// The status id of a post on its origin: the last path segment of its uri or url.
pub fn status_id(uri: &str, url: Option<&str>) -> Option<String> {
    [Some(uri), url].into_iter().flatten().find_map(|u| {
        let parsed = Url::parse(u).ok()?;
        let last = parsed.path_segments()?.rev().find(|s| !s.is_empty())?;
        (last.chars().all(|c| c.is_ascii_alphanumeric()) && !last.is_empty())
            .then(|| last.to_owned())
    })
}

/// What a server's Mastodon-compatible API does differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Api {
    pub quotes: Quotes,
    /// `context` serves no more descendants than this (to this caller), if it caps.
    pub context_cap: Option<usize>,
}

/// Where a post's quotes are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quotes {
    /// `/api/v1/statuses/:id/quotes`, to the quoted post's author only (Mastodon 4.5).
    Mastodon,
    /// `/api/v1/pleroma/statuses/:id/quotes`, to anyone (Pleroma).
    Pleroma,
}

/// What the REST API found; `None` when the API is not served (then the caller falls
/// back to plain ActivityPub for everything).
pub async fn collect(
    ctx: &Ctx,
    origin: &Url,
    id: &str,
    token: Option<&str>,
    api: Api,
    out: &mut PostFindings,
) -> Option<ContextOutcome> {
    let quotes_at = api.quotes;
    let base = origin.join("/api/v1/statuses/").ok()?;
    let status_url = base.join(id).ok()?;
    let (status, _) = ctx
        .get_parsed(&status_url, ACCEPT_JSON, token, parse_status)
        .await?;
    let count = |n: Option<u64>| n.and_then(|n| i64::try_from(n).ok());
    (out.reported_replies, out.reported_likes) =
        (count(status.replies_count), count(status.favourites_count));
    (out.reported_boosts, out.reported_quotes) =
        (count(status.reblogs_count), count(status.quotes_count));
    let host = Host::from_url(origin);
    let host = host.as_ref();
    let list = |path: &str| {
        let mut url = base.join(&format!("{id}/{path}")).ok();
        if let Some(url) = url.as_mut() {
            url.query_pairs_mut()
                .append_pair("limit", &PAGE_LIMIT.to_string());
        }
        url
    };
    let mut context_url = base.join(&format!("{id}/context")).ok()?;
    // Friendica serves `limit` (default 40) of each side of the thread and no more;
    // Mastodon ignores it.
    context_url
        .query_pairs_mut()
        .append_pair("limit", &CONTEXT_LIMIT.to_string());
    // The lists of a post are independent: they are read at once (each host's pace is
    // kept by the fetcher).
    let (liked, boosted, quoted, context) = futures::join!(
        accounts(
            ctx,
            list("favourited_by"),
            token,
            host,
            EngagementKind::Like
        ),
        accounts(
            ctx,
            list("reblogged_by"),
            token,
            host,
            EngagementKind::Boost
        ),
        quotes(ctx, quotes_at, origin, id, token, host),
        ctx.get_parsed(&context_url, ACCEPT_JSON, token, parse_status_context),
    );
    for (listed, kind) in [
        (liked, EngagementKind::Like),
        (boosted, EngagementKind::Boost),
        (quoted, EngagementKind::Quote),
    ] {
        if let Some(found) = listed {
            out.found.extend(found);
            out.complete(kind);
        }
    }
    if token.is_none() && quotes_at == Quotes::Mastodon && status.quotes_count.is_some() {
        // Mastodon, which counts quotes, lists them only to a client with a token;
        // servers that do not count them (Pleroma, GoToSocial) list them nowhere.
        out.blocked(EngagementKind::Quote, Unavailable::NeedsToken);
    }
    let (context, _) = context?;
    Some(context_replies(ctx, context, id, host, api, out).await)
}

/// The replies in a status's context, placed by their `in_reply_to` chains: complete
/// unless the server's cap on the context may have cut them.
async fn context_replies(
    ctx: &Ctx,
    context: StatusContext,
    id: &str,
    host: Option<&Host>,
    api: Api,
    out: &mut PostFindings,
) -> ContextOutcome {
    out.listed(EngagementKind::Reply);
    // Entries that could not be read still count toward the server's cap.
    let served = context.descendants.items.len() + context.descendants.skipped;
    let descendants = context.descendants.items;
    // Depth of each descendant from its in_reply_to chain; 1 is a direct reply.
    let parent: HashMap<&str, &str> = descendants
        .iter()
        .filter_map(|s| Some((s.id.as_str(), s.in_reply_to_id.as_deref()?)))
        .collect();
    let max_depth = ctx.options.reply_depth + 1;
    let replies = all_bounded(descendants.iter().filter_map(|status| {
        let depth = depth_below(status, id, &parent, max_depth)?;
        status
            .visibility()
            .is_none_or(|v| v.is_countable())
            .then(|| status_found(ctx, status, host, reply_kind(depth), Some(depth)))
    }))
    .await;
    out.found.extend(replies.into_iter().flatten());
    let capped = api.context_cap.is_some_and(|cap| served >= cap);
    if !capped {
        out.complete(EngagementKind::Reply);
        out.complete(EngagementKind::ThreadReply);
    }
    ContextOutcome { capped }
}

/// Everyone in an account list (likes, boosts), or `None` when it could not be read.
async fn accounts(
    ctx: &Ctx,
    url: Option<Url>,
    token: Option<&str>,
    origin: Option<&Host>,
    kind: EngagementKind,
) -> Option<Vec<Found>> {
    let listed = paged(ctx, url?, token, parse_accounts).await?;
    let found = all_bounded(
        listed
            .iter()
            .map(|account| account_found(ctx, account, origin, kind)),
    )
    .await;
    Some(found.into_iter().flatten().collect())
}

/// The quotes of a post, which Mastodon lists only to a token.
async fn quotes(
    ctx: &Ctx,
    at: Quotes,
    base: &Url,
    id: &str,
    token: Option<&str>,
    origin: Option<&Host>,
) -> Option<Vec<Found>> {
    let path = match at {
        Quotes::Mastodon => {
            token?;
            format!("/api/v1/statuses/{id}/quotes")
        }
        Quotes::Pleroma => format!("/api/v1/pleroma/statuses/{id}/quotes"),
    };
    let listed = paged(ctx, base.join(&path).ok()?, token, parse_statuses).await?;
    let found = all_bounded(
        listed
            .iter()
            .map(|quote| status_found(ctx, quote, origin, EngagementKind::Quote, None)),
    )
    .await;
    Some(found.into_iter().flatten().collect())
}

/// How far below the post `status` sits (1: a direct reply), if within `max`.
fn depth_below(
    status: &Status,
    post_id: &str,
    parent: &HashMap<&str, &str>,
    max: u32,
) -> Option<u32> {
    let mut depth = 1;
    let mut cursor = status.in_reply_to_id.as_deref();
    loop {
        match cursor {
            Some(up) if up == post_id => return Some(depth),
            Some(up) if depth < max => {
                depth += 1;
                cursor = parent.get(up).copied();
            }
            _ => return None,
        }
    }
}

/// Whether the thread may hold more than the API served.
#[derive(Debug, Clone, Copy)]
pub struct ContextOutcome {
    pub capped: bool,
}

/// Every page of a list (Link-header paging, the `next` URL followed verbatim, on the
/// same host only).
async fn paged<T>(
    ctx: &Ctx,
    first: Url,
    token: Option<&str>,
    parse: fn(&[u8], usize) -> Result<Listing<T>, ParseError>,
) -> Option<Vec<T>> {
    let mut all = Vec::new();
    let mut next = Some(first);
    let mut pages = 0;
    while let Some(url) = next.take() {
        pages += 1;
        let (listing, fetched) = ctx.get_parsed(&url, ACCEPT_JSON, token, parse).await?;
        let empty = listing.items.is_empty();
        all.extend(listing.items);
        if empty || pages >= MAX_PAGES {
            break;
        }
        next = fetched.next_link();
    }
    Some(all)
}

/// The actor id of an account: its `uri` where the server gives one, else WebFinger of
/// its `acct` (a local account's acct has no domain: the origin's).
async fn account_actor(ctx: &Ctx, account: &Account, origin: Option<&Host>) -> Option<String> {
    if let Some(uri) = &account.uri {
        return Some(uri.clone());
    }
    let acct = account.acct.as_deref().unwrap_or(&account.username);
    let (user, domain) = match acct.split_once('@') {
        Some((user, domain)) => (user.to_owned(), domain.to_owned()),
        None => (acct.to_owned(), origin?.to_string()),
    };
    let scheme = account
        .url
        .as_deref()
        .and_then(|u| Url::parse(u).ok())
        .map_or("https", |u| {
            if u.scheme() == "http" {
                "http"
            } else {
                "https"
            }
        });
    webfinger(ctx, scheme, &user, &domain)
        .await
        .map(|u| u.to_string())
}

async fn account_found(
    ctx: &Ctx,
    account: &Account,
    origin: Option<&Host>,
    kind: EngagementKind,
) -> Option<Found> {
    let actor = account_actor(ctx, account, origin).await?;
    let mut found = Found::new(kind, actor, SOURCE);
    found.engager = Some(EngagerFacts::from_account(
        account,
        origin.map(Host::as_str),
    ));
    Some(found)
}

async fn status_found(
    ctx: &Ctx,
    status: &Status,
    origin: Option<&Host>,
    kind: EngagementKind,
    depth: Option<u32>,
) -> Option<Found> {
    let account = status.account.as_ref()?;
    let mut found = account_found(ctx, account, origin, kind)
        .await?
        .with_text(status.content.as_deref())
        .with_language(status.language.as_deref());
    found.uri = status.uri.clone().or_else(|| status.url.clone());
    found.depth = depth.map(i64::from);
    found.happened_at = status.created_at.map(|t| t.timestamp());
    Some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_ids() {
        for (uri, url, expected) in [
            (
                "https://m.example/users/a/statuses/1234",
                None,
                Some("1234"),
            ),
            (
                "https://m.example/objects/uuid-x",
                Some("https://m.example/@a/99"),
                Some("99"),
            ),
            (
                "https://m.example/users/a/statuses/1234/",
                None,
                Some("1234"),
            ),
            (
                "https://gts.example/users/a/statuses/01HABC",
                None,
                Some("01HABC"),
            ),
            ("nonsense", None, None),
        ] {
            assert_eq!(status_id(uri, url).as_deref(), expected, "{uri}");
        }
    }
}
