//! Misskey's API: `POST /api/...` with a JSON body. Notes of every software that engage
//! with a Misskey post are known to it; their ids are the object numbers in base 36.

use axum::{http::StatusCode, response::Response};
use fedireach_core::EngagementKind;
use serde_json::{Value, json};

use super::limit;
use crate::{
    server::{
        dispatch::Ctx,
        docs::{Target, Visibility, status_visible},
        reply,
    },
    time::rfc3339_millis,
    world::{EMOJIS, NO_PARENT, ids::NumTarget, ids::base36, ids::decode_num},
};

/// The reaction Misskey records for a plain `Like`.
const DEFAULT_REACTION: &str = "❤️";

fn error(status: StatusCode, code: &str) -> Response {
    let mut r = reply::api(
        &json!({ "error": { "message": code, "code": code, "id": "00000000-0000-0000-0000-000000000000" } }),
    );
    *r.status_mut() = status;
    r
}

pub(crate) fn route(ctx: &Ctx<'_>) -> Response {
    let body: Value = serde_json::from_slice(&ctx.body).unwrap_or(json!({}));
    let arg = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_owned);
    let lim = limit(
        body.get("limit")
            .and_then(Value::as_u64)
            .map(|n| n.to_string())
            .as_deref(),
        10,
        100,
    );
    let until = arg("untilId").and_then(|v| u64::from_str_radix(&v, 36).ok());
    match ctx.path {
        "/api/users/show" => users_show(ctx, arg("username"), arg("host"), arg("userId")),
        "/api/users/notes" => {
            let Some(user) = arg("userId").and_then(|id| user_by_id(ctx, &id)) else {
                return error(StatusCode::BAD_REQUEST, "NO_SUCH_USER");
            };
            let world = ctx.world;
            let mut notes: Vec<(u64, u32)> = world
                .visible_posts_of(user)
                .map(|p| (world.post_num(p), p))
                .filter(|(n, _)| until.is_none_or(|u| *n < u))
                .collect();
            notes.sort_by_key(|x| std::cmp::Reverse(x.0));
            let out: Vec<Value> = notes
                .iter()
                .take(lim)
                .map(|(_, p)| note(ctx, Target::Post(*p)))
                .collect();
            reply::api(&json!(out))
        }
        "/api/notes/show"
        | "/api/notes/replies"
        | "/api/notes/children"
        | "/api/notes/renotes"
        | "/api/notes/reactions" => {
            let Some(target) = arg("noteId").and_then(|id| find_note(ctx, &id)) else {
                return error(StatusCode::BAD_REQUEST, "NO_SUCH_NOTE");
            };
            let out = match ctx.path {
                "/api/notes/show" => note(ctx, target),
                "/api/notes/reactions" => json!(
                    list(ctx, target, &[EngagementKind::Like], until, lim)
                        .into_iter()
                        .map(|e| reaction(ctx, e))
                        .collect::<Vec<_>>()
                ),
                path => {
                    let kinds: &[EngagementKind] = match path {
                        "/api/notes/replies" => {
                            &[EngagementKind::Reply, EngagementKind::ThreadReply]
                        }
                        "/api/notes/children" => &[
                            EngagementKind::Reply,
                            EngagementKind::ThreadReply,
                            EngagementKind::Quote,
                        ],
                        _ => &[EngagementKind::Boost, EngagementKind::Quote],
                    };
                    json!(
                        list(ctx, target, kinds, until, lim)
                            .into_iter()
                            .map(|e| note(ctx, Target::Engagement(e)))
                            .collect::<Vec<_>>()
                    )
                }
            };
            reply::api(&out)
        }
        _ => error(StatusCode::NOT_FOUND, "NO_SUCH_ENDPOINT"),
    }
}

fn user_by_id(ctx: &Ctx<'_>, id: &str) -> Option<u32> {
    let n = u64::from_str_radix(id, 36).ok()?;
    let a = u32::try_from(n & 0xffff_ffff).ok()?;
    (ctx.world.misskey_user_id(a) == id).then_some(a)
}

fn users_show(
    ctx: &Ctx<'_>,
    username: Option<String>,
    host: Option<String>,
    id: Option<String>,
) -> Response {
    let world = ctx.world;
    let found = match (id, username) {
        (Some(id), _) => user_by_id(ctx, &id),
        (None, Some(name)) => {
            let range = match host.as_deref() {
                None => Some(ctx.inst.actors.clone()),
                Some(h) => world
                    .instance_index(h)
                    .and_then(|i| world.instances().get(i as usize))
                    .map(|i| i.actors.clone()),
            };
            range.and_then(|mut r| {
                r.find(|a| {
                    world
                        .actors()
                        .get(*a as usize)
                        .is_some_and(|x| *x.username == *name)
                })
            })
        }
        _ => None,
    };
    match found.filter(|a| world.actors().get(*a as usize).is_some_and(|x| !x.gone)) {
        Some(a) => {
            let mut user = user_lite(ctx, a);
            user["followersCount"] = json!(if crate::truth::followers_known(world, a) {
                world.followers(a)
            } else {
                0
            });
            user["followingCount"] = json!(world.followers(a) / 3 + 7);
            user["notesCount"] = json!(world.visible_posts_of(a).count());
            user["uri"] = if user["host"].is_null() {
                Value::Null
            } else {
                json!(world.actor_id(a))
            };
            user["url"] = user["uri"].clone();
            user["description"] = json!("");
            user["createdAt"] = json!(rfc3339_millis(world.now() - 86_400 * 300));
            reply::api(&user)
        }
        None => error(StatusCode::BAD_REQUEST, "NO_SUCH_USER"),
    }
}

fn find_note(ctx: &Ctx<'_>, id: &str) -> Option<Target> {
    let n = u64::from_str_radix(id, 36).ok()?;
    let target = match decode_num(n) {
        NumTarget::Post(p) => Target::Post(p),
        NumTarget::Engagement(e) => Target::Engagement(e),
    };
    let world = ctx.world;
    let (num, post) = match target {
        Target::Post(p) => (world.post_num(p), p),
        Target::Engagement(e) => (
            world.engagement_num(e),
            world.engagements().get(e as usize)?.post,
        ),
    };
    let origin = world
        .posts()
        .get(post as usize)
        .and_then(|p| world.actors().get(p.actor as usize))?
        .instance;
    (num == n && origin == ctx.instance && status_visible(world, target) == Visibility::Visible)
        .then_some(target)
}

/// The visible engagements of `kinds` directly on `target`, newest first.
fn list(
    ctx: &Ctx<'_>,
    target: Target,
    kinds: &[EngagementKind],
    until: Option<u64>,
    lim: usize,
) -> Vec<u32> {
    let world = ctx.world;
    let (post, parent) = match target {
        Target::Post(p) => (p, NO_PARENT),
        Target::Engagement(e) => (
            world
                .engagements()
                .get(e as usize)
                .map_or(u32::MAX, |x| x.post),
            e,
        ),
    };
    let mut found: Vec<u32> = world
        .engagements_of(post)
        .filter_map(|i| u32::try_from(i).ok())
        .filter(|&i| {
            world.engagements().get(i as usize).is_some_and(|x| {
                kinds.contains(&x.kind) && x.parent == parent && world.engagement_listed(x)
            })
        })
        .filter(|&i| until.is_none_or(|u| world.engagement_num(i) < u))
        .collect();
    found.sort_by_key(|&i| std::cmp::Reverse(world.engagement_num(i)));
    found.truncate(lim);
    found
}

fn user_lite(ctx: &Ctx<'_>, a: u32) -> Value {
    let world = ctx.world;
    let actor = world.actors().get(a as usize);
    let local = actor.is_some_and(|x| x.instance == ctx.instance);
    let host = world.instance_of(a).map(|i| i.host.clone());
    json!({
        "id": world.misskey_user_id(a),
        "name": actor.map(|x| &*x.username),
        "username": actor.map(|x| &*x.username),
        "host": if local { None } else { host },
        "avatarUrl": null,
        "avatarBlurhash": null,
        "isBot": false,
        "isCat": actor.is_some_and(|x| x.key % 5 == 0),
        "emojis": {},
        "onlineStatus": "unknown",
    })
}

fn note(ctx: &Ctx<'_>, target: Target) -> Value {
    let world = ctx.world;
    let (num, author, created, reply_id, renote_id, text, uri) = match target {
        Target::Post(p) => {
            let Some(post) = world.posts().get(p as usize) else {
                return Value::Null;
            };
            (
                world.post_num(p),
                post.actor,
                post.published,
                None,
                None,
                Some(format!("{} note {p}", world.brand_name(post))),
                world.post_uri(p),
            )
        }
        Target::Engagement(e) => {
            let Some(x) = world.engagements().get(e as usize) else {
                return Value::Null;
            };
            let parent = if x.parent == NO_PARENT {
                world.post_num(x.post)
            } else {
                world.engagement_num(x.parent)
            };
            let (reply, renote, text) = match x.kind {
                EngagementKind::Boost => (None, Some(parent), None),
                EngagementKind::Quote => (None, Some(parent), Some("Worth reading.".to_owned())),
                _ => (Some(parent), None, Some("Thanks for sharing!".to_owned())),
            };
            (
                world.engagement_num(e),
                x.actor,
                x.created,
                reply,
                renote,
                text,
                world.engagement_uri(e),
            )
        }
    };
    let local = world
        .actors()
        .get(author as usize)
        .is_some_and(|a| a.instance == ctx.instance);
    let (replies, renotes, reactions) = match target {
        Target::Post(p) => note_counts(world, p),
        Target::Engagement(_) => (0, 0, serde_json::Map::new()),
    };
    let reaction_count: u64 = reactions.values().filter_map(Value::as_u64).sum();
    json!({
        "id": base36(num),
        "createdAt": rfc3339_millis(created),
        "userId": world.misskey_user_id(author),
        "user": user_lite(ctx, author),
        "text": text,
        "cw": null,
        "visibility": "public",
        "localOnly": false,
        "renoteCount": renotes,
        "repliesCount": replies,
        "reactionCount": reaction_count,
        "reactions": reactions,
        "reactionEmojis": {},
        "fileIds": [],
        "files": [],
        "replyId": reply_id.map(base36),
        "renoteId": renote_id.map(base36),
        "uri": if local { None } else { Some(uri.clone()) },
        "url": if local { None } else { Some(uri) },
    })
}

/// A post's replies, renotes (quotes included) and reactions by emoji, as Misskey
/// counts them on the note.
fn note_counts(world: &crate::world::World, p: u32) -> (u64, u64, serde_json::Map<String, Value>) {
    let (mut replies, mut renotes) = (0, 0);
    let mut reactions = serde_json::Map::new();
    for i in world.engagements_of(p) {
        let Some(x) = world
            .engagements()
            .get(i)
            .filter(|x| world.engagement_visible(x))
        else {
            continue;
        };
        match x.kind {
            EngagementKind::Reply => replies += 1,
            EngagementKind::Boost | EngagementKind::Quote => renotes += 1,
            EngagementKind::Like => {
                let key = emoji(x.emoji);
                let n = reactions.get(key).and_then(Value::as_u64).unwrap_or(0);
                reactions.insert(key.to_owned(), json!(n + 1));
            }
            EngagementKind::ThreadReply => {}
        }
    }
    (replies, renotes, reactions)
}

fn emoji(index: u8) -> &'static str {
    if index == 0 {
        DEFAULT_REACTION
    } else {
        EMOJIS
            .get(usize::from(index) - 1)
            .copied()
            .unwrap_or(DEFAULT_REACTION)
    }
}

fn reaction(ctx: &Ctx<'_>, e: u32) -> Value {
    let world = ctx.world;
    let Some(x) = world.engagements().get(e as usize) else {
        return Value::Null;
    };
    json!({
        "id": base36(world.engagement_num(e)),
        "createdAt": rfc3339_millis(x.created),
        "user": user_lite(ctx, x.actor),
        "type": emoji(x.emoji),
    })
}
