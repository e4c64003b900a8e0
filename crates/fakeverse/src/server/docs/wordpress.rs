//! The WordPress ActivityPub plugin's collections of a post (Automattic/
//! wordpress-activitypub): `replies`, `likes` and `shares` at its REST paths.

use axum::response::Response;
use fedireach_core::EngagementKind;
use serde_json::{Value, json};

use super::{
    AS,
    collections::{children, like_share_counts},
    objects::Target,
};
use crate::{
    server::{dispatch::Ctx, reply, state::State},
    world::World,
};

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
