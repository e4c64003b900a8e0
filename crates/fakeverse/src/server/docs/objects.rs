//! Objects (notes, videos, comments) and activities (Create, Announce, Like), found from
//! their ids and written as their author's software writes them.

use axum::{http::StatusCode, response::Response};
use fedireach_core::EngagementKind;
use serde_json::{Value, json};

pub(crate) use super::note::note_json;
use super::note::published;
use super::{AS, PUBLIC, actor::collection_url, actor::context, collections};
use crate::{
    server::{dispatch::Ctx, reply, state::State},
    time::{rfc3339, rfc3339_millis},
    world::{
        EMOJIS, NO_PARENT, Quirk, SimSoftware, World,
        ids::{NumTarget, decode_num},
    },
};

/// A served object: a brand post or an engagement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Post(u32),
    Engagement(u32),
}

/// Whether an object exists on the day the world is seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Visibility {
    Visible,
    NotYet,
    Removed,
}

pub(crate) fn status_visible(world: &World, target: Target) -> Visibility {
    match target {
        Target::Post(p) => match world.posts().get(p as usize) {
            Some(post) if world.post_visible(post) => Visibility::Visible,
            _ => Visibility::NotYet,
        },
        Target::Engagement(e) => {
            let Some(eng) = world.engagements().get(e as usize) else {
                return Visibility::NotYet;
            };
            let post_ok = world
                .posts()
                .get(eng.post as usize)
                .is_some_and(|p| world.post_visible(p));
            if !post_ok || eng.created > world.now() {
                Visibility::NotYet
            } else if eng.removed <= world.now() {
                Visibility::Removed
            } else {
                Visibility::Visible
            }
        }
    }
}

pub(super) fn uri_of(world: &World, target: Target) -> String {
    match target {
        Target::Post(p) => world.post_uri(p),
        Target::Engagement(e) => world.engagement_uri(e),
    }
}

/// The author of an object.
pub(crate) fn author(world: &World, target: Target) -> Option<u32> {
    match target {
        Target::Post(p) => world.posts().get(p as usize).map(|p| p.actor),
        Target::Engagement(e) => world.engagements().get(e as usize).map(|e| e.actor),
    }
}

/// Finds the object a request names, and what follows its id in the path
/// (`/replies`, `/likes`...).
pub(crate) fn find_object(ctx: &Ctx<'_>) -> Option<(Target, String)> {
    let mut requested = format!("{}{}", ctx.origin(), ctx.path);
    let mut candidates: Vec<u64> = Vec::new();
    if ctx.inst.software == SimSoftware::Wordpress {
        // A post's collections: /wp-json/activitypub/1.0/posts/ID/NAME.
        if let Some(rest) = ctx.path.strip_prefix("/wp-json/activitypub/1.0/posts/")
            && let Some((num, name)) = rest.split_once('/')
            && let Ok(num) = num.parse::<u64>()
            && let NumTarget::Post(p) = decode_num(num)
            && ctx.world.post_num(p) == num
        {
            return Some((Target::Post(p), format!("/{name}")));
        }
        if let Some(c) = ctx.param("p").or_else(|| ctx.param("c")) {
            let key = if ctx.param("p").is_some() { "p" } else { "c" };
            requested = format!("{}/?{key}={c}", ctx.origin());
            candidates.extend(c.parse::<u64>().ok());
        }
    }
    for segment in ctx.path.split('/').rev() {
        if let Ok(n) = segment.parse::<u64>() {
            candidates.push(n);
        }
        if ctx.inst.software.is_misskey()
            && !segment.is_empty()
            && segment
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
            && let Ok(n) = u64::from_str_radix(segment, 36)
        {
            candidates.push(n);
        }
        if segment.len() == 36
            && let Some(last) = segment.rsplit('-').next()
            && let Ok(n) = u64::from_str_radix(last, 16)
        {
            candidates.push(n);
        }
    }
    for num in candidates {
        let target = match decode_num(num) {
            NumTarget::Post(p) => Target::Post(p),
            NumTarget::Engagement(e) => Target::Engagement(e),
        };
        let uri = uri_of(ctx.world, target);
        if uri.is_empty() {
            continue;
        }
        if requested == uri {
            return Some((target, String::new()));
        }
        if let Some(rest) = requested.strip_prefix(&uri)
            && rest.starts_with('/')
        {
            return Some((target, rest.to_owned()));
        }
    }
    None
}

/// Serves an object or one of its collections.
pub(crate) fn serve(ctx: &Ctx<'_>, target: Target, rest: &str) -> Response {
    let world = ctx.world;
    match status_visible(world, target) {
        Visibility::NotYet => return reply::status(StatusCode::NOT_FOUND),
        Visibility::Removed => return reply::status(StatusCode::GONE),
        Visibility::Visible => {}
    }
    if author(world, target)
        .and_then(|a| world.actors().get(a as usize))
        .is_some_and(|a| a.gone)
    {
        return reply::status(StatusCode::GONE);
    }
    let software = ctx.inst.software;
    let kind = match target {
        Target::Engagement(e) => world.engagements().get(e as usize).map(|e| e.kind),
        Target::Post(_) => None,
    };
    match (rest, kind) {
        ("/replies", _) if super::flood::floods(ctx) => {
            let parent = match target {
                Target::Post(p) => world.post_uri(p),
                Target::Engagement(e) => world.engagement_uri(e),
            };
            super::flood::replies(ctx, &parent)
        }
        ("/replies" | "/likes" | "/shares", _) if ctx.inst.quirk == Quirk::BovineShapes => {
            collections::bovine(ctx, target, &rest[1..])
        }
        ("", Some(EngagementKind::Boost)) => reply::ap(&announce(world, target)),
        ("", Some(EngagementKind::Like)) => reply::ap(&like(world, target)),
        ("", _) => reply::ap(&with_context(
            note_json(ctx.state, target),
            software,
            &ctx.origin(),
        )),
        ("/activity", _) if software == SimSoftware::Mastodon || software.is_misskey() => {
            reply::ap(&create(ctx.state, target))
        }
        ("/replies", _) if software == SimSoftware::Mastodon => {
            collections::mastodon_replies(ctx, target)
        }
        ("/likes" | "/shares", _) if software == SimSoftware::Mastodon => {
            collections::mastodon_counts(ctx, target, &rest[1..])
        }
        ("/replies" | "/likes" | "/shares", None) if software == SimSoftware::Wordpress => {
            super::wordpress::wordpress(ctx, target, &rest[1..])
        }
        ("/likes" | "/dislikes" | "/announces" | "/comments", None)
            if software == SimSoftware::Peertube =>
        {
            collections::peertube(ctx, target, &rest[1..])
        }
        _ => reply::status(StatusCode::NOT_FOUND),
    }
}

fn with_context(mut doc: Value, software: SimSoftware, origin: &str) -> Value {
    if doc.get("@context").is_none() {
        doc["@context"] = note_context(software, origin);
    }
    doc
}

/// The `@context` of a software's notes.
pub(crate) fn note_context(software: SimSoftware, origin: &str) -> Value {
    match software {
        SimSoftware::Mastodon | SimSoftware::Gotosocial | SimSoftware::Pixelfed => json!([AS, {
            "ostatus": "http://ostatus.org#",
            "atomUri": "ostatus:atomUri",
            "inReplyToAtomUri": "ostatus:inReplyToAtomUri",
            "conversation": "ostatus:conversation",
            "sensitive": "as:sensitive",
            "toot": "http://joinmastodon.org/ns#",
            "votersCount": "toot:votersCount",
            "quote": "https://w3id.org/fep/044f#quote",
            "quoteUri": "http://fedibird.com/ns#quoteUri",
            "_misskey_quote": "https://misskey-hub.net/ns#_misskey_quote"
        }]),
        SimSoftware::Peertube => json!([AS, "https://w3id.org/security/v1", {
            "pt": "https://joinpeertube.org/ns#",
            "sc": "http://schema.org/",
            "comments": { "@id": "as:comments", "@type": "@id" },
            "likes": { "@id": "as:likes", "@type": "@id" },
            "dislikes": { "@id": "as:dislikes", "@type": "@id" },
            "shares": { "@id": "as:shares", "@type": "@id" },
            "uuid": "sc:identifier",
            "views": { "@type": "sc:Number", "@id": "pt:views" },
            "state": { "@type": "sc:Number", "@id": "pt:state" },
            "commentsEnabled": { "@type": "sc:Boolean", "@id": "pt:commentsEnabled" },
            "downloadEnabled": { "@type": "sc:Boolean", "@id": "pt:downloadEnabled" },
            "waitTranscoding": { "@type": "sc:Boolean", "@id": "pt:waitTranscoding" },
            "support": { "@type": "sc:Text", "@id": "pt:support" },
            "originallyPublishedAt": "sc:datePublished",
            "category": "sc:category",
            "licence": "sc:license",
            "language": "sc:inLanguage",
            "subtitleLanguage": "sc:subtitleLanguage",
            "sensitive": "as:sensitive"
        }]),
        other => context(other, origin),
    }
}

/// `Create` of an object, as outboxes list them.
pub(crate) fn create(state: &State, target: Target) -> Value {
    let world = &state.world;
    let uri = uri_of(world, target);
    let author = author(world, target).unwrap_or(0);
    let software = world
        .instance_of(author)
        .map_or(SimSoftware::Mastodon, |i| i.software);
    let mut object = note_json(state, target);
    if let Some(map) = object.as_object_mut() {
        map.remove("@context");
    }
    let when = published(world, target);
    json!({
        "@context": note_context(software, &world.origin(world.actors().get(author as usize).map_or(0, |a| a.instance))),
        "id": format!("{uri}/activity"),
        "type": "Create",
        "actor": world.actor_id(author),
        "published": if software.is_misskey() { rfc3339_millis(when) } else { rfc3339(when) },
        "to": [PUBLIC],
        "cc": [collection_url(world, author, "followers")],
        "object": object,
    })
}

/// An `Announce` (boost) activity.
pub(crate) fn announce(world: &World, target: Target) -> Value {
    let Target::Engagement(e) = target else {
        return Value::Null;
    };
    let Some(eng) = world.engagements().get(e as usize) else {
        return Value::Null;
    };
    let post_author = world.posts().get(eng.post as usize).map_or(0, |p| p.actor);
    json!({
        "@context": AS,
        "id": world.engagement_uri(e),
        "type": "Announce",
        "actor": world.actor_id(eng.actor),
        "published": rfc3339(eng.created),
        "to": [PUBLIC],
        "cc": [world.actor_id(post_author), collection_url(world, eng.actor, "followers")],
        "object": world.post_uri(eng.post),
    })
}

/// A `Like` activity (with Misskey's reaction, when it is one).
pub(crate) fn like(world: &World, target: Target) -> Value {
    let Target::Engagement(e) = target else {
        return Value::Null;
    };
    let Some(eng) = world.engagements().get(e as usize) else {
        return Value::Null;
    };
    let mut doc = json!({
        "@context": [AS, "https://w3id.org/security/v1"],
        "id": world.engagement_uri(e),
        "type": "Like",
        "actor": world.actor_id(eng.actor),
        "object": if eng.parent == NO_PARENT { world.post_uri(eng.post) } else { world.engagement_uri(eng.parent) },
    });
    if eng.emoji > 0
        && let Some(emoji) = EMOJIS.get(usize::from(eng.emoji) - 1)
    {
        doc["content"] = json!(emoji);
        doc["_misskey_reaction"] = json!(emoji);
    }
    doc
}
