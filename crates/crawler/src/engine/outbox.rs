//! Walking a tracked actor's outbox back to the window: its public posts (Create) and its
//! boosts (Announce, kept but not brand posts), from the origin server.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use fedireach_activitypub::{
    ActivityKind, Collection, CollectionRef, Document, Object, ObjectRef, parse_collection,
    parse_object,
};
use url::Url;

use super::ctx::{ACCEPT_AP, Ctx, join};

/// Pages read at most from one outbox: far beyond any real one within a window, and
/// the end of a pagination that never ends.
pub const MAX_OUTBOX_PAGES: usize = 2_000;

/// A post as listed: its object, and the id its server's client API knows it by when
/// it was listed there (the object's id may be one the API does not know).
#[derive(Debug, Clone)]
pub struct ListedPost {
    pub object: Object,
    pub api_id: Option<String>,
}

/// An outbox entry worth keeping.
#[derive(Debug, Clone)]
pub enum OutboxItem {
    /// A public or unlisted post.
    Post(Box<ListedPost>),
    /// A boost by the brand of another object.
    Boost {
        id: String,
        object: String,
        published: Option<DateTime<Utc>>,
    },
}

/// Reads the outbox newest first until the window's start, `max_posts`, or its end.
/// The error says why the outbox itself could not be read.
pub async fn walk(
    ctx: &Ctx,
    outbox: &Url,
    since: Option<DateTime<Utc>>,
    max_posts: Option<usize>,
) -> Result<Vec<OutboxItem>, String> {
    let mut items = Vec::new();
    let (collection, fetched) = ctx
        .get_parsed_or_why(outbox, ACCEPT_AP, None, parse_collection)
        .await?;
    let counted = collection.total_items.unwrap_or(0);
    let mut listed_any = false;
    let mut visited = HashSet::from([fetched.url.to_string()]);
    // The outbox itself may hold the items, or point at its first page (inline or not).
    let mut page: Option<(Collection, Url)> = match &collection.first {
        Some(CollectionRef::Inline(first)) => Some(((**first).clone(), fetched.url.clone())),
        Some(CollectionRef::Url(first)) => match join(&fetched.url, first) {
            Some(url) => fetch_page(ctx, &url, &mut visited).await,
            None => None,
        },
        _ => Some((collection, fetched.url.clone())),
    };
    let mut pages = 0;
    while let Some((current, base)) = page.take() {
        pages += 1;
        let mut older_than_window = false;
        listed_any |= !current.items.is_empty();
        for item in &current.items {
            match entry(ctx, &base, item).await {
                Some(OutboxItem::Post(post)) => {
                    if let (Some(since), Some(published)) = (since, post.object.published)
                        && published < since
                    {
                        older_than_window = true;
                        continue;
                    }
                    items.push(OutboxItem::Post(post));
                }
                Some(boost @ OutboxItem::Boost { .. }) => items.push(boost),
                None => {}
            }
            if max_posts.is_some_and(|max| posts(&items) >= max) {
                return Ok(items);
            }
        }
        if older_than_window || current.items.is_empty() {
            break;
        }
        if pages >= MAX_OUTBOX_PAGES {
            ctx.malformed(&base, &"the outbox's pagination does not end");
            break;
        }
        page = match current.next_page_url().and_then(|next| join(&base, next)) {
            Some(url) => fetch_page(ctx, &url, &mut visited).await,
            None => None,
        };
    }
    // A count of posts and not one listed (Pixelfed's outbox): the posts are unknown,
    // not absent.
    if counted > 0 && !listed_any {
        return Err(format!("{outbox} counts {counted} posts but lists none"));
    }
    Ok(items)
}

fn posts(items: &[OutboxItem]) -> usize {
    items
        .iter()
        .filter(|i| matches!(i, OutboxItem::Post(_)))
        .count()
}

async fn fetch_page(
    ctx: &Ctx,
    url: &Url,
    visited: &mut HashSet<String>,
) -> Option<(Collection, Url)> {
    if !visited.insert(url.to_string()) {
        return None;
    }
    ctx.get_parsed(url, ACCEPT_AP, None, parse_collection)
        .await
        .map(|(c, fetched)| (c, fetched.url.clone()))
}

/// One outbox item: a Create of a public object (inline or by id), an Announce, or a
/// bare object (some servers list objects, not activities).
async fn entry(ctx: &Ctx, base: &Url, item: &ObjectRef) -> Option<OutboxItem> {
    let object_ref = match item.inline() {
        Some(Document::Activity(activity)) => match activity.kind {
            ActivityKind::Create => activity.object()?.clone(),
            ActivityKind::Announce => {
                return Some(OutboxItem::Boost {
                    id: activity.id.clone().unwrap_or_default(),
                    object: activity.object_id()?.to_owned(),
                    published: activity.published,
                });
            }
            _ => return None,
        },
        Some(Document::Object(_)) | None => item.clone(),
        Some(_) => return None,
    };
    let object = match object_ref.inline() {
        Some(Document::Object(object)) => object.clone(),
        Some(_) => return None,
        None => {
            let url = join(base, object_ref.id()?)?;
            // An id alone may be an activity (bovine lists Create ids): read what it is.
            let (document, fetched) = ctx
                .get_parsed(&url, ACCEPT_AP, None, fedireach_activitypub::parse_document)
                .await?;
            match document {
                Document::Object(object) => object,
                Document::Activity(activity) if activity.kind == ActivityKind::Create => {
                    match activity.object()?.inline() {
                        Some(Document::Object(object)) => object.clone(),
                        _ => {
                            let url = join(&fetched.url, activity.object_id()?)?;
                            ctx.get_parsed(&url, ACCEPT_AP, None, parse_object).await?.0
                        }
                    }
                }
                Document::Activity(activity) if activity.kind == ActivityKind::Announce => {
                    return Some(OutboxItem::Boost {
                        id: activity.id.clone().unwrap_or_default(),
                        object: activity.object_id()?.to_owned(),
                        published: activity.published,
                    });
                }
                _ => return None,
            }
        }
    };
    if !object.visibility().is_countable() || object.id.is_none() {
        return None;
    }
    Some(OutboxItem::Post(Box::new(ListedPost {
        object,
        api_id: None,
    })))
}
