//! Reading a collection to its end: inline or by URL, its first page inline or not,
//! `next` pages followed with a bound and a loop check.

use std::collections::HashSet;

use fedireach_activitypub::{Collection, CollectionRef, ObjectRef, parse_collection};
use url::Url;

use super::ctx::{ACCEPT_AP, Ctx, join};

/// Empty pages followed in a row before a listing is taken as ended.
pub const MAX_EMPTY_PAGES: usize = 3;

/// The items of a collection, with the base URL each was found under.
#[derive(Debug, Default)]
pub struct Items {
    pub items: Vec<(ObjectRef, Url)>,
    /// `totalItems` as the server reported it.
    pub total: Option<u64>,
    /// Every page was read.
    pub complete: bool,
    /// At least one page of items was read (a count alone lists nobody).
    pub listed: bool,
}

/// Reads every item of `reference` (found in a document at `base`).
pub async fn read_all(ctx: &Ctx, reference: &CollectionRef, base: &Url) -> Items {
    let mut out = Items::default();
    // The post's item budget is spent: nothing more is read, and the host whose
    // collection spent it is reported (once; it may have filled it to the last item).
    if ctx.post_items_left() == 0 {
        if let Some(url) = ctx.post_budget_spent_by() {
            ctx.over_limit(&url, &post_cap(ctx));
        }
        return out;
    }
    let mut visited = HashSet::new();
    let Some((collection, base)) = root(ctx, reference, base, &mut visited).await else {
        return out;
    };
    out.total = collection.total_items;
    // A count without items (Mastodon's likes and shares) lists nobody: not complete.
    if collection.first.is_none()
        && collection.items.is_empty()
        && collection.total_items.unwrap_or(0) > 0
    {
        return out;
    }
    let mut page = match &collection.first {
        Some(CollectionRef::Inline(first)) => Some(((**first).clone(), base.clone())),
        Some(CollectionRef::Url(first)) => match join(&base, first) {
            Some(url) => fetch(ctx, &url, &mut visited, true).await,
            None => None,
        },
        None => Some((collection, base.clone())),
    };
    let mut pages = 0;
    let mut empty_run = 0;
    loop {
        let Some((current, base)) = page.take() else {
            // A page that could not be read leaves the listing incomplete.
            return out;
        };
        pages += 1;
        out.listed = true;
        if !current.items.is_empty() {
            empty_run = 0;
        }
        if !take_items(ctx, &mut out, &current, &base) {
            return out;
        }
        let next = current.next_page_url().and_then(|next| join(&base, next));
        match next {
            None => break,
            // Mastodon's first replies page is often empty and points on to the
            // replies of others; an endless run of empty pages is a broken server.
            Some(_)
                if current.items.is_empty() && {
                    empty_run += 1;
                    empty_run > MAX_EMPTY_PAGES
                } =>
            {
                // What was listed is all there is, but the server is broken: say so.
                ctx.misbehaved(&base, "the collection's empty pages never end");
                break;
            }
            Some(_) if pages >= ctx.options.max_pages_per_collection => {
                let what = format!(
                    "more than {} pages in one collection (crawl.max_pages_per_collection)",
                    ctx.options.max_pages_per_collection
                );
                ctx.over_limit(&base, &what);
                return out;
            }
            Some(url) if visited.contains(url.as_str()) => break,
            Some(url) => page = fetch(ctx, &url, &mut visited, true).await,
        }
    }
    out.complete = true;
    out
}

/// The collection `reference` names: inline, or fetched (its root is kept until the
/// post is saved: it stands for the post on a re-crawl, see `recheck`).
async fn root(
    ctx: &Ctx,
    reference: &CollectionRef,
    base: &Url,
    visited: &mut HashSet<String>,
) -> Option<(Collection, Url)> {
    match reference {
        CollectionRef::Inline(collection) => Some(((**collection).clone(), base.clone())),
        CollectionRef::Url(url) => {
            let url = join(base, url)?;
            ctx.release_after_post(&url, ACCEPT_AP);
            fetch(ctx, &url, visited, false).await
        }
    }
}

/// Takes a page's items into `out`, as many as the collection's and the post's caps
/// leave room for; `false` when a cap cut the page (reported `over_limit`).
fn take_items(ctx: &Ctx, out: &mut Items, page: &Collection, base: &Url) -> bool {
    let for_collection = ctx
        .options
        .max_items_per_collection
        .saturating_sub(out.items.len());
    let for_post = ctx.post_items_left();
    let taken = page.items.len().min(for_collection.min(for_post));
    out.items.extend(
        page.items
            .iter()
            .take(taken)
            .cloned()
            .map(|item| (item, base.clone())),
    );
    ctx.take_post_items(taken, base);
    if taken == page.items.len() {
        return true;
    }
    let what = if for_collection <= for_post {
        format!(
            "more than {} items in one collection (crawl.max_items_per_collection)",
            ctx.options.max_items_per_collection
        )
    } else {
        post_cap(ctx)
    };
    ctx.over_limit(base, &what);
    false
}

fn post_cap(ctx: &Ctx) -> String {
    format!(
        "more than {} items for one post (crawl.max_items_per_post)",
        ctx.options.max_items_per_post
    )
}

/// Reads a collection or one of its pages; a page (`page`) is dropped from the crawl's
/// cache at once: it is read once (`visited`), and a host may serve hundreds, whose
/// bodies need not wait for the post to end.
async fn fetch(
    ctx: &Ctx,
    url: &Url,
    visited: &mut HashSet<String>,
    page: bool,
) -> Option<(Collection, Url)> {
    visited.insert(url.to_string());
    let read = ctx
        .get_parsed(url, ACCEPT_AP, None, parse_collection)
        .await
        .map(|(c, fetched)| (c, fetched.url.clone()));
    if page {
        ctx.fetcher
            .release(&[crate::Request::get(url.clone(), ACCEPT_AP).key()]);
    }
    read
}
