//! Accounts: lookup (by `acct`, or Friendica's `accounts/NAME@HOST`), the token's own
//! (`verify_credentials`), by id, and an account's statuses.

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::Response,
};
use serde_json::{Value, json};

use super::{ACCOUNT_BASE, Flavour, status};
use crate::{
    server::{api::limit, dispatch::Ctx, docs::Target, reply},
    time::rfc3339_millis,
};

pub(super) fn actor_from_id(ctx: &Ctx<'_>, id: &str) -> Option<u32> {
    let n = id.parse::<u64>().ok()?.checked_sub(ACCOUNT_BASE)?;
    let a = u32::try_from(n).ok()?;
    ctx.world
        .actors()
        .get(a as usize)
        .is_some_and(|x| !x.gone)
        .then_some(a)
}

/// The Account entity of any actor, as this server knows it.
pub(crate) fn account(ctx: &Ctx<'_>, a: u32) -> Value {
    let world = ctx.world;
    let Some(actor) = world.actors().get(a as usize) else {
        return Value::Null;
    };
    let local = actor.instance == ctx.instance;
    let host = world.instance_of(a).map_or("", |i| i.host.as_str());
    let acct = if local {
        actor.username.to_string()
    } else {
        format!("{}@{host}", actor.username)
    };
    let id = world.actor_id(a);
    // A brand's own count is shown to every client; an engager's only where its actor
    // document is readable (what the truth can know of it).
    let followers = if actor.brand.is_some() || crate::truth::followers_known(world, a) {
        world.followers(a)
    } else {
        0
    };
    let statuses = world.visible_posts_of(a).count();
    json!({
        "id": (u64::from(a) + ACCOUNT_BASE).to_string(),
        "username": actor.username,
        "acct": acct,
        "display_name": actor.username,
        "locked": false,
        "bot": false,
        "discoverable": actor.opt_out != crate::world::OptOut::NotDiscoverable,
        "indexable": matches!(actor.opt_out, crate::world::OptOut::None | crate::world::OptOut::NoBot | crate::world::OptOut::NotDiscoverable),
        "group": false,
        "created_at": rfc3339_millis(world.now() - 86_400 * 500),
        "note": if actor.opt_out == crate::world::OptOut::NoBot { "<p>#nobot</p>" } else { "<p></p>" },
        "url": id,
        "uri": id,
        "avatar": format!("https://{host}/avatars/{}.png", actor.username),
        "avatar_static": format!("https://{host}/avatars/{}.png", actor.username),
        "header": format!("https://{host}/headers/{}.png", actor.username),
        "header_static": format!("https://{host}/headers/{}.png", actor.username),
        "followers_count": followers,
        "following_count": followers / 3 + 7,
        "statuses_count": statuses,
        "last_status_at": null,
        "noindex": false,
        "emojis": [],
        "roles": [],
        "fields": [],
    })
}

pub(super) fn lookup(ctx: &Ctx<'_>, acct: Option<&str>) -> Response {
    let Some(acct) = acct else {
        return reply::api_error(StatusCode::BAD_REQUEST, "Missing acct");
    };
    let acct = acct.trim_start_matches('@');
    let (user, host) = acct
        .split_once('@')
        .unwrap_or((acct, ctx.inst.host.as_str()));
    if host != ctx.inst.host {
        return reply::api_error(StatusCode::NOT_FOUND, "Record not found");
    }
    let found = ctx.inst.actors.clone().find(|a| {
        ctx.world
            .actors()
            .get(*a as usize)
            .is_some_and(|x| &*x.username == user && !x.gone)
    });
    match found {
        Some(a) => reply::api(&account(ctx, a)),
        None => reply::api_error(StatusCode::NOT_FOUND, "Record not found"),
    }
}

/// The token's own account: the brand's account on this host.
pub(super) fn verify_credentials(ctx: &Ctx<'_>) -> Response {
    if !ctx.token_valid() {
        return reply::api_error(StatusCode::UNAUTHORIZED, "The access token is invalid");
    }
    let world = ctx.world;
    let own = world
        .brands()
        .iter()
        .find(|b| b.token.is_some() && b.token == ctx.token)
        .and_then(|b| b.actors.first().copied());
    match own {
        Some(a) => reply::api(&account(ctx, a)),
        None => reply::api_error(StatusCode::UNAUTHORIZED, "The access token is invalid"),
    }
}

pub(super) fn account_by_id(ctx: &Ctx<'_>, id: &str) -> Response {
    match actor_from_id(ctx, id) {
        Some(a) => reply::api(&account(ctx, a)),
        None => reply::api_error(StatusCode::NOT_FOUND, "Record not found"),
    }
}

pub(super) fn account_statuses(ctx: &Ctx<'_>, id: &str) -> Response {
    let Some(a) = actor_from_id(ctx, id) else {
        return reply::api_error(StatusCode::NOT_FOUND, "Record not found");
    };
    let world = ctx.world;
    let mut all: Vec<u32> = world.visible_posts_of(a).collect();
    all.sort_by_key(|&p| std::cmp::Reverse(world.post_num(p)));
    let (default, max) = Flavour::of(ctx.inst.software).statuses_limit();
    let limit = limit(ctx.param("limit"), default, max);
    let max_id = ctx.param("max_id").and_then(|v| v.parse::<u64>().ok());
    let since_id = ctx.param("since_id").and_then(|v| v.parse::<u64>().ok());
    let min_id = ctx.param("min_id").and_then(|v| v.parse::<u64>().ok());
    let mut page: Vec<u32> = if let Some(min) = min_id {
        let mut above: Vec<u32> = all
            .iter()
            .rev()
            .filter(|&&p| world.post_num(p) > min)
            .take(limit)
            .copied()
            .collect();
        above.reverse();
        above
    } else {
        all.iter()
            .filter(|&&p| {
                max_id.is_none_or(|m| world.post_num(p) < m)
                    && since_id.is_none_or(|s| world.post_num(p) > s)
            })
            .take(limit)
            .copied()
            .collect()
    };
    page.truncate(limit);
    let statuses: Vec<Value> = page.iter().map(|&p| status(ctx, Target::Post(p))).collect();
    let mut response = reply::api(&json!(statuses));
    let base = format!("{}{}", ctx.origin(), ctx.path);
    let mut links = Vec::new();
    if let Some(&last) = page.last()
        && all
            .iter()
            .any(|&p| world.post_num(p) < world.post_num(last))
    {
        links.push(format!(
            "<{base}?limit={limit}&max_id={}>; rel=\"next\"",
            world.post_num(last)
        ));
    }
    if let Some(&first) = page.first() {
        links.push(format!(
            "<{base}?limit={limit}&min_id={}>; rel=\"prev\"",
            world.post_num(first)
        ));
    }
    if !links.is_empty()
        && let Ok(v) = HeaderValue::from_str(&links.join(", "))
    {
        response.headers_mut().insert(header::LINK, v);
    }
    response
}
