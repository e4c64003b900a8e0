//! The collections of the amplifier and nested-endless hosts (issue #12): the `replies`
//! of their reply to the lure never end, each page full of new public replies by the
//! host's one actor; on a nested-endless host each of those has endless `replies` of its
//! own. No real server is meant to do this: it is what a crawler must survive.

use std::sync::atomic::Ordering;

use axum::{http::StatusCode, response::Response};
use serde_json::{Value, json};

use super::{AS, PUBLIC};
use crate::{
    server::{dispatch::Ctx, reply},
    time::rfc3339,
    world::Quirk,
};

/// Replies on each page of a flood.
pub(crate) const FLOOD_PAGE: u64 = 100;

/// Whether the host floods.
pub(crate) fn floods(ctx: &Ctx<'_>) -> bool {
    matches!(ctx.inst.quirk, Quirk::Amplifier | Quirk::NestedEndless)
}

/// A path below a made-up reply (`…/flood/P-I`, `…/flood/P-I/replies`) of a flooding
/// host, served as that reply or its replies.
pub(crate) fn serve_path(ctx: &Ctx<'_>) -> Option<Response> {
    if !floods(ctx) || !ctx.path.contains("/flood/") {
        return None;
    }
    let base = format!("{}{}", ctx.origin(), ctx.path);
    Some(match base.strip_suffix("/replies") {
        Some(parent) => replies(ctx, parent),
        None => {
            let (parent, item) = base.rsplit_once("/flood/")?;
            let (page, i) = item.split_once('-')?;
            let (page, i) = (page.parse().ok()?, i.parse().ok()?);
            let mut note = note(ctx, parent, page, i);
            note["@context"] = json!(AS);
            reply::ap(&note)
        }
    })
}

/// The `replies` of `parent` (a reply's id): an OrderedCollection whose pages never end.
pub(crate) fn replies(ctx: &Ctx<'_>, parent: &str) -> Response {
    let id = format!("{parent}/replies");
    let Some(page) = ctx.param("page").and_then(|p| p.parse::<u64>().ok()) else {
        return reply::ap(&json!({
            "@context": AS, "id": id, "type": "OrderedCollection",
            "first": format!("{id}?page=1"),
        }));
    };
    if page == 0 {
        return reply::status(StatusCode::NOT_FOUND);
    }
    if let Some(stats) = ctx.state.host_stats(ctx.instance) {
        stats.endless_pages.fetch_add(1, Ordering::Relaxed);
    }
    let items: Vec<Value> = (0..FLOOD_PAGE)
        .map(|i| note(ctx, parent, page, i))
        .collect();
    reply::ap(&json!({
        "@context": AS,
        "id": format!("{id}?page={page}"),
        "type": "OrderedCollectionPage",
        "partOf": id,
        "orderedItems": items,
        "next": format!("{id}?page={}", page + 1),
    }))
}

/// Made-up reply `i` of page `page` below `parent`.
fn note(ctx: &Ctx<'_>, parent: &str, page: u64, i: u64) -> Value {
    let world = ctx.world;
    let id = format!("{parent}/flood/{page}-{i}");
    let mut note = json!({
        "id": id,
        "type": "Note",
        "attributedTo": world.actor_id(ctx.inst.actors.start),
        "inReplyTo": parent,
        "to": [PUBLIC],
        "cc": [],
        "published": rfc3339(world.now() - 3600),
        "content": format!("<p>reply {page}-{i}</p>"),
    });
    if ctx.inst.quirk == Quirk::NestedEndless {
        note["replies"] = json!(format!("{id}/replies"));
    }
    note
}
