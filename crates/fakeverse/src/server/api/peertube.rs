//! PeerTube's REST API: channels and their videos, video details, comment threads.
//! Video ids are post indices plus one, comment ids engagement indices plus one.

use axum::{http::StatusCode, response::Response};
use fedireach_core::EngagementKind;
use serde_json::{Value, json};

use crate::{
    server::{dispatch::Ctx, reply},
    time::rfc3339_millis,
    world::{NO_PARENT, World, ids::uuid},
};

fn error(status: StatusCode, detail: &str) -> Response {
    let mut r = reply::api(
        &json!({ "type": "about:blank", "title": detail, "detail": detail, "status": status.as_u16() }),
    );
    *r.status_mut() = status;
    r
}

pub(crate) fn route(ctx: &Ctx<'_>) -> Response {
    let segments: Vec<&str> = ctx.path.trim_end_matches('/').split('/').skip(1).collect();
    match segments.as_slice() {
        ["api", "v1", "video-channels", name] => channel(ctx, name, false),
        ["api", "v1", "video-channels", name, "videos"] => channel(ctx, name, true),
        ["api", "v1", "videos", id] => with_video(ctx, id, |p| reply::api(&video(ctx, p))),
        ["api", "v1", "videos", id, "comment-threads"] => with_video(ctx, id, |p| threads(ctx, p)),
        ["api", "v1", "videos", id, "comment-threads", thread] => {
            with_video(ctx, id, |p| thread_tree(ctx, p, thread))
        }
        _ => error(StatusCode::NOT_FOUND, "Not found"),
    }
}

fn video_uuid(world: &World, p: u32) -> String {
    let key = world
        .posts()
        .get(p as usize)
        .and_then(|post| world.actors().get(post.actor as usize))
        .map_or(0, |a| a.key);
    uuid(key, world.post_num(p))
}

fn with_video(ctx: &Ctx<'_>, id: &str, f: impl FnOnce(u32) -> Response) -> Response {
    let world = ctx.world;
    let found = world.posts().iter().enumerate().find_map(|(i, post)| {
        let i = u32::try_from(i).ok()?;
        let here = world
            .actors()
            .get(post.actor as usize)
            .is_some_and(|a| a.instance == ctx.instance);
        (here
            && world.post_visible(post)
            && ((i + 1).to_string() == id || video_uuid(world, i) == id))
            .then_some(i)
    });
    match found {
        Some(p) => f(p),
        None => error(StatusCode::NOT_FOUND, "Video not found"),
    }
}

fn account(ctx: &Ctx<'_>, a: u32) -> Value {
    let world = ctx.world;
    let actor = world.actors().get(a as usize);
    json!({
        "id": a + 1,
        "name": actor.map(|x| &*x.username),
        "displayName": actor.map(|x| &*x.username),
        "url": world.actor_id(a),
        "host": world.instance_of(a).map(|i| i.host.as_str()),
        "avatars": [],
    })
}

/// A video's likes and comments (replies at every depth).
fn counts(world: &World, p: u32) -> (u64, u64) {
    let counts = world.visible_counts(p);
    (counts.likes, counts.replies + counts.thread_replies)
}

fn video(ctx: &Ctx<'_>, p: u32) -> Value {
    let world = ctx.world;
    let Some(post) = world.posts().get(p as usize) else {
        return Value::Null;
    };
    let (likes, comments) = counts(world, p);
    let uuid = video_uuid(world, p);
    json!({
        "id": p + 1,
        "uuid": uuid,
        "name": format!("{} video #{p}", world.brand_name(post)),
        "url": world.post_uri(p),
        "embedPath": format!("/videos/embed/{uuid}"),
        "publishedAt": rfc3339_millis(post.published),
        "createdAt": rfc3339_millis(post.published),
        "duration": 60 + post.key % 900,
        "views": post.key % 5000,
        "likes": likes,
        "dislikes": 0,
        "comments": comments,
        "isLocal": true,
        "privacy": { "id": 1, "label": "Public" },
        "channel": account(ctx, post.actor),
        "account": account(ctx, post.actor),
        "commentsEnabled": true,
    })
}

fn channel(ctx: &Ctx<'_>, name: &str, videos: bool) -> Response {
    let world = ctx.world;
    let found = ctx.inst.actors.clone().find(|a| {
        world
            .actors()
            .get(*a as usize)
            .is_some_and(|x| x.brand.is_some() && &*x.username == name)
    });
    let Some(a) = found else {
        return error(StatusCode::NOT_FOUND, "Video channel not found");
    };
    if !videos {
        let mut doc = account(ctx, a);
        doc["followersCount"] = json!(world.followers(a));
        doc["followingCount"] = json!(0);
        return reply::api(&doc);
    }
    let start: usize = ctx.param("start").and_then(|v| v.parse().ok()).unwrap_or(0);
    let count: usize = ctx
        .param("count")
        .and_then(|v| v.parse().ok())
        .unwrap_or(15)
        .clamp(1, 100);
    let mut all: Vec<u32> = world.visible_posts_of(a).collect();
    all.sort_by_key(|&p| std::cmp::Reverse(world.post_num(p)));
    let data: Vec<Value> = all
        .iter()
        .skip(start)
        .take(count)
        .map(|&p| video(ctx, p))
        .collect();
    reply::api(&json!({ "total": all.len(), "data": data }))
}

fn comment(ctx: &Ctx<'_>, p: u32, e: u32, thread: u32) -> Value {
    let world = ctx.world;
    let Some(x) = world.engagements().get(e as usize) else {
        return Value::Null;
    };
    json!({
        "id": e + 1,
        "url": world.engagement_uri(e),
        "text": "Thanks for sharing!",
        "threadId": thread + 1,
        "inReplyToCommentId": if x.parent == NO_PARENT { None } else { Some(x.parent + 1) },
        "videoId": p + 1,
        "createdAt": rfc3339_millis(x.created),
        "updatedAt": rfc3339_millis(x.created),
        "deletedAt": null,
        "isDeleted": false,
        "totalRepliesFromVideoAuthor": 0,
        "totalReplies": ctx.state.children.get(&e).map_or(0, |c| c.iter().filter(|&&c| world.engagements().get(c as usize).is_some_and(|y| world.engagement_visible(y))).count()),
        "account": account(ctx, x.actor),
    })
}

fn threads(ctx: &Ctx<'_>, p: u32) -> Response {
    let world = ctx.world;
    let start: usize = ctx.param("start").and_then(|v| v.parse().ok()).unwrap_or(0);
    let count: usize = ctx
        .param("count")
        .and_then(|v| v.parse().ok())
        .unwrap_or(15)
        .clamp(1, 100);
    let roots: Vec<u32> = world
        .listed_engagements_of(p, EngagementKind::Reply)
        .collect();
    let data: Vec<Value> = roots
        .iter()
        .skip(start)
        .take(count)
        .map(|&e| comment(ctx, p, e, e))
        .collect();
    reply::api(&json!({ "total": roots.len(), "totalNotDeleted": roots.len(), "data": data }))
}

fn thread_tree(ctx: &Ctx<'_>, p: u32, thread: &str) -> Response {
    let world = ctx.world;
    let Some(root) = thread.parse::<u32>().ok().and_then(|t| t.checked_sub(1)) else {
        return error(StatusCode::NOT_FOUND, "Thread not found");
    };
    let ok = world.engagements().get(root as usize).is_some_and(|x| {
        x.post == p && x.kind == EngagementKind::Reply && world.engagement_listed(x)
    });
    if !ok {
        return error(StatusCode::NOT_FOUND, "Thread not found");
    }
    fn tree(ctx: &Ctx<'_>, p: u32, e: u32, root: u32) -> Value {
        let world = ctx.world;
        let children: Vec<Value> = ctx
            .state
            .children
            .get(&e)
            .map(|c| {
                c.iter()
                    .filter(|&&c| {
                        world
                            .engagements()
                            .get(c as usize)
                            .is_some_and(|y| world.engagement_listed(y))
                    })
                    .map(|&c| tree(ctx, p, c, root))
                    .collect()
            })
            .unwrap_or_default();
        json!({ "comment": comment(ctx, p, e, root), "children": children })
    }
    reply::api(&tree(ctx, p, root, root))
}
