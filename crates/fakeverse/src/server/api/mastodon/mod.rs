//! Mastodon's REST API, as an unauthenticated client (or the owner's token) sees it,
//! and the same routes as Pleroma, Akkoma, GoToSocial, Friendica and Pixelfed serve
//! them ([`Flavour`]; accounts in `accounts.rs`).
//!
//! Status ids are the object numbers; account ids are actor indices plus
//! [`ACCOUNT_BASE`]. Logged out, `context` returns at most 40 ancestors and 60
//! descendants down to depth 20; with the brand's token, 4096 each. `quotes` needs the
//! token of the quoted post's author.

mod accounts;
mod flavour;

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::Response,
};
use fedireach_core::EngagementKind;
use serde_json::{Value, json};

use self::{
    accounts::{account, account_by_id, account_statuses, lookup, verify_credentials},
    flavour::Flavour,
};
use super::limit;
use crate::{
    server::{
        dispatch::Ctx,
        docs::{Target, Visibility, author_of, status_visible},
        reply,
    },
    time::rfc3339_millis,
    world::{
        NO_PARENT, World,
        ids::{NumTarget, decode_num},
    },
};

/// Account ids are actor indices plus this.
pub(crate) const ACCOUNT_BASE: u64 = 100_000;
const ANCESTORS_LIMIT: usize = 40;
const DESCENDANTS_LIMIT: usize = 60;
const DESCENDANTS_DEPTH_LIMIT: u8 = 20;
const CONTEXT_LIMIT: usize = 4_096;

pub(crate) fn route(ctx: &Ctx<'_>) -> Response {
    let flavour = Flavour::of(ctx.inst.software);
    if flavour.needs_token() && !ctx.token_valid() {
        return reply::api_error(StatusCode::UNAUTHORIZED, "token not supplied");
    }
    let segments: Vec<&str> = ctx.path.trim_end_matches('/').split('/').skip(1).collect();
    match segments.as_slice() {
        ["api", "v1", "accounts", "lookup"]
            if flavour == Flavour::Friendica && !ctx.token_valid() =>
        {
            reply::api_error(StatusCode::FORBIDDEN, "Missing required scope")
        }
        ["api", "v1", "accounts", "lookup"] => lookup(ctx, ctx.param("acct")),
        ["api", "v1", "accounts", "verify_credentials"] => verify_credentials(ctx),
        ["api", "v1", "accounts", acct]
            if flavour == Flavour::Friendica && acct.parse::<u64>().is_err() =>
        {
            lookup(ctx, Some(acct))
        }
        ["api", "v1", "accounts", id] => account_by_id(ctx, id),
        ["api", "v1", "accounts", id, "statuses"] => account_statuses(ctx, id),
        ["api", "v1", "statuses", id] => with_status(ctx, id, |t| reply::api(&status(ctx, t))),
        ["api", "v1", "statuses", id, "context"] => with_status(ctx, id, |t| context(ctx, t)),
        ["api", "v1", "statuses", id, "favourited_by"] => {
            with_status(ctx, id, |t| engagers(ctx, t, EngagementKind::Like))
        }
        ["api", "v1", "statuses", id, "reblogged_by"] => {
            with_status(ctx, id, |t| engagers(ctx, t, EngagementKind::Boost))
        }
        ["api", "v1", "statuses", id, "quotes"] if flavour == Flavour::Mastodon => {
            with_status(ctx, id, |t| quotes(ctx, t, true))
        }
        ["api", "v1", "pleroma", "statuses", id, "quotes"] if flavour == Flavour::Pleroma => {
            with_status(ctx, id, |t| quotes(ctx, t, false))
        }
        _ => reply::api_error(StatusCode::NOT_FOUND, "Record not found"),
    }
}

/// Whether this server knows a status: its own, or one that engages with its posts.
fn known(ctx: &Ctx<'_>, target: Target) -> bool {
    let world = ctx.world;
    if status_visible(world, target) != Visibility::Visible {
        return false;
    }
    let post = match target {
        Target::Post(p) => p,
        Target::Engagement(e) => match world.engagements().get(e as usize) {
            Some(x)
                if matches!(
                    x.kind,
                    EngagementKind::Reply | EngagementKind::ThreadReply | EngagementKind::Quote
                ) =>
            {
                x.post
            }
            _ => return false,
        },
    };
    world
        .posts()
        .get(post as usize)
        .and_then(|p| world.actors().get(p.actor as usize))
        .is_some_and(|a| a.instance == ctx.instance)
}

fn with_status(ctx: &Ctx<'_>, id: &str, f: impl FnOnce(Target) -> Response) -> Response {
    let target = id.parse::<u64>().ok().map(|n| match decode_num(n) {
        NumTarget::Post(p) => Target::Post(p),
        NumTarget::Engagement(e) => Target::Engagement(e),
    });
    match target {
        Some(t) if num(ctx.world, t).to_string() == id && known(ctx, t) => f(t),
        _ => reply::api_error(StatusCode::NOT_FOUND, "Record not found"),
    }
}

fn num(world: &World, t: Target) -> u64 {
    match t {
        Target::Post(p) => world.post_num(p),
        Target::Engagement(e) => world.engagement_num(e),
    }
}

fn children(ctx: &Ctx<'_>, t: Target) -> Vec<u32> {
    let world = ctx.world;
    let mut kids: Vec<u32> = match t {
        Target::Post(p) => world
            .engagements_of(p)
            .filter_map(|i| u32::try_from(i).ok())
            .filter(|&i| {
                world
                    .engagements()
                    .get(i as usize)
                    .is_some_and(|e| e.kind == EngagementKind::Reply && e.parent == NO_PARENT)
            })
            .collect(),
        Target::Engagement(e) => ctx.state.children.get(&e).cloned().unwrap_or_default(),
    };
    kids.retain(|&e| status_visible(world, Target::Engagement(e)) == Visibility::Visible);
    kids.sort_by_key(|&e| world.engagement_num(e));
    kids
}

/// The Status entity.
fn status(ctx: &Ctx<'_>, t: Target) -> Value {
    let world = ctx.world;
    let flavour = Flavour::of(ctx.inst.software);
    let (author, created, parent, kind, post) = match t {
        Target::Post(p) => {
            let Some(post) = world.posts().get(p as usize) else {
                return Value::Null;
            };
            (post.actor, post.published, None, None, p)
        }
        Target::Engagement(e) => {
            let Some(x) = world.engagements().get(e as usize) else {
                return Value::Null;
            };
            let parent = if x.parent == NO_PARENT {
                Target::Post(x.post)
            } else {
                Target::Engagement(x.parent)
            };
            (x.actor, x.created, Some(parent), Some(x.kind), x.post)
        }
    };
    let parent = parent.filter(|_| kind != Some(EngagementKind::Quote));
    let counts = match t {
        Target::Post(p) => world.visible_counts(p),
        Target::Engagement(_) => fedireach_core::KindCounts::default(),
    };
    let (likes, boosts, quotes) = (counts.likes, counts.boosts, counts.quotes);
    let uri = match t {
        Target::Post(p) => world.post_uri(p),
        Target::Engagement(e) => world.engagement_uri(e),
    };
    let quote = (kind == Some(EngagementKind::Quote))
        .then(|| json!({ "state": "accepted", "quoted_status": status(ctx, Target::Post(post)) }));
    json!({
        "id": num(world, t).to_string(),
        "created_at": rfc3339_millis(created),
        "in_reply_to_id": parent.map(|p| num(world, p).to_string()),
        "in_reply_to_account_id": parent.and_then(|p| author_of(world, p)).map(|a| (u64::from(a) + ACCOUNT_BASE).to_string()),
        "sensitive": false,
        "spoiler_text": "",
        "visibility": "public",
        // What the origin stored from the note's own declaration (Mastodon reads a
        // remote note's `contentMap`; no declaration, no language).
        "language": world.declared_language(author),
        "url": match flavour {
            Flavour::Pleroma | Flavour::Akkoma => {
                format!("{}/notice/{}", ctx.origin(), num(world, t))
            }
            Flavour::Friendica => format!(
                "{}/display/{}",
                ctx.origin(),
                uri.rsplit('/').next().unwrap_or_default()
            ),
            _ => uri.clone(),
        },
        "uri": uri,
        "replies_count": children(ctx, t).len(),
        "reblogs_count": boosts,
        "favourites_count": likes,
        "quotes_count": flavour.quotes().then_some(quotes),
        "edited_at": null,
        "content": format!("<p>Status {}</p>", num(world, t)),
        "reblog": null,
        "account": account(ctx, author),
        "media_attachments": [],
        "mentions": [],
        "tags": [],
        "emojis": [],
        "card": null,
        "poll": null,
        "quote": quote,
    })
}

fn engagement_author_gone(world: &crate::World, e: u32) -> bool {
    world
        .engagements()
        .get(e as usize)
        .and_then(|x| world.actors().get(x.actor as usize))
        .is_none_or(|a| a.gone)
}

fn context(ctx: &Ctx<'_>, t: Target) -> Response {
    let world = ctx.world;
    let uncapped = ctx.token_valid() || !Flavour::of(ctx.inst.software).caps_context();
    let flavour = Flavour::of(ctx.inst.software);
    let (ancestors_cap, descendants_cap, depth_cap) = if flavour == Flavour::Pixelfed {
        // ApiV1Controller::statusContext: the parent, and 20 direct replies.
        (1, 20, 1)
    } else if flavour == Flavour::Friendica {
        // Statuses/Context.php: `limit` (default 40) of each side, `array_slice`d.
        let n = limit(ctx.param("limit"), 40, usize::MAX);
        (n, n, u8::MAX)
    } else if uncapped {
        (CONTEXT_LIMIT, CONTEXT_LIMIT, u8::MAX)
    } else {
        (ANCESTORS_LIMIT, DESCENDANTS_LIMIT, DESCENDANTS_DEPTH_LIMIT)
    };
    let mut ancestors = Vec::new();
    let mut cursor = t;
    while let Target::Engagement(e) = cursor {
        let Some(x) = world.engagements().get(e as usize) else {
            break;
        };
        cursor = if x.parent == NO_PARENT {
            Target::Post(x.post)
        } else {
            Target::Engagement(x.parent)
        };
        ancestors.push(cursor);
    }
    ancestors.reverse();
    let ancestors: Vec<Value> = ancestors
        .iter()
        .rev()
        .take(ancestors_cap)
        .rev()
        .map(|a| status(ctx, *a))
        .collect();
    let mut descendants = Vec::new();
    let mut stack: Vec<(u32, u8)> = children(ctx, t).into_iter().rev().map(|e| (e, 1)).collect();
    while let Some((e, depth)) = stack.pop() {
        if descendants.len() >= descendants_cap {
            break;
        }
        // A deleted account's statuses are gone, and the replies below them are no
        // longer in the thread: the chain of in_reply_to is broken.
        if engagement_author_gone(world, e) {
            continue;
        }
        descendants.push(status(ctx, Target::Engagement(e)));
        if depth < depth_cap {
            stack.extend(
                children(ctx, Target::Engagement(e))
                    .into_iter()
                    .rev()
                    .map(|c| (c, depth + 1)),
            );
        }
    }
    reply::api(&json!({ "ancestors": ancestors, "descendants": descendants }))
}

/// `favourited_by` / `reblogged_by`: newest first, `max_id`/`since_id` cursors (the
/// engagement numbers), `Link` header.
fn engagers(ctx: &Ctx<'_>, t: Target, kind: EngagementKind) -> Response {
    let Target::Post(p) = t else {
        return reply::api(&json!([]));
    };
    let world = ctx.world;
    let mut all: Vec<(u64, u32)> = world
        .engagements_of(p)
        .filter_map(|i| u32::try_from(i).ok())
        .filter_map(|i| {
            let x = world.engagements().get(i as usize)?;
            // A deleted account's favourites and boosts go with it (its server sent a
            // Delete), so an actor that answers 410 is never listed.
            let gone = world.actors().get(x.actor as usize).is_none_or(|a| a.gone);
            (x.kind == kind && world.engagement_listed(x) && !gone)
                .then(|| (world.engagement_num(i), x.actor))
        })
        .collect();
    all.sort_by_key(|x| std::cmp::Reverse(x.0));
    // Friendica's FavouritedBy/RebloggedBy answer everyone at once, without paging;
    // Pixelfed's page 10 at a time, past the first page for the post's author only.
    let flavour = Flavour::of(ctx.inst.software);
    let whole = flavour == Flavour::Friendica;
    let limit = match flavour {
        Flavour::Friendica => usize::MAX,
        Flavour::Pixelfed => limit(ctx.param("limit"), 10, 80),
        _ => limit(ctx.param("limit"), 40, 80),
    };
    let author = world
        .posts()
        .get(p as usize)
        .and_then(|post| world.brands().get(post.brand as usize))
        .is_some_and(|b| b.token.is_some() && b.token == ctx.token);
    if flavour == Flavour::Pixelfed && !author && ctx.param("max_id").is_some() {
        return reply::api(&json!([]));
    }
    let max_id = ctx.param("max_id").and_then(|v| v.parse::<u64>().ok());
    let since_id = ctx.param("since_id").and_then(|v| v.parse::<u64>().ok());
    let page: Vec<(u64, u32)> = all
        .iter()
        .filter(|(n, _)| max_id.is_none_or(|m| *n < m) && since_id.is_none_or(|s| *n > s))
        .take(limit)
        .copied()
        .collect();
    let accounts: Vec<Value> = page.iter().map(|(_, a)| account(ctx, *a)).collect();
    let mut response = reply::api(&json!(accounts));
    if whole {
        return response;
    }
    let base = format!("{}{}", ctx.origin(), ctx.path);
    let mut links = Vec::new();
    if let Some((last, _)) = page.last()
        && all.iter().any(|(n, _)| n < last)
    {
        links.push(format!(
            "<{base}?limit={limit}&max_id={last}>; rel=\"next\""
        ));
    }
    if let Some((first, _)) = page.first() {
        links.push(format!(
            "<{base}?limit={limit}&since_id={first}>; rel=\"prev\""
        ));
    }
    if !links.is_empty()
        && let Ok(v) = HeaderValue::from_str(&links.join(", "))
    {
        response.headers_mut().insert(header::LINK, v);
    }
    response
}

/// A post's quotes: Mastodon's only for the quoted post's author, with its token
/// (`owner_only`); Pleroma's for anyone.
fn quotes(ctx: &Ctx<'_>, t: Target, owner_only: bool) -> Response {
    let Target::Post(p) = t else {
        return reply::api(&json!([]));
    };
    let world = ctx.world;
    if owner_only {
        if ctx.token.is_none() {
            return reply::api_error(StatusCode::UNAUTHORIZED, "The access token is invalid");
        }
        let owner_ok = ctx.token_valid()
            && world
                .posts()
                .get(p as usize)
                .and_then(|post| world.brands().get(post.brand as usize))
                .is_some_and(|b| b.token == ctx.token);
        if !owner_ok {
            return reply::api_error(StatusCode::FORBIDDEN, "This action is not allowed");
        }
    }
    let items: Vec<Value> = world
        .listed_engagements_of(p, EngagementKind::Quote)
        .map(|i| status(ctx, Target::Engagement(i)))
        .collect();
    reply::api(&json!(items))
}
