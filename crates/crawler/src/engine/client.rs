//! An owned brand's own account, read as its owner's client: the Mastodon client API of
//! its home server (`accounts/lookup`, then `accounts/:id/statuses`), with the owner's
//! token. Used where the home bars a crawler from the account's ActivityPub documents
//! (GoToSocial's robots.txt disallows WebFinger and `/users/`, and its client API wants
//! a token for every route): the owner's client acts for the owner, so robots.txt does
//! not gate it (BRIEF section 3); the host's rate limits still do.

use chrono::{DateTime, Utc};
use fedireach_activitypub::{Account, parse_account, parse_statuses};
use fedireach_core::Host;
use url::Url;

use super::{
    ctx::{ACCEPT_JSON, Ctx},
    outbox::{ListedPost, OutboxItem},
    resolve::{PostSource, ResolvedActor},
};

/// Statuses asked for per page (Mastodon and GoToSocial cap `limit` at 40).
const PAGE_LIMIT: u32 = 40;

/// Pages read at most: far beyond any account's posts within a window.
const MAX_PAGES: usize = 2_000;

/// Resolves `user@domain` through `accounts/lookup` with the owner's token. The error
/// says why it could not be.
pub async fn resolve(
    ctx: &Ctx,
    scheme: &str,
    user: &str,
    domain: &str,
    token: &str,
) -> Result<ResolvedActor, String> {
    let (account, statuses) = lookup(ctx, scheme, user, domain, Some(token), Lookup::Acct).await?;
    let id = account
        .uri
        .clone()
        .ok_or_else(|| format!("{statuses}: the account names no ActivityPub id (`uri`)"))?;
    let url = Url::parse(&id).map_err(|e| format!("{statuses}: its `uri` {id:?}: {e}"))?;
    let host = Host::from_url(&statuses).ok_or_else(|| format!("{statuses}: no host"))?;
    Ok(ResolvedActor {
        id,
        url,
        host,
        followers: account.followers_count.and_then(|n| i64::try_from(n).ok()),
        username: Some(user.to_owned()),
        ld_context: fedireach_activitypub::JsonLdContext::default(),
        posts: PostSource::Client(statuses),
    })
}

/// How a home's client API finds an account by its handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// `accounts/lookup?acct=USER` (Mastodon, Pleroma, Akkoma, GoToSocial).
    Acct,
    /// `accounts/USER@DOMAIN`: Friendica's `accounts/lookup` wants a token, its
    /// `accounts/{name}` does not (src/Module/Api/Mastodon/Accounts.php).
    Path,
    /// `accounts/verify_credentials`: the token's own account (Pixelfed has no
    /// `accounts/lookup`; every read of its API wants the owner's token anyway).
    Own,
}

/// The account `user@domain` on its home's client API (with `token` where there is
/// one) and the first page of its statuses.
pub async fn lookup(
    ctx: &Ctx,
    scheme: &str,
    user: &str,
    domain: &str,
    token: Option<&str>,
    how: Lookup,
) -> Result<(Account, Url), String> {
    let mut lookup = Url::parse(&format!("{scheme}://{domain}/api/v1/accounts/"))
        .map_err(|e| format!("{user}@{domain}: {e}"))?;
    match how {
        Lookup::Acct => {
            lookup.set_path("/api/v1/accounts/lookup");
            lookup.query_pairs_mut().append_pair("acct", user);
        }
        Lookup::Path => {
            if let Ok(mut segments) = lookup.path_segments_mut() {
                segments.pop_if_empty().push(&format!("{user}@{domain}"));
            }
        }
        Lookup::Own => lookup.set_path("/api/v1/accounts/verify_credentials"),
    }
    let (account, fetched) = ctx
        .get_parsed_or_why(&lookup, ACCEPT_JSON, token, parse_account)
        .await?;
    let statuses = statuses_url(&fetched.url, &account.id)?;
    Ok((account, statuses))
}

/// A status id as the client API gave it, if it can be one segment of the API's paths:
/// ASCII letters and digits, as Mastodon's, GoToSocial's, Pleroma's, Friendica's and
/// Pixelfed's are. Anything else (`/`, `..`, `//other.host`) is not followed.
fn api_id(id: &str) -> Option<String> {
    (!id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then(|| id.to_owned())
}

/// `/api/v1/accounts/ID/statuses?limit=40` on the host that answered: the server's id
/// is one path segment, encoded, whatever it holds (`/`, `?`, `..`).
fn statuses_url(answered: &Url, id: &str) -> Result<Url, String> {
    let mut url = answered.clone();
    url.set_query(None);
    url.set_fragment(None);
    url.path_segments_mut()
        .map_err(|()| format!("{answered}: not a URL with a path"))?
        .clear()
        .extend(["api", "v1", "accounts", id, "statuses"]);
    url.query_pairs_mut()
        .append_pair("limit", &PAGE_LIMIT.to_string());
    Ok(url)
}

/// The account's statuses, newest first, back to the window's start or `max_posts`:
/// its public and unlisted posts, and its boosts (Link-header paging on the same host).
pub async fn statuses(
    ctx: &Ctx,
    first: &Url,
    token: Option<&str>,
    since: Option<DateTime<Utc>>,
    max_posts: Option<usize>,
) -> Vec<OutboxItem> {
    let mut items = Vec::new();
    let mut posts = 0;
    let mut next = Some(first.clone());
    let mut pages = 0;
    while let Some(url) = next.take() {
        pages += 1;
        let Some((listing, fetched)) = ctx
            .get_parsed(&url, ACCEPT_JSON, token, parse_statuses)
            .await
        else {
            break;
        };
        let mut older_than_window = false;
        for status in &listing.items {
            if let (Some(since), Some(at)) = (since, status.created_at)
                && at < since
            {
                older_than_window = true;
                continue;
            }
            if let Some(boosted) = &status.reblog {
                if let Some(object) = boosted.uri.clone() {
                    items.push(OutboxItem::Boost {
                        id: status.uri.clone().unwrap_or_default(),
                        object,
                        published: status.created_at,
                    });
                }
                continue;
            }
            if let Some(object) = status.to_object() {
                items.push(OutboxItem::Post(Box::new(ListedPost {
                    object,
                    api_id: api_id(&status.id),
                })));
                posts += 1;
                if max_posts.is_some_and(|max| posts >= max) {
                    return items;
                }
            }
        }
        if older_than_window || listing.items.is_empty() {
            break;
        }
        if pages >= MAX_PAGES {
            ctx.malformed(&url, &"the account's statuses do not end");
            break;
        }
        next = fetched.next_link();
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_status_ids_are_followed() {
        for good in ["113", "01HABCXYZ", "AbC9"] {
            assert_eq!(api_id(good).as_deref(), Some(good));
        }
        for bad in [
            "",
            "../x",
            "//evil.example/x",
            "1?x",
            "a b",
            &"9".repeat(65),
        ] {
            assert_eq!(api_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn an_account_id_is_one_path_segment_on_the_same_host() {
        let answered =
            Url::parse("https://gts.example/api/v1/accounts/lookup?acct=brand").expect("a URL");
        for (id, path) in [
            ("01HABC", "/api/v1/accounts/01HABC/statuses"),
            ("../../x", "/api/v1/accounts/..%2F..%2Fx/statuses"),
            ("a?b#c", "/api/v1/accounts/a%3Fb%23c/statuses"),
            (
                "//evil.example",
                "/api/v1/accounts/%2F%2Fevil.example/statuses",
            ),
        ] {
            let url = statuses_url(&answered, id).expect("a statuses URL");
            assert_eq!(url.host_str(), Some("gts.example"), "{id}");
            assert_eq!(url.path(), path, "{id}");
            assert_eq!(url.query(), Some("limit=40"), "{id}");
        }
    }
}
