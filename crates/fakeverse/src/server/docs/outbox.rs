//! An actor's collections: its outbox (each software's paging, Lemmy's empty one,
//! Threads' 404, Pixelfed's count), followers, following and featured.

use axum::{http::StatusCode, response::Response};
use serde_json::{Value, json};

use super::{
    AS,
    actor::collection_url,
    collections::{PEERTUBE_PAGE, endless, numbered_page, visible},
    objects::{Target, announce, create},
};
use crate::{
    server::{dispatch::Ctx, reply, state::State},
    world::{Quirk, SimSoftware, ids::base36},
};

/// Mastodon's outbox page size.
const OUTBOX_PAGE: usize = 20;

/// What an actor's outbox lists, newest first: its posts and its boosts.
fn outbox_items(state: &State, actor: u32) -> Vec<(u64, Target)> {
    let world = &state.world;
    let mut items: Vec<(u64, Target)> = world
        .visible_posts_of(actor)
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
    // Every other software pages its posts and boosts; Mbin as its current code does
    // (MbinOrg/mbin src/Controller/ActivityPub/User/UserOutboxController.php: the
    // user's public activity; older deployments served it empty, its issue #485).
    let items = outbox_items(state, a);
    if software == SimSoftware::Peertube {
        let values = items.iter().map(|(_, t)| outbox_item(state, *t)).collect();
        return reply::ap(&numbered_page(ctx, id, values, PEERTUBE_PAGE));
    }
    cursor_pages(ctx, id, &items, software.is_misskey())
}

/// An outbox paged by cursors, as Mastodon (`max_id`, `min_id`) and Misskey
/// (`until_id`, `since_id`, base 36) write them: its root without `page`, else a page.
fn cursor_pages(ctx: &Ctx<'_>, id: &str, items: &[(u64, Target)], misskey: bool) -> Response {
    let state = ctx.state;
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
