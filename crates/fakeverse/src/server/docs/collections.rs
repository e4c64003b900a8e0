//! Collections: actors' outboxes and followers, Mastodon's replies (self-replies first,
//! then `only_other_accounts` pages) and count-only likes/shares, PeerTube's likes,
//! dislikes, announces and comments, and the PeerTube video itself.

use axum::{http::StatusCode, response::Response};
use fedireach_core::EngagementKind;
use serde_json::{Value, json};
use std::sync::atomic::Ordering;

use super::{
    AS, PUBLIC,
    actor::collection_url,
    objects::{
        Target, Visibility, announce, author, create, note_context, note_json, status_visible,
    },
};
use crate::{
    server::{dispatch::Ctx, reply, state::State},
    time::rfc3339_millis,
    world::{NO_PARENT, Quirk, SimSoftware, World, ids::base36, ids::uuid},
};

/// Mastodon's outbox page size.
const OUTBOX_PAGE: usize = 20;
/// Mastodon's replies page size (`DESCENDANTS_LIMIT`).
const REPLIES_PAGE: usize = 60;
/// Self-replies embedded in a note's first replies page.
const SELF_REPLIES_INLINE: usize = 5;
/// PeerTube's collection page size.
const PEERTUBE_PAGE: usize = 10;

fn visible(world: &World, target: Target) -> bool {
    status_visible(world, target) == Visibility::Visible
}

/// The visible direct replies of an object, oldest first.
fn children(state: &State, target: Target) -> Vec<u32> {
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
    let (mut likes, mut shares) = (0, 0);
    for i in world.engagements_of(p) {
        if let Some(e) = world.engagements().get(i)
            && world.engagement_visible(e)
        {
            match e.kind {
                EngagementKind::Like => likes += 1,
                EngagementKind::Boost => shares += 1,
                _ => {}
            }
        }
    }
    (likes, shares)
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

/// Comments per page of a WordPress replies collection (WordPress's default
/// `comments_per_page`).
const WORDPRESS_PAGE: usize = 50;

/// Where the WordPress ActivityPub plugin serves a post's collections
/// (`/wp-json/activitypub/1.0/posts/ID/{replies,likes,shares}`).
pub(crate) fn wordpress_collection_url(world: &World, target: Target, name: &str) -> String {
    let Target::Post(p) = target else {
        return String::new();
    };
    let origin = world
        .posts()
        .get(p as usize)
        .and_then(|post| world.actors().get(post.actor as usize))
        .map(|a| world.origin(a.instance))
        .unwrap_or_default();
    format!(
        "{origin}/wp-json/activitypub/1.0/posts/{}/{name}",
        world.post_num(p)
    )
}

/// A WordPress post's `replies`, `likes` and `shares` as its Article carries them
/// (Automattic/wordpress-activitypub includes/transformer/class-post.php): replies a
/// Collection with its first page embedded, likes and shares counts only, shares
/// counting quotes too (class-replies-controller.php `get_shares`).
pub(crate) fn wordpress_inline(state: &State, target: Target, doc: &mut Value) {
    let world = &state.world;
    doc["replies"] = json!({
        "id": wordpress_collection_url(world, target, "replies"),
        "type": "Collection",
        "first": wordpress_replies_page(state, target, 1),
    });
    let (likes, shares) = like_share_counts(world, target);
    let quotes = match target {
        Target::Post(p) => world
            .engagements_of(p)
            .filter_map(|i| world.engagements().get(i))
            .filter(|e| e.kind == EngagementKind::Quote && world.engagement_visible(e))
            .count() as u64,
        Target::Engagement(_) => 0,
    };
    for (name, total) in [("likes", likes), ("shares", shares + quotes)] {
        doc[name] = json!({
            "id": wordpress_collection_url(world, target, name),
            "type": "Collection",
            "totalItems": total,
        });
    }
}

/// Page `page` (from 1) of a WordPress post's replies: the ids of its direct comments
/// from other servers, oldest first (includes/collection/class-replies.php: `parent = 0`,
/// `orderby comment_date_gmt ASC`, no `totalItems`).
fn wordpress_replies_page(state: &State, target: Target, page: usize) -> Value {
    let world = &state.world;
    let id = wordpress_collection_url(world, target, "replies");
    let kids = children(state, target);
    let items: Vec<Value> = kids
        .iter()
        .skip((page - 1) * WORDPRESS_PAGE)
        .take(WORDPRESS_PAGE)
        .map(|&e| json!(world.engagement_uri(e)))
        .collect();
    let mut doc = json!({
        "id": format!("{id}?page={page}"),
        "type": "CollectionPage",
        "partOf": id,
        "items": items,
    });
    if kids.len() > page * WORDPRESS_PAGE {
        doc["next"] = json!(format!("{id}?page={}", page + 1));
    }
    if page > 1 {
        doc["prev"] = json!(format!("{id}?page={}", page - 1));
    }
    doc
}

/// `GET .../posts/ID/replies[?page=N]`, `.../likes`, `.../shares` of a WordPress post.
pub(crate) fn wordpress(ctx: &Ctx<'_>, target: Target, which: &str) -> Response {
    let world = ctx.world;
    if which != "replies" {
        let mut doc = json!({});
        wordpress_inline(ctx.state, target, &mut doc);
        let mut collection = doc[which].take();
        collection["@context"] = json!(AS);
        return reply::ap(&collection);
    }
    let mut doc = match ctx.param("page").and_then(|p| p.parse::<usize>().ok()) {
        Some(page) if page >= 1 => wordpress_replies_page(ctx.state, target, page),
        _ => json!({
            "id": wordpress_collection_url(world, target, "replies"),
            "type": "Collection",
            "first": wordpress_replies_page(ctx.state, target, 1),
        }),
    };
    doc["@context"] = json!(AS);
    reply::ap(&doc)
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
fn endless(ctx: &Ctx<'_>) -> bool {
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
fn numbered_page(ctx: &Ctx<'_>, id: &str, items: Vec<Value>, size: usize) -> Value {
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

/// What an actor's outbox lists, newest first: its posts and its boosts.
fn outbox_items(state: &State, actor: u32) -> Vec<(u64, Target)> {
    let world = &state.world;
    let mut items: Vec<(u64, Target)> = world
        .posts()
        .iter()
        .enumerate()
        .filter(|(_, p)| p.actor == actor && world.post_visible(p))
        .filter_map(|(i, _)| u32::try_from(i).ok())
        .map(|p| (world.post_num(p), Target::Post(p)))
        .collect();
    for &e in state.boosts_by.get(&actor).map_or(&[][..], Vec::as_slice) {
        if visible(world, Target::Engagement(e)) {
            items.push((world.engagement_num(e), Target::Engagement(e)));
        }
    }
    items.sort_by_key(|x| std::cmp::Reverse(x.0));
    items
}

fn outbox_item(state: &State, target: Target) -> Value {
    let mut doc = match target {
        Target::Post(_) => create(state, target),
        Target::Engagement(_) => announce(&state.world, target),
    };
    if let Some(map) = doc.as_object_mut() {
        map.remove("@context");
    }
    doc
}

/// `followers`, `following`, `outbox` and `featured` of an actor.
pub(crate) fn actor_collection(ctx: &Ctx<'_>, a: u32, name: &str) -> Response {
    let world = ctx.world;
    let Some(actor) = world.actors().get(a as usize) else {
        return reply::status(StatusCode::NOT_FOUND);
    };
    if actor.gone {
        return reply::status(StatusCode::GONE);
    }
    let id = collection_url(world, a, name);
    match name {
        "outbox" => outbox(ctx, a, &id),
        "followers" | "following" => {
            let total = if name == "followers" {
                world.followers(a)
            } else {
                world.followers(a) / 3 + 7
            };
            let items: Vec<Value> = Vec::new();
            let mut doc = numbered_page(ctx, &id, items, PEERTUBE_PAGE);
            doc["totalItems"] = json!(total);
            if matches!(
                ctx.inst.software,
                SimSoftware::Pleroma | SimSoftware::Akkoma
            ) && ctx.param("page").is_none()
            {
                doc["first"] = json!({ "id": format!("{id}?page=1"), "type": "OrderedCollectionPage", "totalItems": total, "partOf": id, "orderedItems": [] });
            }
            reply::ap(&doc)
        }
        _ => reply::ap(
            &json!({ "@context": AS, "id": id, "type": "OrderedCollection", "totalItems": 0, "orderedItems": [] }),
        ),
    }
}

fn outbox(ctx: &Ctx<'_>, a: u32, id: &str) -> Response {
    let state = ctx.state;
    let software = ctx.inst.software;
    if software == SimSoftware::Threads {
        // Threads serves no outbox: `{"success":false,"error":"Not found"}` (reported
        // in TryGhost/ActivityPub issue #981; no public source of its own).
        return reply::status(StatusCode::NOT_FOUND);
    }
    if software == SimSoftware::Pixelfed && ctx.inst.quirk != Quirk::BovineShapes {
        // Pixelfed's outbox counts the posts and lists none
        // (app/Http/Controllers/FederationController.php `userOutbox` in current code);
        // a host shaped like bovine-herd (the lure's) serves bovine's outbox.
        return reply::ap(&json!({
            "@context": AS, "id": id, "type": "OrderedCollection",
            "totalItems": outbox_items(state, a).len(),
        }));
    }
    if software == SimSoftware::Lemmy {
        // Lemmy serves every person's outbox empty: LemmyNet/lemmy's person outbox
        // handler, as its real document fixtures/real/lemmy/outbox_person_outbox.json.
        return reply::ap(&json!({
            "type": "OrderedCollection", "id": id, "orderedItems": [], "totalItems": 0,
        }));
    }
    let items = outbox_items(state, a);
    if software == SimSoftware::Peertube {
        let values = items.iter().map(|(_, t)| outbox_item(state, *t)).collect();
        return reply::ap(&numbered_page(ctx, id, values, PEERTUBE_PAGE));
    }
    let misskey = software.is_misskey();
    let parse = |v: &str| {
        if misskey {
            u64::from_str_radix(v, 36).ok()
        } else {
            v.parse().ok()
        }
    };
    let show = |n: u64| if misskey { base36(n) } else { n.to_string() };
    let (older, newer) = if misskey {
        ("until_id", "since_id")
    } else {
        ("max_id", "min_id")
    };
    if ctx.param("page").is_none() {
        let last = if misskey {
            format!("{id}?page=true&since_id=000000000000000000000000")
        } else {
            format!("{id}?min_id=0&page=true")
        };
        return reply::ap(&json!({
            "@context": AS, "id": id, "type": "OrderedCollection",
            "totalItems": items.len(), "first": format!("{id}?page=true"), "last": last,
        }));
    }
    let page: Vec<(u64, Target)> = if let Some(max) = ctx.param(older).and_then(parse) {
        items
            .iter()
            .filter(|(n, _)| *n < max)
            .take(OUTBOX_PAGE)
            .copied()
            .collect()
    } else if let Some(min) = ctx.param(newer).and_then(parse) {
        let mut above: Vec<(u64, Target)> = items
            .iter()
            .rev()
            .filter(|(n, _)| *n > min)
            .take(OUTBOX_PAGE)
            .copied()
            .collect();
        above.reverse();
        above
    } else {
        items.iter().take(OUTBOX_PAGE).copied().collect()
    };
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(ctx.params.iter())
        .finish();
    let mut doc = json!({
        "@context": AS,
        "id": format!("{id}?{query}"),
        "type": "OrderedCollectionPage",
        "partOf": id,
        "orderedItems": page.iter().map(|(_, t)| outbox_item(state, *t)).collect::<Vec<_>>(),
    });
    if let (Some(first), Some(last)) = (page.first(), page.last()) {
        doc["prev"] = json!(format!("{id}?{newer}={}&page=true", show(first.0)));
        if page.len() == OUTBOX_PAGE || endless(ctx) {
            doc["next"] = json!(format!("{id}?{older}={}&page=true", show(last.0)));
        }
    } else if endless(ctx) {
        doc["next"] = json!(format!("{id}?{older}={}&page=true", show(u64::MAX / 2)));
    }
    reply::ap(&doc)
}
