//! Collections of objects: Mastodon's replies (self-replies first, then
//! `only_other_accounts` pages) and count-only likes/shares, bovine-herd's, PeerTube's
//! likes, dislikes, announces and comments, and the PeerTube video itself. Actors'
//! collections are in `outbox.rs`, WordPress's in `wordpress.rs`.

use axum::{http::StatusCode, response::Response};
use fedireach_core::EngagementKind;
use serde_json::{Value, json};
use std::sync::atomic::Ordering;

use super::{
    AS, PUBLIC,
    objects::{Target, Visibility, author, note_context, note_json, status_visible},
};
use crate::{
    server::{dispatch::Ctx, reply, state::State},
    time::rfc3339_millis,
    world::{NO_PARENT, Quirk, SimSoftware, World, ids::uuid},
};

/// Mastodon's replies page size (`DESCENDANTS_LIMIT`).
const REPLIES_PAGE: usize = 60;
/// Self-replies embedded in a note's first replies page.
const SELF_REPLIES_INLINE: usize = 5;
/// PeerTube's collection page size.
pub(super) const PEERTUBE_PAGE: usize = 10;

pub(super) fn visible(world: &World, target: Target) -> bool {
    status_visible(world, target) == Visibility::Visible
}

/// The visible direct replies of an object, oldest first.
pub(super) fn children(state: &State, target: Target) -> Vec<u32> {
    let world = &state.world;
    let mut kids: Vec<u32> = match target {
        Target::Post(p) => world
            .engagements_of(p)
            .filter(|&i| {
                world
                    .engagements()
                    .get(i)
                    .is_some_and(|e| e.kind == EngagementKind::Reply && e.parent == NO_PARENT)
            })
            .filter_map(|i| u32::try_from(i).ok())
            .collect(),
        Target::Engagement(e) => state.children.get(&e).cloned().unwrap_or_default(),
    };
    kids.retain(|&e| visible(world, Target::Engagement(e)));
    kids.sort_by_key(|&e| world.engagement_num(e));
    kids
}

/// Likes and boosts of a post that its origin counts (for `totalItems`).
pub(crate) fn like_share_counts(world: &World, target: Target) -> (u64, u64) {
    let Target::Post(p) = target else {
        return (0, 0);
    };
    let counts = world.visible_counts(p);
    (counts.likes, counts.boosts)
}

fn uri(world: &World, target: Target) -> String {
    match target {
        Target::Post(p) => world.post_uri(p),
        Target::Engagement(e) => world.engagement_uri(e),
    }
}

/// A reply as a replies page lists it: inline when local, its id when remote.
fn reply_item(state: &State, serving: u32, e: u32) -> Value {
    let world = &state.world;
    let local = world
        .engagements()
        .get(e as usize)
        .and_then(|x| world.actors().get(x.actor as usize))
        .is_some_and(|a| a.instance == serving);
    if local {
        let mut doc = note_json(state, Target::Engagement(e));
        if let Some(map) = doc.as_object_mut() {
            map.remove("@context");
        }
        doc
    } else {
        json!(world.engagement_uri(e))
    }
}

/// The `replies` collection embedded in a Mastodon note.
pub(crate) fn mastodon_replies_inline(state: &State, target: Target) -> Value {
    let world = &state.world;
    let base = uri(world, target);
    let owner = author(world, target);
    let serving = owner
        .and_then(|a| world.actors().get(a as usize))
        .map_or(0, |a| a.instance);
    let own: Vec<u32> = children(state, target)
        .into_iter()
        .filter(|&e| world.engagements().get(e as usize).map(|x| x.actor) == owner)
        .collect();
    let next = if own.len() > SELF_REPLIES_INLINE {
        let last = own
            .get(SELF_REPLIES_INLINE - 1)
            .map_or(0, |&e| world.engagement_num(e));
        format!("{base}/replies?min_id={last}&page=true")
    } else {
        format!("{base}/replies?only_other_accounts=true&page=true")
    };
    let items: Vec<Value> = own
        .iter()
        .take(SELF_REPLIES_INLINE)
        .map(|&e| reply_item(state, serving, e))
        .collect();
    json!({
        "id": format!("{base}/replies"),
        "type": "Collection",
        "first": { "type": "CollectionPage", "next": next, "partOf": format!("{base}/replies"), "items": items },
    })
}

/// `GET …/replies[?page=true[&only_other_accounts=true][&min_id=N]]` on Mastodon.
pub(crate) fn mastodon_replies(ctx: &Ctx<'_>, target: Target) -> Response {
    let world = ctx.world;
    let base = uri(world, target);
    if ctx.param("page").is_none() {
        let mut doc = mastodon_replies_inline(ctx.state, target);
        doc["@context"] = json!(AS);
        return reply::ap(&doc);
    }
    let min_id: u64 = ctx
        .param("min_id")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let others = ctx.param("only_other_accounts") == Some("true");
    let owner = author(world, target);
    let mine: Vec<u32> = children(ctx.state, target)
        .into_iter()
        .filter(|&e| (world.engagements().get(e as usize).map(|x| x.actor) == owner) != others)
        .filter(|&e| world.engagement_num(e) > min_id)
        .collect();
    let page: Vec<u32> = mine.iter().take(REPLIES_PAGE).copied().collect();
    let more = mine.len() > page.len();
    let last = page.last().map_or(min_id + 1, |&e| world.engagement_num(e));
    let next = match (others, more || endless(ctx)) {
        (true, true) => Some(format!(
            "{base}/replies?min_id={last}&only_other_accounts=true&page=true"
        )),
        (true, false) => None,
        (false, true) => Some(format!("{base}/replies?min_id={last}&page=true")),
        (false, false) => Some(format!("{base}/replies?only_other_accounts=true&page=true")),
    };
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(ctx.params.iter())
        .finish();
    let mut doc = json!({
        "@context": AS,
        "id": format!("{base}/replies?{query}"),
        "type": "CollectionPage",
        "partOf": format!("{base}/replies"),
        "items": page.iter().map(|&e| reply_item(ctx.state, ctx.instance, e)).collect::<Vec<_>>(),
    });
    if let Some(next) = next {
        doc["next"] = json!(next);
    }
    reply::ap(&doc)
}

/// Whether this host's collection pages never end; asked only where a page would
/// otherwise be the last, so each `true` is a page the quirk made up (counted in the
/// stats: the crawler met the quirk).
pub(super) fn endless(ctx: &Ctx<'_>) -> bool {
    let endless = ctx.inst.quirk == Quirk::EndlessPages;
    if endless && let Some(stats) = ctx.state.host_stats(ctx.instance) {
        stats.endless_pages.fetch_add(1, Ordering::Relaxed);
    }
    endless
}

/// Mastodon's `likes` and `shares`: counts only.
pub(crate) fn mastodon_counts(ctx: &Ctx<'_>, target: Target, which: &str) -> Response {
    let base = uri(ctx.world, target);
    let (likes, shares) = like_share_counts(ctx.world, target);
    let total = if which == "likes" { likes } else { shares };
    reply::ap(
        &json!({ "@context": AS, "id": format!("{base}/{which}"), "type": "Collection", "totalItems": total }),
    )
}

/// One page of an OrderedCollection paged by number (`?page=N`, from 1).
pub(super) fn numbered_page(ctx: &Ctx<'_>, id: &str, items: Vec<Value>, size: usize) -> Value {
    let total = items.len();
    match ctx.param("page").and_then(|p| p.parse::<usize>().ok()) {
        None => {
            json!({ "@context": AS, "id": id, "type": "OrderedCollection", "totalItems": total, "first": format!("{id}?page=1") })
        }
        Some(page) => {
            let page = page.max(1);
            let chunk: Vec<Value> = items
                .into_iter()
                .skip((page - 1) * size)
                .take(size)
                .collect();
            let mut doc = json!({
                "@context": AS,
                "id": format!("{id}?page={page}"),
                "type": "OrderedCollectionPage",
                "partOf": id,
                "totalItems": total,
                "orderedItems": chunk,
            });
            if page * size < total || endless(ctx) {
                doc["next"] = json!(format!("{id}?page={}", page + 1));
            }
            doc
        }
    }
}

/// bovine-herd's `replies`, `likes` and `shares` of an object: one OrderedCollection,
/// unpaged, of ids (the replies, the Like and the Announce activities).
pub(crate) fn bovine(ctx: &Ctx<'_>, target: Target, which: &str) -> Response {
    let world = ctx.world;
    let id = format!("{}/{which}", uri(world, target));
    let items: Vec<Value> = match (which, target) {
        ("replies", _) => children(ctx.state, target)
            .into_iter()
            .map(|e| json!(world.engagement_uri(e)))
            .collect(),
        (_, Target::Post(p)) => {
            let kind = if which == "likes" {
                EngagementKind::Like
            } else {
                EngagementKind::Boost
            };
            world
                .engagements_of(p)
                .filter(|&i| {
                    world
                        .engagements()
                        .get(i)
                        .is_some_and(|e| e.kind == kind && world.engagement_visible(e))
                })
                .filter_map(|i| u32::try_from(i).ok())
                .map(|i| json!(world.engagement_uri(i)))
                .collect()
        }
        _ => Vec::new(),
    };
    reply::ap(&json!({
        "@context": AS,
        "id": id,
        "type": "OrderedCollection",
        "totalItems": items.len(),
        "orderedItems": items,
    }))
}

/// PeerTube's `likes`, `dislikes`, `announces` and `comments` of a video.
pub(crate) fn peertube(ctx: &Ctx<'_>, target: Target, which: &str) -> Response {
    let Target::Post(p) = target else {
        return reply::status(StatusCode::NOT_FOUND);
    };
    let world = ctx.world;
    let id = format!("{}/{which}", world.post_uri(p));
    let mut items = Vec::new();
    for i in world.engagements_of(p) {
        let Some(e) = world.engagements().get(i) else {
            continue;
        };
        if !world.engagement_visible(e) {
            continue;
        }
        let i = u32::try_from(i).unwrap_or(u32::MAX);
        match (which, e.kind) {
            ("likes", EngagementKind::Like) => items.push(json!(world.actor_id(e.actor))),
            ("announces", EngagementKind::Boost) => items.push(json!(world.engagement_uri(i))),
            ("comments", EngagementKind::Reply | EngagementKind::ThreadReply) => {
                items.push(json!(world.engagement_uri(i)));
            }
            _ => {}
        }
    }
    reply::ap(&numbered_page(ctx, &id, items, PEERTUBE_PAGE))
}

/// A PeerTube video, with its collections as URLs (as PeerTube 4+ writes them).
pub(crate) fn video(state: &State, p: u32) -> Value {
    let world = &state.world;
    let Some(post) = world.posts().get(p as usize) else {
        return Value::Null;
    };
    let channel = world.actor_id(post.actor);
    let instance = world
        .actors()
        .get(post.actor as usize)
        .map_or(0, |a| a.instance);
    let origin = world.origin(instance);
    let user = world
        .actors()
        .get(post.actor as usize)
        .map_or("", |a| &*a.username);
    let id = world.post_uri(p);
    let video_uuid = uuid(
        world.actors().get(post.actor as usize).map_or(0, |a| a.key),
        world.post_num(p),
    );
    let when = rfc3339_millis(post.published);
    json!({
        "@context": note_context(SimSoftware::Peertube, &origin),
        "type": "Video",
        "id": id,
        "name": format!("{} video #{p}", world.brand_name(post)),
        "duration": format!("PT{}S", 60 + post.key % 900),
        "uuid": video_uuid,
        "tag": [],
        "category": { "identifier": "15", "name": "Science & Technology" },
        "licence": { "identifier": "1", "name": "Attribution" },
        "language": { "identifier": "en", "name": "English" },
        "views": post.key % 5000,
        "sensitive": false,
        "waitTranscoding": false,
        "state": 1,
        "commentsEnabled": true,
        "downloadEnabled": true,
        "published": when,
        "originallyPublishedAt": null,
        "updated": when,
        "mediaType": "text/markdown",
        "content": format!("{} video number {p}.", world.brand_name(post)),
        "support": null,
        "subtitleLanguage": [],
        "icon": [{ "type": "Image", "url": format!("{origin}/lazy-static/thumbnails/{video_uuid}.jpg"), "mediaType": "image/jpeg", "width": 280, "height": 157 }],
        "url": [{ "type": "Link", "mediaType": "text/html", "href": format!("{origin}/w/{video_uuid}") }],
        "likes": format!("{id}/likes"),
        "dislikes": format!("{id}/dislikes"),
        "shares": format!("{id}/announces"),
        "comments": format!("{id}/comments"),
        "attributedTo": [
            { "type": "Person", "id": format!("{origin}/accounts/{user}") },
            { "type": "Group", "id": channel },
        ],
        "to": [PUBLIC],
        "cc": [format!("{channel}/followers")],
    })
}
